"""The research workbench (issue 13): network projections, their files (GraphML, GEXF, Cytoscape,
CSV), the citable whole-graph release, the Python entry point (``policykg.open``) and the same
over the command line and HTTP. Expected answers come from reading the seeds: the 钦南区 plan's
preamble (根据 the central 纲要, the 广西 and the 钦州市 plans), its measures and their bodies as
hand-annotated in tests/gold/004_measures.json, and the places the five seeds were issued in."""

from __future__ import annotations

import io
import json
from collections import Counter
from itertools import combinations
from pathlib import Path

import networkx as nx
import pandas as pd
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import policykg
from policykg import iris
from policykg.cli import cli
from policykg.errors import ParameterError, ResourceNotFound
from policykg.graph.export import release, verify
from policykg.graph.resolve import Resolver
from policykg.queries import network_formats
from policykg.queries.projections import PROJECTIONS, Filters, project
from tests.conftest import PLAN_TITLE
from tests.w3c.harness import make_app

GOLD = json.loads((Path(__file__).parent / "gold" / "004_measures.json").read_text(encoding="utf-8"))


def _net(store, name: str, **filters: str):
    return project(name, store.select, Resolver(store), Filters(**filters))


# --- the projections, against what the seeds say ----------------------------------------------


def test_lineage_of_the_qinnan_plan_is_its_preamble(store):
    """根据 the central 纲要 (2015—2020), the 广西 plan and the 钦州市 plan (2016—2020), each an
    edge with its relation, confidence and the quote it was read from."""
    g = _net(store, "lineage", area="钦南区")
    plan = next(n for n, d in g.nodes(data=True) if d.get("label") == PLAN_TITLE)
    assert g.nodes[plan]["division"] == "450702" and g.nodes[plan]["level"] == "county" and g.nodes[plan]["in_corpus"]
    targets = {g.nodes[t].get("label", ""): d for _, t, d in g.out_edges(plan, data=True)}
    for expected in ("法治政府建设实施纲要", "广西壮族自治区法治政府建设实施方案", "钦州市法治政府建设实施方案"):
        found = [label for label in targets if expected in label]
        assert found, f"{expected} is not among the plan's parents: {sorted(targets)}"
        edge = targets[found[0]]
        assert "basedOn" in edge["relation"] and 0 < edge["confidence"] <= 1
        assert expected[:6] in edge["evidence"], edge["evidence"]  # the quote names the document it cites
    assert nx.is_directed_acyclic_graph(_net(store, "lineage"))
    assert all(g.nodes[s]["division"] == "450702" for s, _ in g.edges)  # the area selects the citing documents


def test_responsibility_leads_per_body_are_the_gold_annotations(store):
    g = _net(store, "responsibility", area="钦南区")
    leads: Counter[str] = Counter()
    for _, m, d in g.edges(data=True):
        if g.nodes[m].get("document_title") == PLAN_TITLE and "lead" in d["role"].split("; "):
            leads[d["surface_form"]] += 1
    gold = Counter(a["agency"] for m in GOLD["measures"] for a in m["assignments"] if a["role"] == "lead")
    assert leads == gold
    # the 钦南区 body leading the most measures: 区法制办, 12 of them
    agencies = [(d["lead"], d["label"]) for _, d in g.nodes(data=True) if d["kind"] == "agency"]
    assert max(agencies) == (12, "钦南区法制办")
    assert all(d["kind"] in {"agency", "measure"} for _, d in g.nodes(data=True))


def test_measures_of_the_plan_with_and_without_a_lead(store):
    """Among the plan's measures that assign anybody, those without a 牵头 body are the gold's."""
    g = _net(store, "responsibility", area="钦南区")
    led = {int(d["number"]): any("lead" in e["role"] for _, _, e in g.in_edges(m, data=True))
           for m, d in g.nodes(data=True) if d["kind"] == "measure" and d.get("document_title") == PLAN_TITLE}
    gold = {m["number"]: any(a["role"] == "lead" for a in m["assignments"]) for m in GOLD["measures"] if m["assignments"]}
    assert led == gold
    assert sorted(n for n, has in led.items() if not has) == sorted(n for n, has in gold.items() if not has)


