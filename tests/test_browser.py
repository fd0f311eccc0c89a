"""The web UI in a real browser: headless Chromium from the Debian package (/usr/bin/chromium),
driven by Playwright, against a uvicorn server on loopback over the seed store. Each test opens a
view by its shareable URL, checks what the graph or the table shows, and saves screenshots
(under the pytest tmp path, copied to tests/artifacts/) that it then inspects: not blank, and the
nodes drawn in their colours where the graph says they are. A page that logs an error, fails to
load a file or asks any host but ours fails its test. The JSON twins and the asset allow-list
are checked without a browser."""

from __future__ import annotations

import json
import shutil
import statistics
from pathlib import Path

import pytest

from tests.conftest import PLAN_TITLE, ROOT

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
OUTLINE = "法治政府建设实施纲要(2015—2020年)"
GUANGXI = "广西壮族自治区法治政府建设实施方案(2016—2020年)"
QINZHOU = "钦州市法治政府建设实施方案(2016—2020年)"
LEADS_37 = {"钦南区政务服务管理办", "钦南区法制办"}
RESPONSIBLE_37 = {"钦南区各有关部门", "钦南区各镇政府", "钦南区各街道办事处"}
LEAD_COLOUR, RESPONSIBLE_COLOUR = (0xC0, 0x39, 0x2B), (0x28, 0x74, 0xA6)  # api/static/graph.js

NODES_JS = """() => window.policykg.cy.nodes().map(n => ({
  id: n.id(), label: n.data('label'), kind: n.data('kind'), level: n.data('level_key'), view: n.data('view'),
  x: n.renderedPosition('x'), y: n.renderedPosition('y'), w: n.renderedWidth(), h: n.renderedHeight(),
  bg: n.style('background-color'), opacity: parseFloat(n.style('background-opacity'))}))"""
EDGES_JS = """() => window.policykg.cy.edges().map(e => ({
  source: e.source().data('label'), target: e.target().data('label'), relation: e.data('relation'),
  role: e.data('role'), kind: e.data('kind'), colour: e.style('line-color'), width: parseFloat(e.style('width'))}))"""


# -- without a browser --------------------------------------------------------------------------

def test_assets_are_the_locked_npm_files_served_by_the_app(client):
    from policykg.api import ui

    lock = json.loads((ROOT / "web" / "package-lock.json").read_text(encoding="utf-8"))
    manifest = json.loads((ROOT / "web" / "package.json").read_text(encoding="utf-8"))
    assert all(v[0].isdigit() for v in manifest["dependencies"].values()), "pin exact versions in web/package.json"
    for asset in ui.ASSETS:
        version = lock["packages"][f"node_modules/{asset.package}"]["version"]
        path = ui.asset_path(asset.name)
        assert path == f"/assets/{asset.package}/{version}/{asset.name}"
        r = client.get(path)
        assert r.status_code == 200, r.text
        assert r.content == (ROOT / "web" / "node_modules" / asset.package / asset.file).read_bytes()
        assert r.headers["content-type"].startswith("text/javascript" if asset.name.endswith(".js") else "text/css")
        assert "immutable" in r.headers["cache-control"]
    assert client.get("/assets/cytoscape/3.34.4/package.json").status_code == 404  # only the allow-list
    assert client.get("/assets/cytoscape/0.0.1/cytoscape.min.js").status_code == 404  # only the locked version
    assert client.get("/static/graph.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/..%2Fui.py").status_code == 404


def test_json_twins_hold_what_the_views_draw(client):
    lineage = client.get("/ui/lineage.json", params={"document": PLAN_TITLE}).json()
    assert {n["title"] for n in lineage["nodes"]} == {PLAN_TITLE, QINZHOU, GUANGXI, OUTLINE}
    assert {(e["relation"], e["target"]) for e in lineage["edges"]} == {("based_on", lineage["document"])}
    resp = client.get("/ui/responsibility.json", params={"measure": f"{PLAN_TITLE}/37"}).json()
    assert {r["agency_label"] for r in resp["rows"] if r["role"] == "lead"} == LEADS_37
    assert {r["agency_label"] for r in resp["rows"] if r["role"] == "responsible"} == RESPONSIBLE_37
    assert {r["deadline"] for r in resp["rows"]} == {"2017-12-31"}
    tabs = client.get("/ui/sparql.json").json()
    from policykg import queries

    assert {t["name"] for t in tabs["tabs"]} | {s["name"] for s in tabs["skipped"]} == set(queries.all_queries())
    assert "implementers" in {t["name"] for t in tabs["tabs"]}
    # the page links its twin, and a twin's errors are our JSON error bodies
    assert 'href="/ui/lineage.json?document=' in client.get("/ui/lineage", params={"document": PLAN_TITLE}).text
    missing = client.get("/ui/lineage.json", params={"document": "没有这个文件"})
    assert missing.status_code == 404 and missing.json()["ok"] is False
    assert client.get("/ui/lineage", params={"document": "没有这个文件"}).status_code == 404
    assert client.get("/ui/responsibility.json", params={"jurisdiction": "钦南区", "due_by": "soon"}).status_code == 400


