"""Every canned query at the size of a generated national corpus: p50 and p95 of each, with
parameters drawn from the corpus' manifest (a county plan, a provincial plan's measure, a county's
司法局 …). Each run is a fresh read-only process with a time limit, so a query that never returns
is reported as such instead of stopping the benchmark. Each query runs as the server runs it
(``CannedQuery.prepare``: strings substituted, other values written into the text, OPTIONALs as
LATERAL on the embedded engine). In the same run, as the baseline, each
query's standard text (``render``: what the engine ran before ``graph.dialect`` turned its
OPTIONALs into LATERAL ones), and an ASK that touches one triple (the engine's floor).

    PYTHONPATH=. .venv/bin/python -m bench.corpus /tmp/nat1k --documents 1000 --seed 1
    .venv/bin/policykg ingest /tmp/nat1k --store /tmp/nat1k-store
    PYTHONPATH=. .venv/bin/python -m bench.queries --store /tmp/nat1k-store --corpus /tmp/nat1k [--repeat 5] [--limit 120]

Writes bench/results/queries-{N}.{json,md} (N: documents in the store).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import statistics
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
Outcome = tuple[float | None, int | None, str | None]  # seconds, rows, why there is no time


def machine(load: tuple[float, float, float]) -> dict[str, Any]:
    """What a results file says of the run's machine: its cores and platform, and the load average
    at the start (``load``, read then) and now, at the end."""
    return {"machine": f"{os.cpu_count()} cores, {platform.platform()}", "load_at_start": [round(x, 2) for x in load],
            "load_at_end": [round(x, 2) for x in os.getloadavg()]}


def write_results(stem: str, out: dict[str, Any]) -> None:
    """bench/results/{stem}.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")



def parameters(corpus: Path) -> dict[str, dict[str, str]]:
    """Parameters of each canned query, from the generated corpus' manifest."""
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    docs = manifest["documents"]
    plans = [d for d in docs if d["kind"] == "plan"]
    # a county or district (a county-level city names its bodies 市…, which reads the same as a prefecture's)
    county = next((d for d in plans if d["level"] == "county" and d["title"].split("法治政府建设")[0][-1] in "县区旗"), plans[-1])
    province = next(d for d in plans if d["level"] == "provincial")
    reports = [d for d in docs if d["kind"] != "plan"]
    year = str(reports[0].get("year") or reports[0]["date"][:4]) if reports else "2022"
    # the county's own 司法局 as the generator names it (县司法局 / 区司法局), with its place
    place = county["title"].split("法治政府建设")[0]
    agency = f"{place} {place[-1]}司法局"
    return {
        "implementers": {"document": province["title"], "measure": "3"},
        "lineage": {"document": county["title"]},
        "citing": {"document": province["title"]},
        "agency-load": {"jurisdiction": county["code"]},
        "unled-measures": {"jurisdiction": county["code"]},
        "due-by": {"date": "2023-06-30"},
        "reports": {"year": year},
        "obligations": {"agency": agency},
        "measures-search": {"phrase": "行政执法公示"},
        "indicator-figures": {"indicator": "行政复议"},
        "task-area": {"area": "严格规范公正文明执法"},
        "coverage": {"document": province["title"]},
        "documents": {"area": province["code"], "level": "county"},
        "cascade-implementers": {"document": province["title"], "measure": "3"},
        "successor": {"agency": agency},
        "inherited-duties": {"agency": agency},
        "in-force": {"date": "2023-06-30", "area": province["code"]},
        "open-obligations": {"date": "2023-06-30", "jurisdiction": county["code"]},
        "overdue": {"date": "2024-01-01", "jurisdiction": county["code"]},
        "adoption": {"document": province["title"], "level": "county"},
        "implementation-status": {"document": county["title"]},
        "duty-holder": {"agency": agency, "date": "2019-01-01"},
    }


def _measure(store: str, name: str, params: dict[str, str], variant: str | None) -> tuple[float, int]:
    from policykg import queries
    from policykg.graph.resolve import Resolver
    from policykg.graph.store import Store

    s = Store(store, read_only=True)
    if name == "ASK":
        started = time.perf_counter()
        s.query("ASK { ?s a lg:Measure }")
        return time.perf_counter() - started, 1
    q = queries.get(name)
    bound = q.bind(params, Resolver(s))
    text = q.render(bound) if variant == "standard" else q.executable(bound)  # else: as the server and the CLI run it
    started = time.perf_counter()
    rows = s.select(text)
    return time.perf_counter() - started, len(rows)


