"""Crashes at any moment leave the store answering as before: real ``policykg`` processes are
killed (SIGKILL) at points drawn with a fixed seed while they ingest, while ``serve`` rebuilds a
stale vocabulary at start-up, and while the server applies a Graph Store write; after each, the
store is reopened the way every writer opens it and must hold every document complete with its
derived data (alignments, entailments: exactly what recomputing them from scratch gives) or not
at all, an empty journal, and a complete vocabulary."""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg import iris
from policykg.graph.store import Store, configured_divisions, meta_graph_iri, vocab_graph_iri, vocabulary_version
from tests.conftest import LAYOUTS, PLAN, ROOT

# a three-level cascade: the 钦州 municipal plan (a layout fixture), the 钦南区 seed plan and the
# made-up 钦北区 plan, whose measures are aligned with the municipal plan's
CASCADE = (LAYOUTS / "qinzhou_labelled_fields.txt", PLAN, ROOT / "tests" / "fixtures" / "cascade" / "qinbei_plan.txt")

CLI = [sys.executable, "-m", "policykg"]
RANDOM = random.Random(20261206)
TOKEN = "crash-test-token"
# a vocabulary of 广西 and its neighbourhood keeps each run and check short (the `divisions` setting)
REGION = "450000"


@pytest.fixture(autouse=True)
def _region(monkeypatch):
    monkeypatch.setenv("POLICYKG_DIVISIONS", REGION)  # for this process and the ones it starts


def _graphs(store: Store) -> dict[str, set[str]]:
    """Every graph but the store's bookkeeping, as sets of N-Triples lines."""
    out: dict[str, set[str]] = {}
    meta = ox.NamedNode(meta_graph_iri())
    for q in store.ox:
        if q.graph_name != meta:
            out.setdefault(getattr(q.graph_name, "value", "default"), set()).add(f"{q.subject} {q.predicate} {q.object}")
    return out


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, int]:
    """A store with a current vocabulary and nothing else (built once), and its vocabulary size."""
    path = tmp_path_factory.mktemp("crash") / "template"
    os.environ["POLICYKG_DIVISIONS"] = REGION
    s = Store(path)
    s.ensure_vocabularies()
    del os.environ["POLICYKG_DIVISIONS"]
    size = sum(1 for _ in s.ox.quads_for_pattern(None, None, None, ox.NamedNode(vocab_graph_iri())))
    s.flush()
    del s
    return path, size


def _copy(template: Path, to: Path) -> Path:
    shutil.copytree(template, to)
    return to


def assert_whole(path: Path, vocab_size: int, versions: tuple[str | None, ...] = (None,)) -> set[str]:
    """Open the store as a writer does, then check it; returns the keys of its documents.
    ``versions``: the vocabulary versions it may hold besides the current one (None: a rebuild
    was cut short after the swap, and the next start redoes it)."""
    s = Store(path)  # opening replays what the journal holds
    assert s.pending() == []
    vocab = sum(1 for _ in s.ox.quads_for_pattern(None, None, None, ox.NamedNode(vocab_graph_iri())))
    assert vocab == vocab_size, "the vocabulary is incomplete"
    assert s.vocabulary_version() in (*versions, vocabulary_version(configured_divisions()))
    before = _graphs(s)
    s.derive(None)  # every alignment and entailment recomputed from the asserted graphs
    after = _graphs(s)
    stale = sorted(g for g in set(before) | set(after) if before.get(g) != after.get(g))
    assert not stale, f"derived data out of date after the crash: {stale[:5]}"
    keys = {g.rsplit("/", 1)[-1] for g in after if g.startswith(iris.doc_graph(""))}
    del s
    return keys


