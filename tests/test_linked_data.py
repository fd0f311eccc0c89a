"""Linked data: resource IRIs dereference on our server as HTML, RDF by Accept and a .json twin;
a document's page shows its text with measures, bodies and citations highlighted at their
spans and linked; measure and agency pages answer BRIEF questions 1 and 4."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from policykg.api.resources import highlighted


@pytest.fixture(scope="module")
def plan_path(extractions):
    return "/id/" + extractions["004"].iri.split("/id/", 1)[1]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []  # (href, class, text)
        self._open: list[tuple[str, str]] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"br", "img", "hr"}:  # void elements
            return
        self.stack.append(tag)
        if tag == "a":
            a = dict(attrs)
            self._open.append((a.get("href", ""), a.get("class", "")))
            self.links.append((a.get("href", ""), a.get("class", ""), ""))

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "a":
            href, cls, text = self.links[-1]
            self.links[-1] = (href, cls, text + data)


def test_document_page_highlights_measures_bodies_and_citations_at_their_spans(client, plan_path):
    r = client.get(plan_path, headers={"accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    start = r.text.index('<div class="doctext">')
    parser = _Links()
    parser.feed(r.text[start:r.text.index("</div>", start) + 6])  # well nested: the parser asserts it
    links = parser.links
    # measure 37's text links to the measure; 区法制办 in it is marked as a lead and links to the agency
    assert any(h.endswith("/measure/37") and "mark-measure" in c for h, c, _ in links)
    assert any(t == "区法制办" and "mark-role-lead" in c and h.endswith("/agency/450702/人民政府法制办公室") for h, c, t in links)
    cited = [t for h, c, t in links if "mark-citation" in c]
    assert any("钦州市法治政府建设实施方案" in t for t in cited)


def test_json_twin_and_rdf_by_accept(client, plan_path):
    twin = client.get(plan_path + ".json").json()
    assert twin["kind"] == "document" and len(twin["measures"]) == 65
    assert "钦州市法治政府建设实施方案(2016—2020年)" in {a["title"] for a in twin["lineage"]["ancestors"] if a["depth"] == 1}
    g = Graph().parse(data=client.get(plan_path, headers={"accept": "text/turtle"}).text, format="turtle")
    assert len(g) > 10
    agency = client.get("/id/agency/450702/人民政府法制办公室", headers={"accept": "application/ld+json"})
    g = Graph().parse(data=agency.text, format="json-ld")
    assert (URIRef("https://w3id.org/policykg/id/agency/450702/人民政府法制办公室"), RDFS.label, None) in g
    nt = client.get("/id/division/450702", headers={"accept": "application/n-triples"})
    assert nt.headers["content-type"].startswith("application/n-triples") and "450702" in nt.text


def test_accept_q_values_choose_the_representation(client, plan_path):
    r = client.get(plan_path, headers={"accept": "text/turtle;q=0.1, text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    r = client.get(plan_path, headers={"accept": "text/html;q=0.5, text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    r = client.get(plan_path, headers={"accept": "image/png"})  # nothing we write: Turtle, as without Accept
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")


def test_measure_and_agency_pages(client, plan_path):
    m = client.get(plan_path + "/measure/37.json").json()
    assert {i["agencyLabel"] for i in m["implementers"] if i["role"] == "lead"} == {"钦南区政务服务管理办", "钦南区法制办"}
    page = client.get(plan_path + "/measure/37", headers={"accept": "text/html"}).text
    assert "钦南区法制办" in page and "钦南区司法局" in page  # who holds the duty today
    a = client.get("/id/agency/450702/人民政府法制办公室.json").json()
    assert a["kind"] == "agency" and len(a["obligations"]) == 20
    assert a["successor"][0]["todayLabel"] == "钦南区司法局"


def test_unknown_resources_are_404(client):
    r = client.get("/id/doc/no-such-thing", headers={"accept": "text/html"})
    assert r.status_code == 404 and r.json()["error"] == "ResourceNotFound"


def test_highlighting_keeps_the_text_and_nests_overlapping_marks():
    text = "甲乙丙丁戊己<庚>"
    marks = [{"start": 0, "end": 6, "kind": "measure", "href": "/m"}, {"start": 2, "end": 4, "kind": "role-lead", "href": "/a"},
             {"start": 3, "end": 9, "kind": "citation", "href": "/d"}]
    out = highlighted(text, marks)
    parser = _Links()
    parser.feed(out)
    assert "".join(t for _, _, t in parser.links) == "甲乙丙丁戊己<庚>"  # all text, escaped, nothing lost
    assert ("/a", "mark-measure mark-role-lead", "丙") in parser.links  # innermost mark links, outer ones colour
    assert ("/a", "mark-citation mark-measure mark-role-lead", "丁") in parser.links


def test_resource_pages_show_the_asserted_triples_only(client, store):
    """A resource page lists what was asserted about the resource, none of the materialised
    entailments (read over the union of the graphs with the inferred ones filtered out, not with
    the asserted graphs named one by one): its properties, its Turtle and, for a document, the
    bodies named in it, each the same as a query of the asserted graphs alone finds."""
    docs = [str(r["d"]) for r in store.select("SELECT ?d WHERE { ?d lg:inCorpus true }")]
    samples = docs + [str(r["x"]) for r in store.select(
        "SELECT ?x WHERE { { SELECT ?x WHERE { ?x a lg:Measure } LIMIT 5 } UNION { SELECT ?x WHERE { ?x a lg:Agency } LIMIT 5 } }")]
    inferred_somewhere = 0
    for iri in samples:
        path = "/id/" + iri.split("/id/", 1)[1]
        asserted = {(str(r["p"]), str(r["o"])) for r in store.select(
            f"SELECT DISTINCT ?p ?o WHERE {{ <{iri}> ?p ?o FILTER(?p != lg:content && ?p != lg:originalText) }}", inferred=False)}
        union = {(str(r["p"]), str(r["o"])) for r in store.select(
            f"SELECT DISTINCT ?p ?o WHERE {{ <{iri}> ?p ?o FILTER(?p != lg:content && ?p != lg:originalText) }}")}
        inferred_somewhere += len(union - asserted)
        body = client.get(path + ".json").json()
        assert sorted(str(p["value"]) for p in body["properties"]) == sorted(o for _, o in asserted), iri
        turtle = Graph().parse(data=client.get(path, headers={"accept": "text/turtle"}).text, format="turtle")
        every = {(str(r["p"]), str(r["o"])) for r in store.select(f"SELECT DISTINCT ?p ?o WHERE {{ <{iri}> ?p ?o }}", inferred=False)}
        assert len(turtle) == len(every), iri
        if iri in docs:
            named = {str(r["a"]) for r in store.select(f"""SELECT DISTINCT ?a WHERE {{ ?m lg:document <{iri}> ; lg:assignment/prov:agent ?a }}""",
                                                       inferred=False)}
            assert {href for _, href in body["agencies"]} == {"/id/" + a.split("/id/", 1)[1] for a in named}, iri
    assert inferred_somewhere > 0  # the union holds entailments about these resources: the filter is what keeps them out