def timed(store: Path, name: str, params: dict[str, str], variant: str | None, limit: float) -> Outcome:
    """Seconds and rows of one run in a process of its own, or None past ``limit`` (or on error)."""
    return forked(_measure, (str(store), name, params, variant), limit)


def _send(target: Callable[..., tuple[float, int]], args: tuple[Any, ...], out: Connection) -> None:
    try:
        out.send(target(*args))
    except BaseException as exc:  # reported, not mistaken for a timeout (MemoryError included)
        out.send((None, f"{type(exc).__name__}: {str(exc)[:300]}"))


def forked(target: Callable[..., tuple[float, int]], args: tuple[Any, ...], limit: float) -> Outcome:
    """``target(*args)`` (seconds, rows) in a forked process, or no time past ``limit`` or on an
    error (the arguments are not pickled: a forked child has them)."""
    parent, child = mp.Pipe(duplex=False)
    proc = mp.get_context("fork").Process(target=_send, args=(target, args, child))
    proc.start()
    child.close()  # a child that dies is seen as EOF at once
    if parent.poll(limit):
        try:
            seconds, rows = parent.recv()
        except EOFError:
            proc.join()
            return None, None, f"exit {proc.exitcode}"
        proc.join()
        if seconds is None:
            return None, None, str(rows)
        return seconds, rows, None
    proc.kill()
    proc.join()
    return None, None, f"> {limit:.0f} s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--corpus", type=Path, required=True, help="the generated corpus (its manifest.json)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--limit", type=float, default=120.0, help="seconds before a run is stopped")
    args = ap.parse_args()
    from policykg import queries
    from policykg.graph.store import Store

    s = Store(args.store, read_only=True)
    documents = s.stats().documents_in_corpus
    quads = len(s.ox)
    del s
    cases: list[tuple[str, str | None, dict[str, str]]] = [("ASK", None, {})]
    for name, params in parameters(args.corpus).items():
        cases.append((name, None, params))
        if "OPTIONAL" in queries.get(name).sparql and queries.get(name).lateral:
            cases.append((name, "standard", params))
    results = []
    for name, variant, params in cases:
        times: list[float] = []
        rows: int | None = None
        note = None
        for _ in range(args.repeat):
            seconds, rows, note = timed(args.store, name, params, variant, args.limit)
            if seconds is None:
                break
            times.append(seconds)
        label = f"{name} (standard text, before)" if variant else name
        entry = {"query": label, "params": params, "rows": rows, "runs": len(times), "note": note,
                 "p50_s": round(statistics.median(times), 4) if times else None,
                 "p95_s": round(sorted(times)[max(0, round(0.95 * len(times)) - 1)], 4) if times else None}
        results.append(entry)
        print(f"{label:45} p50 {entry['p50_s']!s:>8} s  p95 {entry['p95_s']!s:>8} s  rows {rows}  {note or ''}", flush=True)
    floor = results[0]["p50_s"] or 1e-9
    report = {"machine": f"{platform.machine()}, {mp.cpu_count()} cores, Python {platform.python_version()}",
              "documents": documents, "quads": quads, "repeat": args.repeat, "limit_s": args.limit,
              "baseline": "ASK { ?s a lg:Measure } (the engine's floor), and each query's standard text "
                          "(OPTIONAL, not LATERAL) in the same run", "results": results}
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / f"queries-{documents}"
    stem.with_suffix(".json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    lines = [f"# Canned queries at {documents} documents ({quads:,} quads)", "",
             f"{report['machine']}; {args.repeat} runs each, each in a fresh read-only process, stopped after {args.limit:.0f} s.", "",
             "| query | rows | p50 (s) | p95 (s) | p50 / ASK floor |", "|---|---:|---:|---:|---:|"]
    for r in results:
        ratio = f"{r['p50_s'] / floor:,.0f}×" if r["p50_s"] else (r["note"] or "")
        lines.append(f"| {r['query']} | {r['rows'] if r['rows'] is not None else ''} | {r['p50_s'] if r['p50_s'] is not None else r['note']} "
                     f"| {r['p95_s'] if r['p95_s'] is not None else ''} | {ratio} |")
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"→ {stem}.json, {stem}.md")


if __name__ == "__main__":
    main()
