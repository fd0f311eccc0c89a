"""The faceted search (``/ui/search.json``) on a store of a generated national corpus: words written
each way the search folds (Simplified, Traditional, spaced, pinyin), a pinyin word found
everywhere, a division's name, and browsing without words (everything, a province, a kind and a
task area). As the baseline in the same run, the canned query ``measures-search`` for the same
phrase (one SPARQL query, measures only, no facets, no pinyin): the ratio says what the search
costs beyond the plain phrase query. Each request once untimed, then ``--repeat`` times; the
server's time limit is lifted so a slow search is measured rather than stopped (a search over the
default limit of 30 s is marked).

    PYTHONPATH=. .venv/bin/python -m bench.search --store /tmp/nat1k-store [--repeat 3]

Writes bench/results/search-{N}.{json,md} (N: documents in the store).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path
from typing import Any

from bench.queries import RESULTS, machine, write_results

PHRASE = "行政执法公示"
SEARCHES: list[tuple[str, dict[str, str]]] = [
    ("phrase", {"q": PHRASE}),
    ("traditional", {"q": "行政執法公示"}),
    ("spaced", {"q": "行政执法 公示"}),
    ("pinyin", {"q": "zhifa gongshi"}),
    ("pinyin, common syllables", {"q": "fazhi"}),
    ("words apart", {"q": "公示 执法", "match": "all"}),
    ("division name", {"q": "广西 执法公示"}),
    ("no words", {"q": ""}),
    ("no words, a province", {"q": "", "jurisdiction": "450000"}),
    ("no words, measures of a task area", {"q": "", "kind": "measure", "task_area": "enforcement"}),
    ("no words, page 20", {"q": "", "offset": "950"}),
]
LIMIT = 30.0  # the server's default query time limit (settings: query_timeout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    os.environ["POLICYKG_QUERY_TIMEOUT"] = "600"
    from fastapi.testclient import TestClient

    from policykg.api.app import create_app
    from policykg.graph.store import Store

    store = Store(args.store, read_only=True)
    documents = sum(1 for _ in store.documents())
    client = TestClient(create_app(store))
    load = os.getloadavg()

    def timed(path: str, params: dict[str, str]) -> tuple[float, dict[str, Any]]:
        times, body = [], {}
        for run in range(args.repeat + 1):
            started = time.perf_counter()
            r = client.get(path, params=params)
            seconds = time.perf_counter() - started
            assert r.status_code == 200, (path, params, r.text[:300])
            body = r.json()
            if run:  # the first warms the store's caches
                times.append(seconds)
        return statistics.median(times), body

    baseline, answer = timed("/api/queries/measures-search", {"phrase": PHRASE})
    print("baseline measures-search", answer["count"], round(baseline, 3), flush=True)
    results: dict[str, Any] = {}
    for name, params in SEARCHES:
        seconds, body = timed("/ui/search.json", params)
        results[name] = {"params": params, "seconds": seconds, "count": body["count"], "matched": body.get("matched"),
                         "truncated": bool(body.get("truncated"))}
        print(name, body["count"], round(seconds, 3), flush=True)
    out = {"documents": documents, "repeat": args.repeat, **machine(load),
           "baseline": {"query": "measures-search", "phrase": PHRASE, "seconds": baseline, "count": answer["count"]},
           "searches": results}
    write_results(f"search-{documents}", out)
    lines = [f"# The faceted search, {documents:,} generated documents", "",
             f"`PYTHONPATH=. .venv/bin/python -m bench.search --store STORE --repeat {args.repeat}`", "",
             f"{out['machine']}; load average at the start {out['load_at_start']}, at the end {out['load_at_end']}. "
             "Median of the timed runs, seconds, in one server process (TestClient, query workers as served, the "
             "time limit lifted). **Baseline**, in the same run: the canned query `measures-search` for "
             f"{PHRASE} ({answer['count']:,} measures), {baseline:.3f} s: one SPARQL query, measures only, no facets. "
             f"A search past {LIMIT:.0f} s (the default time limit) would answer 503 as served.", "",
             "| search | parameters | results | seconds | × baseline |", "|---|---|---:|---:|---:|"]
    for name, r in results.items():
        shown = ", ".join(f"{k}={v}" for k, v in r["params"].items() if v) or "(none)"
        flag = " (over the limit)" if r["seconds"] > LIMIT else ""
        lines.append(f"| {name} | `{shown}` | {r['count']:,}{' (truncated)' if r['truncated'] else ''} | "
                     f"{r['seconds']:.2f}{flag} | {r['seconds'] / baseline:.1f}× |")
    (RESULTS / f"search-{documents}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
