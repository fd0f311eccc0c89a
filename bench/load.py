"""Load test on loopback: a real `policykg serve` over the sample corpus in a child process, and
N concurrent clients (asyncio + httpx, in this process) hitting one URL for a fixed time. Every
answer is checked against the first (status 200, same rows), so the figures count only correct
answers. A baseline URL that does not touch the store (/api/settings) is run the same way in the
same run, so the canned query's cost reads as a ratio against the server's own overhead.

    PYTHONPATH=. .venv/bin/python -m bench.load [--clients 16] [--seconds 30]

Writes bench/results/load.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from bench.server import serving

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PLAN = "钦州市钦南区法治政府建设实施方案(2016-2020年)"
TARGETS = {
    "baseline: /api/settings (no store)": "/api/settings",
    "canned query implementers (measure 37)": f"/api/queries/implementers?document={quote(PLAN)}&measure=37",
    "canned query obligations (钦南区法制办)": f"/api/queries/obligations?agency={quote('钦南区法制办')}",
    "SPARQL endpoint, measures per document": "/sparql?query=" + quote(
        "SELECT ?d (COUNT(?m) AS ?n) WHERE { ?m a lg:Measure ; lg:document ?d } GROUP BY ?d ORDER BY ?d"),
}



def _rows(body: bytes) -> object:
    data = json.loads(body)
    return data.get("rows", data.get("results", data.get("settings")))


async def _client(http: httpx.AsyncClient, url: str, until: float, reference: object, latencies: list[float], errors: list[str]) -> None:
    while time.perf_counter() < until:
        started = time.perf_counter()
        try:
            r = await http.get(url)
            ok = r.status_code == 200 and _rows(r.content) == reference
            if not ok:
                errors.append(f"{r.status_code} {r.text[:120]}")
        except httpx.HTTPError as exc:
            errors.append(repr(exc))
            continue
        latencies.append(time.perf_counter() - started)


async def _run(base: str, path: str, clients: int, seconds: float) -> dict[str, object]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        first = await http.get(path)
        first.raise_for_status()
        reference = _rows(first.content)
        latencies: list[float] = []
        errors: list[str] = []
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(*(_client(http, path, until, reference, latencies, errors) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")

    return {"requests": len(latencies), "errors": len(errors), "first_errors": errors[:3], "seconds": round(elapsed, 2),
            "rps": round(len(latencies) / elapsed, 1), "p50_ms": round(pct(0.50), 1), "p95_ms": round(pct(0.95), 1),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=30.0)
    args = ap.parse_args()
    exe = Path(sys.executable).parent / "policykg"
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        subprocess.run([str(exe), "ingest", str(ROOT / "corpus" / "seeds"), "--store", str(store)], check=True, capture_output=True)
        with serving(store, ready="/api/stats", wait=20) as base:
            results = {name: asyncio.run(_run(base, path, args.clients, args.seconds)) for name, path in TARGETS.items()}
            healthy = httpx.get(f"{base}/api/stats", timeout=5).status_code == 200
    baseline = results["baseline: /api/settings (no store)"]
    for r in results.values():
        r["rps_vs_baseline"] = round(float(r["rps"]) / float(baseline["rps"]), 3)  # type: ignore[arg-type]
    report = {"machine": f"{platform.machine()} {platform.system()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "when": time.strftime("%Y-%m-%d %H:%M:%S"), "clients": args.clients, "seconds_per_target": args.seconds,
              "server": "one `policykg serve` process (uvicorn, 1 worker) over the seeds' on-disk store", "healthy_after": healthy,
              "targets": results}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = ["# Load test on loopback", "", f"{report['machine']}; {report['when']}; {args.clients} concurrent clients, "
             f"{args.seconds:g} s per target; {report['server']}; server healthy afterwards: {healthy}.", "",
             "| target | requests | errors | req/s | vs baseline | p50 ms | p95 ms |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        lines.append(f"| {name} | {r['requests']:,} | {r['errors']} | {r['rps']} | {r['rps_vs_baseline']} | {r['p50_ms']} | {r['p95_ms']} |")
    (RESULTS / "load.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
