"""The first page of every canned query as the API serves it (``GET /api/queries/{name}``, the
default page size, the count of the whole answer included) on a store of a generated national
corpus: read in one evaluation (``Reader.page`` on the store) against, as the baseline in the same
run, the page asked for with LIMIT and OFFSET and then a COUNT over the query (how the API asks a
SPARQL server, and asked the store before). Each query is answered once before it is timed, then
``--repeat`` times each way, alternating; the server's time limit is lifted so a slow page is
measured rather than stopped.

    PYTHONPATH=. .venv/bin/python -m bench.pages --store /tmp/nat10k-store --corpus /tmp/nat10k [--repeat 3]

Writes bench/results/pages-{N}.{json,md} (N: documents in the store).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.queries import RESULTS, machine, parameters, write_results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--corpus", type=Path, required=True, help="the generated corpus (its manifest.json)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", nargs="*", help="these queries only (printed, no results file written)")
    args = ap.parse_args()
    os.environ["POLICYKG_QUERY_TIMEOUT"] = "600"
    from fastapi.testclient import TestClient

    from policykg.api.app import create_app
    from policykg.graph.executor import service
    from policykg.graph.store import Store

    store = Store(args.store, read_only=True)
    documents = sum(1 for _ in store.documents())
    client = TestClient(create_app(store))
    svc = service(store)
    load = os.getloadavg()
    results: dict[str, Any] = {}
    for name, params in parameters(args.corpus).items():
        if args.only and name not in args.only:
            continue
        times: dict[str, list[float]] = {"one pass": [], "page and count": []}
        bodies = {}
        for run in range(args.repeat + 1):
            for way, one_pass in (("one pass", True), ("page and count", False)):
                svc.one_pass_pages = one_pass
                started = time.perf_counter()
                r = client.get(f"/api/queries/{name}", params=params)
                seconds = time.perf_counter() - started
                body = r.json()
                assert r.status_code == 200, (name, r.text[:300])
                bodies[way] = (body["count"], len(body["rows"]), body["rows"])
                if run:  # the first answers each way warm the store's caches
                    times[way].append(seconds)
        assert bodies["one pass"] == bodies["page and count"], f"{name}: the two ways answer differently"
        count, rows, _ = bodies["one pass"]
        results[name] = {"params": params, "count": count, "rows": rows,
                         **{way: statistics.median(t) for way, t in times.items()}}
        print(name, count, {way: round(statistics.median(t), 3) for way, t in times.items()}, flush=True)
    svc.one_pass_pages = True
    if args.only:
        return
    out = {"documents": documents, "repeat": args.repeat, **machine(load), "queries": results}
    write_results(f"pages-{documents}", out)
    lines = [f"# The first page of each canned query over the API, {documents:,} generated documents", "",
             f"`PYTHONPATH=. .venv/bin/python -m bench.pages --store STORE --corpus CORPUS --repeat {args.repeat}`", "",
             f"{out['machine']}; load average at the start {out['load_at_start']}, at the end {out['load_at_end']}. "
             "Median of the timed runs, seconds, in one server process (TestClient, query workers as served). "
             "**one pass**: the page and the count of the whole answer read out of one evaluation; "
             "**page and count** (the baseline): LIMIT/OFFSET, then a COUNT over the query when more rows follow. "
             "Both ways gave the same page and count for every query.", "",
             "| query | rows in the answer | one pass (s) | page and count (s) | ratio |", "|---|---:|---:|---:|---:|"]
    for name, r in results.items():
        lines.append(f"| {name} | {r['count']:,} | {r['one pass']:.3f} | {r['page and count']:.3f} | "
                     f"{r['page and count'] / r['one pass']:.2f}× |")
    (RESULTS / f"pages-{documents}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
