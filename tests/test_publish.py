"""``policykg publish``: the embedded store's graphs sent to a real SPARQL server (Debian's Virtuoso on
loopback, tests/virtuoso.py) over the Graph Store Protocol or SPARQL Update. After a publication
the server holds, graph by graph, what the store holds (blank nodes aside, compared as graphs);
a second publication sends nothing; a changed store sends only its changed graphs and drops the
ones it no longer has; a publication killed half-way is finished by the next one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.compare import isomorphic

from policykg.cli import cli
from policykg.errors import StoreError
from policykg.graph import publish as pub
from policykg.graph.remote import RemoteStore
from policykg.graph.resolve import Resolver
from policykg.graph.store import Store
from policykg.queries import all_queries
from tests import virtuoso

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"


@pytest.fixture
def server(tmp_path):
    """An empty Virtuoso whose SPARQL user may write (its SPARQL_UPDATE role)."""
    with virtuoso.for_test(tmp_path / "virtuoso") as v:
        v.sql('GRANT SPARQL_UPDATE TO "SPARQL"')
        yield v


def graph_store(v: virtuoso.Virtuoso) -> str:
    return v.endpoint.removesuffix("/sparql") + "/sparql-graph-crud"


def _graph(quads: list[ox.Quad]) -> Graph:
    return Graph().parse(data="\n".join(f"{q.triple} ." for q in quads), format="nt")


def assert_same_graphs(store: Store, remote: RemoteStore) -> int:
    """Every graph of the store is on the server with the same triples (blank nodes compared as
    graphs), and the server has no graph of ours the store lacks. Returns the graphs compared."""
    ours = sorted(g.value for g in store.named_graphs())
    assert sorted(g.value for g in remote.named_graphs()) == ours
    for g in ours:
        local = list(store.quads_for_pattern(None, None, None, ox.NamedNode(g)))
        there = list(remote.quads_for_pattern(None, None, None, ox.NamedNode(g)))
        assert len(there) == len(local), g
        if any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode) for q in local):
            assert isomorphic(_graph(there), _graph(local)), g
        else:
            assert {str(q.triple) for q in there} == {str(q.triple) for q in local}, g
    return len(ours)


@pytest.mark.parametrize("via", ["graph-store", "update"])
def test_a_store_published_is_the_servers_graph_and_a_second_publication_sends_nothing(via, server, store):
    remote = RemoteStore(server.endpoint)
    target = graph_store(server) if via == "graph-store" else None
    first = pub.publish(store, remote, target)
    assert len(first.sent) == sum(1 for _ in store.named_graphs()) and not first.dropped
    assert assert_same_graphs(store, remote) >= 2 * 5 + 6  # the five seeds' graphs and inferred graphs, the ontology, the vocabulary, the shared ones
    q = all_queries()["obligations"]  # a canned query that Virtuoso answers as the embedded engine does
    bound = q.bind({"agency": "钦南区法制办"}, Resolver(store))
    assert sorted(map(str, remote.select(q.render(bound)))) == sorted(map(str, store.select(q.render(bound)))) != []
    again = pub.publish(store, remote, target)
    assert again.sent == [] and again.dropped == [] and again.unchanged == len(first.sent)


def derived(store: Store) -> Store:
    store.recover()  # its documents' alignments and entailments, as ingest computes them
    return store


def test_a_changed_store_sends_its_changed_graphs_and_drops_the_gone(server, extractions, tmp_path):
    from tests.conftest import small_store

    remote = RemoteStore(server.endpoint)
    two = derived(small_store([extractions["001"], extractions["004"]]))
    pub.publish(two, remote, graph_store(server))
    three = derived(small_store([extractions["001"], extractions["004"], extractions["002"]]))
    before = {g.value for g in two.named_graphs()}
    done = pub.publish(three, remote, graph_store(server))
    new_graphs = {g.value for g in three.named_graphs()} - before
    assert new_graphs and new_graphs <= set(done.sent)  # the new document's graph (and what it changed)
    assert len(done.sent) < sum(1 for _ in three.named_graphs())  # not everything: the vocabulary, the ontology stay
    assert_same_graphs(three, remote)
    one = derived(small_store([extractions["004"]]))
    done = pub.publish(one, remote, graph_store(server))
    assert done.dropped, "the documents no longer in the store are dropped on the server"
    assert_same_graphs(one, remote)


def test_a_publication_killed_half_way_is_finished_by_the_next(server, vocabulary_store, tmp_path):
    folder = tmp_path / "store"
    ingest = subprocess.run([sys.executable, "-m", "policykg", "ingest", str(SEEDS), "--store", str(folder)],
                            capture_output=True, text=True, env={**os.environ, "POLICYKG_INGEST_WORKERS": "1"}, timeout=900)
    assert ingest.returncode == 0, ingest.stderr[-2000:]
    command = [sys.executable, "-m", "policykg", "publish", "--store", str(folder), "--endpoint", server.endpoint]
    run = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # SPARQL Update, many requests
    assert run.stderr is not None
    sent = 0
    for line in run.stderr:
        sent += line.startswith("sent ")
        if sent == 3:
            run.send_signal(signal.SIGKILL)
            break
    run.wait(timeout=60)
    assert run.returncode == -signal.SIGKILL, "the publication ended before it could be killed"
    remote = RemoteStore(server.endpoint)
    assert pub.recorded(remote) == {}, "the record is written last: nothing recorded yet"
    result = CliRunner().invoke(cli, ["publish", "--store", str(folder), "--endpoint", server.endpoint])
    assert result.exit_code == 0, result.output
    assert "dropped 0" in result.output
    store = Store(folder, read_only=True)
    assert assert_same_graphs(store, remote) >= 2 * 5 + 6  # the five seeds' graphs and inferred graphs, the ontology, the vocabulary, the shared ones
    assert set(pub.recorded(remote)) == {g.value for g in store.named_graphs()}


def test_a_store_with_unfinished_derivations_is_not_published(server, extractions):
    from tests.conftest import small_store

    s = small_store([extractions["004"]])  # written with derive=False: its journal names the document
    assert s.pending()
    with pytest.raises(StoreError, match="journal"):
        pub.publish(s, RemoteStore(server.endpoint), graph_store(server))
    assert pub.recorded(RemoteStore(server.endpoint)) == {} and not list(RemoteStore(server.endpoint).named_graphs())


def test_publishing_to_a_server_that_does_not_answer_is_a_clear_error(tmp_path, vocabulary_store):
    result = CliRunner().invoke(cli, ["publish", "--store", str(vocabulary_store), "--endpoint", "http://127.0.0.1:9/sparql"])
    assert result.exit_code == 1
    assert "cannot reach the SPARQL server at http://127.0.0.1:9/sparql" in result.output
    result = CliRunner().invoke(cli, ["publish", "--store", str(vocabulary_store)], env={"POLICYKG_ENDPOINT": ""})
    assert result.exit_code != 0 and "--endpoint" in result.output
