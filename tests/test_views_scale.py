"""The graph views at scale, read through their JSON twins (no browser; tests/test_views_readable.py
draws them): the lineage of a document read around it, always of the store as it is now and of its
asserted graphs only; a large fan-out of descendants shown as groups by division, with counts; the
responsibility table in pages. Over the seeds and a small generated corpus (``bench.corpus``, 60
documents: the 31 provincial plans, 20 prefectural plans and 9 reports, put in memory without
their derived data, which the lineage does not read)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import networkx as nx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from policykg import iris
from policykg.api.app import create_app
from policykg.api.views import lineage as lineage_module
from policykg.graph import executor
from policykg.graph.lineage import _paths, lineage, lineage_graph
from policykg.graph.reasoning import inferred_prefix
from policykg.ingest import extract
from policykg.namespaces import PREFIXES
from tests.conftest import PLAN_TITLE, ROOT, small_store

GENERATED = 60
OUTLINE_2021 = "法治政府建设实施纲要(2021—2025年)"
OUTLINE_2015 = "法治政府建设实施纲要(2015—2020年)"
LG = PREFIXES["lg"]
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """(store, manifest, held): a generated corpus of GENERATED documents (seed 1) in memory, but
    for one prefectural plan (``held``, its extraction), which a test adds and removes again."""
    folder = tmp_path_factory.mktemp("scale") / "corpus"
    subprocess.run([sys.executable, "-m", "bench.corpus", str(folder), "--documents", str(GENERATED), "--seed", "1"],
                   check=True, cwd=ROOT, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    extractions = [extract(p) for p in sorted(folder.glob("*.txt"))]
    plans = [d["file"] for d in manifest["documents"] if d["kind"] == "plan" and d["level"] == "prefectural"]
    held = next(ex for ex in extractions if ex.source_file == plans[-1])
    store = small_store([ex for ex in extractions if ex is not held], around=extractions)
    return store, manifest, held


def twin(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text[:500]
    return r.json()  # type: ignore[no-any-return]


def follow(client: TestClient, link: str) -> dict[str, Any]:
    """The JSON twin of a page a view links to (its next or previous page)."""
    u = urlsplit(link)
    return twin(client, u.path + ".json", **dict(parse_qsl(u.query)))


# -- the lineage, read around the document ----------------------------------------------------

def _documents(store) -> list[str]:
    return sorted({str(r["doc"]) for r in store.select("SELECT ?doc WHERE { ?doc dcterms:title ?t }")})


@pytest.mark.parametrize("corpus", ["seeds", "generated"])
def test_a_documents_lineage_is_the_one_of_the_whole_graph(corpus, store, generated):
    """The lineage of every document, read around it, is the one the graph of the whole corpus
    gives (ancestors and descendants, depth, paths and the citation of each step), and the view's
    graph holds those documents and only documents linked to it."""
    s = store if corpus == "seeds" else generated[0]
    whole = lineage_graph(s)
    checked = 0
    for doc in _documents(s):
        if doc not in whole:
            continue
        around = lineage_graph(s, around=doc)
        linked = {doc} | nx.descendants(whole, doc) | nx.ancestors(whole, doc)
        assert linked <= set(around) <= set(whole)
        assert set(around.edges(keys=True)) >= set(whole.subgraph(linked).edges(keys=True))
        assert lineage(s, doc) == {"ancestors": _paths(whole, doc, reverse=False), "descendants": _paths(whole, doc, reverse=True)}
        checked += 1
    assert checked >= (5 if corpus == "seeds" else GENERATED)
    if corpus == "seeds":  # the 钦南区 plan's: itself and the three plans above it, not the corpus
        plan = next(d for d in whole if whole.nodes[d]["title"] == PLAN_TITLE)
        assert len(lineage_graph(s, around=plan)) == 4 < len(whole)


def test_the_lineage_reads_the_asserted_graphs_only(generated):
    """A level or a citation stated only in an inferred graph is not read: the lineage stays
    independent of the materialised entailments."""
    store, manifest, _ = generated
    plan = next(d for d in manifest["documents"] if d["kind"] == "plan" and d["level"] == "prefectural")
    doc = next(d for d, data in lineage_graph(store).nodes(data=True) if data["title"] == plan["title"])
    before = lineage(store, doc)
    assert [a["level"] for a in before["ancestors"]] and lineage_graph(store, around=doc).nodes[doc]["level"] == "3"
    inferred = ox.NamedNode(inferred_prefix() + "doc/test-scale")
    citation, span = ox.NamedNode(doc + "/citation/inferred"), ox.NamedNode(doc + "/citation/inferred/span")
    outline = ox.NamedNode(iris.document("central-outline-2015-2020"))
    quads = [ox.Quad(ox.NamedNode(doc), ox.NamedNode(LG + "level"), ox.NamedNode(LG + "LevelTownship"), inferred),
             ox.Quad(ox.NamedNode(doc), ox.NamedNode(LG + "basedOn"), outline, inferred),
             ox.Quad(ox.NamedNode(doc), ox.NamedNode(LG + "citation"), citation, inferred),
             ox.Quad(citation, ox.NamedNode(LG + "citedDocument"), outline, inferred),
             ox.Quad(citation, ox.NamedNode(LG + "relation"), ox.NamedNode(LG + "basedOn"), inferred),
             ox.Quad(citation, ox.NamedNode(LG + "confidence"), ox.Literal("1.0", datatype=ox.NamedNode(XSD + "decimal")), inferred),
             ox.Quad(citation, ox.NamedNode(LG + "evidence"), span, inferred),
             ox.Quad(span, ox.NamedNode(LG + "quote"), ox.Literal("《法治政府建设实施纲要(2015—2020年)》"), inferred),
             ox.Quad(span, ox.NamedNode(LG + "startOffset"), ox.Literal("0", datatype=ox.NamedNode(XSD + "integer")), inferred),
             ox.Quad(span, ox.NamedNode(LG + "endOffset"), ox.Literal("10", datatype=ox.NamedNode(XSD + "integer")), inferred)]
    for q in quads:
        store.ox.add(q)
    try:
        assert lineage(store, doc)["ancestors"] == before["ancestors"]
        assert lineage_graph(store, around=doc).nodes[doc]["level"] == "3"
    finally:
        for q in quads:
            store.ox.remove(q)


def test_the_lineage_view_shows_the_store_as_it_is_now(generated):
    """A document added to the store is in its parents' lineage at the next request, and gone
    once removed: nothing read before a write is served after it."""
    store, manifest, held = generated
    parent_title = next(d["parent_title"] for d in manifest["documents"] if d["file"] == held.source_file)
    client = TestClient(create_app(store))

    def below(title: str) -> set[str]:
        return {n["title"] for n in twin(client, "/ui/lineage.json", document=title)["nodes"] if n["role"] == "descendant"}

    before = below(parent_title)
    outline = below(OUTLINE_2021)
    assert held.title not in before | outline
    store.put_document(held, derive=False)
    executor.invalidate(store)
    try:
        assert below(parent_title) == before | {held.title}
        assert below(OUTLINE_2021) == outline | {held.title}
        body = twin(client, "/ui/lineage.json", document=held.title)
        parent = next(n["id"] for n in body["nodes"] if n["title"] == parent_title)
        assert body["document"] == held.iri and parent in {e["source"] for e in body["edges"] if e["target"] == held.iri}
    finally:
        store.remove_document(held.key, derive=False)
        executor.invalidate(store)
    assert below(parent_title) == before


# -- a large fan-out in groups ----------------------------------------------------------------

def _check_groups(body: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The groups of a lineage twin hold each descendant once (its ``group`` the innermost), every
    count is the documents in the group and its groups, parents come before their children, and the
    document and its ancestors are in none. Returns (the top-level groups, the descendants)."""
    groups = {g["id"]: g for g in body["groups"]}
    below = [n for n in body["nodes"] if n["role"] == "descendant"]
    assert all(n["group"] is None for n in body["nodes"] if n["role"] != "descendant")
    seen: set[str] = set()
    for g in body["groups"]:
        assert g["of"] == "document" and (g["parent"] is None or g["parent"] in seen)
        seen.add(g["id"])
    for gid, g in groups.items():
        direct = sum(1 for n in below if n["group"] == gid)
        assert g["count"] == direct + sum(c["count"] for c in groups.values() if c["parent"] == gid) > 1, gid
    top = [g for g in body["groups"] if g["parent"] is None]
    assert sum(g["count"] for g in top) + sum(1 for n in below if n["group"] is None) == len(below)
    return top, below


