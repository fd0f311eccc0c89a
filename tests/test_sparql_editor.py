"""The SPARQL editor teaches itself (issue 14): in a real browser (headless Chromium, as
tests/test_browser.py runs it), a query using the endpoint's predeclared prefixes without PREFIX
lines is not marked wrong and runs; an undeclared prefix still is; classes and properties complete
from our vocabulary, not from LOV (no request leaves the server); and result links to our IRIs
open this server's pages. The vocabulary the page is given and Turtle with prefixes are checked
without a browser."""

from __future__ import annotations

from tests.conftest import PLAN_TITLE
from tests.test_browser import Visit

LG = "https://w3id.org/policykg/ontology#"


def _set_query(visit: Visit, text: str) -> None:
    visit.page.evaluate("(q) => { const y = window.policykg.yasgui.getTab().getYasqe(); y.setValue(q); y.checkSyntax(); }", text)


def _valid(visit: Visit) -> bool:
    return bool(visit.page.evaluate("() => window.policykg.yasgui.getTab().getYasqe().queryValid"))


def test_predeclared_prefixes_are_not_errors_and_results_link_to_local_pages(visit):
    page = visit.page
    visit.open("/ui/sparql?tab=implementers", "body[data-yasgui=ready]")
    query = ("SELECT ?measure ?title WHERE { ?measure a lg:Measure ; lg:number \"37\" ; lg:document ?d . "
             "?d dcterms:title ?title }")
    _set_query(visit, query)
    assert _valid(visit), "lg: and dcterms: are predeclared by the endpoint"
    assert page.locator(".yasqe .CodeMirror-linenumber .parseErrorIcon, .yasqe .parseErrorIcon").count() == 0
    _set_query(visit, "SELECT * WHERE { ?s nosuch:p ?o }")
    assert not _valid(visit), "an undeclared prefix is still an error"

    _set_query(visit, query)
    with page.expect_response(lambda r: r.url.startswith(visit.base + "/sparql")) as answer:
        page.locator(".yasqe .yasqe_queryButton").click()
    assert answer.value.status == 200
    page.wait_for_selector("body[data-yasgui=answered]", state="attached")
    page.locator(".yasr .dataTable").wait_for()
    assert PLAN_TITLE in page.locator(".yasr .dataTable").inner_text()
    links = page.evaluate("() => [...document.querySelectorAll('.yasr .dataTable a')].map(a => [a.getAttribute('href'), a.dataset.iri])")
    measure_links = [(href, iri) for href, iri in links if iri and "/measure/" in iri]
    assert measure_links, links
    for href, iri in measure_links:
        assert href.startswith("/id/doc/") and iri.startswith("https://w3id.org/policykg/id/doc/") and iri.endswith(href[len("/id/"):])
    # the local page of the measure answers
    with page.expect_navigation():
        page.locator(f".yasr .dataTable a[href='{measure_links[0][0]}']").first.click()
    assert page.url == visit.base + measure_links[0][0]
    assert "全面推行行政执法公示制度" in page.locator("body").inner_text()
    visit.assert_clean()  # among others: nothing asked of another host


def test_classes_and_properties_complete_from_our_vocabulary(visit):
    page = visit.page
    visit.open("/ui/sparql?tab=implementers", "body[data-yasgui=ready]")
    found = page.evaluate("""async () => {
      const y = window.policykg.yasgui.getTab().getYasqe();
      const ask = async (name, text) => {
        y.setValue(text); y.setCursor({line: 0, ch: text.length});
        const c = y.autocompleters[name];
        const token = c.config.preProcessToken(y, y.getCompleteToken());
        return await c.config.get(y, token);
      };
      return {classes: await ask("policykg-classes", "SELECT * WHERE { ?x a lg:Mea"),
              properties: await ask("policykg-properties", "SELECT * WHERE { ?x lg:dead")};
    }""")
    assert LG + "Measure" in found["classes"] and all(c.startswith(LG + "Mea") for c in found["classes"])
    assert LG + "deadline" in found["properties"]
    visit.assert_clean()


def test_the_editor_is_given_our_vocabulary_and_local_paths(client):
    data = client.get("/ui/sparql.json").json()  # the page's JSON twin
    assert LG + "Measure" in data["classes"] and LG + "Agency" in data["classes"]
    assert LG + "deadline" in data["properties"]
    assert "http://purl.org/dc/terms/title" in data["properties"]  # used by the canned queries
    assert "http://www.w3.org/2006/time#inXSDDate" in data["properties"]
    assert data["local"]["https://w3id.org/policykg/id/"] == "/id/"


def test_turtle_of_a_resource_uses_our_prefixes(client):
    iri = client.get("/api/documents/钦州市钦南区法治政府建设实施方案(2016-2020年)/lineage").json()["document"]
    text = client.get("/id/" + iri.split("/id/", 1)[1], headers={"Accept": "text/turtle"}).text
    assert "@prefix lg: <https://w3id.org/policykg/ontology#> ." in text
    assert "dcterms:title" in text and "<http://purl.org/dc/terms/title>" not in text


def test_an_example_of_the_ontology_page_runs_in_the_editor(visit):
    page = visit.page
    visit.open("/ontology.html?lang=en", "#core-diagram")
    assert page.locator("#core-diagram .node").count() >= 8 and page.locator("#core-diagram .edge").count() >= 10
    with page.expect_navigation():
        page.locator("section.example[data-class='lg:Measure'] a.run").click()
    page.wait_for_selector("body[data-yasgui=answered]", state="attached")
    page.locator(".yasr .dataTable").wait_for()
    assert "全面推行行政执法公示制度" in page.locator(".yasr .dataTable").inner_text()
    visit.assert_clean()
