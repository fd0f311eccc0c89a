"""The running server driven over HTTP on loopback exactly as a researcher would: SPARQLWrapper
(GET and POST, JSON, XML, CSV, CONSTRUCT as Turtle and JSON-LD) and rdflib's SPARQLStore."""

from __future__ import annotations

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, GET, JSON, JSONLD, POST, TURTLE, XML, SPARQLWrapper

pytestmark = pytest.mark.server

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
    assert r.status_code == 400 and "read-only" in r.json()["message"]
