"""The store and the command line: ingest, re-ingest replaces, failures lose nothing, query output
formats, export, stats, validate and --help examples."""

from __future__ import annotations

import gc
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykg.cli import cli
from policykg.graph.store import Store
from policykg.ingest import extract
from tests.conftest import PLAN, PLAN_TITLE, SEEDS


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory, vocabulary_store):
    """The seeds ingested by the command line into an on-disk store, once for this module: the
    tests given it only read it (the commands open it read-only); one that writes takes
    ``own_store_dir``. Checked unchanged at the end."""
    d = Path(shutil.copytree(vocabulary_store, tmp_path_factory.mktemp("seeded") / "store"))
    result = CliRunner().invoke(cli, ["ingest", str(SEEDS), "--store", str(d)])
    assert result.exit_code == 0, result.output
    assert "5 ingested (5 new), 0 failed" in result.output
    before = Store(d, read_only=True).stats().to_dict()
    yield d
    assert Store(d, read_only=True).stats().to_dict() == before, "a test wrote to the shared store"


@pytest.fixture
def own_store_dir(store_dir, tmp_path):
    """A copy of it for a test that writes."""
    gc.collect()  # no handle left open on it by an earlier command
    return shutil.copytree(store_dir, tmp_path / "store")


def test_reingest_replaces_the_document_graph(new_store):
    s = Store(new_store)
    assert not s.ensure_vocabularies()  # current already: nothing rebuilt
    ex = extract(PLAN)
    s.put_document(ex)
    first = len(s.ox)
    s.put_document(ex)
    assert len(s.ox) == first
    ex.measures = ex.measures[:10]
    s.put_document(ex)
    assert s.stats().measures == 10
    assert s.stats().documents_in_corpus == 1


def test_a_failing_file_is_reported_and_leaves_the_store_as_it_was(own_store_dir, tmp_path):
    store_dir = own_store_dir
    before = Store(store_dir, read_only=True).stats().to_dict()
    bad_dir = tmp_path / "mixed"
    bad_dir.mkdir()
    (bad_dir / "empty.txt").write_bytes(b"")
    (bad_dir / "binary.pdf").write_bytes(b"%PDF\x00\x01\x02")
    (bad_dir / "no-title.txt").write_text("这是一段没有标题的文字。\n第二行也没有。", encoding="utf-8")
    shutil.copy(PLAN, bad_dir / "plan.txt")
    result = CliRunner().invoke(cli, ["ingest", str(bad_dir), "--store", str(store_dir)])
    assert result.exit_code == 1
    out = result.output
    assert "empty.txt" in out and "the file is empty" in out
    assert "binary.pdf" in out and "binary" in out
    # a text without a title is still a document: kept under a provisional title, with a warning
    assert "no-title.txt" in out and "no document title" in out and "provisional title" in out
    assert "2 ingested (1 new, 1 unchanged), 2 failed" in out  # plan.txt is in the store already
    after = Store(store_dir, read_only=True).stats().to_dict()
    assert after["documents_in_corpus"] == before["documents_in_corpus"] + 1  # plan.txt re-ingested: same graph
    assert after["measures"] == before["measures"]


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_query_command_formats(store_dir, fmt):
    result = CliRunner().invoke(cli, ["query", "implementers", "--store", str(store_dir), "-p", f"document={PLAN_TITLE}", "-p", "measure=37", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert "钦南区法制办" in result.output
    if fmt == "json":
        rows = json.loads(result.output)
        assert {r["role"] for r in rows} == {"lead", "responsible"}


def test_query_command_reports_bad_parameters_clearly(store_dir):
    result = CliRunner().invoke(cli, ["query", "due-by", "--store", str(store_dir), "-p", "date=end of 2017"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output
    result = CliRunner().invoke(cli, ["query", "no-such-query", "--store", str(store_dir)])
    assert result.exit_code != 0 and "available:" in result.output


def test_query_command_runs_a_rq_file(store_dir, tmp_path):
    f = tmp_path / "count.rq"
    f.write_text("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a lg:Measure }", encoding="utf-8")
    result = CliRunner().invoke(cli, ["query", str(f), "--store", str(store_dir), "--format", "json"])
    assert json.loads(result.output) == [{"n": 65}]


def test_export_keeps_named_graphs_and_round_trips(store_dir, tmp_path):
    out = tmp_path / "dump.nq"
    result = CliRunner().invoke(cli, ["export", "--store", str(store_dir), "--format", "nq", "-o", str(out)])
    assert result.exit_code == 0, result.output
    from rdflib import Dataset

    ds = Dataset()
    ds.parse(out, format="nquads")
    graphs = {str(g.identifier) for g in ds.graphs()}
    assert sum(1 for g in graphs if "/graph/doc/" in g) == 5
    assert sum(1 for _ in ds.quads((None, None, None, None))) == Store(store_dir, read_only=True).stats().triples


def test_stats_and_extract_commands(store_dir):
    result = CliRunner().invoke(cli, ["stats", "--store", str(store_dir), "--format", "json"])
    s = json.loads(result.output)
    assert s["measures"] == 65 and s["documents_in_corpus"] == 5 and s["assignments"] == 280
    result = CliRunner().invoke(cli, ["extract", str(PLAN), "--format", "json"])
    data = json.loads(result.output)
    assert data["title"] == PLAN_TITLE and len(data["measures"]) == 65


def test_validate_command_passes_on_the_seeds(store_dir):
    result = CliRunner().invoke(cli, ["validate", "--store", str(store_dir)])
    assert result.exit_code == 0, result.output
    assert "SHACL: conforms" in result.output


def test_eval_command_prints_precision_and_recall():
    result = CliRunner().invoke(cli, ["eval", "--format", "json"])
    assert result.exit_code == 0, result.output
    fields = {r["field"]: r for r in json.loads(result.output)}
    assert fields["(measure, agency, role)"]["precision"] >= 0.98


@pytest.mark.parametrize("command", ["ingest", "query", "serve", "export", "validate", "stats", "extract", "eval"])
def test_every_command_help_shows_a_real_example(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and "policykg " + command in result.output
