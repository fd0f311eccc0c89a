"""The ontology page (issue 14): the diagram of the core names terms the ontology defines, joined
as the data joins them; every example runs on the seeds and answers what the documents say; the
page gives each example a link that opens it in the editor, in either language."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from rdflib import OWL, RDF, URIRef

from policykg.api.views.ontology import EDGES, NODES, examples
from policykg.namespaces import PREFIXES
from policykg.ontology import ontology_graph
from tests.conftest import PLAN_TITLE


def _iri(name: str) -> URIRef:
    prefix, local = name.split(":")
    return URIRef(PREFIXES[prefix] + local)


def test_the_diagram_names_our_terms_and_the_data_joins_that_way(store):
    g = ontology_graph()
    ours = {s for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty) for s in g.subjects(RDF.type, kind)}
    for key, *_ in NODES:
        if key.startswith("lg:") and key != "lg:AssignmentRole":
            assert _iri(key) in ours, key
    for source, prop, target in EDGES:
        if prop.startswith("lg:"):
            assert _iri(prop) in ours, prop
        # each edge is walked by the data of the seeds: some subject of the source kind has the property
        kinds = {"lg:Document": "lg:PolicyDocument", "xsd:date": None, "xsd:string": None, "lg:AssignmentRole": None}
        subject_type = kinds.get(source, source)
        where = f"?s a {subject_type} . " if subject_type else ""
        assert store.select(f"SELECT ?s WHERE {{ {where}?s {prop} ?o }} LIMIT 1"), (source, prop, target)


def test_every_example_runs_on_the_seeds(store):
    answers = {}
    for e in examples():
        rows = store.select(e["query"])
        assert rows, e["class"]
        answers[e["class"]] = rows
    # read from the 钦南区 plan: its 65 measures; measure 37 led by the 政务服务管理办 and the 法制办
    assert len(answers["lg:Measure"]) == 65
    m37 = next(r for r in answers["lg:Measure"] if str(r["number"]) == "37")
    assert m37["shortTitle"] == "全面推行行政执法公示制度" and str(m37["deadline"]) == "2017-12-31"
    assert {r["agencyLabel"] for r in answers["lg:Assignment"] if r["role"] == "lead"} == {"钦南区政务服务管理办", "钦南区法制办"}
    assert {r["label"] for r in answers["lg:Agency"][:1]} == {"钦南区法制办"}  # 12 measures led, more than any other
    assert any(r["citing"] == PLAN_TITLE for r in answers["lg:Citation"])


def test_the_page_shows_the_diagram_and_links_each_example_to_the_editor(client):
    for lang, run in (("zh", "在 SPARQL 编辑器中运行"), ("en", "Run in the SPARQL editor")):
        text = client.get(f"/ontology.html?lang={lang}").text
        assert '<svg id="core-diagram"' in text and 'data-property="lg:deadline"' in text
        assert text.count(run) == len(examples())
    for e in examples():
        query = parse_qs(urlsplit(e["run"]).query)["query"][0]
        assert query == e["query"] and e["run"].startswith("/ui/sparql?")
