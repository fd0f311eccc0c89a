"""The SPARQL service beyond the W3C suites: every format by Accept, the dataset parameters, the
service description, CORS, the error statuses and messages, updates and Graph Store writes
behind the token (with inferences kept current), and the limits the server enforces (row cap,
time limit, memory limit) — with the server healthy after each."""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef

from policykg import iris
from policykg.graph import executor
from policykg.graph.sparql_text import with_using, written_documents
from policykg.negotiation import GRAPH_FORMATS, RESULT_FORMATS, negotiate
from tests.conftest import small_store
from tests.w3c.harness import make_app, serve

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
LG = "https://w3id.org/policykg/ontology#"
MEASURES = "SELECT ?m ?n WHERE { ?m a lg:Measure ; lg:number ?n }"
NUMBERS = "CONSTRUCT { ?m lg:number ?n } WHERE { ?m a lg:Measure ; lg:number ?n }"
TOKEN = "s3cret-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
DEEP_PATH = "SELECT (COUNT(*) AS ?n) WHERE { ?s (<urn:x:p>|!<urn:x:p>)* ?o . ?o (<urn:x:p>|!<urn:x:p>)* ?z }"


def plan_graph(extractions) -> str:
    return iris.doc_graph(extractions["004"].key)


# --- formats ------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(RESULT_FORMATS))
def test_select_results_in_every_format_by_accept(client, key):
    r = client.get("/sparql", params={"query": MEASURES}, headers={"accept": RESULT_FORMATS[key][0]})
    assert r.status_code == 200 and r.headers["content-type"].startswith(RESULT_FORMATS[key][0])
    if key == "json":
        rows = r.json()["results"]["bindings"]
    elif key == "xml":
        rows = ET.fromstring(r.content).findall(".//{http://www.w3.org/2005/sparql-results#}result")
    else:
        rows = list(csv.reader(io.StringIO(r.text), delimiter="," if key == "csv" else "\t"))[1:]
    assert len(rows) == 65 and r.headers["x-policykg-rows"] == "65" and "x-policykg-truncated" not in r.headers


@pytest.mark.parametrize("key", list(GRAPH_FORMATS))
def test_construct_in_every_graph_format_by_accept(client, key):
    r = client.post("/sparql", content=NUMBERS, headers={"content-type": "application/sparql-query", "accept": GRAPH_FORMATS[key][0]})
    assert r.status_code == 200 and r.headers["content-type"].startswith(GRAPH_FORMATS[key][0])
    rdflib_format = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld", "rdfxml": "xml"}[key]
    g = Graph().parse(data=r.text, format=rdflib_format)
    assert len(g) == 65


def test_format_parameter_and_aliases_and_ask(client):
    r = client.get("/sparql", params={"query": MEASURES, "format": "csv"}, headers={"accept": "application/sparql-results+json"})
    assert r.headers["content-type"].startswith("text/csv")
    r = client.get("/sparql", params={"query": "ASK { ?m a lg:Measure }"}, headers={"accept": "application/sparql-results+xml"})
    assert r.status_code == 200 and "<boolean>true</boolean>" in r.text
    assert client.get("/sparql", params={"query": "ASK { ?m a lg:Nothing }"}).json() == {"head": {}, "boolean": False}
    # SPARQLWrapper's Accept for Turtle and for JSON
    r = client.get("/sparql", params={"query": NUMBERS}, headers={"accept": "application/turtle,text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    r = client.get("/sparql", params={"query": MEASURES}, headers={"accept": "application/sparql-results+json,application/json,text/javascript"})
    assert r.headers["content-type"] == "application/sparql-results+json"
    r = client.get("/sparql", params={"query": NUMBERS, "format": "csv"})
    assert r.status_code == 406 and "CONSTRUCT" in r.json()["message"]


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "json"), ("", "json"), ("*/*", "json"), ("garbage/;;q=x", "json"),
    ("text/csv", "csv"), ("text/*", "csv"), ("application/sparql-results+xml;q=0.5, text/csv;q=0.9", "csv"),
    ("text/csv;q=0.2, */*", "json"), ("image/png, text/html", None), ("text/csv;q=0", None),
    ("application/xml", "xml"), ("TEXT/TAB-SEPARATED-VALUES", "tsv"),
])
def test_negotiation_follows_q_values_and_specificity(accept, expected):
    assert negotiate(accept, RESULT_FORMATS, "json") == expected


