"""What a user waits for before anything else: a server's start to its first answer, the ingest of
one document into an existing store, and the size of a new empty store. Each is measured on real
processes (`policykg serve`, `policykg ingest`) over the seed store, with the store's vocabulary
current (what every start after the first sees) and, as the baseline in the same run, with the
vocabulary stale (what every start cost before the vocabulary was versioned: it was rebuilt each
time). Median of ``--repeat`` runs each.

    PYTHONPATH=. .venv/bin/python -m bench.foundation [--repeat 3]

Writes bench/results/foundation.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from bench.server import free_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SEEDS = ROOT / "corpus" / "seeds"
ONE = ROOT / "tests" / "fixtures" / "layouts" / "qinzhou_labelled_fields.txt"
CLI = [sys.executable, "-m", "policykg"]
PLAN = "钦州市钦南区法治政府建设实施方案(2016-2020年)"
FIRST = f"/api/queries/implementers?document={quote(PLAN)}&measure=37"


def _stale(store: Path) -> None:
    """Mark the store's vocabulary as an older release's."""
    from policykg.graph.store import VOCABULARY_VERSION, Store, meta_graph_iri

    s = Store(store)
    meta = f"<{meta_graph_iri()}>"
    s.ox.update(f"DELETE WHERE {{ GRAPH {meta} {{ {meta} <{VOCABULARY_VERSION}> ?v }} }} ; "
                f"INSERT DATA {{ GRAPH {meta} {{ {meta} <{VOCABULARY_VERSION}> 'old' }} }}")
    s.flush()
    del s


def start_to_first_answer(store: Path) -> float:
    port = free_port()
    started = time.monotonic()
    proc = subprocess.Popen([*CLI, "serve", "--store", str(store), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{FIRST}", timeout=30) as r:
                    assert r.status == 200 and "区法制办" in r.read().decode("utf-8")
                    return time.monotonic() - started
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("the server exited") from None
                time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait()


def ingest_one(store: Path) -> float:
    started = time.monotonic()
    subprocess.run([*CLI, "ingest", str(ONE), "--store", str(store)], check=True, capture_output=True)
    return time.monotonic() - started


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="policykg-bench-"))
    try:
        empty = work / "empty"
        started = time.monotonic()
        from policykg.graph.store import Store

        s = Store(empty)
        s.ensure_vocabularies()
        s.flush()
        del s
        empty_seconds = time.monotonic() - started
        empty_bytes = _size(empty)
        seeded = work / "seeded"
        subprocess.run([*CLI, "ingest", str(SEEDS), "--store", str(seeded)], check=True, capture_output=True)
        rows: dict[str, dict[str, float]] = {}
        for name, fn in (("server start to first answer", start_to_first_answer), ("ingest of one document", ingest_one)):
            current, stale = [], []
            for i in range(args.repeat):
                for kind, out in (("current", current), ("stale", stale)):
                    copy = work / f"{kind}-{name[:6]}-{i}"
                    shutil.copytree(seeded, copy)
                    if kind == "stale":
                        _stale(copy)
                    out.append(fn(copy))
            rows[name] = {"current_s": round(statistics.median(current), 3), "stale_baseline_s": round(statistics.median(stale), 3),
                          "ratio": round(statistics.median(current) / statistics.median(stale), 3)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "repeat": args.repeat, "measures": rows,
              "new empty store": {"bytes": empty_bytes, "MB": round(empty_bytes / 2**20, 1), "seconds_to_build": round(empty_seconds, 2)}}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "foundation.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    lines = ["# Start-up and small writes", "", f"{result['machine']}; median of {args.repeat}.", "",
             "| | vocabulary current | baseline: vocabulary rebuilt | ratio |", "|---|---:|---:|---:|"]
    lines += [f"| {k} | {v['current_s']} s | {v['stale_baseline_s']} s | {v['ratio']} |" for k, v in rows.items()]
    lines += ["", f"New empty store (vocabulary of every division): {result['new empty store']['MB']} MB on disk."]
    (RESULTS / "foundation.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
