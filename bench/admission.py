"""Admission control on loopback: a real `policykg serve` over the sample corpus in a child process
(2 query workers), 48 concurrent slow SPARQL queries (a cross join that runs until
``query_timeout``) from 6 loopback addresses, and beside them, from another address, probes one
after another: ``/api/settings`` and a static file (no query), ``/api/stats`` (answered from its
cache), a trivial ASK and a canned query (both wait for a worker), each kind in a loop of its
own. The same probes are first run with no slow load: the baseline of the same run.

    PYTHONPATH=. .venv/bin/python -m bench.admission [--slow 48] [--clients 6] [--timeout 5]

Writes bench/results/admission.json: per probe, p50/p95 latency with and without the load and
the statuses; of the slow queries, how many were refused at once (503 queue full, 429 per
client), stopped at the time limit (503), or gave up waiting (503).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import httpx

from bench.server import serving

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PLAN = "钦州市钦南区法治政府建设实施方案(2016-2020年)"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PROBES = {
    "settings (no query)": "/api/settings",
    "static file (no query)": "/static/ui.css",
    "stats (from its cache)": "/api/stats",
    "SPARQL ASK (a worker)": "/sparql?query=" + quote("ASK { ?m a lg:Measure }"),
    "canned query implementers (a worker)": f"/api/queries/implementers?document={quote(PLAN)}&measure=37",
}



def _pct(values: list[float], p: float) -> float | None:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1) if ordered else None


async def _probe(http: httpx.AsyncClient, until: asyncio.Event | int, pause: float) -> dict[str, list[tuple[int, float]]]:
    """Each probe in a loop of its own (one request at a time, ``pause`` apart), until ``until``
    (an event, or a number of rounds)."""
    seen: dict[str, list[tuple[int, float]]] = {name: [] for name in PROBES}

    async def loop(name: str, path: str) -> None:
        rounds = 0
        while not (until.is_set() if isinstance(until, asyncio.Event) else rounds >= until):
            started = time.perf_counter()
            try:
                status = (await http.get(path)).status_code
            except httpx.HTTPError:
                status = 0
            seen[name].append((status, time.perf_counter() - started))
            rounds += 1
            await asyncio.sleep(pause)

    await asyncio.gather(*(loop(name, path) for name, path in PROBES.items()))
    return seen


def _summary(seen: dict[str, list[tuple[int, float]]]) -> dict[str, object]:
    return {name: {"requests": len(v), "p50_ms": _pct([t for _, t in v], 0.5), "p95_ms": _pct([t for _, t in v], 0.95),
                   "max_ms": _pct([t for _, t in v], 1.0), "statuses": dict(Counter(str(s) for s, _ in v))}
            for name, v in seen.items()}


async def _loaded(base: str, slow: int, clients: int) -> tuple[dict[str, object], dict[str, object]]:
    senders = [httpx.AsyncClient(base_url=base, timeout=300, limits=httpx.Limits(max_connections=slow),
                                 transport=httpx.AsyncHTTPTransport(local_address=f"127.0.0.{2 + i}")) for i in range(clients)]
    prober = httpx.AsyncClient(base_url=base, timeout=300)
    started = time.perf_counter()
    done = asyncio.Event()

    async def one(http: httpx.AsyncClient) -> tuple[int, str, float]:
        r = await http.get("/sparql", params={"query": SLOW})
        kind = r.json().get("error", "ok") if r.status_code != 200 else "ok"
        if r.status_code == 503 and kind == "ServiceBusy":
            kind += " (queue full)" if "query_queue" in r.json()["message"] else " (waited too long)"
        return r.status_code, kind + ("" if "retry-after" not in r.headers else ", Retry-After"), time.perf_counter() - started

    async def load() -> list[tuple[int, str, float]]:
        try:
            return await asyncio.gather(*(one(senders[i % clients]) for i in range(slow)))
        finally:
            done.set()

    try:
        answers, seen = await asyncio.gather(load(), _probe(prober, done, 0.05))
    finally:
        for http in (*senders, prober):
            await http.aclose()
    outcomes = Counter(f"{status} {kind}" for status, kind, _ in answers)
    times = sorted(t for *_, t in answers)
    return _summary(seen), {"slow_queries": slow, "from_addresses": clients, "outcomes": dict(outcomes),
                            "refused_at_once": sum(1 for s, k, _ in answers if s == 429 or "queue full" in k),
                            "first_answer_s": round(times[0], 2), "last_answer_s": round(times[-1], 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--slow", type=int, default=48)
    ap.add_argument("--clients", type=int, default=6)
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--queue", type=int, default=32)
    ap.add_argument("--per-client", type=int, default=8)
    ap.add_argument("--store", help="an ingested store to serve (default: ingest the seeds into a temporary one)")
    args = ap.parse_args()
    exe = Path(sys.executable).parent / "policykg"
    settings = {"POLICYKG_QUERY_WORKERS": "2", "POLICYKG_QUERY_TIMEOUT": str(args.timeout), "POLICYKG_QUERY_QUEUE": str(args.queue),
                "POLICYKG_PER_CLIENT_QUERIES": str(args.per_client)}
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(args.store) if args.store else Path(tmp) / "store"
        if not args.store:
            subprocess.run([str(exe), "ingest", str(ROOT / "corpus" / "seeds"), "--store", str(store)], check=True, capture_output=True)
        with serving(store, settings) as base:
            for path in PROBES.values():  # warm: the snapshot, the workers, the stats cache
                httpx.get(base + path, timeout=120).raise_for_status()

            async def baseline() -> dict[str, object]:
                async with httpx.AsyncClient(base_url=base, timeout=60) as http:
                    return _summary(await _probe(http, 40, 0.05))

            quiet = asyncio.run(baseline())
            loaded, slow = asyncio.run(_loaded(base, args.slow, args.clients))
            healthy = httpx.get(f"{base}/sparql", params={"query": "ASK { ?m a lg:Measure }"}, timeout=60).status_code == 200
    report = {"machine": f"{platform.machine()} {platform.system()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "when": time.strftime("%Y-%m-%d %H:%M:%S"),
              "server": "one `policykg serve` process (uvicorn, 1 worker) over the seeds' on-disk store",
              "settings": {k.removeprefix("POLICYKG_").lower(): v for k, v in settings.items()},
              "slow_query": SLOW, "probes": PROBES, "baseline_no_load": quiet, "under_load": loaded, "slow": slow,
              "healthy_after": healthy}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "admission.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps({k: report[k] for k in ("baseline_no_load", "under_load", "slow", "healthy_after")}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