def test_responsibility_filters_keep_to_jurisdiction_task_area_and_deadline(client):
    params = {"jurisdiction": "钦南区", "task_area": "enforcement", "due_by": "2017-12-31"}
    body = client.get("/ui/responsibility.json", params=params).json()
    measures = [n for n in body["nodes"] if n["kind"] == "measure"]
    assert "37" in {m["number"] for m in measures}
    assert all(m["deadline"] <= "2017-12-31" and "enforcement" in {a["notation"] for a in m["task_areas"]} for m in measures)
    everything = client.get("/ui/responsibility.json", params={"jurisdiction": "钦南区"}).json()
    assert len([n for n in everything["nodes"] if n["kind"] == "measure"]) == 65 > len(measures)
    # an agency's duties: one measure node per obligation the API lists
    duties = client.get("/api/agencies/钦南区法制办/obligations").json()["obligations"]
    view = client.get("/ui/responsibility.json", params={"agency": "钦南区法制办"}).json()
    assert {n["id"] for n in view["nodes"] if n["kind"] == "measure"} == {o["measure"] for o in duties}


def test_search_counts_facets_over_the_results(client):
    body = client.get("/ui/search.json", params={"q": "行政执法公示"}).json()
    assert [r["label"] for r in body["rows"] if r["kind"] == "measure"] == ["37) 全面推行行政执法公示制度"]
    assert sum(e["count"] for e in body["facets"]["kind"]) == body["count"]
    narrowed = client.get("/ui/search.json", params={"q": "行政执法", "jurisdiction": "钦南区"}).json()
    assert narrowed["count"] > 0 and {r["jurisdiction_zh"] for r in narrowed["rows"]} == {"钦南区"}
    assert [e["zh"] for e in narrowed["facets"]["jurisdiction"] if e["selected"]] == ["钦南区"]
    by_label = client.get("/ui/search.json", params={"q": "行政执法", "level": "县级", "task_area": "坚持严格规范公正文明执法"}).json()
    by_key = client.get("/ui/search.json", params={"q": "行政执法", "level": "county", "task_area": "enforcement"}).json()
    assert by_label["rows"] == by_key["rows"] and by_key["count"] > 0


# -- in Chromium --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


class Visit:
    """A browser page on our server that notes every console error, page error, failed or
    refused request and request to another host."""

    def __init__(self, browser, base: str, shots: Path) -> None:
        self.base, self.shots, self.problems = base, shots, []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on("response", lambda r: self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
        self.page.on("request", lambda r: None if r.url.startswith((base, "data:", "blob:")) else self.problems.append(f"foreign: {r.url}"))

    def open(self, path: str, ready: str) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_selector(ready, state="attached")

    def screenshot(self, name: str, selector: str | None = None):
        """Save the page (and the element) as PNG, copy it to tests/artifacts/ and return the
        element's image for inspection."""
        from PIL import Image

        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=self.shots / f"{name}.png", full_page=True)
        shutil.copy(self.shots / f"{name}.png", ARTIFACTS / f"{name}.png")
        if selector is None:
            return Image.open(self.shots / f"{name}.png").convert("RGB")
        self.page.locator(selector).screenshot(path=self.shots / f"{name}-graph.png")
        shutil.copy(self.shots / f"{name}-graph.png", ARTIFACTS / f"{name}-graph.png")
        return Image.open(self.shots / f"{name}-graph.png").convert("RGB")

    def assert_clean(self) -> None:
        assert self.problems == []


@pytest.fixture
def visit(browser, server, shots):
    v = Visit(browser, server, shots)
    yield v
    v.context.close()


def not_blank(img) -> None:
    from PIL import ImageStat

    assert ImageStat.Stat(img.convert("L")).stddev[0] > 12, "the image is (nearly) one colour"
    assert len(img.getcolors(maxcolors=1 << 22)) > 100, "too few colours for a drawn graph"


def rgb(css: str) -> tuple[int, ...]:
    return tuple(int(float(x)) for x in css[css.index("(") + 1: css.index(")")].split(",")[:3])


