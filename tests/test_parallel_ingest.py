"""Ingest in parallel on a Dask cluster (graph/loader.py): a local cluster and a running scheduler
build the same store as parsing in the ingest process; a batch killed midway and run again goes
on where it stopped and ends with the same store; a file already stored is not parsed again."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from bench.corpus import generate, read_manifest
from policykg.cli import cli
from policykg.graph.store import Store

DOCUMENTS, SEED = 40, 3  # prefectural plans among them, aligned with their provincial plan
TIME = "http://www.w3.org/ns/prov#endedAtTime"  # when a document was read: differs between runs


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("national")
    generate(out, DOCUMENTS, SEED, report_share=0.15)
    return out


def _ingest(corpus: Path, store: Path, *options: str) -> str:
    result = CliRunner().invoke(cli, ["ingest", str(corpus), "--store", str(store), *options])
    assert result.exit_code == 0, result.output
    return result.output


def _content(path: Path) -> set[tuple[str, str, str, str]]:
    """Every quad of the store but the time each document was read."""
    s = Store(path, read_only=True)
    return {(str(q.subject), str(q.predicate), str(q.object), str(q.graph_name)) for q in s.ox
            if q.predicate.value != TIME}


@pytest.fixture(scope="module")
def serial(corpus, vocabulary_store, tmp_path_factory) -> Path:
    path = Path(shutil.copytree(vocabulary_store, tmp_path_factory.mktemp("serial") / "store"))
    _ingest(corpus, path, "--workers", "1")
    return path


@pytest.fixture(scope="module")
def parallel(corpus, vocabulary_store, tmp_path_factory) -> tuple[Path, str]:
    path = Path(shutil.copytree(vocabulary_store, tmp_path_factory.mktemp("parallel") / "store"))
    return path, _ingest(corpus, path, "--workers", "2", "--progress")


def test_a_local_cluster_builds_the_store_parsing_in_one_process_builds(corpus, serial, parallel):
    manifest = read_manifest(corpus)
    content = _content(parallel[0])
    assert content == _content(serial)
    documents = {s for s, p, o, g in content if p == "<https://w3id.org/policykg/ontology#inCorpus>"}
    assert len(documents) == len(manifest["documents"]) == DOCUMENTS
    # derived data was written too: the county plans' measures are aligned with their parents'
    store = Store(parallel[0], read_only=True)
    aligned = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?m lg:implementsMeasure ?p }")[0]["n"]
    assert aligned > 0
    assert not store.pending()


def test_progress_says_the_rate_and_the_time_left(parallel):
    output = parallel[1]
    assert f"ingesting: {DOCUMENTS}/{DOCUMENTS} files (100%)" in output
    assert "files/s" in output and "left" in output
    assert f"{DOCUMENTS} ingested ({DOCUMENTS} new), 0 failed" in output


def test_a_file_already_stored_is_not_parsed_again(corpus, parallel, tmp_path, monkeypatch):
    import policykg.graph.loader as loader

    def never(path, data):
        raise AssertionError(f"{path} parsed again")

    monkeypatch.setattr(loader, "prepare", never)
    store = Path(shutil.copytree(parallel[0], tmp_path / "store"))
    output = _ingest(corpus, store, "--workers", "1")
    assert f"{DOCUMENTS} ingested ({DOCUMENTS} unchanged), 0 failed" in output


def test_a_running_scheduler_parses_the_batch(corpus, serial, vocabulary_store, tmp_path):
    from distributed import LocalCluster

    store = Path(shutil.copytree(vocabulary_store, tmp_path / "store"))
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as running:
        _ingest(corpus, store, "--scheduler", running.scheduler_address)
    assert _content(store) == _content(serial)


def test_an_unreachable_scheduler_is_a_clear_error(corpus, new_store):
    result = CliRunner().invoke(cli, ["ingest", str(corpus), "--store", str(new_store), "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output


def test_a_batch_killed_midway_goes_on_where_it_stopped(corpus, serial, vocabulary_store, tmp_path):
    store = Path(shutil.copytree(vocabulary_store, tmp_path / "store"))
    command = [sys.executable, "-m", "policykg", "ingest", str(corpus), "--store", str(store), "--workers", "2", "--no-progress"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "POLICYKG_INGEST_CHUNK": "3"}
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                             start_new_session=True)
    assert child.stdout is not None
    written = 0
    for line in child.stdout:
        written += line.startswith("new")
        if written == 8:  # past two chunks, inside the third
            os.killpg(child.pid, signal.SIGKILL)
            break
    child.wait()
    assert written == 8
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 0, again.stderr
    same = sum(line.startswith("same") for line in again.stdout.splitlines())
    new = sum(line.startswith("new") for line in again.stdout.splitlines())
    assert same >= 8 and same + new == DOCUMENTS
    assert _content(store) == _content(serial)
    assert not Store(store, read_only=True).pending()


def test_added_documents_extend_the_closure_at_once_and_a_replaced_one_leaves_it_to_the_end(new_store, extractions):
    """Documents only added extend the closure chunk by chunk (from what they changed); once a
    chunk replaces a document, the closure is made from scratch, which reads the whole store,
    so it waits for the batch's end, and a store opened after a kill finishes it."""
    from policykg.graph.reasoning import closure_graph
    from policykg.graph.store import CLOSURE

    closure = ox.NamedNode(closure_graph())
    store = Store(new_store)
    for ex in extractions.values():
        store.add_document(ex, derive=False)
    store.recover(closure=False)  # as a batch does between chunks
    assert store.pending() == []
    grown = set(store.ox.quads_for_pattern(None, None, None, closure))
    assert any(q.predicate.value.endswith("#level") for q in grown)  # agencies' levels (jurisdiction ∘ areaLevel)
    store.derive(None)  # everything recomputed from the asserted graphs
    assert set(store.ox.quads_for_pattern(None, None, None, closure)) == grown

    plan = next(ex for ex in extractions.values() if len(ex.measures) > 30)
    changed = replace(plan, measures=plan.measures[:5])
    store.put_document(changed, derive=False)  # the same document, another text: replaced
    store.recover(closure=False)
    assert store.pending() == [CLOSURE]
    before = set(store.ox.quads_for_pattern(None, None, None, closure))
    del store  # killed before its last chunk ended
    reopened = Store(new_store)
    assert reopened.pending() == []
    after = set(reopened.ox.quads_for_pattern(None, None, None, closure))
    assert after != before  # the agencies only the measures gone named took their levels with them
    reopened.derive(None)
    assert set(reopened.ox.quads_for_pattern(None, None, None, closure)) == after


