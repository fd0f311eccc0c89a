"""Views that stay readable at every size (issue 14, item 2), in headless Chromium driven by
Playwright as tests/test_browser.py does it: the responsibility view of an agency and of a whole
jurisdiction, and the lineage view, over the seed corpus (the session's server) and over a
generated corpus of a few hundred documents (``bench.corpus``, ingested with ``policykg ingest``
once for the module).

What is read from Cytoscape in the page, once the layout-done flag is set (``<body
data-graph=ready>``, and ``data-layouts`` counting the layouts: never a fixed sleep):

- no label shows under 10 px: each labelled node's and edge's rendered font size (its font-size
  × the zoom) is at least 10 px, its rendered label box is as tall, and every label style hides
  the label below 10 px when the user zooms out (``min-zoomed-font-size``);
- font sizes do not depend on the number of nodes: the zoom never goes above 1 (a small graph is
  not blown up) and a graph too large to show whole at a readable zoom starts at zoom 1;
- in the lineage view, no edge's rendered path (from its rendered source endpoint through its
  segment or control points to its rendered target endpoint) crosses the rendered box of a node
  other than its own two ends;
- a large responsibility view shows groups (agencies by kind, measures by task area), and a click
  on one opens it: its members are drawn, inside it;
- the table of an agency lists its own duties first: for 钦南区法制办, the 20 measures of the
  钦南区 plan that name it (read from corpus/seeds/004_8a0f2a3241cfe731.txt), then the rows of the
  bodies that share them in a separate, labelled section.

Screenshots go to tests/artifacts/ (``readable-*.png``). The generated corpus has 300 documents
(the 31 provincial plans, prefectural plans and 15 % yearly reports; ``POLICYKG_READABLE_DOCUMENTS``
sets another size): generating and ingesting it takes about three and a half minutes on a two-core
machine (measured 2026-12-06; an earlier session measured 18 minutes at 300, on a busier machine)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import PLAN, PLAN_TITLE, ROOT
from tests.test_browser import ARTIFACTS, Visit, not_blank

READABLE = 10.0  # px
GENERATED_DOCUMENTS = int(os.environ.get("POLICYKG_READABLE_DOCUMENTS", "300"))
OUTLINE_2015 = "法治政府建设实施纲要(2015—2020年)"
OUTLINE_2021 = "法治政府建设实施纲要(2021—2025年)"

# 钦南区法制办 in the 钦南区 plan, measure by measure, as its brackets name it (PLAN):
#   22)(区法制办牵头 …)  23)(区政府办公室、区法制办牵头 …)  29)(区法制办、区司法局牵头 …)  33)(区编办、区法制办牵头 …)
#   36)(区法制办牵头 …)  37)(区政务服务管理办、区法制办牵头 …)  40)(区法制办、区人社局牵头 …)
#   45)(区法制办、区政务服务管理办牵头 …)  51)(区法制办牵头 …)  52)(区法制办牵头 …)  62)(区编办、区法制办牵头 …)
#   65)(区法制办、区委宣传部牵头 …)  34)(区城市综合执法局牵头,区编办、区法制办、区住建局配合 …)
#   4)(区编办牵头,区政务服务管理办、区法制办等有关部门、各镇政府、街道办事处按职责分别负责 …)
#   28), 31), 61)(区政府办公室牵头,区法制办等有关部门、…按职责分别负责)  42)(区监察局牵头,区法制办、区人社局等有关部门 …负责)
#   53)(国土钦南分局、区农业局、区林业局、区水利局、区法制办、各镇政府、街道办事处按职责分别负责)
#   64)(区委组织部、区政府督查室、区人社局、区法制办、各镇政府、街道办事处按职责分别负责 …)
FAZHIBAN = "钦南区法制办"
FAZHIBAN_DUTIES = {**{n: "lead" for n in ("22", "23", "29", "33", "36", "37", "40", "45", "51", "52", "62", "65")},
                   "34": "cooperating", **{n: "responsible" for n in ("4", "28", "31", "42", "53", "61", "64")}}

# -- what the page's Cytoscape says ------------------------------------------------------------

LABELS_JS = """() => {
  const cy = window.policykg.cy, zoom = cy.zoom();
  return {zoom: zoom, width: cy.width(), height: cy.height(),
    labels: cy.elements().filter(e => e.style('label') || (e.isEdge() && (e.style('source-label') || e.style('target-label')))).map(e => ({
      id: e.id(), group: e.group(), label: e.style('label') || e.style('source-label') || e.style('target-label'), kind: e.data('kind') || '',
      font: parseFloat(e.style('font-size')) * zoom, hidden_below: parseFloat(e.style('min-zoomed-font-size')),
      box: e.renderedBoundingBox({includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false})}))};
}"""
GEOMETRY_JS = """() => {
  const cy = window.policykg.cy;
  const pt = p => [p.x, p.y];
  return {
    nodes: cy.nodes().map(n => {
      const b = n.renderedBoundingBox({includeLabels: false, includeOverlays: false});
      return {id: n.id(), x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2};
    }),
    edges: cy.edges().map(e => {
      const curve = e.style('curve-style');
      let inner = [];
      if (curve === 'segments' || curve === 'taxi' || curve === 'round-segments' || curve === 'round-taxi') {
        inner = (e.renderedSegmentPoints() || []).map(pt);
      } else if (curve !== 'straight' && curve !== 'haystack') {
        inner = (e.renderedControlPoints() || []).map(pt);
      }
      return {id: e.id(), source: e.source().id(), target: e.target().id(), curve: curve,
              start: pt(e.renderedSourceEndpoint()), end: pt(e.renderedTargetEndpoint()), inner: inner,
              within: e.source().ancestors().union(e.target().ancestors()).map(g => g.id())};
    })};
}"""
NODES_JS = """() => window.policykg.cy.nodes().map(n => ({
  id: n.id(), label: n.data('label'), kind: n.data('kind'), group: n.data('group') || null,
  parent: n.isChild() ? n.parent().id() : null, x: n.renderedPosition('x'), y: n.renderedPosition('y')}))"""


def readable(visit: Visit) -> dict:
    """Every label of the graph at least READABLE px on screen, hidden below that, and the zoom
    not above 1; returns what was read."""
    seen = visit.page.evaluate(LABELS_JS)
    assert seen["labels"], "no labels"
    assert seen["zoom"] <= 1.0 + 1e-9, f"zoomed in to {seen['zoom']}: a small graph blown up"
    small = [(x["label"][:30], round(x["font"], 1)) for x in seen["labels"] if x["font"] < READABLE - 1e-6]
    assert not small, f"labels under {READABLE} px at zoom {seen['zoom']:.3f}: {small[:10]}"
    unhidden = [x["label"][:30] for x in seen["labels"] if x["hidden_below"] < READABLE]
    assert not unhidden, f"labels that zooming out would draw under {READABLE} px: {unhidden[:10]}"
    nodes = [x for x in seen["labels"] if x["group"] == "nodes"]
    low = [(x["label"][:30], round(x["box"]["h"], 1)) for x in nodes if x["box"]["h"] < READABLE]
    assert not low, f"label boxes under {READABLE} px high: {low[:10]}"
    return seen


def _inside(p: list[float], box: dict) -> bool:
    return box["x1"] < p[0] < box["x2"] and box["y1"] < p[1] < box["y2"]


def _segment_hits_box(a: list[float], b: list[float], box: dict) -> bool:
    """Whether the segment a–b enters the open box (Liang–Barsky clipping)."""
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - box["x1"]), (dx, box["x2"] - a[0]), (-dy, a[1] - box["y1"]), (dy, box["y2"] - a[1])):
        if p == 0:
            if q <= 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 >= t1:
            return False
    return True


def _path(edge: dict) -> list[list[float]]:
    """The rendered path of an edge as a polyline: straight, segments and taxi edges through their
    points; a bezier edge (quadratic pieces through the midpoints of its control points, as
    cytoscape.js draws it) sampled."""
    points = [edge["start"], *edge["inner"], edge["end"]]
    if edge["curve"] in ("straight", "haystack", "segments", "taxi", "round-segments", "round-taxi") or not edge["inner"]:
        return points
    controls = edge["inner"]
    anchors = [edge["start"], *[[(p[0] + q[0]) / 2, (p[1] + q[1]) / 2] for p, q in zip(controls, controls[1:])], edge["end"]]
    out = [edge["start"]]
    for (s, e), c in zip(zip(anchors, anchors[1:]), controls):
        for i in range(1, 21):
            t = i / 20
            out.append([(1 - t) ** 2 * s[k] + 2 * (1 - t) * t * c[k] + t * t * e[k] for k in (0, 1)])
    return out


def edges_through_nodes(visit: Visit, margin: float = 1.0) -> list[tuple[str, str, str]]:
    """(edge source, edge target, node) for every edge whose rendered path crosses the rendered
    box (shrunk by ``margin`` px) of a node other than its ends and the open groups holding them
    (an edge into a member of an open group goes into the group's box)."""
    g = visit.page.evaluate(GEOMETRY_JS)
    assert g["edges"], "no edges"
    boxes = {n["id"]: {"x1": n["x1"] + margin, "y1": n["y1"] + margin, "x2": n["x2"] - margin, "y2": n["y2"] - margin}
             for n in g["nodes"]}
    hits = []
    for e in g["edges"]:
        path = _path(e)
        for node, box in boxes.items():
            if node in (e["source"], e["target"], *e["within"]):
                continue
            if any(_segment_hits_box(a, b, box) for a, b in zip(path, path[1:])) or any(_inside(p, box) for p in path):
                hits.append((e["source"], e["target"], node))
    return hits


def _stretches(edge: dict) -> list[tuple[str, float, float, float]]:
    """The straight stretches of a segments or taxi edge's rendered path that run along an axis:
    ("h", y, x from, x to) or ("v", x, y from, y to)."""
    points = [edge["start"], *edge["inner"], edge["end"]]
    out = []
    for a, b in zip(points, points[1:]):
        if abs(a[1] - b[1]) < 0.01 and abs(a[0] - b[0]) >= 0.01:
            out.append(("h", a[1], min(a[0], b[0]), max(a[0], b[0])))
        elif abs(a[0] - b[0]) < 0.01 and abs(a[1] - b[1]) >= 0.01:
            out.append(("v", a[0], min(a[1], b[1]), max(a[1], b[1])))
    return out


def edges_along_each_other(visit: Visit, apart: float = 0.5, least: float = 4.0) -> list[tuple[str, str]]:
    """(edge, edge) for every two edges of one node that run along each other: a stretch of one
    on the line of a stretch of the other (less than ``apart`` px off it) for more than ``least``
    px, so that the eye cannot tell them apart there."""
    g = visit.page.evaluate(GEOMETRY_JS)
    assert g["edges"], "no edges"
    by_node: dict[str, list[dict]] = {}
    for e in g["edges"]:
        for end in {e["source"], e["target"]}:
            by_node.setdefault(end, []).append(e)
    found = set()
    for edges in by_node.values():
        for i, a in enumerate(edges):
            for b in edges[i + 1:]:
                if any(p[0] == q[0] and abs(p[1] - q[1]) < apart and min(p[3], q[3]) - max(p[2], q[2]) > least
                       for p in _stretches(a) for q in _stretches(b)):
                    found.add(tuple(sorted((a["id"], b["id"]))))
    return sorted(found)


def test_the_geometry_check_sees_a_crossing():
    box = {"x1": 0.0, "y1": 0.0, "x2": 10.0, "y2": 10.0}
    assert _segment_hits_box([-5, 5], [15, 5], box) and _segment_hits_box([5, -5], [5, 3], box)
    assert not _segment_hits_box([-5, -5], [-1, 20], box) and not _segment_hits_box([11, 0], [20, 10], box)
    taxi = {"start": [0, 0], "inner": [[20, 0], [20, 40]], "end": [60, 40], "curve": "taxi"}
    assert _stretches(taxi) == [("h", 0, 0, 20), ("v", 20, 0, 40), ("h", 40, 20, 60)]
    bent = {"start": [0, 0], "inner": [[50, 0]], "end": [50, 50], "curve": "segments"}
    assert _path(bent) == [[0, 0], [50, 0], [50, 50]]
    curved = _path({**bent, "curve": "bezier"})
    assert len(curved) == 21 and curved[-1] == [50, 50] and curved[10][0] > 25 > curved[10][1]


# -- the browser and the servers ---------------------------------------------------------------

@pytest.fixture
def visit(browser, server, tmp_path):
    v = Visit(browser, server, tmp_path)
    yield v
    v.context.close()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A server over a generated corpus of GENERATED_DOCUMENTS documents (seed 1): bench.corpus
    writes it, ``policykg ingest`` builds the store, as a user would. Yields (base URL, manifest)."""
    import json

    from policykg.api.app import create_app
    from policykg.graph.store import Store
    from tests.w3c.harness import serve

    folder = tmp_path_factory.mktemp("generated")
    corpus, store = folder / "corpus", folder / "store"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "bench.corpus", str(corpus), "--documents", str(GENERATED_DOCUMENTS), "--seed", "1"],
                   check=True, env=env, cwd=ROOT, capture_output=True)
    ingest = subprocess.run([str(Path(sys.executable).parent / "policykg"), "ingest", str(corpus), "--store", str(store)],
                            env=env, cwd=ROOT, capture_output=True, text=True)
    assert ingest.returncode == 0, ingest.stdout[-2000:] + ingest.stderr[-2000:]
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    with serve(create_app(Store(store, read_only=True))) as url:
        yield url, manifest


@pytest.fixture
def big(browser, generated, tmp_path):
    v = Visit(browser, generated[0], tmp_path)
    v.page.set_default_timeout(240_000)  # the lineage of the outline over every plan: a slow answer on a busy machine
    yield v
    v.context.close()


def shot(visit: Visit, name: str) -> None:
    """The page (its first 4,000 px: a jurisdiction's table runs long) and the graph as
    tests/artifacts/readable-NAME.png and readable-NAME-graph.png; the graph not blank."""
    from PIL import Image

    ARTIFACTS.mkdir(exist_ok=True)
    page = visit.page
    height = min(4000, page.evaluate("() => document.documentElement.scrollHeight"))
    page.screenshot(path=ARTIFACTS / f"readable-{name}.png", full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": height})
    page.locator("#graph").screenshot(path=ARTIFACTS / f"readable-{name}-graph.png")
    not_blank(Image.open(ARTIFACTS / f"readable-{name}-graph.png").convert("RGB"))


def layouts(visit: Visit) -> int:
    return int(visit.page.locator("body").get_attribute("data-layouts") or "0")


def click_group(visit: Visit, gid: str) -> None:
    """Click a group where it is drawn, panned into view first (a closed group: its node; an open
    one: its title, above its members), and wait for the layout the click runs."""
    page = visit.page
    x, y = page.evaluate("""gid => { const cy = window.policykg.cy, n = cy.getElementById(gid);
        const b = n.isParent() ? n.boundingBox({includeNodes: false, includeEdges: false, includeLabels: true}) : n.boundingBox();
        const x = (b.x1 + b.x2) / 2, y = (b.y1 + b.y2) / 2;
        cy.pan({x: cy.width() / 2 - x * cy.zoom(), y: cy.height() / 2 - y * cy.zoom()});
        return [cy.width() / 2, cy.height() / 2]; }""", gid)
    box = page.locator("#graph").bounding_box()
    before = layouts(visit)
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_selector(f"body[data-layouts='{before + 1}']", state="attached")


# -- the seed corpus ---------------------------------------------------------------------------

def test_agency_view_lists_its_own_duties_first_and_stays_readable(visit, client):
    body = client.get("/ui/responsibility.json", params={"agency": FAZHIBAN}).json()
    own = [r for r in body["rows"] if r["own"]]
    assert {r["number"]: r["role"] for r in own} == FAZHIBAN_DUTIES and len(own) == body["own_rows"] == 20
    assert body["rows"][:20] == own and all(r["agency_label"] == FAZHIBAN for r in own)  # first in the twin too
    others = body["count"] - 20  # the rows of every page (the table is paged: the first ``limit`` rows here)
    assert others > 0 and all(r["agency_label"] != FAZHIBAN for r in body["rows"][20:])
    assert len(body["rows"]) == min(body["count"], body["limit"]) and body["offset"] == 0

    visit.open(f"/ui/responsibility?agency={quote(FAZHIBAN)}", "body[data-graph=ready]")
    page = visit.page
    table = page.locator("table#own-rows tr[data-measure]")
    assert table.count() == 20
    shown = {cells[0].split(")")[0]: cells[1] for cells in
             (row.locator("td").all_inner_texts() for row in table.all())}
    assert shown == {n: body["roles"][r]["zh"] for n, r in FAZHIBAN_DUTIES.items()}
    assert set(page.locator("table#own-rows tr[data-measure] td.agency").all_inner_texts()) == {FAZHIBAN}
    # the co-assignees' rows: after, in their own labelled section, closed until asked for
    section = page.locator("details#co-assignees")
    assert section.get_attribute("open") is None and str(others) in section.locator("summary").inner_text()
    assert page.locator("#own-duties").evaluate("(h, d) => !!(h.compareDocumentPosition(d) & Node.DOCUMENT_POSITION_FOLLOWING)",
                                                 section.element_handle())
    assert page.locator("details#co-assignees table tr[data-measure]").count() == len(body["rows"]) - 20  # those of this page
    seen = readable(visit)
    nodes = page.evaluate(NODES_JS)
    assert [n["label"] for n in nodes if n["kind"] == "agency" and n["label"] == FAZHIBAN] == [FAZHIBAN]
    assert len([n for n in nodes if n["kind"] == "measure"]) == 20  # its duties, each drawn
    assert seen["zoom"] > 0.9
    shot(visit, "agency-fazhiban")
    section.locator("summary").click()
    assert page.locator("details#co-assignees table").is_visible()
    visit.assert_clean()


def test_jurisdiction_view_groups_and_opens_a_group_on_click(visit):
    visit.open(f"/ui/responsibility?jurisdiction={quote('钦南区')}", "body[data-graph=ready]")
    page = visit.page
    readable(visit)
    nodes = page.evaluate(NODES_JS)
    groups = {n["id"]: n for n in nodes if n["kind"] == "group"}
    assert len([n for n in nodes if n["kind"] != "group-open"]) <= 24 < 118, "the 118 agencies and measures drawn one by one"
    assert "group:agency:department" in groups  # the 34 departments: a group, closed
    assert any(g.startswith("group:measure:") for g in groups)
    shot(visit, "jurisdiction-qinnan")

    click_group(visit, "group:agency:department")
    nodes = page.evaluate(NODES_JS)
    departments = [n for n in nodes if n["group"] == "group:agency:department"]
    assert len(departments) == 34 and all(n["parent"] == "group:agency:department" for n in departments)
    assert {"钦南区司法局", "钦南区财政局", FAZHIBAN} <= {n["label"] for n in departments}
    assert next(n for n in nodes if n["id"] == "group:agency:department")["kind"] == "group-open"
    readable(visit)
    shot(visit, "jurisdiction-qinnan-departments")
    # and a click on the open group closes it again
    click_group(visit, "group:agency:department")
    assert not [n for n in page.evaluate(NODES_JS) if n["group"] == "group:agency:department"]
    visit.assert_clean()


def test_edges_of_one_node_run_apart(visit):
    """The edges of a node to several others (an agency to several groups of measures) each turn
    and leave the node at a place of their own: none runs along another before they part."""
    visit.open(f"/ui/responsibility?jurisdiction={quote('钦南区')}", "body[data-graph=ready]")
    groups = [n for n in visit.page.evaluate(NODES_JS) if n["kind"] == "group"]
    assert len(groups) > 3
    assert edges_along_each_other(visit) == []
    click_group(visit, "group:agency:department")
    assert edges_along_each_other(visit) == []
    # the check sees the edges of a node sharing one trunk and one point on the node, as they did
    visit.page.evaluate("""() => window.policykg.cy.edges().removeClass('bent').style({'curve-style': 'taxi',
        'taxi-direction': 'rightward', 'taxi-turn': '50%', 'source-endpoint': 'outside-to-node', 'target-endpoint': 'outside-to-node'})""")
    assert edges_along_each_other(visit) != []
    visit.assert_clean()


def test_small_graphs_are_not_blown_up(visit):
    visit.open(f"/ui/responsibility?measure={quote(PLAN_TITLE + '/37')}", "body[data-graph=ready]")
    measure = readable(visit)
    assert not [n for n in visit.page.evaluate(NODES_JS) if n["kind"] in ("group", "group-open")]  # 6 nodes: no groups
    shot(visit, "measure-37")
    visit.open(f"/ui/lineage?document={quote(PLAN_TITLE)}", "body[data-graph=ready]")
    lineage = readable(visit)
    node_font = {round(x["font"], 2) for x in measure["labels"] + lineage["labels"] if x["group"] == "nodes"}
    assert node_font == {13.0}, node_font  # one size on screen, as in the style
    assert edges_through_nodes(visit) == []
    shot(visit, "lineage-qinnan")
    visit.assert_clean()


def test_lineage_edges_go_around_nodes(visit):
    for name, document in (("outline-2015", OUTLINE_2015), ("qinnan-en", PLAN_TITLE)):
        visit.open(f"/ui/lineage?document={quote(document)}" + ("&lang=en" if name.endswith("-en") else ""), "body[data-graph=ready]")
        readable(visit)
        assert edges_through_nodes(visit) == [], document
        shot(visit, f"lineage-{name}")
    # the check sees the crossing the same layout has with straight edges (the outline → district
    # edge through the province's plan), so it is not vacuous
    visit.page.evaluate("() => window.policykg.cy.edges().removeClass('routed')")
    assert edges_through_nodes(visit) != []
    visit.assert_clean()


def test_the_plan_is_the_document_the_duties_were_read_from():
    text = PLAN.read_text(encoding="utf-8")
    for number in FAZHIBAN_DUTIES:
        line = next(x for x in text.splitlines() if x.startswith(f"{number})"))
        assert "区法制办" in line[line.rindex("("):], number


# -- a generated corpus of a few hundred documents ---------------------------------------------

def _largest_province(manifest: dict) -> str:
    plans: dict[str, int] = {}
    for d in manifest["documents"]:
        if d["kind"] == "plan" and d["level"] != "provincial":
            plans[d["code"][:2] + "0000"] = plans.get(d["code"][:2] + "0000", 0) + 1
    return max(sorted(plans), key=lambda c: plans[c])


def test_generated_jurisdiction_and_agency_views_stay_readable(big, generated):
    import httpx

    base, manifest = generated
    province = _largest_province(manifest)
    twin = httpx.get(f"{base}/ui/responsibility.json", params={"jurisdiction": province}, timeout=120).json()
    measures = [n for n in twin["nodes"] if n["kind"] == "measure"]
    assert len(measures) > 200, len(measures)
    big.open(f"/ui/responsibility?jurisdiction={province}", "body[data-graph=ready]")
    page = big.page
    seen = readable(big)
    nodes = page.evaluate(NODES_JS)
    assert len([n for n in nodes if n["kind"] != "group-open"]) <= 24 < len(twin["nodes"])
    shot(big, "generated-jurisdiction")
    # open the largest group of agencies: its members (or its groups by jurisdiction) drawn, still readable
    largest = max((g for g in twin["groups"] if g["parent"] is None and g["of"] == "agency"), key=lambda g: g["count"])
    click_group(big, largest["id"])
    inside = [n for n in page.evaluate(NODES_JS) if n["parent"] == largest["id"]]
    assert inside and all(n["kind"] in ("agency", "collective", "group") for n in inside)
    after = readable(big)
    assert abs(after["zoom"] - seen["zoom"]) < 1e-9 or after["zoom"] == 1.0
    shot(big, "generated-jurisdiction-opened")

    # the agency with the most assignments in the province: its view, its own duties first
    count: dict[str, int] = {}
    for e in twin["edges"]:
        if e["kind"] == "assignment" and not e["collective"]:
            count[e["source"]] = count.get(e["source"], 0) + 1
    agency = max(sorted(count), key=lambda a: count[a])
    body = httpx.get(f"{base}/ui/responsibility.json", params={"agency": agency}, timeout=120).json()
    duties = httpx.get(f"{base}/api/agencies/{quote(agency, safe='')}/obligations", timeout=120).json()["obligations"]
    assert body["own_rows"] == len(duties) and [r["own"] for r in body["rows"]] == sorted((r["own"] for r in body["rows"]), reverse=True)
    big.open(f"/ui/responsibility?agency={quote(agency, safe='')}", "body[data-graph=ready]")
    readable(big)
    assert page.locator("table#own-rows tr[data-measure]").count() == min(len(duties), body["limit"])  # its duties, first
    shot(big, "generated-agency")
    big.assert_clean()


def test_generated_lineage_is_readable_and_no_edge_crosses_a_node(big, generated):
    import httpx

    base, manifest = generated
    province = _largest_province(manifest)
    plan = next(d["title"] for d in manifest["documents"] if d["code"] == province and d["kind"] == "plan")
    for name, document in (("province", plan), ("outline-2021", OUTLINE_2021)):
        big.open(f"/ui/lineage?document={quote(document)}", "body[data-graph=ready]")
        readable(big)
        nodes = big.page.evaluate(NODES_JS)
        if name == "outline-2021":
            # every plan of the country below it: drawn as a group a province, closed, with its count
            twin = httpx.get(f"{base}/ui/lineage.json", params={"document": document}, timeout=120).json()
            below = [n for n in twin["nodes"] if n["role"] == "descendant"]
            assert len(below) > 150
            groups = [n for n in nodes if n["kind"] == "group"]
            assert len(groups) >= 20 and len(nodes) <= 40, len(nodes)
            assert {n["id"] for n in nodes} <= {n["id"] for n in twin["nodes"]} | {g["id"] for g in twin["groups"]}
        assert edges_through_nodes(big) == [], name
        shot(big, f"generated-lineage-{name}")
    # a click on the largest province opens it: its documents drawn inside it, still readable, no edge through a node
    largest = max((g for g in twin["groups"] if g["parent"] is None), key=lambda g: g["count"])
    click_group(big, largest["id"])
    nodes = big.page.evaluate(NODES_JS)
    inside = [n for n in nodes if n["parent"] == largest["id"]]
    members = [n for n in twin["nodes"] if n["group"] == largest["id"]]
    assert len(inside) == len(members) + sum(1 for g in twin["groups"] if g["parent"] == largest["id"]) > 1
    assert next(n for n in nodes if n["id"] == largest["id"])["kind"] == "group-open"
    readable(big)
    assert edges_through_nodes(big) == []
    shot(big, "generated-lineage-outline-2021-opened")
    big.assert_clean()