def test_the_outlines_descendants_are_grouped_by_province(generated):
    store, manifest, _ = generated
    body = twin(TestClient(create_app(store)), "/ui/lineage.json", document=OUTLINE_2021)
    top, below = _check_groups(body)
    code = {d["title"]: d["code"] for d in manifest["documents"]}
    assert len(below) == GENERATED - 1  # every generated document but the one held back
    # drawn closed, the 纲要 and one node a province: at most 1 + 31 nodes, however many plans there are
    drawn = len(top) + sum(1 for n in below if n["group"] is None) + 1
    assert drawn <= 32 < len(below) + 1
    assert len(top) >= 10 and all(g["key"].endswith("0000") and g["label"].endswith(("省", "自治区", "市")) for g in top)
    for n in below:  # each document in the group of its province
        if n["group"]:
            assert n["group"] == f"group:document:{code[n['title']][:2]}0000", n["title"]


def test_a_large_group_is_split_one_division_further(generated, monkeypatch):
    """A group of more than SPLIT documents over several prefectures holds a group for each; the
    province's own plan, and the only document of a prefecture, stay in the province's group."""
    store, manifest, _ = generated
    monkeypatch.setattr(lineage_module, "SPLIT", 2)
    body = twin(TestClient(create_app(store)), "/ui/lineage.json", document=OUTLINE_2021)
    _check_groups(body)
    inner = [g for g in body["groups"] if g["parent"]]
    assert inner, "no group split"
    code = {d["title"]: d["code"] for d in manifest["documents"]}
    level = {d["title"]: d["level"] for d in manifest["documents"]}
    for g in inner:
        assert g["key"][:2] + "0000" == g["parent"].rsplit(":", 1)[1] and not g["key"].endswith("0000")
        members = [n for n in body["nodes"] if n["group"] == g["id"]]
        assert members and all(code[n["title"]] == g["key"] for n in members)
    for parent in {g["parent"] for g in inner}:
        direct = [n for n in body["nodes"] if n["group"] == parent]
        held = [code[n["title"]] for n in body["nodes"] if n["group"] and n["group"].startswith(parent)]
        assert all(level[n["title"]] == "provincial" or held.count(code[n["title"]]) == 1 for n in direct)


