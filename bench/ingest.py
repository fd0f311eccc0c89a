"""Ingest at the size of a generated national corpus: documents and megabytes a second (and per
core), peak memory of the whole process tree (the writer and its Dask workers) against the batch
size, and, as the baseline in the same run, the engine's own bulk load of the same store
(``pyoxigraph.Store.bulk_load`` of its N-Quads dump into an empty store: the vocabulary included,
which the ingest does not load, so the ratio flatters the engine, not us).

Each ingest is the real command (``policykg ingest``) in a child process, on a copy of a store
that already holds the vocabulary (built once and timed apart), with alignment and reasoning
included; its process tree's memory is sampled every 0.2 s.

    PYTHONPATH=. .venv/bin/python -m bench.ingest [--documents 1000] [--batches 100,300] [--seed 1]

Writes bench/results/ingest-{N}.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pyoxigraph as ox

from bench.corpus import generate

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
POLICYKG = [sys.executable, "-m", "policykg"]


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run(command: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a command; its wall time, exit code, output and the peak memory of its process tree."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        proc = psutil.Process(child.pid)
        while not done.is_set():
            try:
                peak = max(peak, _tree_rss(proc))
            except psutil.Error:
                return
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = child.communicate()
    done.set()
    sampler.join()
    return {"seconds": round(time.perf_counter() - started, 2), "returncode": child.returncode,
            "peak_mb": round(peak / 2**20), "stdout": out, "stderr": err}


def subset(corpus: Path, files: list[Path], n: int, out: Path) -> Path:
    """The first ``n`` documents of the corpus (parents come before their children)."""
    out.mkdir(parents=True, exist_ok=True)
    for f in files[:n]:
        shutil.copy(f, out / f.name)
    return out


def ingest(corpus: Path, vocabulary: Path, work: Path, name: str) -> dict[str, Any]:
    store = work / f"store-{name}"
    shutil.copytree(vocabulary, store)
    result = run([*POLICYKG, "ingest", str(corpus), "--store", str(store), "--no-progress"])
    if result["returncode"] != 0:
        raise SystemExit(f"ingest of {corpus} failed:\n{result['stderr'][-2000:]}")
    files = sorted(p for p in corpus.iterdir() if p.suffix == ".txt")
    size = sum(p.stat().st_size for p in files)
    cores = os.cpu_count() or 1
    quads = len(ox.Store.read_only(str(store)))
    summary = result["stdout"].strip().splitlines()[-1].replace(str(work), "WORK")  # no path of this machine in the results
    return {"documents": len(files), "megabytes": round(size / 2**20, 2), "seconds": result["seconds"],
            "docs_per_second": round(len(files) / result["seconds"], 2),
            "mb_per_second_per_core": round(size / 2**20 / result["seconds"] / cores, 4),
            "peak_mb": result["peak_mb"], "quads": quads, "summary": summary, "store": str(store.relative_to(work))}


def bulk_baseline(store: Path, work: Path) -> dict[str, Any]:
    """The engine's bulk load of the ingested store's N-Quads dump into an empty store."""
    dump = work / "dump.nq"
    exported = run([*POLICYKG, "export", "--store", str(store), "--format", "nq", "-o", str(dump)])
    if exported["returncode"] != 0:
        raise SystemExit(f"export failed:\n{exported['stderr'][-2000:]}")
    target = work / "bulk"
    started = time.perf_counter()
    s = ox.Store(str(target))
    s.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    s.flush()
    seconds = time.perf_counter() - started
    quads = len(s)
    del s
    return {"seconds": round(seconds, 2), "quads": quads, "dump_mb": round(dump.stat().st_size / 2**20)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--batches", default="100,300", help="smaller batches (first documents of the corpus) for memory against batch size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one, removed)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="policykg-bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        corpus = work / "corpus"
        if not corpus.exists():
            generate(corpus, args.documents, args.seed)
        files = sorted(p for p in corpus.iterdir() if p.suffix == ".txt")
        vocabulary = work / "vocabulary"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"from policykg.graph.store import Store; Store({str(vocabulary)!r}).ensure_vocabularies()"],
                       check=True)
        vocab_seconds = round(time.perf_counter() - started, 2)
        runs = []
        for n in sorted({int(x) for x in args.batches.split(",") if x} | {len(files)}):
            if n > len(files):
                continue
            source = corpus if n == len(files) else subset(corpus, files, n, work / f"batch-{n}")
            runs.append(ingest(source, vocabulary, work, str(n)))
            print(f"ingest {n}: {runs[-1]['seconds']} s, {runs[-1]['docs_per_second']} docs/s, peak {runs[-1]['peak_mb']} MB", flush=True)
        full = runs[-1]
        bulk = bulk_baseline(work / full["store"], work)
        print(f"bulk load of the same store: {bulk['seconds']} s ({bulk['quads']} quads)", flush=True)
        report = {
            "machine": {"python": platform.python_version(), "cores": os.cpu_count(), "platform": platform.platform()},
            "corpus": {"documents": len(files), "seed": args.seed},
            "vocabulary_store_seconds": vocab_seconds,
            "runs": [{k: v for k, v in r.items() if k != "store"} for r in runs],
            "bulk_load_baseline": bulk,
            "ratio_ingest_to_bulk_load": round(full["seconds"] / bulk["seconds"], 2),
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        stem = RESULTS / f"ingest-{len(files)}"
        stem.with_suffix(".json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        lines = [f"# Ingest of a generated national corpus ({len(files)} documents, seed {args.seed})", "",
                 f"`PYTHONPATH=. .venv/bin/python -m bench.ingest --documents {args.documents} --batches {args.batches}` "
                 f"on {os.cpu_count()} cores; the real `policykg ingest` (Dask local cluster, alignment and reasoning included) "
                 "on a copy of a store holding the vocabulary "
                 f"(built once in {vocab_seconds} s, not counted).", "",
                 "| documents | MB | seconds | docs/s | MB/s per core | peak memory (process tree) | quads in the store |",
                 "|---:|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {r['documents']} | {r['megabytes']} | {r['seconds']} | {r['docs_per_second']} | {r['mb_per_second_per_core']} | "
                  f"{r['peak_mb']} MB | {r['quads']:,} |" for r in runs]
        lines += ["", f"Baseline in the same run: Oxigraph's bulk load of the whole store's N-Quads dump ({bulk['dump_mb']} MB, "
                  f"{bulk['quads']:,} quads, vocabulary included) into an empty store: **{bulk['seconds']} s**; "
                  f"the ingest of {full['documents']} documents took **{report['ratio_ingest_to_bulk_load']}×** as long."]
        stem.with_suffix(".md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(stem.with_suffix(".md").read_text(encoding="utf-8"))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
