"""`policykg ingest --server URL` hands documents to a running server, which stays the store's
single writer: the document is answerable at once, without a restart, with its derived data."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from policykg.cli import cli
from policykg.graph.store import Store
from tests.conftest import LAYOUTS, PLAN, small_store
from tests.w3c.harness import make_app, serve

TOKEN = "upload-token"


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    """A real server on loopback over a store holding the 钦南区 plan, with writes enabled."""
    from policykg.ingest import extract

    store = small_store([extract(PLAN), extract(LAYOUTS / "qinzhou_labelled_fields.txt")])
    store.remove_document(extract(LAYOUTS / "qinzhou_labelled_fields.txt").key)  # keep its divisions, not the document
    store.recover()
    with serve(make_app(store, update_token=TOKEN, query_workers=1)) as url:
        yield url, store


def test_a_document_sent_to_the_server_is_answered_at_once_with_its_alignments(running):
    url, store = running
    city = LAYOUTS / "qinzhou_labelled_fields.txt"
    result = CliRunner().invoke(cli, ["ingest", str(city), "--server", url, "--token", TOKEN, "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["ingested"] == 1 and summary["files"][0]["measures"] > 10
    # the municipal plan is now in the corpus: the district plan's measures are aligned with its own
    query = "ASK { ?m lg:implementsMeasure ?p . ?p lg:document ?city . ?city lg:inCorpus true ; dcterms:title ?t . FILTER(STRSTARTS(?t, '钦州市法治')) }"
    with urllib.request.urlopen(f"{url}/sparql?query={quote(query)}", timeout=30) as r:
        assert json.loads(r.read())["boolean"] is True
    assert isinstance(store, Store) and store.pending() == []
    assert summary["files"][0]["status"] == "new"
    # the same file again changes nothing, and the server says so
    again = CliRunner().invoke(cli, ["ingest", str(city), "--server", url, "--token", TOKEN])
    assert again.exit_code == 0 and "same " in again.output and "nothing changed" in again.output
    assert "1 ingested (1 unchanged)" in again.output


def test_without_the_token_or_with_a_file_we_do_not_read_the_server_refuses_and_writes_nothing(running, tmp_path):
    url, store = running
    before = len(store.ox)
    result = CliRunner().invoke(cli, ["ingest", str(PLAN), "--server", url, "--token", "wrong"])
    assert result.exit_code == 1 and "HTTP 401" in result.output
    odd = tmp_path / "notes.xlsx"
    odd.write_bytes(b"PK\x03\x04 not a document")
    result = CliRunner().invoke(cli, ["ingest", str(odd), "--server", url, "--token", TOKEN])
    assert result.exit_code == 1 and "HTTP 415" in result.output
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = CliRunner().invoke(cli, ["ingest", str(empty), "--server", url, "--token", TOKEN])
    assert result.exit_code == 1 and "HTTP 4" in result.output
    assert len(store.ox) == before
