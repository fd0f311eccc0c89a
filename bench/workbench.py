"""The research workbench at the size of a generated corpus: each network projection built from
the store (the whole corpus and one province), each written as GraphML, GEXF, Cytoscape JSON and
CSV, and the citable release (N-Quads with its manifest). Baselines in the same run: for a
projection, the time of its SELECTs alone (the store's share; the rest is building the networkx
graph); for the release, Oxigraph's own N-Quads dump of the same store (the manifest costs the
counts and the hash on top of it).

    PYTHONPATH=. .venv/bin/python -m bench.workbench --store STORE [--area 450000] [--repeat 3]

Writes bench/results/workbench-{Q}.{json,md} (Q: quads in the store, in thousands).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import time
import typing
from pathlib import Path
from typing import IO, Any

from bench.queries import RESULTS, machine, write_results


def _best(fn: typing.Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--area", help="a division whose projections are timed too (default: the province with most documents)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    import pyoxigraph as ox

    from policykg.graph.export import release
    from policykg.graph.resolve import Resolver
    from policykg.graph.store import Store
    from policykg.queries import network_formats
    from policykg.queries.projections import PROJECTIONS, Filters, project

    store = Store(args.store, read_only=True)
    quads = len(store.ox)
    documents = sum(1 for _ in store.documents())
    area = args.area or str(store.select(
        "SELECT ?code (COUNT(?d) AS ?n) WHERE { ?d lg:inCorpus true ; lg:issuingArea ?a . ?a skos:broaderTransitive ?p . "
        "?p lg:areaLevel lg:LevelProvincial ; skos:notation ?code } GROUP BY ?code ORDER BY DESC(?n) LIMIT 1")[0]["code"])
    resolver = Resolver(store)
    selects: list[float] = []

    def timed_select(text: str) -> list[dict[str, object]]:
        started = time.perf_counter()
        rows = store.select(text)
        selects.append(time.perf_counter() - started)
        return rows

    load = os.getloadavg()
    results: list[dict[str, Any]] = []
    for name in PROJECTIONS:
        for scope, filters in (("all", Filters()), (f"area={area}", Filters(area=area))):
            selects.clear()
            seconds, g = _best(lambda name=name, filters=filters: project(name, timed_select, resolver, filters), args.repeat)
            select_share = sum(selects) / args.repeat
            row: dict[str, Any] = {"projection": name, "scope": scope, "nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
                                   "project": seconds, "selects": select_share}
            for fmt in network_formats.FORMATS:
                t, data = _best(lambda g=g, fmt=fmt: network_formats.write(g, fmt), args.repeat)
                row[fmt] = t
                row[f"{fmt}_bytes"] = len(data)
            results.append(row)
            print(json.dumps(row), flush=True)

    def plain() -> int:
        out = io.BytesIO()
        store.ox.dump(out, format=ox.RdfFormat.N_QUADS)
        return len(out.getvalue())

    dump_seconds, size = _best(plain, args.repeat)
    release_seconds, manifest = _best(lambda: release(store.ox, typing.cast(IO[bytes], io.BytesIO())), args.repeat)
    out = {"store": args.store.name, "quads": quads, "documents": documents, "area": area, "repeat": args.repeat,
           **machine(load), "projections": results,
           "release": {"dump_seconds": dump_seconds, "release_seconds": release_seconds, "bytes": size,
                       "sha256": manifest["sha256"]}}
    stem = f"workbench-{quads // 1000}k"
    write_results(stem, out)
    lines = [f"# Projections, network files and the release at {quads:,} quads ({documents:,} generated documents)", "",
             f"`PYTHONPATH=. .venv/bin/python -m bench.workbench --store STORE --repeat {args.repeat}`", "",
             f"{out['machine']}; load average at the start {out['load_at_start']}, at the end {out['load_at_end']}. "
             f"Median of {args.repeat} runs in one process, seconds. **project**: the networkx graph from the store "
             "(`queries.projections.project`); **selects**: its SELECTs alone (the baseline: what the store answers); "
             "then each file written from the graph.", "",
             "| projection | scope | nodes | edges | project (s) | selects (s) | graph / selects | graphml (s) | gexf (s) | cytoscape (s) | csv (s) | graphml MB |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['projection']} | {r['scope']} | {r['nodes']:,} | {r['edges']:,} | {r['project']:.3f} | {r['selects']:.3f} | "
                     f"{r['project'] / r['selects']:.2f}× | {r['graphml']:.3f} | {r['gexf']:.3f} | {r['cytoscape']:.3f} | {r['csv']:.3f} | "
                     f"{r['graphml_bytes'] / 1e6:.1f} |")
    rel = out["release"]
    lines += ["", f"Release (every quad as N-Quads, {rel['bytes'] / 1e6:.0f} MB, with its manifest: counts per graph, SHA-256): "
              f"**{rel['release_seconds']:.2f} s**, against Oxigraph's own N-Quads dump of the same store in the same run, "
              f"{rel['dump_seconds']:.2f} s (**{rel['release_seconds'] / rel['dump_seconds']:.2f}×**)."]
    (RESULTS / f"{stem}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