def pixels_near(img, colour: tuple[int, ...], tolerance: int = 30) -> int:
    return sum(1 for p in img.getdata() if max(abs(a - b) for a, b in zip(p, colour)) <= tolerance)


def drawn_fill(img, node: dict) -> tuple[int, ...]:
    """The median colour of a small patch inside the node, above its label, in the screenshot."""
    x, y = int(node["x"]) + 1, int(node["y"] - node["h"] * 0.36) + 1  # +1: the container's border
    patch = [img.getpixel((x + dx, y + dy)) for dx in range(-3, 4) for dy in range(-1, 2)]
    return tuple(int(statistics.median(c[i] for c in patch)) for i in range(3))


def expected_fill(node: dict) -> tuple[int, ...]:
    return tuple(round(node["opacity"] * c + (1 - node["opacity"]) * 255) for c in rgb(node["bg"]))


def test_yasgui_runs_a_canned_query_against_our_endpoint(visit):
    from policykg import queries

    visit.open("/ui/sparql?tab=implementers", "body[data-yasgui=ready]")
    page = visit.page
    tabs = [t.replace("✖", "").strip() for t in page.locator(".yasgui .tabsList .tab").all_inner_texts()]
    assert set(queries.all_queries()) <= set(tabs)
    assert page.locator(".yasgui .tabsList .tab.active").inner_text().replace("✖", "").strip() == "implementers"
    assert page.locator(".yasgui input.autocomplete").input_value() == visit.base + "/sparql"  # the endpoint field
    text = page.evaluate("() => window.policykg.yasgui.getTab().getQuery()")
    body = text[text.index("SELECT"):]
    assert "PREFIX lg: <https://w3id.org/policykg/ontology#>" in text and "?document" not in body  # the example is bound
    with page.expect_response(lambda r: r.url.startswith(visit.base + "/sparql")) as answer:
        page.locator(".yasqe .yasqe_queryButton").click()
    assert answer.value.status == 200
    page.wait_for_selector("body[data-yasgui=answered]", state="attached")
    table = page.locator(".yasr .dataTable")
    table.wait_for()
    shown = table.inner_text()
    assert all(label in shown for label in LEADS_37 | RESPONSIBLE_37), shown[:500]
    not_blank(visit.screenshot("sparql-implementers", ".yasgui"))
    # a shared link with the query in its URL opens and runs it
    query = "SELECT (COUNT(DISTINCT ?m) AS ?measures) WHERE { ?m a lg:Measure ; lg:document/dcterms:title ?t . FILTER(CONTAINS(?t, '钦南区')) }"
    from urllib.parse import quote

    visit.open(f"/ui/sparql?query={quote(query)}", "body[data-yasgui=answered]")
    page.locator(".yasr .dataTable").wait_for()
    assert "65" in page.locator(".yasr .dataTable").inner_text()
    visit.assert_clean()


def test_lineage_view_of_the_qinnan_plan(visit):
    from urllib.parse import quote

    visit.open(f"/ui/lineage?document={quote(PLAN_TITLE)}", "body[data-graph=ready]")
    nodes = {n["label"]: n for n in visit.page.evaluate(NODES_JS)}
    assert set(nodes) == {PLAN_TITLE, QINZHOU, GUANGXI, OUTLINE}
    assert [nodes[t]["level"] for t in (OUTLINE, GUANGXI, QINZHOU, PLAN_TITLE)] == ["national", "provincial", "prefectural", "county"]
    # laid out top-down by level: 纲要 above the province above the city above the district
    assert nodes[OUTLINE]["y"] < nodes[GUANGXI]["y"] < nodes[QINZHOU]["y"] < nodes[PLAN_TITLE]["y"]
    assert len({n["bg"] for n in nodes.values()}) == 4  # one colour per level
    edges = visit.page.evaluate(EDGES_JS)
    assert sorted((e["source"], e["target"], e["relation"]) for e in edges) == sorted(
        (parent, PLAN_TITLE, "based_on") for parent in (OUTLINE, GUANGXI, QINZHOU))
    box = visit.page.locator("#graph").bounding_box()
    for n in nodes.values():  # every node inside the visible graph
        assert n["w"] / 2 <= n["x"] <= box["width"] - n["w"] / 2 and n["h"] / 2 <= n["y"] <= box["height"] - n["h"] / 2
    img = visit.screenshot("lineage-qinnan", "#graph")
    not_blank(img)
    for n in nodes.values():  # each node is drawn where the graph puts it, in its level's colour
        drawn, wanted = drawn_fill(img, n), expected_fill(n)
        assert max(abs(a - b) for a, b in zip(drawn, wanted)) <= 24, (n["label"], drawn, wanted)
    assert visit.page.locator("table").first.inner_text().count("原文不在语料中") == 3  # the parents are nodes without texts
    # clicking the outline opens its lineage: the documents of the corpus built on it (BRIEF question 3)
    outline = nodes[OUTLINE]
    with visit.page.expect_navigation():
        visit.page.mouse.click(box["x"] + outline["x"], box["y"] + outline["y"])
    visit.page.wait_for_selector("body[data-graph=ready]", state="attached")
    assert "central-outline-2015-2020" in visit.page.url
    below = {n["label"]: n for n in visit.page.evaluate(NODES_JS)}
    assert {PLAN_TITLE, "吴忠市政府法制办依法治市工作汇报", "张店区人民政府关于2017年度法治政府建设情况的报告"} <= set(below)
    assert not any("信阳" in label for label in below)  # 002 builds on the 2021–2025 outline
    assert min(below.values(), key=lambda n: n["y"])["label"] == OUTLINE
    not_blank(visit.screenshot("lineage-outline", "#graph"))
    visit.assert_clean()