def test_nothing_acceptable_is_406_an_unreadable_accept_gets_the_default(client):
    r = client.get("/sparql", params={"query": MEASURES}, headers={"accept": "image/png"})
    assert r.status_code == 406 and "application/sparql-results+json" in r.json()["message"]
    r = client.get("/sparql", params={"query": NUMBERS}, headers={"accept": "text/html"})
    assert r.status_code == 406 and "text/turtle" in r.json()["message"]
    assert client.get("/sparql", params={"query": MEASURES}, headers={"accept": "nonsense"}).status_code == 200


# --- dataset ------------------------------------------------------------------------------------


def test_dataset_parameters_replace_the_union_default_graph(client, extractions):
    count = "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a lg:Measure }"
    other = iris.doc_graph(extractions["000"].key)

    def n(r):
        assert r.status_code == 200, r.text
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    assert n(client.get("/sparql", params={"query": count})) == 65
    assert n(client.get("/sparql", params={"query": count, "default-graph-uri": plan_graph(extractions)})) == 65
    assert n(client.get("/sparql", params={"query": count, "default-graph-uri": other})) == 0
    assert n(client.post("/sparql", data={"query": count, "default-graph-uri": [other, plan_graph(extractions)]})) == 65
    assert n(client.post(f"/sparql?default-graph-uri={other}", content=count, headers={"content-type": "application/sparql-query"})) == 0
    # named graphs only: the default graph is empty, GRAPH ?g sees exactly those
    named = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert n(client.get("/sparql", params={"query": named, "named-graph-uri": [other, plan_graph(extractions)]})) == 2
    assert n(client.get("/sparql", params={"query": count, "named-graph-uri": plan_graph(extractions)})) == 0
    # and FROM in the query is overridden by the protocol's dataset
    q = f"SELECT (COUNT(DISTINCT ?m) AS ?n) FROM <{plan_graph(extractions)}> WHERE {{ ?m a lg:Measure }}"
    assert n(client.get("/sparql", params={"query": q})) == 65
    assert n(client.get("/sparql", params={"query": q, "default-graph-uri": other})) == 0


# --- service description, CORS ----------------------------------------------------------------