def test_co_responsibility_weights_are_shared_gold_measures(store):
    g = _net(store, "co-responsibility", area="钦南区")
    by_form = {}
    resp = _net(store, "responsibility", area="钦南区")
    for a, _, d in resp.edges(data=True):
        by_form[d["surface_form"]] = a
    shared: Counter[tuple[str, str]] = Counter()
    for m in GOLD["measures"]:
        bodies = {by_form[a["agency"]] for a in m["assignments"] if not a["collective"]}
        for pair in combinations(sorted(bodies), 2):
            shared[pair] += 1
    assert shared, "the gold names several bodies on some measure"
    for (a, b), n in shared.items():
        assert g.edges[a, b]["weight"] == n, (g.nodes[a]["label"], g.nodes[b]["label"])
    assert not any(d.get("collective") for _, d in g.nodes(data=True))  # 有关部门 is nobody's co-worker


def test_jurisdictions_are_where_the_seeds_were_issued(store):
    g = _net(store, "jurisdictions")
    own = {d["label"]: d["documents"] for _, d in g.nodes(data=True) if d["documents"]}
    xinyang = [k for k in own if "信阳" in k and "高新" in k]  # 信阳高新区, the development zone seed 002 reports for
    assert len(xinyang) == 1 and sorted(own) == sorted(["江海区", "张店区", "吴忠市", "钦南区", *xinyang])
    assert set(own.values()) == {1}
    root = [n for n in g if g.out_degree(n) == 0]
    assert len(root) == 1 and g.nodes[root[0]]["documents_below"] == 5
    guangxi = next(n for n, d in g.nodes(data=True) if d.get("code") == "450000")
    assert g.nodes[guangxi]["documents_below"] == 1 and g.nodes[guangxi]["level"] == "provincial"
    assert nx.is_tree(g.to_undirected()) and nx.is_directed_acyclic_graph(g)


def test_filters_select_and_bad_ones_are_refused(store):
    everyone = _net(store, "citations")
    assert isinstance(everyone, nx.MultiDiGraph)
    county = _net(store, "citations", level="county")
    assert 0 < county.number_of_edges() < everyone.number_of_edges()
    assert _net(store, "citations", years="2017").number_of_edges() > 0
    assert _net(store, "citations", years="1990-1999").number_of_edges() == 0
    enforcement = _net(store, "responsibility", task_area="enforcement")
    assert all("enforcement" in d.get("task_area", "") for _, d in enforcement.nodes(data=True) if d["kind"] == "measure")
    for bad in ({"years": "2020-2016"}, {"years": "recent"}, {"level": "city-ish"}, {"task_area": "不存在的领域"}):
        with pytest.raises(ParameterError):
            _net(store, "lineage", **bad)
    with pytest.raises(ResourceNotFound):
        _net(store, "lineage", area="火星")
    with pytest.raises(ParameterError):
        _net(store, "hairball")


# --- the files, read back -----------------------------------------------------------------------


def read_back(g: nx.Graph[str], name: str) -> None:
    """networkx reads GraphML and GEXF back with the same nodes, edges and attributes."""
    for fmt, read in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        h = read(io.BytesIO(network_formats.write(g, fmt)))
        if fmt == "gexf":  # the GEXF reader gives every edge its file id as an attribute
            for *_, d in h.edges(data=True):
                d.pop("id")
        assert dict(h.nodes(data=True)) == dict(g.nodes(data=True)), fmt
        if g.is_multigraph():
            assert {(u, v, k): d for u, v, k, d in h.edges(keys=True, data=True)} == \
                   {(u, v, k): d for u, v, k, d in g.edges(keys=True, data=True)}, fmt
        else:
            assert {(u, v): d for u, v, d in h.edges(data=True)} == {(u, v): d for u, v, d in g.edges(data=True)}, fmt
    assert nx.read_graphml(io.BytesIO(network_formats.write(g, "graphml"))).graph["projection"] == name


# the seeds have no sibling plans: tests/test_similarity.py reads the similarity projection back
@pytest.mark.parametrize("name", [p for p in PROJECTIONS if p != "similarity"])
def test_graphml_and_gexf_read_back_with_the_same_nodes_edges_and_attributes(store, name):
    g = _net(store, name)
    assert g.number_of_edges() > 0
    read_back(g, name)


def test_cytoscape_and_csv_read_back(store):
    g = _net(store, "responsibility", area="钦南区")
    back = nx.cytoscape_graph(json.loads(network_formats.write(g, "cytoscape")))
    assert set(back.nodes) == set(g.nodes) and set(back.edges) == set(g.edges)
    edges = pd.read_csv(io.BytesIO(network_formats.write(g, "csv")))
    nodes = pd.read_csv(io.BytesIO(network_formats.write(g, "csv", "nodes")))
    assert len(edges) == g.number_of_edges() and list(edges.columns[:3]) == ["source", "target", "role"]
    assert len(nodes) == g.number_of_nodes() and set(nodes["id"]) == set(g.nodes)
    assert int(nodes.loc[nodes["label"] == "钦南区法制办", "lead"].iloc[0]) == 12