def _kill_after(cmd: list[str], delay: float, env: dict[str, str] | None = None) -> bool:
    """Run ``cmd``, SIGKILL it after ``delay`` seconds; True if it was still running."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def _alignments(path: Path) -> int:
    s = Store(path, read_only=True)
    return sum(1 for _ in s.ox.quads_for_pattern(None, ox.NamedNode(iris.ONTOLOGY + "implementsMeasure"), None, None))


def test_killing_ingest_at_any_point_leaves_each_document_whole_or_absent(template, tmp_path):
    source, vocab_size = template
    files = [str(f) for f in CASCADE]
    runs = []
    for name in ("clean", "warm"):  # the second run is the measure: caches (the division table) are warm
        started = time.monotonic()
        done = subprocess.run([*CLI, "ingest", *files, "--store", str(_copy(source, tmp_path / name))], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        runs.append(time.monotonic() - started)
    full = min(runs)
    expected = assert_whole(tmp_path / "clean", vocab_size)
    assert len(expected) == 3 and _alignments(tmp_path / "clean") > 20
    killed = attempts = 0
    while killed < 3 and attempts < 10:  # a run that finished before its kill point is drawn again
        attempts += 1
        path = _copy(source, tmp_path / f"kill{attempts}")
        killed += _kill_after([*CLI, "ingest", *files, "--store", str(path)], RANDOM.uniform(0.1, 0.8) * full)
        assert assert_whole(path, vocab_size) <= expected
    assert killed >= 2  # the kills really interrupted the runs


def _keys(path: Path) -> set[str]:
    s = Store(path, read_only=True)
    return {g.value.rsplit("/", 1)[-1] for g in s.ox.named_graphs() if g.value.startswith(iris.doc_graph(""))}


def test_killing_serve_while_it_rebuilds_a_stale_vocabulary_keeps_a_complete_one(template, tmp_path):
    source, vocab_size = template
    seeded = _copy(source, tmp_path / "seeded")
    assert subprocess.run([*CLI, "ingest", str(PLAN), "--store", str(seeded)], capture_output=True).returncode == 0
    keys = _keys(seeded)
    s = Store(seeded)  # an older release's vocabulary: serve must rebuild it at start
    meta = f"<{meta_graph_iri()}>"
    s.ox.update(f"DELETE WHERE {{ GRAPH {meta} {{ ?s ?p ?v }} }} ; "
                f"INSERT DATA {{ GRAPH {meta} {{ {meta} <https://w3id.org/policykg/store#vocabularyVersion> 'old' }} }}")
    s.flush()
    del s
    # a start that is not interrupted brings the vocabulary up to date
    path = _copy(seeded, tmp_path / "serve-ok")
    started = time.monotonic()
    with Server(path):
        full = time.monotonic() - started
    assert Store(path, read_only=True).vocabulary_version() == vocabulary_version(configured_divisions())
    killed = 0
    for i in range(3):
        path = _copy(seeded, tmp_path / f"serve{i}")
        killed += _kill_after([*CLI, "serve", "--store", str(path), "--port", str(_free_port())], RANDOM.uniform(0.2, 0.9) * full)
        assert assert_whole(path, vocab_size, (None, "old")) == keys
    assert killed == 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A real `policykg serve` on a free loopback port while the block runs."""

    def __init__(self, path: Path, token: str = "") -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "POLICYKG_UPDATE_TOKEN": token}
        self.proc = subprocess.Popen([*CLI, "serve", "--store", str(path), "--port", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/api/settings", timeout=2):
                    return self
            except OSError:
                assert self.proc.poll() is None, "the server exited"
                time.sleep(0.2)
        raise AssertionError("the server did not start")

    def kill_after(self, delay: float) -> None:
        threading.Timer(delay, lambda: self.proc.poll() is None and self.proc.send_signal(signal.SIGKILL)).start()

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=30)


def test_killing_the_server_during_graph_store_writes_leaves_documents_whole(template, tmp_path):
    source, vocab_size = template
    seeded = _copy(source, tmp_path / "seeded")
    assert subprocess.run([*CLI, "ingest", *map(str, CASCADE), "--store", str(seeded)], capture_output=True).returncode == 0
    s = Store(seeded, read_only=True)
    key = next(k for k in _keys(seeded) if s.ox.contains_named_graph(ox.NamedNode(iris.doc_graph(k))) and any(
        s.ox.quads_for_pattern(ox.NamedNode(iris.document(k)), None, ox.Literal("钦州市钦南区法治政府建设实施方案(2016-2020年)"), None)))
    plan = iris.doc_graph(key)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in s.ox.quads_for_pattern(None, None, None, ox.NamedNode(plan))]
    payload = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    del s
    for i in range(3):
        path = _copy(seeded, tmp_path / f"gsp{i}")
        with Server(path, TOKEN) as server:
            # drop the district plan (its alignments and entailments go with it), then put it back;
            # the kill lands somewhere in these writes
            server.kill_after(RANDOM.uniform(0.02, 1.0))
            for method, body in (("DELETE", None), ("PUT", payload)):
                request = urllib.request.Request(f"{server.url}/rdf-graphs/service?graph={plan}", data=body, method=method,
                                                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"})
                try:
                    urllib.request.urlopen(request, timeout=60).read()
                except OSError:
                    break
        assert assert_whole(path, vocab_size) in (_keys(seeded), _keys(seeded) - {key})