def test_responsibility_view_of_measure_37(visit):
    from urllib.parse import quote

    visit.open(f"/ui/responsibility?measure={quote(PLAN_TITLE + '/37')}", "body[data-graph=ready]")
    nodes = visit.page.evaluate(NODES_JS)
    edges = visit.page.evaluate(EDGES_JS)
    measure = [n for n in nodes if n["kind"] == "measure"]
    assert [m["label"] for m in measure] == ["37) 全面推行行政执法公示制度"]
    assert {e["source"] for e in edges if e["role"] == "lead"} == LEADS_37
    assert {e["source"] for e in edges if e["role"] == "responsible"} == RESPONSIBLE_37
    assert {e["target"] for e in edges} == {measure[0]["label"]}
    assert {n["kind"] for n in nodes if n["label"] in RESPONSIBLE_37} == {"collective"}
    lead, responsible = (next(e for e in edges if e["role"] == role) for role in ("lead", "responsible"))
    assert rgb(lead["colour"]) == LEAD_COLOUR and rgb(responsible["colour"]) == RESPONSIBLE_COLOUR
    assert lead["width"] > responsible["width"]
    rows = visit.page.locator("table#rows").inner_text()
    assert rows.count("2017-12-31") == 5 and all(label in rows for label in LEADS_37 | RESPONSIBLE_37)
    img = visit.screenshot("responsibility-37", "#graph")
    not_blank(img)
    assert pixels_near(img, LEAD_COLOUR) > 150 and pixels_near(img, RESPONSIBLE_COLOUR) > 150  # both kinds of edge drawn
    # clicking an agency opens all its duties
    legal = next(n for n in nodes if n["label"] == "钦南区法制办")
    box = visit.page.locator("#graph").bounding_box()
    with visit.page.expect_navigation():
        visit.page.mouse.click(box["x"] + legal["x"], box["y"] + legal["y"])
    visit.page.wait_for_selector("body[data-graph=ready]", state="attached")
    duties = visit.page.evaluate(NODES_JS)
    assert [n["label"] for n in duties if n["kind"] == "agency" and n["label"] == "钦南区法制办"] == ["钦南区法制办"]
    assert len([n for n in duties if n["kind"] == "measure"]) > 1
    not_blank(visit.screenshot("responsibility-fazhiban", "#graph"))
    visit.assert_clean()


def test_search_facets_and_the_language_switch(visit):
    from urllib.parse import quote

    visit.open(f"/ui/search?q={quote('行政执法')}", "#results")
    page = visit.page
    total = int(page.locator("#count").inner_text())
    with page.expect_navigation():
        page.locator("[data-facet=kind] a[data-value=measure]").click()
    assert "kind=measure" in page.url
    kinds = page.locator("#results tr").evaluate_all("rows => rows.map(r => r.dataset.kind)")
    assert set(kinds) == {"measure"} and 0 < int(page.locator("#count").inner_text()) < total
    assert "37) 全面推行行政执法公示制度" in page.locator("#results").inner_text()
    with page.expect_navigation():
        page.locator("nav .lang a[hreflang=en]").click()
    assert page.locator("html").get_attribute("lang") == "en" and page.locator("h1").inner_text() == "Search"
    assert "Task area" in page.locator("aside").inner_text()
    not_blank(visit.screenshot("search-en"))
    visit.open("/ui/lineage", "h1")  # the choice is kept (a cookie) on the next page
    assert page.locator("h1").inner_text() == "Lineage"
    visit.assert_clean()
