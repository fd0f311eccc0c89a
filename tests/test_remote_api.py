"""The server over a SPARQL server (``policykg serve --endpoint URL``): the same API, canned
queries, linked-data pages and UI views as over the embedded store, with the graph in Virtuoso
(Debian's virtuoso-opensource on loopback, bulk-loaded from the seed store's N-Quads dump:
tests/virtuoso.py). Each page is asked of two apps, one over the seed store and one over
Virtuoso holding the same quads, and the answers must be the same, up to the order of rows
that no ORDER BY fixes. Canned queries that meet one of Virtuoso 7.2.5's departures from SPARQL
1.1 (tests/test_virtuoso.py: ``deviations``) are left out of the comparison here: that file shows
what differs and why."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.compare import isomorphic

from policykg import iris
from policykg.api.app import create_app
from policykg.cli import cli
from policykg.graph.executor import Task, service
from policykg.graph.remote import RemoteStore
from policykg.graph.resolve import Resolver
from policykg.graph.store import Store
from policykg.queries import CannedQuery, all_queries
from tests import virtuoso
from tests.test_virtuoso import _concat_columns, deviations

QINNAN_PLAN = "钦州市钦南区法治政府建设实施方案(2016-2020年)"
TOKEN = "remote-test-token"


@pytest.fixture(scope="module")
def server(store, tmp_path_factory):
    """A Virtuoso holding the seed store (conftest's ``store``)."""
    with virtuoso.for_test(tmp_path_factory.mktemp("virtuoso-api"), store) as v:
        yield v


@pytest.fixture(scope="module")
def endpoint(server):
    """Its SPARQL endpoint (read-only)."""
    return server.endpoint


@pytest.fixture(scope="module")
def remote(endpoint):
    """An app whose every page reads Virtuoso (an update token set, to show writes are still refused)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLICYKG_UPDATE_TOKEN", TOKEN)
        return TestClient(create_app(RemoteStore(endpoint)))


def canonical(value: Any) -> Any:
    """A JSON answer with its lists in a fixed order (rows whose order no ORDER BY fixes, or ties)."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return value


def _parts(q: CannedQuery, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with each GROUP_CONCAT's value as the sorted list of its parts (their order in the
    value is not defined: two engines join the same names in different orders)."""
    concat = _concat_columns(q)
    return [{k: sorted(v.split(concat[k])) if k in concat and isinstance(v, str) else v for k, v in row.items()} for row in rows]


def _same_json(remote: TestClient, local: TestClient, url: str, q: CannedQuery | None = None, rows: str = "rows") -> Any:
    """Both apps answer ``url`` alike (``q``: the canned query whose rows are under ``rows``)."""
    theirs, ours = remote.get(url), local.get(url)
    assert ours.status_code == 200, f"{url}: {ours.text[:300]}"
    assert theirs.status_code == 200, f"{url} over the server: {theirs.text[:500]}"
    a, b = theirs.json(), ours.json()
    if q is not None:
        a, b = {**a, rows: _parts(q, a[rows])}, {**b, rows: _parts(q, b[rows])}
    assert canonical(a) == canonical(b), url
    return ours.json()


def _agreeing(name: str) -> bool:
    return not deviations(all_queries()[name])


@pytest.mark.parametrize("name", [n for n in sorted(all_queries()) if _agreeing(n)])
def test_a_canned_query_answers_the_same_over_the_server(name, remote, client):
    q = all_queries()[name]
    url = f"/api/queries/{name}?" + urlencode({k: str(v) for k, v in q.example.items()})
    body = _same_json(remote, client, url, q)
    assert body["rows"], f"{name}: its example answers no row on the seeds, so the comparison would show nothing"



def test_a_page_inside_the_answer_counts_the_whole_answer_over_the_server(remote, client):
    """The store reads a page out of one evaluation, the server is asked for the page and a COUNT:
    the same page, count and next link either way."""
    for offset in (0, 7, 19, 40):
        url = "/api/queries/obligations?" + urlencode({"agency": "钦南区法制办", "limit": 5, "offset": offset})
        body = _same_json(remote, client, url)
        assert body["count"] == 20 and len(body["rows"]) == max(0, min(5, 20 - offset))
        assert ("next" in body) == (offset + 5 < 20)

def test_the_asserted_graphs_alone_are_asked_for_as_the_default_graph(endpoint, store):
    """``inferred=false`` sends the server our graphs but the inferred ones as the default graph
    (default-graph-uri): the materialised entailments are left out, as on the embedded store."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def counted(s: Store | RemoteStore, inferred: bool) -> int:
        outcome = service(s).query(Task(count, iris.base(), format="json", inferred=inferred), 60)
        outcome.raise_for_error()
        return int(json.loads(outcome.body)["results"]["bindings"][0]["n"]["value"])

    remote = RemoteStore(endpoint)
    asserted = counted(store, False)
    assert counted(remote, False) == asserted < counted(store, True)
    assert _same_json(TestClient(create_app(remote)), TestClient(create_app(store)),
                      "/api/queries/obligations?" + urlencode({"agency": "钦南区法制办", "inferred": "false"}))["rows"]


@pytest.mark.parametrize("url", [
    "/api/stats",
    f"/ui/lineage.json?document={QINNAN_PLAN}",
    "/ui/responsibility.json?agency=钦南区法制办",
    "/ui/search.json?q=行政执法",
    "/ui/search.json?q=" + '执法"} . ?s ?p ?o . FILTER("',  # a hostile search: one escaped literal there too
])
def test_pages_read_the_server_as_they_read_the_store(url, remote, client):
    theirs, ours = remote.get(url), client.get(url)
    assert theirs.status_code == ours.status_code, theirs.text[:500]
    assert canonical(theirs.json()) == canonical(ours.json())


def test_a_documents_linked_data_page_is_the_same(remote, client, store):
    plan = Resolver(store).document(QINNAN_PLAN)
    path = plan.removeprefix(iris.base())
    body = _same_json(remote, client, f"/{path}.json")
    assert QINNAN_PLAN.split("(")[0] in json.dumps(body, ensure_ascii=False)
    ours = client.get(f"/{path}", headers={"accept": "application/n-triples"})
    theirs = remote.get(f"/{path}", headers={"accept": "application/n-triples"})
    assert theirs.status_code == 200 and _triples(theirs.content) == _triples(ours.content) != set()


@pytest.mark.xfail(not _agreeing("lineage"), strict=True, raises=AssertionError,
                   reason="the lineage query meets a departure of Virtuoso 7.2.5 from SPARQL 1.1 (tests/test_virtuoso.py)")
def test_a_documents_lineage_route_is_the_same(remote, client, store):
    plan = Resolver(store).document(QINNAN_PLAN)
    body = _same_json(remote, client, f"/api/documents/{iris.key_of_document(plan)}/lineage", all_queries()["lineage"], "lineage")
    assert len(body["lineage"]) == 3


def _triples(body: bytes, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> set[str]:
    return {str(q.triple) for q in ox.parse(body, format=fmt)}


def test_sparql_queries_go_to_the_server_in_every_form(remote, client):
    select = "SELECT ?m ?n WHERE { ?m a lg:Measure ; lg:number ?n } ORDER BY ?m"
    for fmt in ("json", "csv", "tsv", "xml"):
        theirs, ours = (c.get("/sparql", params={"query": select, "format": fmt}) for c in (remote, client))
        assert theirs.status_code == 200 and theirs.headers["content-type"] == ours.headers["content-type"], theirs.text[:300]
        assert theirs.content == ours.content, fmt
    ask = remote.get("/sparql", params={"query": "ASK { ?d lg:inCorpus true }"}, headers={"accept": "application/sparql-results+json"})
    assert ask.json()["boolean"] is True
    construct = "CONSTRUCT { ?m lg:number ?n } WHERE { ?m a lg:Measure ; lg:number ?n }"
    theirs, ours = (c.get("/sparql", params={"query": construct}, headers={"accept": "application/n-triples"}) for c in (remote, client))
    assert theirs.status_code == 200 and _triples(theirs.content) == _triples(ours.content)
    assert len(_triples(ours.content)) == 65  # the seeds' measures (tests/test_queries.py counts them from the texts)
    theirs, ours = (c.get("/rdf-graphs/service", params={"graph": iris.ontology_graph()}, headers={"accept": "text/turtle"})
                    for c in (remote, client))
    assert isomorphic(Graph().parse(data=theirs.text, format="turtle"), Graph().parse(data=ours.text, format="turtle"))
    assert remote.get("/rdf-graphs/service", params={"graph": "http://nowhere.example/g"}).status_code == 404


def test_the_row_cap_holds_and_says_so(endpoint, monkeypatch):
    monkeypatch.setenv("POLICYKG_MAX_ROWS", "7")
    app = TestClient(create_app(RemoteStore(endpoint)))
    r = app.get("/sparql", params={"query": "SELECT ?m WHERE { ?m a lg:Measure }", "format": "json"})
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 7
    assert r.headers["x-policykg-truncated"] == "true" and r.headers["x-policykg-row-limit"] == "7"


def test_writes_through_this_server_are_refused_and_change_nothing(remote, endpoint):
    auth = {"authorization": f"Bearer {TOKEN}"}
    before = len(RemoteStore(endpoint))
    for r in (remote.post("/sparql", content="CLEAR ALL", headers={"content-type": "application/sparql-update", **auth}),
              remote.put(f"/rdf-graphs/service?graph={iris.base()}graph/doc/new", content="<a:a> <a:b> <a:c> .",
                         headers={"content-type": "text/turtle", **auth}),
              remote.delete(f"/rdf-graphs/service?graph={iris.doc_graph('x')}", headers=auth)):
        assert r.status_code in (403, 404), r.text
        if r.status_code == 403:
            assert endpoint in r.json()["message"], r.json()
    assert len(RemoteStore(endpoint)) == before > 100_000


def test_a_server_that_does_not_answer_is_a_503_with_a_reason():
    app = TestClient(create_app(RemoteStore("http://127.0.0.1:9/sparql")))
    r = app.get("/api/queries/lineage", params={"document": "x"})  # resolving the parameter needs the server
    assert r.status_code == 503 and "cannot reach the SPARQL server at http://127.0.0.1:9/sparql" in r.json()["message"]
    r = app.get("/sparql", params={"query": "ASK {}"})
    assert r.status_code == 503 and "cannot reach the SPARQL server at http://127.0.0.1:9/sparql" in r.json()["message"]


def test_serve_with_an_endpoint_that_does_not_answer_stops_with_a_clear_error():
    result = CliRunner().invoke(cli, ["serve", "--endpoint", "http://127.0.0.1:9/sparql", "--port", "0"])
    assert result.exit_code == 1
    assert "cannot reach the SPARQL server at http://127.0.0.1:9/sparql" in result.output


def test_the_counts_of_a_server_are_taken_again_after_a_while(server, monkeypatch):
    """A server's graph changes by publication, not through this service: the counts of the home
    page and /api/stats, kept between requests, are taken again once ASSERTED_GRAPHS_TTL has
    passed, so a document published meanwhile is counted."""
    from policykg.graph import remote as remote_module

    now = [1000.0]
    monkeypatch.setattr(remote_module.time, "monotonic", lambda: now[0])
    app = TestClient(create_app(RemoteStore(server.endpoint)))
    before = app.get("/api/stats").json()["documents_in_corpus"]
    graph, doc = f"{iris.base()}graph/doc/published-later", iris.document("published-later")
    server.sql(f"SPARQL INSERT DATA {{ GRAPH <{graph}> {{ <{doc}> <{iris.ONTOLOGY}inCorpus> true }} }};")  # as a publication would
    try:
        assert app.get("/api/stats").json()["documents_in_corpus"] == before  # kept
        now[0] += remote_module.ASSERTED_GRAPHS_TTL
        assert app.get("/api/stats").json()["documents_in_corpus"] == before + 1
    finally:
        server.sql(f"SPARQL DROP SILENT GRAPH <{graph}>;")


@pytest.mark.parametrize("projection", ["lineage", "responsibility", "co-responsibility", "citations", "jurisdictions"])
def test_a_projection_is_the_same_over_the_server(remote, client, projection):
    """The projections' SELECTs are engine-neutral: Virtuoso gives the same network, attributes
    included (compared as GraphML read back)."""
    import io

    import networkx as nx

    params = {"format": "graphml", **({"area": "钦南区"} if projection != "jurisdictions" else {})}
    graphs = []
    for app in (remote, client):
        r = app.get(f"/api/projections/{projection}", params=params)
        assert r.status_code == 200, r.text[:300]
        g = nx.read_graphml(io.BytesIO(r.content))
        graphs.append((dict(g.nodes(data=True)), sorted((u, v, sorted(d.items())) for u, v, d in g.edges(data=True))))
    assert graphs[0] == graphs[1]
    assert graphs[1][1], f"{projection}: no edge on the seeds, so the comparison shows nothing"


def test_a_whole_dump_of_a_server_is_its_own_to_give(remote):
    r = remote.get("/api/dump")
    assert r.status_code == 501 and "SPARQL server" in r.json()["message"]
    assert remote.get("/api/dump/manifest").status_code == 501
