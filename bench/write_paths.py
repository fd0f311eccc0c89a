"""What writing the same quads costs on each of Oxigraph's write paths: a transaction per document
(``Store.extend``, how the store writes a document atomically), ``bulk_extend`` of 50 documents at
a time (not atomic), and ``bulk_load`` of their N-Quads (parsing included; the baseline ingest is
measured against). The documents' graphs come from a store's N-Quads dump; each path writes them
into an empty store of its own, in the same run.

    PYTHONPATH=. .venv/bin/python -m bench.write_paths --dump STORE.nq [--documents 300]

Writes bench/results/write-paths.{json,md}.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.queries import RESULTS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dump", type=Path, required=True, help="N-Quads of a store (policykg export --format nq)")
    ap.add_argument("--documents", type=int, default=300)
    args = ap.parse_args()
    import pyoxigraph as ox

    graphs: dict[str, list[ox.Quad]] = defaultdict(list)
    for q in ox.parse(path=str(args.dump), format=ox.RdfFormat.N_QUADS):
        g = q.graph_name
        if isinstance(g, ox.NamedNode) and "/graph/doc/" in g.value and (g.value in graphs or len(graphs) < args.documents):
            graphs[g.value].append(q)
    docs = list(graphs.values())
    quads = sum(map(len, docs))
    load = os.getloadavg()
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        def fresh(name: str) -> ox.Store:
            return ox.Store(str(Path(tmp) / name))

        s = fresh("extend")
        started = time.perf_counter()
        for d in docs:
            s.extend(d)
        s.flush()
        seconds["extend, a transaction per document"] = time.perf_counter() - started
        s = fresh("bulk_extend")
        started = time.perf_counter()
        for i in range(0, len(docs), 50):
            s.bulk_extend([q for d in docs[i:i + 50] for q in d])
        s.flush()
        seconds["bulk_extend, 50 documents at a time"] = time.perf_counter() - started
        data = io.BytesIO()
        ox.serialize([q for d in docs for q in d], data, format=ox.RdfFormat.N_QUADS)
        s = fresh("bulk_load")
        started = time.perf_counter()
        s.bulk_load(data.getvalue(), format=ox.RdfFormat.N_QUADS)
        s.flush()
        seconds["bulk_load of the N-Quads (parsing included)"] = time.perf_counter() - started
    base = seconds["bulk_load of the N-Quads (parsing included)"]
    out = {"documents": len(docs), "quads": quads, "machine": f"{os.cpu_count()} cores, {platform.platform()}",
           "load_at_start": [round(x, 2) for x in load], "seconds": seconds}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "write-paths.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
    lines = [f"# Oxigraph's write paths on the same {quads:,} quads ({len(docs)} generated documents' graphs)", "",
             f"`PYTHONPATH=. .venv/bin/python -m bench.write_paths --dump STORE.nq --documents {args.documents}`", "",
             f"{out['machine']}; load average at the start {out['load_at_start']}. One run each, into an empty store.", "",
             "| path | seconds | µs per quad | ms per document | against bulk_load |", "|---|---:|---:|---:|---:|"]
    for name, t in seconds.items():
        lines.append(f"| {name} | {t:.2f} | {1e6 * t / quads:.1f} | {1e3 * t / len(docs):.1f} | {t / base:.2f}× |")
    (RESULTS / "write-paths.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