def test_a_release_parses_back_to_the_store_and_its_hash_verifies(store):
    out = io.BytesIO()
    manifest = release(store.ox, out)
    data = out.getvalue()
    assert manifest["bytes"] == len(data) and manifest["quads"] == len(store.ox) and manifest["documents"] == 5
    assert sum(manifest["graphs"].values()) == manifest["quads"] and manifest["ontology_version"]
    assert set(ox.parse(data, format=ox.RdfFormat.N_QUADS)) == set(store.ox)  # no blank nodes: equal is isomorphic
    assert verify(io.BytesIO(data), manifest)
    tampered = data.replace("钦南区法制办".encode(), "钦南区法治办".encode(), 1)
    assert tampered != data and not verify(io.BytesIO(tampered), manifest)
    again = io.BytesIO()
    assert release(store.ox, again)["sha256"] == manifest["sha256"]  # the same store, the same bytes


# --- Python, command line, HTTP ----------------------------------------------------------------


def test_the_python_entry_point(store):
    kg = policykg.open(store)
    df = kg.query("obligations", agency="钦南区法制办")
    assert isinstance(df, pd.DataFrame) and len(df) == 20 and {"measure", "role", "text"} <= set(df.columns)
    assert set(df["role"]) >= {"lead"}
    empty = kg.query("SELECT ?document ?title WHERE { ?document dcterms:title ?title FILTER(?title = 'no such title') }")
    assert empty.empty and list(empty.columns) == ["document", "title"]
    titles = kg.query("SELECT ?title WHERE { ?d lg:inCorpus true ; dcterms:title ?title }")
    assert PLAN_TITLE in set(titles["title"]) and len(titles) == 5
    g = kg.network("lineage", area="钦南区")
    assert isinstance(g, nx.DiGraph) and g.graph["filters"] == "area=钦南区"
    assert "implementers" in kg.queries and "document" in kg.describe("implementers")["params"]
    with pytest.raises(ParameterError):
        kg.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", agency="x")  # parameters are for canned queries
    with pytest.raises(ParameterError):
        kg.network("lineage", province="广西")
    with pytest.raises(ParameterError):
        kg.query("ASK { ?s ?p ?o }")


def test_export_from_the_command_line(tmp_path, new_store, extractions):
    from policykg.graph.store import Store

    s = Store(new_store)
    s.put_document(extractions["004"])
    del s
    run = CliRunner().invoke
    out = tmp_path / "lineage.graphml"
    r = run(cli, ["export", "--store", str(new_store), "--format", "graphml", "--projection", "lineage", "-o", str(out)])
    assert r.exit_code == 0, r.output
    g = nx.read_graphml(out)
    assert any(d.get("label") == PLAN_TITLE for _, d in g.nodes(data=True))
    r = run(cli, ["export", "--store", str(new_store), "--format", "csv", "--projection", "responsibility", "--table", "nodes"])
    assert r.exit_code == 0 and "钦南区法制办" in r.output
    dump = tmp_path / "policykg.nq"
    r = run(cli, ["export", "--store", str(new_store), "--format", "dump", "-o", str(dump)])
    assert r.exit_code == 0, r.output
    manifest = json.loads((tmp_path / "policykg.nq.manifest.json").read_text(encoding="utf-8"))
    with dump.open("rb") as f:
        assert verify(f, manifest)
    assert manifest["documents"] == 1
    for args, message in ((["--format", "gexf"], "--projection"), (["--format", "dump"], "-o"),
                          (["--format", "nq", "--area", "450000"], "--projection"),
                          (["--format", "csv", "--projection", "lineage", "--years", "20x6"], "years")):
        r = run(cli, ["export", "--store", str(new_store), *args])
        assert r.exit_code != 0 and message in r.output, (args, r.output)


