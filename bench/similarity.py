"""What linking sibling jurisdictions' measures (``graph.similarity``) costs when a plan is written,
on a store of a generated national corpus: for each of ``--plans`` plans with siblings, the
similarity refresh of that one document (its links with each sibling plan, both ways) against, as
the baseline in the same run, the measure-alignment refresh of the same document with its parents
(``graph.alignment``, the derived step every write already pays). Also: finding every plan's
siblings, and how many siblings and links a plan has. The store is written to (the links of the
plans measured are rewritten), so run it on a scratch copy.

    PYTHONPATH=. .venv/bin/python -m bench.similarity --store /tmp/nat10k-store [--plans 20]

Writes bench/results/similarity-{N}.{json,md} (N: documents in the store).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from bench.queries import RESULTS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--plans", type=int, default=20)
    args = ap.parse_args()
    import pyoxigraph as ox

    from policykg import iris
    from policykg.graph import alignment, similarity

    store = ox.Store(str(args.store))
    documents = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?d <https://w3id.org/policykg/ontology#inCorpus> true }",
                                          use_default_graph_as_union=True)))["n"].value)  # type: ignore[arg-type, index]
    started = time.perf_counter()
    siblings = similarity.sibling_plans(store)
    find = time.perf_counter() - started
    with_measures = set(alignment.corpus_measures(store, siblings))
    plans = sorted(p for p in siblings if p in with_measures)[:args.plans]
    own, base, links = [], [], []
    for p in plans:
        key = iris.key_of_document(p)
        t = time.perf_counter()
        done = similarity.refresh(store, [key])
        own.append(time.perf_counter() - t)
        links.append(done.get(key, 0))
        t = time.perf_counter()
        alignment.refresh(store, [key])
        base.append(time.perf_counter() - t)
    result: dict[str, Any] = {
        "documents": documents, "plans_with_siblings": len(siblings), "sibling_pairs": sum(map(len, siblings.values())) // 2,
        "find_siblings_s": round(find, 2), "plans_measured": len(plans),
        "mean_siblings": round(statistics.mean(len(siblings[p]) for p in plans), 1) if plans else 0,
        "mean_links_per_plan": round(statistics.mean(links), 1) if links else 0,
        "similarity_refresh_s_median": round(statistics.median(own), 3) if own else None,
        "alignment_refresh_s_median": round(statistics.median(base), 3) if base else None,
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
    }
    if own and base:
        result["ratio"] = round(statistics.median(own) / statistics.median(base), 2)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"similarity-{documents}"
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    lines = [f"# Sibling-measure links at {documents:,} generated documents", "",
             "`PYTHONPATH=. .venv/bin/python -m bench.similarity --store STORE --plans N` (a scratch copy of the store)", "",
             "| what | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in result.items()]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