def test_a_worker_that_dies_fails_its_file_only(corpus, new_store, tmp_path):
    """A parse that kills its worker process (as running out of memory would) fails that file,
    with a reason; the others are stored and the command says so."""
    folder = tmp_path / "batch"
    folder.mkdir()
    files = sorted(p for p in corpus.iterdir() if p.suffix == ".txt")[:21]
    for f in files:
        shutil.copy(f, folder / f.name)
    (folder / files[0].name).write_bytes(b"KILL-THE-WORKER " + files[0].read_bytes())
    env = {**os.environ, "POLICYKG_TEST_KILL_MARKER": "KILL-THE-WORKER"}
    run = subprocess.run([sys.executable, "-c", _KILLER, str(folder), str(new_store)], capture_output=True, text=True,
                         env=env, timeout=600)
    assert run.returncode == 1, run.stderr[-2000:]
    assert f"{files[0].name}: the Dask worker parsing it failed" in run.stderr
    assert "20 ingested (20 new), 1 failed" in run.stdout


# a policykg whose parse kills the worker process on a marked file (Dask pickles a function of
# __main__ by value, so the workers run the patched one; Dask retries it on other workers, which
# die too, then gives up on that file)
_KILLER = """
import os, sys
import policykg.graph.loader as loader
real = loader.prepare
def prepare(path, data):
    if data.startswith(os.environ["POLICYKG_TEST_KILL_MARKER"].encode()):
        os._exit(1)
    return real(path, data)
loader.prepare = prepare
if __name__ == "__main__":
    from policykg.cli import cli
    cli(["ingest", sys.argv[1], "--store", sys.argv[2], "--workers", "2"])
"""
