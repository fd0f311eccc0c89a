"""Every canned query on three engines at several sizes of a generated national corpus, in one run:
the embedded store (Oxigraph), Virtuoso (Debian's 7.2.5, tests/virtuoso.py's settings: one thread a
query, 160 MB of buffers) and rdflib's in-memory store (where it loads within its limits), each
query's p50 and p95 and its row count on each engine with the same parameters, the slope of each
cost against corpus size (d log time / d log documents), the quads of each size and each engine's
load time (embedded: ``policykg ingest``; Virtuoso: its bulk loader on our N-Quads dump; rdflib:
parsing the same dump into a ``Dataset``), and the queries whose row counts differ between engines.

For each size N (``--sizes``) in ``--work``: ``N/corpus`` (``bench.corpus``, seed 1), ``N/store``
(``policykg ingest``; its time kept in ``N/ingest.json``), ``N/store.nq`` (``policykg export
--format nq``): each is reused when already there, so a second run only measures the engines.
Parameters are ``bench.queries.parameters`` (drawn from the corpus' manifest), resolved once on
the embedded store; every engine runs the same resolved values.

- embedded: each run in a fresh read-only process with a time limit, the text the server runs
  (``CannedQuery.executable``: OPTIONALs as LATERAL), as in ``bench.queries``; and, where that text
  differs, the standard text (``render``) too, the one the other two engines run.
- Virtuoso: a fresh database per size (``tests.virtuoso.start`` and ``bulk_load``), the standard
  text with the project's prefixes over its SPARQL endpoint (``tests.virtuoso.select``: HTTP and
  JSON included); a run past the limit restarts the server (it would go on computing).
- rdflib: the dump parsed by a process of its own (skipped above ``--rdflib-max-quads``, stopped
  after ``--rdflib-load-limit`` seconds or at ``--rdflib-memory`` GB of address space: "did not
  finish"), which forks a child per run (the loaded graph shared, copy on write) with the limit.

Virtuoso and rdflib are loaded first (one after the other, each timed alone); then each query's
runs are interleaved across the engines (run i on each, then run i + 1, their order turning), so
the machine's changing load falls on all of them alike. A floor row, ``SELECT ?s WHERE { ?s a
lg:Measure } LIMIT 1``, gives each engine's fixed cost (a fresh process's first query; an HTTP
round trip; rdflib's parsing of a query). A query past the limit on an engine at one size is not
run on that engine at the larger sizes.

    PYTHONPATH=. .venv/bin/python -m bench.engines --sizes 100,1000 [--work DIR] [--repeat 5] [--limit 60]
        [--rdflib-max-quads 6000000] [--rdflib-load-limit 1800] [--rdflib-memory 14]

Writes bench/results/engines.{json,md}.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import multiprocessing as mp
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench.corpus import generate
from bench.queries import Outcome, forked, parameters
from tests import virtuoso

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
POLICYKG = [sys.executable, "-m", "policykg"]
FLOOR = "floor"
FLOOR_TEXT = "SELECT ?s WHERE { ?s a lg:Measure } LIMIT 1"
ENGINES = ("embedded", "embedded-standard", "virtuoso", "rdflib")
LABELS = {"embedded": "embedded (as served)", "embedded-standard": "embedded (standard text)",
          "virtuoso": "Virtuoso", "rdflib": "rdflib"}


@dataclass
class Case:
    """A query at one size: its parameters and the two texts (None when it could not be bound)."""

    name: str
    params: dict[str, str]
    executable: str | None = None
    standard: str | None = None
    note: str | None = None


@dataclass
class Size:
    documents: int
    folder: Path
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def corpus(self) -> Path:
        return self.folder / "corpus"

    @property
    def store(self) -> Path:
        return self.folder / "store"

    @property
    def dump(self) -> Path:
        return self.folder / "store.nq"


# --- running one query in a process of its own, with a time limit ------------------------------



def _embedded_query(store: str, text: str) -> tuple[float, int]:
    from policykg.graph.store import Store

    s = Store(store, read_only=True)
    started = time.perf_counter()
    rows = s.select(text)
    return time.perf_counter() - started, len(rows)


# --- Virtuoso -----------------------------------------------------------------------------------

class VirtuosoEngine:
    """A Virtuoso on a database of its own in ``folder`` (tests/virtuoso.py's settings)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.restarts = 0
        started = time.perf_counter()
        self.server: virtuoso.Virtuoso | None = virtuoso.start(folder)
        self.start_seconds = round(time.perf_counter() - started, 2)

    def load(self, dump: Path) -> tuple[float, int]:
        assert self.server is not None
        started = time.perf_counter()
        added = virtuoso.bulk_load(self.server, dump)
        return round(time.perf_counter() - started, 2), added

    def run(self, text: str, limit: float) -> Outcome:
        from policykg.namespaces import sparql_prefixes

        if self.server is None:
            return None, None, "Virtuoso did not restart after a run past the limit"
        started = time.perf_counter()
        try:
            rows = virtuoso.select(self.server, sparql_prefixes() + text, timeout=limit)
        except Exception as exc:
            if time.perf_counter() - started >= limit - 1:  # the client gave up; the server would go on
                self.restart()
                return None, None, f"> {limit:.0f} s"
            return None, None, f"{type(exc).__name__}: {str(exc).strip()[:300]}"
        return time.perf_counter() - started, len(rows), None

    def restart(self) -> None:
        assert self.server is not None
        self.server.stop()
        self.server = None
        try:
            self.server = virtuoso.start(self.folder)  # the same database: loaded and checkpointed
        except RuntimeError as exc:
            print(f"Virtuoso did not restart: {exc}", flush=True)
        self.restarts += 1

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


# --- rdflib ---------------------------------------------------------------------------------------

def _rdflib_query(dataset: Any, text: str) -> tuple[float, int]:
    started = time.perf_counter()
    rows = sum(1 for _ in dataset.query(text))
    return time.perf_counter() - started, rows


def _rdflib_host(dump: str, memory: int, conn: Connection) -> None:
    """Parse the dump, then answer (text, limit) requests, each in a forked child; None ends it."""
    import resource

    import rdflib

    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        started = time.perf_counter()
        dataset = rdflib.Dataset(default_union=True)
        dataset.parse(dump, format="nquads")
        seconds = time.perf_counter() - started
        quads = sum(1 for _ in dataset.quads((None, None, None, None)))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # peak, in KB on Linux
    except BaseException as exc:
        conn.send(("failed", f"{type(exc).__name__}: {str(exc)[:300]}"))
        return
    gc.freeze()  # the loaded graph out of the collector's sight: a forked child's collections do not copy its pages
    conn.send(("loaded", round(seconds, 2), quads, round(rss / 2**20)))
    while True:
        request = conn.recv()
        if request is None:
            return
        text, limit = request
        conn.send(forked(_rdflib_query, (dataset, text), limit))


class RdflibEngine:
    """rdflib's in-memory ``Dataset`` of a dump, held by a process of its own."""

    def __init__(self, dump: Path, quads: int, max_quads: int, load_limit: float, memory_gb: float) -> None:
        self.note: str | None = None
        self.load_seconds: float | None = None
        self.quads: int | None = None
        self.peak_rss_mb: int | None = None
        self.process: Any = None
        if quads > max_quads:
            self.note = f"not loaded: {quads:,} quads > --rdflib-max-quads {max_quads:,}"
            return
        self.conn, child = mp.Pipe()
        self.process = mp.get_context("fork").Process(target=_rdflib_host, args=(str(dump), int(memory_gb * 2**30), child))
        self.process.start()
        child.close()
        if not self.conn.poll(load_limit):
            self.stop()
            self.note = f"did not finish loading within {load_limit:.0f} s"
            return
        try:
            message = self.conn.recv()
        except EOFError:
            self.process.join()
            self.note = f"did not finish loading: the process died (exit {self.process.exitcode}; -9: killed, e.g. out of memory)"
            self.process = None
            return
        if message[0] == "failed":
            self.stop()
            self.note = f"did not finish loading ({memory_gb:g} GB address-space limit): {message[1]}"
            return
        _, self.load_seconds, self.quads, self.peak_rss_mb = message

    @property
    def ready(self) -> bool:
        return self.process is not None

    def run(self, text: str, limit: float) -> Outcome:
        from policykg.namespaces import sparql_prefixes

        if not self.ready:
            return None, None, "the rdflib process is gone"
        self.conn.send((sparql_prefixes() + text, limit))
        if not self.conn.poll(limit + 120):
            self.stop()
            return None, None, "the rdflib process stopped answering"
        result: Outcome = self.conn.recv()
        return result

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(30)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.process = None


# --- building each size -------------------------------------------------------------------------

def prepare(size: Size, seed: int) -> None:
    """The corpus, the embedded store (ingest timed) and its N-Quads dump, each reused if present."""
    size.folder.mkdir(parents=True, exist_ok=True)
    if not (size.corpus / "manifest.json").exists():
        print(f"[{size.documents}] generating the corpus", flush=True)
        generate(size.corpus, size.documents, seed, force=True)
    record = size.folder / "ingest.json"
    if not record.exists():
        resumed = size.store.exists()
        print(f"[{size.documents}] ingesting into {size.store}" + (" (resuming a store already there)" if resumed else ""), flush=True)
        load = os.getloadavg()
        started = time.perf_counter()
        done = subprocess.run([*POLICYKG, "ingest", str(size.corpus), "--store", str(size.store), "--no-progress", "--format", "json"],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"ingest of {size.corpus} failed:\n{done.stderr[-3000:]}")
        record.write_text(json.dumps({"seconds": round(time.perf_counter() - started, 2), "resumed": resumed,
                                      "load_average_before": [round(x, 2) for x in load]}) + "\n")
    ingest = json.loads(record.read_text())
    size.info["embedded_ingest"] = {"seconds": ingest["seconds"], "partial": bool(ingest.get("resumed")),
                                    "load_average_before": ingest.get("load_average_before"),
                                    "measured": "earlier run (reused)" if size.info.get("reused_ingest", True) else "this run"}
    if not size.dump.exists():
        print(f"[{size.documents}] exporting N-Quads", flush=True)
        part = size.dump.with_suffix(".nq.part")
        started = time.perf_counter()
        subprocess.run([*POLICYKG, "export", "--store", str(size.store), "--format", "nq", "-o", str(part)], check=True)
        part.rename(size.dump)
        size.info["export_seconds"] = round(time.perf_counter() - started, 2)
    size.info["nquads_mb"] = round(size.dump.stat().st_size / 2**20, 1)


def cases(size: Size) -> list[Case]:
    """Each canned query with its parameters from the manifest, bound once on the embedded store."""
    from policykg import queries
    from policykg.graph.resolve import Resolver
    from policykg.graph.store import Store

    size.info["checkout"] = _checkout()  # the query files as bound here (the checkout may move during a long run)
    size.info["query_sha1"] = {name: hashlib.sha1(q.sparql.encode()).hexdigest()[:12] for name, q in sorted(queries.all_queries().items())}
    s = Store(size.store, read_only=True)
    size.info["quads"] = len(s.ox)
    n = s.select("SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d lg:inCorpus true }")[0]["n"]
    size.info["documents_in_store"] = n
    found = [Case(FLOOR, {}, FLOOR_TEXT, FLOOR_TEXT)]
    chosen = parameters(size.corpus)
    for name in sorted(queries.all_queries()):
        q = queries.get(name)
        if name not in chosen:
            found.append(Case(name, {}, note="no parameters in bench.queries.parameters"))
            continue
        case = Case(name, chosen[name])
        try:
            bound = q.bind(case.params, Resolver(s))
        except Exception as exc:
            case.note = f"parameters not resolved: {exc}"
        else:
            case.executable, case.standard = q.executable(bound), q.render(bound)
        found.append(case)
    del s
    return found


def summary(times: list[float]) -> dict[str, float | None]:
    """p50 and p95 (as bench.queries takes them), and the first run (a server's cold run: Virtuoso
    compiles a query once and keeps its plan)."""
    return {"first_s": round(times[0], 4) if times else None,
            "p50_s": round(statistics.median(times), 4) if times else None,
            "p95_s": round(sorted(times)[max(0, round(0.95 * len(times)) - 1)], 4) if times else None}


# --- the whole run --------------------------------------------------------------------------------

def slope(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(time) against log(documents) (two points: the slope between them)."""
    if len(points) < 2:
        return None
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(max(t, 1e-6)) for _, t in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return round(sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs), 2)


def start_virtuoso(size: Size) -> VirtuosoEngine | None:
    folder = size.folder / "virtuoso"
    shutil.rmtree(folder, ignore_errors=True)
    print(f"[{size.documents}] starting Virtuoso and bulk-loading {size.dump} ({size.info['nquads_mb']} MB)", flush=True)
    try:
        v = VirtuosoEngine(folder)
    except Exception as exc:
        size.info["virtuoso"] = {"note": f"did not start: {type(exc).__name__}: {str(exc)[:500]}"}
        return None
    try:
        seconds, added = v.load(size.dump)
    except Exception as exc:
        v.stop()
        size.info["virtuoso"] = {"note": f"did not finish loading: {type(exc).__name__}: {str(exc)[:500]}"}
        return None
    size.info["virtuoso"] = {"start_seconds": v.start_seconds, "bulk_load_seconds": seconds, "quads": added,
                             "database_mb": round(sum(p.stat().st_size for p in folder.glob("*.db")) / 2**20)}
    return v


def run_size(size: Size, args: argparse.Namespace, results: list[dict[str, Any]], past_limit: dict[tuple[str, str], int]) -> None:
    """Load Virtuoso and rdflib (one after the other, timed alone), then each query on every engine
    with its runs interleaved (run i on each engine, then run i + 1, the engines' order turning), so
    a change in the machine's load falls on all engines alike."""
    n = size.documents
    found = cases(size)
    size.info["parameters"] = {c.name: c.params for c in found if c.name != FLOOR}
    print(f"[{n}] {size.info['quads']:,} quads, {size.info['documents_in_store']} documents in the store", flush=True)
    v = start_virtuoso(size)
    print(f"[{n}] Virtuoso: {size.info['virtuoso']}", flush=True)
    print(f"[{n}] loading the dump into rdflib", flush=True)
    r = RdflibEngine(size.dump, size.info["quads"], args.rdflib_max_quads, args.rdflib_load_limit, args.rdflib_memory)
    size.info["rdflib"] = {"parse_seconds": r.load_seconds, "quads": r.quads, "peak_rss_mb": r.peak_rss_mb, "note": r.note}
    print(f"[{n}] rdflib: {size.info['rdflib']}", flush=True)
    size.info["load_average_before_queries"] = [round(x, 2) for x in os.getloadavg()]
    store = str(size.store)

    def embedded(text: str, limit: float) -> Outcome:
        return forked(_embedded_query, (store, text), limit)

    runners: dict[str, Callable[[str, float], Outcome] | None] = {
        "embedded": embedded, "embedded-standard": embedded,
        "virtuoso": v.run if v else None, "rdflib": r.run if r.ready else None}
    unavailable = {"virtuoso": size.info["virtuoso"].get("note"), "rdflib": r.note}
    try:
        for case in found:
            texts = {"embedded": case.executable, "embedded-standard": case.standard, "virtuoso": case.standard, "rdflib": case.standard}
            if case.name != FLOOR and case.standard == case.executable:
                del texts["embedded-standard"]  # the same text as served: measured once
            outcomes: dict[str, dict[str, Any]] = {}
            times: dict[str, list[float]] = {}
            for engine, text in texts.items():
                if text is None:
                    outcomes[engine] = {"rows": None, "note": case.note}
                elif runners[engine] is None:
                    outcomes[engine] = {"rows": None, "note": unavailable.get(engine)}
                elif (engine, case.name) in past_limit:
                    outcomes[engine] = {"rows": None, "note": f"not run: past the limit at {past_limit[(engine, case.name)]:,} documents"}
                else:
                    times[engine] = []
                    outcomes[engine] = {"rows": None, "note": None}
            for i in range(args.repeat):
                active = [e for e in times if outcomes[e]["note"] is None]
                for engine in active[i % len(active):] + active[:i % len(active)] if active else []:
                    run = runners[engine]
                    text = texts[engine]
                    assert run is not None and text is not None
                    seconds, rows, note = run(text, args.limit)
                    if seconds is None:
                        outcomes[engine]["note"] = note  # no more runs of it on this engine
                    else:
                        outcomes[engine]["rows"] = rows
                        outcomes[engine].setdefault("rows_seen", set()).add(rows)
                        times[engine].append(seconds)
            for engine, outcome in outcomes.items():
                seen = sorted(outcome.get("rows_seen", ()))
                entry = {"query": case.name, "documents": n, "engine": engine, "rows": outcome["rows"],
                         "runs": len(times.get(engine, [])), "note": outcome["note"], **summary(times.get(engine, []))}
                if len(seen) > 1:  # an engine that answers differently from one run to the next
                    entry["rows_seen"] = seen
                results.append(entry)
                if str(entry["note"] or "").startswith(">"):
                    past_limit.setdefault((engine, case.name), n)
                print(f"[{n}] {engine:18} {case.name:22} p50 {entry['p50_s']!s:>8} s  p95 {entry['p95_s']!s:>8} s  "
                      f"rows {entry['rows']}  {entry['note'] or ''}", flush=True)
    finally:
        if v:
            size.info["virtuoso"]["restarts_after_a_timeout"] = v.restarts
            v.stop()
            shutil.rmtree(size.folder / "virtuoso", ignore_errors=True)
        r.stop()


def mismatches(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Query × size where the engines that answered gave different row counts."""
    known: dict[str, list[str]] = {}
    try:  # the departures of Virtuoso 7.2.5 from SPARQL 1.1 that tests/test_virtuoso.py documents
        from policykg.queries import all_queries
        from tests.test_virtuoso import deviations

        known = {name: [d.reason.split(":")[0].split("(")[0].strip() for d in deviations(q)] for name, q in all_queries().items()}
    except Exception:
        pass
    by_case: dict[tuple[str, int], dict[str, int]] = {}
    varied: set[tuple[str, int]] = set()
    for r in results:
        if r["rows"] is not None and r["runs"]:
            by_case.setdefault((r["query"], r["documents"]), {})[r["engine"]] = r["rows"]
            if r.get("rows_seen"):
                varied.add((r["query"], r["documents"]))
    found = []
    for (query, n), rows in by_case.items():
        if len(set(rows.values())) > 1 or (query, n) in varied:
            found.append({"query": query, "documents": n, "rows": rows,
                          "varied_between_runs": {r["engine"]: r["rows_seen"] for r in results
                                                  if r["query"] == query and r["documents"] == n and r.get("rows_seen")},
                          "virtuoso_deviations_known": known.get(query, []) if "virtuoso" in rows else []})
    return found


def _cell(r: dict[str, Any] | None) -> str:
    if r is None:
        return "—"
    if r["p50_s"] is not None:
        return f"{r['p50_s']:.4g}"
    note = str(r["note"] or "")
    if note.startswith(("not loaded", "did not finish")):
        return "not loaded"
    return "skipped" if note.startswith("not run") else note if note.startswith(">") else "error"


def described(checkout: dict[str, Any]) -> str:
    return str(checkout["commit"])[:12] + (f" with changes to {', '.join(x[3:] for x in checkout['changed'])}" if checkout["changed"] else "")


def markdown(report: dict[str, Any]) -> str:
    sizes = [s["documents"] for s in report["sizes"]]
    engines = [e for e in ENGINES if any(r["engine"] == e for r in report["results"])]
    index = {(r["query"], r["documents"], r["engine"]): r for r in report["results"]}
    names = list(dict.fromkeys(r["query"] for r in report["results"]))
    m = report["machine"]
    counts = [f"{n:,}" for n in sizes]
    params = {s["documents"]: s.get("parameters", {}) for s in report["sizes"]}
    moved = [q for q in names if len({json.dumps(params[n].get(q), ensure_ascii=False, sort_keys=True) for n in sizes}) > 1]
    lines = [f"# Canned queries on three engines at {' and '.join([', '.join(counts[:-1]), counts[-1]] if len(counts) > 1 else counts)} "
             "generated documents", "",
             f"`{report['command']}`", "",
             f"{m['cores']} cores, {m['memory_gb']} GB, {m['platform']}, Python {m['python']}; load average at the start "
             f"{m['load_average_start']}, at the end {m['load_average_end']} (other work ran on the machine). "
             f"pyoxigraph {m['pyoxigraph']}, {m['virtuoso']}, rdflib {m['rdflib']}. "
             f"Commit {described(report['checkout']) if report.get('checkout') else '?'} at the start. "
             f"{report['repeat']} runs of each query on each engine, stopped after {report['limit_s']:.0f} s; seconds.", "",
             "Engines: **embedded (as served)**, the text the server runs (`executable`: OPTIONALs as LATERAL), each run in a fresh "
             "read-only process; **embedded (standard text)**, the same store with the standard text (`render`), where the two differ; "
             "**Virtuoso**, the standard text over its SPARQL endpoint (HTTP and JSON included; tests/virtuoso.py's settings: "
             "ThreadsPerQuery 1, 20,000 buffers of 8 KB); **rdflib**, the standard text on `Dataset(default_union=True)` in memory, "
             "each run in a child forked from the loaded process (query parsing included). `floor` is `" + FLOOR_TEXT + "`: "
             "each engine's fixed cost. \"> N s\": stopped at the limit (then not run at the larger sizes); \"error\": see the "
             "last section; \"—\": the standard text is the served one.", "",
             "## Sizes and load times", "",
             "| documents | in the store | quads | N-Quads | embedded ingest (s) | Virtuoso bulk load (s) | rdflib parse (s) | rdflib memory |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in report["sizes"]:
        v, rd, ing = s.get("virtuoso", {}), s.get("rdflib", {}), s["embedded_ingest"]
        lines.append(f"| {s['documents']:,} | {s['documents_in_store']:,} | {s['quads']:,} | {s['nquads_mb']} MB | "
                     f"{ing['seconds']}{' (resumed)' if ing['partial'] else ''}{' (earlier run)' if ing['measured'] != 'this run' else ''} | {v.get('bulk_load_seconds', v.get('note', ''))} | "
                     f"{rd.get('parse_seconds') or rd.get('note') or ''} | {str(rd['peak_rss_mb']) + ' MB' if rd.get('peak_rss_mb') else ''} |")
    load_slopes = report["load_slopes"]
    if load_slopes:
        lines += ["", "Slope against documents (log–log): " + ", ".join(f"{k} {v}" for k, v in load_slopes.items() if v is not None) + "."]
    lines += ["", "## p50 (s), side by side", "",
              "| query | " + " | ".join(f"{n:,}: {LABELS[e]}" for n in sizes for e in engines) + " |",
              "|---|" + "---:|" * (len(sizes) * len(engines))]
    for q in names:
        lines.append(f"| {q} | " + " | ".join(_cell(index.get((q, n, e))) for n in sizes for e in engines) + " |")
    if len(sizes) > 1:
        lines += ["", f"## Slope of p50 against documents (log time / log documents, {sizes[0]:,} → {sizes[-1]:,})", "",
                  "1: linear in the corpus; 0: flat (the floor, or a query that reads a fixed part of the graph). "
                  "Times near the floor make a slope mean little.", "",
                  "| query | " + " | ".join(LABELS[e] for e in engines) + " |", "|---|" + "---:|" * len(engines)]
        for q in names:
            lines.append(f"| {q}{' †' if q in moved else ''} | " + " | ".join(str(report["slopes"].get(q, {}).get(e, "")) if report["slopes"].get(q, {}).get(e) is not None
                                                  else "" for e in engines) + " |")
        lines.append("| *median over the queries* | " + " | ".join(str(report["median_slopes"].get(e, "")) for e in engines) + " |")
        if moved:
            lines += ["", "† Its parameters differ between the sizes (below): bench.queries.parameters draws them from each corpus' "
                      "manifest, so the slope compares two different questions as well as two sizes."]
    if any(s.get("checkout") not in (None, report.get("checkout")) for s in report["sizes"]):
        lines += ["", "The checkout moved during the run; the query files as each size bound them: "
                  + "; ".join(f"{s['documents']:,}: {described(s['checkout'])}" for s in report["sizes"] if s.get("checkout")) + "."]
    lines += ["", "## Parameters (the same on every engine)", "", "| query | " + " | ".join(counts) + " |", "|---|" + "---|" * len(sizes)]
    for q in names:
        if q != FLOOR:
            lines.append(f"| {q} | " + " | ".join(", ".join(f"{k}={v}" for k, v in (params[n].get(q) or {}).items()) for n in sizes) + " |")
    lines += ["", "## Rows, p95 and the first run (s)", "",
              "The first of the runs: the only cold one on Virtuoso, which keeps a compiled query's plan (each embedded run is a new "
              "process, each rdflib run a new fork, so all their runs are alike).", "",
              "| query | documents | " + " | ".join(f"{LABELS[e]}: rows | p95 | first" for e in engines) + " |",
              "|---|---:|" + "---:|---:|---:|" * len(engines)]
    for q in names:
        for n in sizes:
            cells = []
            for e in engines:
                r = index.get((q, n, e))
                cells.append("— | — | —" if r is None else f"{r['rows'] if r['rows'] is not None else ''} | "
                             f"{r['p95_s'] if r['p95_s'] is not None else _cell(r)} | {r['first_s'] if r['first_s'] is not None else ''}")
            lines.append(f"| {q} | {n:,} | " + " | ".join(cells) + " |")
    lines += ["", "## Row counts that differ between engines", ""]
    if report["mismatches"]:
        lines += ["| query | documents | rows per engine | Virtuoso departures from SPARQL 1.1 it meets (tests/test_virtuoso.py) |",
                  "|---|---:|---|---|"]
        for mm in report["mismatches"]:
            varied = mm.get("varied_between_runs") or {}
            lines.append(f"| {mm['query']} | {mm['documents']:,} | "
                         + ", ".join(f"{LABELS[e]} {'/'.join(map(str, varied[e])) + ' (varied between runs)' if e in varied else n}"
                                     for e, n in mm["rows"].items())
                         + f" | {'; '.join(mm['virtuoso_deviations_known']) or 'none documented'} |")
    else:
        lines.append("None: every engine that answered gave the same number of rows.")
    empty = [f"{r['query']} at {r['documents']:,}" for r in report["results"] if r["engine"] == "embedded" and r["rows"] == 0]
    if empty:
        lines += ["", "No rows on the embedded store (the parameters bench.queries.parameters draws from the manifest find nothing at "
                  "that size), so the engines agree on nothing there: " + ", ".join(empty) + "."]
    notes = [f"{r['query']} at {r['documents']:,} on {LABELS[r['engine']]}: {r['note']}" for r in report["results"]
             if r["note"] and not str(r["note"]).startswith(("not loaded", "did not finish", "not run"))]
    if notes:
        lines += ["", "## Runs without a time", "", *[f"- {x}" for x in notes]]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100,1000", help="documents of each generated corpus, comma-separated")
    ap.add_argument("--work", type=Path, default=None, help="folder of the corpora, stores and dumps (reused; default: a temporary one, removed)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--limit", type=float, default=60.0, help="seconds before a run is stopped")
    ap.add_argument("--rdflib-max-quads", type=int, default=6_000_000, help="rdflib is not loaded above this many quads")
    ap.add_argument("--rdflib-load-limit", type=float, default=1800.0, help="seconds rdflib may take to parse the dump")
    ap.add_argument("--rdflib-memory", type=float, default=14.0, help="GB of address space the rdflib process may use")
    args = ap.parse_args()
    sizes = sorted({int(x) for x in args.sizes.split(",") if x.strip()})
    work = args.work or Path(tempfile.mkdtemp(prefix="policykg-bench-engines-"))
    load_start = [round(x, 2) for x in os.getloadavg()]
    checkout = _checkout()
    started = time.perf_counter()
    results: list[dict[str, Any]] = []
    past_limit: dict[tuple[str, str], int] = {}
    done: list[Size] = []
    try:
        for n in sizes:
            size = Size(n, work / str(n))
            size.info["reused_ingest"] = (size.folder / "ingest.json").exists()
            prepare(size, args.seed)
            run_size(size, args, results, past_limit)
            done.append(size)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    slopes: dict[str, dict[str, float | None]] = {}
    for q in dict.fromkeys(r["query"] for r in results):
        for e in ENGINES:
            points = [(r["documents"], r["p50_s"]) for r in results if r["query"] == q and r["engine"] == e and r["p50_s"] is not None]
            if len(points) == len(sizes) > 1:
                slopes.setdefault(q, {})[e] = slope(points)
    median_slopes: dict[str, float] = {}
    for e in ENGINES:
        values = [v for q, s in slopes.items() if q != FLOOR and (v := s.get(e)) is not None]
        if values:
            median_slopes[e] = round(statistics.median(values), 2)
    info = [{"documents": s.documents, **{k: v for k, v in s.info.items() if k != "reused_ingest"}} for s in done]

    def load_points(get: Callable[[dict[str, Any]], Any]) -> list[tuple[int, float]]:
        return [(i["documents"], float(get(i))) for i in info if get(i)]

    load_slopes = {name: slope(points) for name, points in (
        ("quads", load_points(lambda i: i["quads"])),
        ("embedded ingest", load_points(lambda i: i["embedded_ingest"]["seconds"])),
        ("Virtuoso bulk load", load_points(lambda i: i.get("virtuoso", {}).get("bulk_load_seconds"))),
        ("rdflib parse", load_points(lambda i: i.get("rdflib", {}).get("parse_seconds")))) if len(points) == len(sizes) > 1}
    server, _ = _virtuoso_binaries()
    report = {
        "command": "PYTHONPATH=. .venv/bin/python -m bench.engines " + " ".join(sys.argv[1:]),
        "machine": {"cores": os.cpu_count(), "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
                    "platform": platform.platform(), "python": platform.python_version(),
                    "load_average_start": load_start, "load_average_end": [round(x, 2) for x in os.getloadavg()],
                    "pyoxigraph": version("pyoxigraph"), "rdflib": version("rdflib"), "virtuoso": server},
        "checkout": checkout, "seed": args.seed, "repeat": args.repeat, "limit_s": args.limit, "wall_seconds": round(time.perf_counter() - started),
        "rdflib_limits": {"max_quads": args.rdflib_max_quads, "load_limit_s": args.rdflib_load_limit, "memory_gb": args.rdflib_memory},
        "sizes": info, "results": results, "slopes": slopes, "median_slopes": median_slopes, "load_slopes": load_slopes,
        "mismatches": mismatches(results),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "engines.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "engines.md").write_text(markdown(report), encoding="utf-8")
    print(f"→ {RESULTS / 'engines.json'}, {RESULTS / 'engines.md'}")


def _checkout() -> dict[str, Any]:
    """The commit measured, and the files of the query path changed from it (read-only git)."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.rstrip("\n") if done.returncode == 0 else ""

    return {"commit": git("rev-parse", "HEAD"),
            "changed": git("status", "--porcelain", "--", "queries", "graph", "policykg").splitlines()}


def _virtuoso_binaries() -> tuple[str, str | None]:
    """Virtuoso's version line (``virtuoso-t -?``), for the record."""
    server, isql = virtuoso.binaries()
    if not server:
        return "Virtuoso not installed", isql
    out = subprocess.run([server, "-?"], capture_output=True, text=True)
    line = next((x for x in (out.stdout + out.stderr).splitlines() if x.startswith("Version")), "")
    return f"Virtuoso {line.removeprefix('Version ').split(' as of')[0]}".strip(), isql


if __name__ == "__main__":
    main()
