"""The running server driven over HTTP on loopback exactly as a researcher would: SPARQLWrapper
(GET and POST, JSON, XML, CSV, TSV, CONSTRUCT as Turtle, N-Triples, RDF/XML and JSON-LD, an
update with the token), rdflib's SPARQLStore and SPARQLUpdateStore; and a query past the time
limit stopped with 503 while the next one is served."""

from __future__ import annotations

import time
from urllib.error import HTTPError

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from tests.conftest import small_store
from tests.w3c.harness import make_app, serve

pytestmark = pytest.mark.server
TOKEN = "client-test-token"

IMPLEMENTERS_37 = """
PREFIX lg: <https://w3id.org/policykg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?label ?role WHERE {
  ?m lg:number "37" ; lg:assignment ?a .
  ?a prov:agent ?agency ; prov:hadRole/skos:notation ?role .
  ?agency rdfs:label ?label .
} ORDER BY ?role ?label
"""


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_select_json(server, method):
    sw = SPARQLWrapper(f"{server}/sparql")
    sw.setQuery(IMPLEMENTERS_37)
    sw.setMethod(method)
    sw.setReturnFormat(JSON)
    rows = sw.query().convert()["results"]["bindings"]
    leads = {r["label"]["value"] for r in rows if r["role"]["value"] == "lead"}
    assert leads == {"钦南区政务服务管理办", "钦南区法制办"}


def test_sparqlwrapper_xml_and_csv(server):
    sw = SPARQLWrapper(f"{server}/sparql")
    sw.setQuery(IMPLEMENTERS_37)
    sw.setReturnFormat(XML)
    doc = sw.query().convert()
    assert "钦南区法制办" in doc.toxml()
    sw.setReturnFormat(CSV)
    text = sw.query().convert().decode("utf-8")
    assert text.splitlines()[0].strip() == "label,role" and "钦南区法制办,lead" in text


def test_sparqlwrapper_construct_turtle_and_jsonld(server):
    q = "PREFIX lg: <https://w3id.org/policykg/ontology#> CONSTRUCT { ?m lg:number ?n } WHERE { ?m a lg:Measure ; lg:number ?n }"
    sw = SPARQLWrapper(f"{server}/sparql")
    sw.setQuery(q)
    sw.setReturnFormat(TURTLE)
    g = Graph().parse(data=sw.query().convert(), format="turtle")
    assert len(g) == 65
    sw.setReturnFormat(JSONLD)
    g2 = sw.query().convert()
    assert len(g2) == 65


def test_rdflib_sparqlstore_reads_the_endpoint(server):
    g = Graph(store=SPARQLStore(f"{server}/sparql", returnFormat="json"))
    lg = "https://w3id.org/policykg/ontology#"
    rows = list(g.query(f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m a <{lg}Measure> }}"))
    assert int(rows[0][0]) == 65
    assert (None, URIRef(lg + "leadAgency"), None) in g


def test_post_direct_and_update_refused(server):
    r = httpx.post(f"{server}/sparql", content="ASK { ?s a <https://w3id.org/policykg/ontology#Measure> }",
                   headers={"content-type": "application/sparql-query", "accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["boolean"] is True
    r = httpx.post(f"{server}/sparql", data={"update": "DROP ALL"})
    assert r.status_code == 403 and "read-only" in r.json()["message"]
    sw = SPARQLWrapper(f"{server}/sparql")
    sw.setMethod(POST)
    sw.setQuery("DROP ALL")
    with pytest.raises(HTTPError) as refused:
        sw.query()
    assert refused.value.code == 403


def test_sparqlwrapper_tsv_and_more_graph_formats(server):
    sw = SPARQLWrapper(f"{server}/sparql")
    sw.setQuery(IMPLEMENTERS_37)
    sw.setReturnFormat(TSV)
    text = sw.query().convert().decode("utf-8")
    assert text.splitlines()[0] == "?label\t?role" and '"钦南区法制办"@zh\t"lead"' in text
    q = "PREFIX lg: <https://w3id.org/policykg/ontology#> CONSTRUCT { ?m lg:number ?n } WHERE { ?m a lg:Measure ; lg:number ?n }"
    for fmt in (RDFXML, N3):
        sw = SPARQLWrapper(f"{server}/sparql")
        sw.setQuery(q)
        sw.setReturnFormat(fmt)
        result = sw.query().convert()
        g = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle")
        assert len(g) == 65, fmt


@pytest.fixture(scope="module")
def limited_server(store):
    with serve(make_app(store, query_timeout=1)) as url:
        yield url


@pytest.fixture(scope="module")
def writable_server(extractions):
    s = small_store([extractions["004"]])
    s.refresh_inferences()
    with serve(make_app(s, update_token=TOKEN, query_workers=1)) as url:
        yield url


def test_a_query_past_the_time_limit_is_stopped_and_the_next_is_served(limited_server):
    sw = SPARQLWrapper(f"{limited_server}/sparql")
    sw.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    sw.setReturnFormat(JSON)
    started = time.monotonic()
    with pytest.raises(HTTPError) as stopped:
        sw.query()
    assert stopped.value.code == 503 and time.monotonic() - started < 4
    assert b"limit of 1 s" in stopped.value.read()
    sw.setQuery(IMPLEMENTERS_37)
    assert len(sw.query().convert()["results"]["bindings"]) > 3
    g = Graph(store=SPARQLStore(f"{limited_server}/sparql", returnFormat="json"))
    assert int(next(iter(g.query("SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/policykg/ontology#Measure> }")))[0]) == 65


def test_updates_with_the_token_from_sparqlwrapper_and_sparqlupdatestore(writable_server):
    endpoint = f"{writable_server}/sparql"
    sw = SPARQLWrapper(endpoint)
    sw.setMethod(POST)
    sw.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    sw.setQuery("INSERT DATA { GRAPH <http://example.org/notes> { <http://example.org/n1> <http://example.org/says> \"你好\" } }")
    sw.query()
    store = SPARQLUpdateStore(query_endpoint=endpoint, update_endpoint=endpoint, headers={"Authorization": f"Bearer {TOKEN}"})
    notes = Graph(store=store, identifier=URIRef("http://example.org/notes"))
    notes.add((URIRef("http://example.org/n2"), URIRef("http://example.org/says"), Literal("再见")))
    said = {str(o) for o in notes.objects(None, URIRef("http://example.org/says"))}
    assert said == {"你好", "再见"}
    unauthorised = SPARQLUpdateStore(query_endpoint=endpoint, update_endpoint=endpoint)
    with pytest.raises(HTTPError) as refused:
        Graph(store=unauthorised, identifier=URIRef("http://example.org/notes")).add(
            (URIRef("http://example.org/n3"), URIRef("http://example.org/says"), Literal("x")))
    assert refused.value.code == 401