def test_projections_and_the_dump_over_http(client, store):
    r = client.get("/api/projections/lineage", params={"format": "graphml", "area": "广西"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/graphml+xml")
    g = nx.read_graphml(io.BytesIO(r.content))
    assert any(d.get("label") == PLAN_TITLE for _, d in g.nodes(data=True))
    cy = client.get("/api/projections/co-responsibility", params={"area": "钦南区"}).json()
    assert cy["elements"]["nodes"] and cy["elements"]["edges"]
    csv = client.get("/api/projections/responsibility", params={"format": "csv", "table": "nodes", "area": "钦南区"})
    assert "钦南区法制办" in csv.text and csv.headers["content-disposition"].endswith('responsibility-nodes.csv"')
    assert client.get("/api/projections").json()["projections"]
    for params, status in (({"format": "pdf"}, 400), ({"table": "both"}, 400), ({"years": "soon"}, 400), ({"area": "火星"}, 404)):
        assert client.get("/api/projections/lineage", params=params).status_code == status, params
    assert client.get("/api/projections/hairball").status_code == 400
    manifest = client.get("/api/dump/manifest").json()
    dump = client.get("/api/dump")
    assert dump.status_code == 200 and dump.headers["etag"] == f'"{manifest["sha256"]}"'
    assert verify(io.BytesIO(dump.content), manifest) and manifest["quads"] == len(store.ox)
    for fmt, rdf_format in (("trig", ox.RdfFormat.TRIG), ("jsonld", ox.RdfFormat.JSON_LD)):
        manifest = client.get("/api/dump/manifest", params={"format": fmt}).json()
        dump = client.get("/api/dump", params={"format": fmt})
        assert dump.headers["content-type"].startswith(manifest["media_type"]) and verify(io.BytesIO(dump.content), manifest)
        assert set(ox.parse(dump.content, format=rdf_format)) == set(store.ox), fmt  # the same quads, named graphs kept
    assert client.get("/api/dump", params={"format": "xlsx"}).status_code == 400


def test_a_document_page_carries_schema_org_legislation(client, extractions):
    """From the plan's text: published 2017-07-18 (发布时间), for 2016—2020, by 钦南区, based on the
    central 纲要 and the 广西 plan (its preamble); a report is a schema.org Report."""
    import re

    def ld(ex):
        page = client.get("/" + ex.iri.removeprefix(iris.base()), headers={"accept": "text/html"})
        assert page.status_code == 200
        found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page.text, re.S)
        assert found, "no JSON-LD on the page"
        return json.loads(found.group(1))

    plan = ld(extractions["004"])
    assert (plan["@type"], plan["name"], plan["datePublished"], plan["temporalCoverage"]) == (
        "Legislation", PLAN_TITLE, "2017-07-18", "2016/2020")
    assert plan["legislationJurisdiction"]["identifier"] == "450702" and plan["legislationType"] == "实施方案"
    based_on = {client.get("/" + p.removeprefix(iris.base()) + ".json").json()["label"] or "" for p in plan["isBasedOn"]}
    assert any("法治政府建设实施纲要" in t for t in based_on) and any(t.startswith("广西壮族自治区") for t in based_on)
    report = ld(extractions["001"])
    assert report["@type"] == "Report" and report["name"] == "张店区人民政府关于2017年度法治政府建设情况的报告"
    assert report["identifier"] == "张政字〔2018〕8号"


def test_a_projection_larger_than_the_row_cap_is_refused_not_cut(store):
    capped = TestClient(make_app(store, max_rows=5))
    r = capped.get("/api/projections/responsibility")
    assert r.status_code == 413 and "max_rows" in r.json()["message"]


def test_a_dump_nobody_reads_gives_its_slot_back_and_a_query_keeps_its_snapshot(store):
    """A download whose response never started (the client left before the first byte) lets go of
    its snapshot and slot when dropped; one left after the first chunk, once its writer sees it
    (within a second); a snapshot held for a dump survives the first query, which starts the
    worker pool."""
    import contextlib
    import gc
    import time

    from policykg.api.dumps import _Stream
    from policykg.graph.executor import Reader, service

    released: list[str] = []

    def held(name: str) -> contextlib.ExitStack:
        stack = contextlib.ExitStack()
        stack.callback(released.append, name)
        return stack

    never = _Stream(store.ox, held("never started"), "nq")
    del never
    gc.collect()
    assert released == ["never started"]
    left = _Stream(store.ox, held("left after a chunk"), "nq")
    chunks = iter(left)
    assert next(chunks)
    chunks.close()  # what the server does when the client goes
    deadline = time.monotonic() + 30
    while "left after a chunk" not in released and time.monotonic() < deadline:
        time.sleep(0.05)
    assert released == ["never started", "left after a chunk"]
    svc = service(store)
    with svc.snapshot() as (path, snapshot):
        Reader(svc, 30.0, 10).select("SELECT ?s WHERE { ?s a lg:Measure } LIMIT 1")
        assert Path(path).exists() and len(snapshot) == len(store.ox)