def test_service_description_at_the_endpoint(client):
    r = client.get("/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    service = next(g.subjects(SD.endpoint, URIRef("http://testserver/sparql")))
    assert set(g.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}  # read-only
    formats = {str(f).rsplit("/", 1)[-1] for f in g.objects(service, SD.resultFormat)}
    assert formats == {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                       "Turtle", "N-Triples", "N-Quads", "TriG", "JSON-LD", "RDF_XML"}
    assert SD.UnionDefaultGraph in set(g.objects(service, SD.feature))
    names = {str(n) for n in g.objects(None, SD.name)}
    assert iris.ontology_graph() in names and any(n.startswith(iris.doc_graph("")) for n in names)
    assert "30 s" in str(next(g.objects(service, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"))))
    r = client.get("/sparql", headers={"accept": "application/ld+json"})
    assert r.headers["content-type"] == "application/ld+json" and len(Graph().parse(data=r.text, format="json-ld")) == len(g)


def test_cors_preflight_and_simple_requests(client):
    r = client.options("/sparql", headers={"origin": "https://yasgui.example", "access-control-request-method": "POST",
                                           "access-control-request-headers": "content-type"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*" and "POST" in r.headers["access-control-allow-methods"]
    assert "content-type" in r.headers["access-control-allow-headers"].lower()
    # the update token only from the origins of write_origins (none by default): tests/test_security.py
    r = client.options("/sparql", headers={"origin": "https://yasgui.example", "access-control-request-method": "POST",
                                           "access-control-request-headers": "content-type, authorization"})
    assert r.status_code == 403 and "access-control-allow-origin" not in r.headers
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "https://yasgui.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "X-Policykg-Truncated" in r.headers["access-control-expose-headers"]


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("request_args", "status", "words"), [
    ({"method": "GET", "params": {"query": "SELECT * WHERE { ?s ?p"}}, 400, "syntax error: error at 1:"),
    ({"method": "GET", "params": {"query": "  "}}, 400, "empty"),
    ({"method": "GET", "url": "/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D"}, 400, "2 query= parameters"),
    ({"method": "GET", "params": {"update": "CLEAR ALL"}}, 400, "never by GET"),
    ({"method": "GET", "params": {"query": "DROP ALL"}}, 400, "SPARQL Update, not a query"),
    ({"method": "GET", "params": {"query": "ASK {}", "default-graph-uri": "not an iri"}}, 400, "not an absolute IRI"),
    ({"method": "GET", "params": {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"}}, 403, "service_hosts"),
    ({"method": "GET", "params": {"query": "ASK {}", "format": "pdf"}}, 400, "format=pdf"),
    ({"method": "POST", "data": {"query": "ASK {}", "update": "CLEAR ALL"}}, 400, "both"),
    ({"method": "POST", "data": {"default-graph-uri": "http://x/"}}, 400, "neither"),
    ({"method": "POST", "content": b"ASK {}", "headers": {"content-type": "text/plain"}}, 415, "text/plain"),
    ({"method": "POST", "content": b"query=ASK%20%7B%7D"}, 415, "none"),
    ({"method": "POST", "content": "ASK {}".encode("utf-16"), "headers": {"content-type": "application/sparql-query; charset=UTF-16"}}, 415, "UTF-8"),
    ({"method": "POST", "content": b"ASK { \xff }", "headers": {"content-type": "application/sparql-query"}}, 400, "not UTF-8"),
    ({"method": "POST", "content": b"#" + b"x" * 200_000, "headers": {"content-type": "application/sparql-query"}}, 413, "limit"),
    ({"method": "PUT", "content": b"ASK {}", "headers": {"content-type": "application/sparql-query"}}, 405, "GET and POST"),
])
def test_malformed_requests_get_the_right_status_and_a_message(client, request_args, status, words):
    args = dict(request_args)
    r = client.request(args.pop("method"), args.pop("url", "/sparql"), **args)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["ok"] is False and body["status"] == status and words in body["message"], body
    if status == 405:
        assert r.headers["allow"] == "GET, POST"
    assert client.get("/sparql", params={"query": "ASK { ?m a lg:Measure }"}).json()["boolean"] is True


def test_writes_are_refused_while_read_only_and_the_token_is_never_shown(client, store):
    before = len(store.ox)
    for r in (client.post("/sparql", data={"update": "DROP ALL"}),
              client.post("/sparql", content="CLEAR ALL", headers={"content-type": "application/sparql-update", **AUTH}),
              client.put("/rdf-graphs/service?default", content="<a:a> <a:b> <a:c> .", headers={"content-type": "text/turtle"}),
              client.post("/rdf-graphs/service", content="<a:a> <a:b> <a:c> .", headers={"content-type": "text/turtle"}),
              client.delete(f"/rdf-graphs/service?graph={iris.ontology_graph()}")):
        assert r.status_code == 403 and "read-only" in r.json()["message"] and "update_token" in r.json()["message"]
    assert len(store.ox) == before
    r = client.get("/rdf-graphs/service", params={"graph": iris.ontology_graph()}, headers={"accept": "application/n-triples"})
    assert r.status_code == 200 and r.text.count("\n") > 100
    assert client.get("/rdf-graphs/service", params={"graph": "http://nowhere.example/g"}).status_code == 404
    assert client.head("/rdf-graphs/service", params={"graph": "http://nowhere.example/g"}).status_code == 404
    assert client.get("/rdf-graphs/service").status_code == 400
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLICYKG_UPDATE_TOKEN", TOKEN)
        shown = {s["name"]: s for s in client.get("/api/settings").json()["settings"]}["update_token"]
    assert shown["value"] == "(set)" and TOKEN not in json.dumps(client.get("/api/settings").json())


# --- updates and Graph Store writes with the token ---------------------------------------------


@pytest.fixture(scope="module")
def writable(extractions):
    s = small_store([extractions["004"], extractions["001"]])
    s.refresh_inferences()
    return TestClient(make_app(s, update_token=TOKEN, query_workers=1)), s


def ask(c: TestClient, where: str) -> bool:
    r = c.get("/sparql", params={"query": f"ASK {{ {where} }}"})
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


def test_a_write_without_the_right_token_is_401(writable):
    c, _ = writable
    for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": f"Basic {TOKEN}"}):
        r = c.post("/sparql", content="CLEAR ALL", headers={"content-type": "application/sparql-update", **headers})
        assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer") and "Authorization: Bearer" in r.json()["message"]
        r = c.put("/rdf-graphs/service?default", content="", headers={"content-type": "text/turtle", **headers})
        assert r.status_code == 401


def test_an_update_is_seen_by_the_next_query_and_its_inferences_are_recomputed(writable, extractions):
    c, store = writable
    graph, doc = plan_graph(extractions), extractions["004"].iri
    cited = "https://w3id.org/policykg/id/doc/test-cited"
    assert not ask(c, f"<{doc}> eli:cites <{cited}>")
    r = c.post("/sparql", data={"update": f"INSERT DATA {{ GRAPH <{graph}> {{ <{doc}> lg:cites <{cited}> }} }}"}, headers=AUTH)
    assert r.status_code == 200 and r.json()["inferences"]["documents"] == [extractions["004"].key]
    inferred = f"{iris.base()}graph/inferred/doc/{extractions['004'].key}"
    assert ask(c, f"GRAPH <{inferred}> {{ <{doc}> eli:cites <{cited}> }}")  # lg:cites ⊑ eli:cites, materialised
    r = c.post("/sparql", content=f"DELETE DATA {{ GRAPH <{graph}> {{ <{doc}> lg:cites <{cited}> }} }}",
               headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 200 and not ask(c, f"<{doc}> eli:cites <{cited}>")
    key = extractions["004"].key
    saved = c.get("/rdf-graphs/service", params={"graph": graph}, headers={"accept": "application/n-triples"}).content
    r = c.post("/sparql", data={"update": f"DROP GRAPH <{graph}>"}, headers=AUTH)
    assert r.status_code == 200 and r.json()["inferences"]["documents"] == [key]
    assert not ask(c, f"GRAPH <{inferred}> {{ ?s ?p ?o }}")  # the dropped document's inferences went with it
    r = c.put("/rdf-graphs/service", params={"graph": graph}, content=saved, headers={"content-type": "application/n-triples", **AUTH})
    assert r.status_code == 201 and ask(c, f"GRAPH <{inferred}> {{ ?s ?p ?o }}")
    r = c.post("/sparql", data={"update": "INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:p> 1 } "}, headers=AUTH)
    assert r.status_code == 400 and "syntax error" in r.json()["message"]


def test_using_graph_uri_becomes_using_and_conflicts_with_with(writable, extractions):
    c, _ = writable
    update = "INSERT { GRAPH <urn:x:out> { ?m a <urn:x:Counted> } } WHERE { ?m a lg:Measure }"
    r = c.post(f"/sparql?using-graph-uri={iris.doc_graph(extractions['001'].key)}", content=update,
               headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 200 and not ask(c, "GRAPH <urn:x:out> { ?m a <urn:x:Counted> }")  # the report has no measures
    r = c.post("/sparql", data={"update": update, "using-graph-uri": plan_graph(extractions)}, headers=AUTH)
    assert r.status_code == 200 and ask(c, "GRAPH <urn:x:out> { ?m a <urn:x:Counted> }")
    r = c.post(f"/sparql?using-graph-uri={plan_graph(extractions)}", content="WITH <urn:x:out> " + update.replace("GRAPH <urn:x:out> ", ""),
               headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 400 and "USING or WITH" in r.json()["message"]
    assert c.post("/sparql", data={"update": "DROP GRAPH <urn:x:out>"}, headers=AUTH).status_code == 200


def test_graph_store_writes_replace_merge_create_and_drop(writable, extractions):
    c, store = writable
    g = "http://example.org/gsp/people"
    ttl = "@prefix foaf: <http://xmlns.com/foaf/0.1/> . <http://example.org/p/1> foaf:name \"甲\" ; foaf:knows [ foaf:name \"乙\" ] ."
    r = c.put("/rdf-graphs/service", params={"graph": g}, content=ttl.encode(), headers={"content-type": "text/turtle; charset=utf-8", **AUTH})
    assert r.status_code == 201 and r.json()["triples"] == 3
    r = c.put("/rdf-graphs/service", params={"graph": g}, content=ttl.encode(), headers={"content-type": "text/turtle", **AUTH})
    assert r.status_code == 200
    r = c.post("/rdf-graphs/service", params={"graph": g}, content=b'<http://example.org/p/2> <http://xmlns.com/foaf/0.1/name> "\xe4\xb8\x99" .',
               headers={"content-type": "application/n-triples", **AUTH})
    assert r.status_code == 200
    got = Graph().parse(data=c.get("/rdf-graphs/service", params={"graph": g}).text, format="turtle")
    assert len(got) == 4 and ask(c, f'GRAPH <{g}> {{ ?p <http://xmlns.com/foaf/0.1/name> "丙" }}')
    r = c.post("/rdf-graphs/service", content=ttl.encode(), headers={"content-type": "text/turtle", **AUTH})
    assert r.status_code == 201 and r.headers["location"].startswith(iris.base() + "graph/posted/")
    assert c.get("/rdf-graphs/service", params={"graph": r.headers["location"]}).status_code == 200
    assert c.delete("/rdf-graphs/service", params={"graph": g}, headers=AUTH).status_code == 200
    assert c.get("/rdf-graphs/service", params={"graph": g}).status_code == 404
    assert c.delete("/rdf-graphs/service", params={"graph": g}, headers=AUTH).status_code == 404
    # payload errors
    r = c.put("/rdf-graphs/service", params={"graph": g}, content=b"<a> <b> .", headers={"content-type": "text/turtle", **AUTH})
    assert r.status_code == 400 and "does not parse" in r.json()["message"]
    r = c.put("/rdf-graphs/service", params={"graph": g}, content=b"x", headers={"content-type": "application/pdf", **AUTH})
    assert r.status_code == 415
    r = c.put("/rdf-graphs/service", params={"graph": f"{iris.base()}graph/inferred/closure"}, content=b"", headers={"content-type": "text/turtle", **AUTH})
    assert r.status_code == 403 and "inferences" in r.json()["message"]
    r = c.put("/rdf-graphs/service", params={"graph": g, "default": ""}, content=b"", headers={"content-type": "text/turtle", **AUTH})
    assert r.status_code == 400


def test_graph_store_delete_of_a_document_graph_drops_its_inferences(writable, extractions):
    c, store = writable
    key = extractions["001"].key
    inferred = f"{iris.base()}graph/inferred/doc/{key}"
    assert ask(c, f"GRAPH <{inferred}> {{ ?s ?p ?o }}")
    saved = c.get("/rdf-graphs/service", params={"graph": iris.doc_graph(key)}, headers={"accept": "application/n-triples"}).content
    assert c.delete("/rdf-graphs/service", params={"graph": iris.doc_graph(key)}, headers=AUTH).status_code == 200
    assert not ask(c, f"GRAPH <{inferred}> {{ ?s ?p ?o }}") and not ask(c, f"GRAPH <{iris.doc_graph(key)}> {{ ?s ?p ?o }}")
    r = c.put("/rdf-graphs/service", params={"graph": iris.doc_graph(key)}, content=saved, headers={"content-type": "application/n-triples", **AUTH})
    assert r.status_code == 201 and ask(c, f"GRAPH <{inferred}> {{ ?s ?p ?o }}")  # reasoned again when written back


def test_service_description_lists_update_when_a_token_is_set(writable):
    c, _ = writable
    g = Graph().parse(data=c.get("/sparql").text, format="turtle")
    assert SD.SPARQL11Update in set(g.objects(None, SD.supportedLanguage))


def test_written_documents_and_using_rewrites():
    doc = iris.doc_graph("abc")
    assert written_documents(f"INSERT DATA {{ GRAPH <{doc}> {{ <a:a> <a:b> 'x;{{' }} }}") == ["abc"]
    assert written_documents("PREFIX g: <" + iris.doc_graph("") + "> DELETE WHERE { GRAPH g:k1 { ?s ?p ?o } }") == ["k1"]
    assert written_documents("CLEAR ALL") is None and written_documents("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }") is None
    assert written_documents("INSERT DATA { <urn:a> <urn:b> <urn:c> }") == []
    out = with_using("PREFIX x: <urn:x:> INSERT { ?s a x:T } WHERE { ?s ?p 'WHERE' } ; INSERT DATA { <urn:a> <urn:b> 1 }", ["urn:g"], ["urn:n"])
    assert out == "PREFIX x: <urn:x:> INSERT { ?s a x:T }  USING <urn:g> USING NAMED <urn:n> WHERE { ?s ?p 'WHERE' } ; INSERT DATA { <urn:a> <urn:b> 1 }"


# --- limits -------------------------------------------------------------------------------------


def test_the_row_cap_cuts_results_and_says_so(store):
    c = TestClient(make_app(store, max_rows=5))
    r = c.get("/sparql", params={"query": MEASURES})
    body = r.json()
    assert len(body["results"]["bindings"]) == 5 and body["head"]["link"] == [executor.truncation_link(5)]
    assert r.headers["x-policykg-truncated"] == "true" and r.headers["x-policykg-row-limit"] == "5"
    r = c.get("/sparql", params={"query": MEASURES}, headers={"accept": "text/csv"})
    assert len(r.text.strip().splitlines()) == 6 and r.headers["x-policykg-truncated"] == "true"
    r = c.get("/sparql", params={"query": NUMBERS}, headers={"accept": "application/n-triples"})
    assert len(r.text.strip().splitlines()) == 5 and r.headers["x-policykg-truncated"] == "true"
    r = c.get("/sparql", params={"query": MEASURES + " LIMIT 5"})
    assert len(r.json()["results"]["bindings"]) == 5 and "x-policykg-truncated" not in r.headers


@pytest.mark.parametrize("query", [CARTESIAN, DEEP_PATH], ids=["cartesian", "deep-path"])
def test_a_query_past_the_time_limit_is_stopped_and_the_next_is_served(store, query):
    c = TestClient(make_app(store, query_timeout=1))
    started = time.monotonic()
    r = c.get("/sparql", params={"query": query})
    elapsed = time.monotonic() - started
    assert r.status_code == 503 and r.json()["error"] == "QueryTimeout" and "limit of 1 s" in r.json()["message"]
    assert elapsed < 4, elapsed
    for _ in range(3):  # the other worker, then the replacement
        assert c.get("/sparql", params={"query": "ASK { ?m a lg:Measure }"}).json()["boolean"] is True


def test_a_query_past_the_memory_limit_ends_its_worker_and_the_next_is_served(extractions):
    s = small_store([extractions["004"]])
    c = TestClient(make_app(s, query_memory_mb=64, query_workers=1, query_timeout=60))
    r = c.get("/sparql", params={"query": "SELECT ?a ?b WHERE { ?a ?p ?o . ?b ?q ?r } ORDER BY ?a ?b"})
    assert r.status_code == 503 and r.json()["error"] == "QueryAborted" and "query_memory_mb" in r.json()["message"]
    assert c.get("/sparql", params={"query": "ASK { ?m a lg:Measure }"}).json()["boolean"] is True


def test_in_process_evaluation_keeps_the_row_cap_and_checks_the_time_between_solutions(extractions):
    s = small_store([extractions["004"]])
    c = TestClient(make_app(s, query_workers=0, query_timeout=1, max_rows=10**9))
    r = c.get("/sparql", params={"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"})
    assert r.status_code == 503 and r.json()["error"] == "QueryTimeout"
    c = TestClient(make_app(s, query_workers=0, max_rows=3))
    r = c.get("/sparql", params={"query": MEASURES})
    assert len(r.json()["results"]["bindings"]) == 3 and r.headers["x-policykg-truncated"] == "true"


def test_changes_made_outside_the_endpoint_are_seen_after_invalidate(extractions):
    s = small_store([extractions["004"]])
    c = TestClient(make_app(s, query_workers=1))
    assert ask(c, "?m a lg:Measure") and not ask(c, "?r a lg:Report")
    s.put_document(extractions["001"])
    executor.invalidate(s)
    assert ask(c, "?r a lg:Report")


def test_concurrent_runaway_queries_never_hang_the_server(extractions):
    """More long queries than workers: each is answered 503 within about twice the limit (a
    worker's wait plus its run), and then the server answers normally."""
    import concurrent.futures

    import httpx

    s = small_store([extractions["004"]])
    with serve(make_app(s, query_workers=2, query_timeout=1)) as url:
        def hostile(q: str) -> tuple[int, str, float]:
            started = time.monotonic()
            r = httpx.get(f"{url}/sparql", params={"query": q}, timeout=30)
            return r.status_code, r.json()["error"], time.monotonic() - started

        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(hostile, [CARTESIAN, DEEP_PATH] * 3))
        assert all(status == 503 for status, _, _ in answers), answers
        assert {error for _, error, _ in answers} <= {"QueryTimeout", "ServiceBusy"}
        assert max(seconds for _, _, seconds in answers) < 6, answers
        # then it answers normally, once its killed workers are replaced (a busy machine may take
        # a few seconds: meanwhile it says so with 503 and Retry-After)
        deadline = time.monotonic() + 60
        while True:
            r = httpx.get(f"{url}/sparql", params={"query": "ASK { ?m a lg:Measure }"}, timeout=30)
            if r.status_code != 503 or time.monotonic() > deadline:
                break
            assert r.json()["error"] == "ServiceBusy" and "retry-after" in r.headers
            time.sleep(0.5)
        assert r.status_code == 200 and r.json()["boolean"] is True