def test_a_provinces_descendants_are_grouped_by_prefecture(generated):
    store, manifest, _ = generated
    counts: dict[str, int] = {}
    for d in manifest["documents"]:
        if d["level"] == "prefectural":
            counts[d["code"][:2]] = counts.get(d["code"][:2], 0) + 1
    province = max(sorted(counts), key=lambda c: counts[c])
    plan = next(d["title"] for d in manifest["documents"] if d["code"] == province + "0000" and d["kind"] == "plan")
    body = twin(TestClient(create_app(store)), "/ui/lineage.json", document=plan)
    top, below = _check_groups(body)
    assert below and all(g["key"].startswith(province) and not g["key"].endswith("0000") for g in top)


def test_a_small_fan_out_has_no_groups_of_one(client):
    body = twin(client, "/ui/lineage.json", document=OUTLINE_2015)  # 吴忠市, 张店区, 钦南区: one a province
    assert len([n for n in body["nodes"] if n["role"] == "descendant"]) == 3 and body["groups"] == []


# -- the responsibility table in pages --------------------------------------------------------

def _key(r: dict[str, Any]) -> tuple[str, str, str]:
    return r["measure"], r["agency"], r["role"]


@pytest.mark.parametrize("params", [{"jurisdiction": "钦南区"}, {"agency": "钦南区法制办"}])
def test_the_responsibility_table_comes_in_pages(client, params):
    whole = twin(client, "/ui/responsibility.json", **params, limit=1000)
    assert whole["next"] is None and whole["previous"] is None and len(whole["rows"]) == whole["count"] > 100
    first = twin(client, "/ui/responsibility.json", **params)
    assert (first["offset"], first["limit"], first["previous"]) == (0, 100, None) and first["next"]
    assert first["rows"] == whole["rows"][:100] and first["nodes"] == whole["nodes"]  # the graph is not paged
    size = 37
    page = twin(client, "/ui/responsibility.json", **params, limit=size)
    rows, pages = list(page["rows"]), [page]
    while page["next"]:
        page = follow(client, page["next"])
        assert page["count"] == whole["count"] and page["own_rows"] == whole["own_rows"] and page["limit"] == size
        assert 0 < len(page["rows"]) <= size and page["offset"] == len(rows)
        rows += page["rows"]
        pages.append(page)
    # every row exactly once, in the order of the whole table
    assert [_key(r) for r in rows] == [_key(r) for r in whole["rows"]] and len({_key(r) for r in rows}) == whole["count"]
    assert len(pages) == -(-whole["count"] // size)
    assert follow(client, pages[1]["previous"])["rows"] == pages[0]["rows"]
    if "agency" in params:  # its own duties first, across pages
        assert [r["own"] for r in rows] == [True] * 20 + [False] * (len(rows) - 20)


def test_the_pages_link_each_other(client):
    html = client.get("/ui/responsibility", params={"agency": "钦南区法制办", "limit": 8}).text
    assert 'rel="next"' in html and 'rel="prev"' not in html and 'id="own-rows"' in html and "(20)" in html
    later = client.get("/ui/responsibility", params={"agency": "钦南区法制办", "limit": 8, "offset": 24}).text
    assert 'rel="prev"' in later and 'id="own-rows"' not in later
    assert '<details id="co-assignees" open>' in later  # a page of the others' rows only: shown open
    for bad in ({"limit": 0}, {"limit": 1001}, {"offset": -1}):
        assert client.get("/ui/responsibility.json", params={"agency": "钦南区法制办", **bad}).status_code == 400
