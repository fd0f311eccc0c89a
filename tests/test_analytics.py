"""Analytics (issue 13): agency load and centrality, communities of co-responsible agencies,
lineage depth and fan-out per level, measures with no lead, from Python, the command line and
HTTP. Expected answers from the hand annotations of the 钦南区 plan (tests/gold/004_measures.json)
and from the three-level chain of conftest (district → city → province → central outline)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

import policykg
from policykg.cli import cli
from policykg.graph.store import Store
from policykg.ingest import extract_text
from tests.conftest import CHAIN, small_store

GOLD = json.loads((Path(__file__).parent / "gold" / "004_measures.json").read_text(encoding="utf-8"))


def _by_surface_form(store: Store) -> dict[str, str]:
    """The gold's names as written (区法制办) → the agency's label in the graph (钦南区法制办)."""
    resp = policykg.open(store).network("responsibility", area="钦南区")
    return {d["surface_form"]: resp.nodes[a]["label"] for a, _, d in resp.edges(data=True)}


def test_load_per_agency_is_the_gold_count_of_roles(store):
    rows = policykg.open(store).analyse("load", area="钦南区")
    label = _by_surface_form(store)
    for role in ("lead", "responsible", "cooperating"):
        gold = Counter(label[a["agency"]] for m in GOLD["measures"] for a in m["assignments"] if a["role"] == role)
        got = {r["label"]: r[role] for _, r in rows.iterrows() if r[role]}
        assert got == dict(gold), role
    assert (rows.iloc[0]["label"], rows.iloc[0]["lead"]) == ("钦南区法制办", 12)
    # 区法制办's partners: the other named bodies (not collectives) on a measure it is assigned, in the gold
    partners = {label[a["agency"]] for m in GOLD["measures"] if any(a["agency"] == "区法制办" for a in m["assignments"])
                for a in m["assignments"] if not a["collective"]} - {"钦南区法制办"}
    fzb = rows[rows["label"] == "钦南区法制办"].iloc[0]
    bodies = len(rows[~rows["collective"]])
    assert fzb["partners"] == len(partners) and fzb["degree_centrality"] == round(len(partners) / (bodies - 1), 4)


def test_unled_measures_are_the_gold_ones(store):
    rows = policykg.open(store).analyse("unled", area="钦南区")
    gold = {m["number"] for m in GOLD["measures"] if m["assignments"] and not any(a["role"] == "lead" for a in m["assignments"])}
    assert set(rows["number"].astype(int)) == gold
    assert all("(lead" not in b for b in rows["bodies"])


def test_communities_partition_the_co_responsible_agencies(store):
    kg = policykg.open(store)
    rows = kg.analyse("communities", area="钦南区")
    co = kg.network("co-responsibility", area="钦南区")
    assert sorted(rows["agency"]) == sorted(co.nodes)  # each agency once
    sizes = rows.groupby("community")["agency"].count()
    assert (sizes == rows.groupby("community")["size"].first()).all() and sizes.is_monotonic_decreasing
    assert rows["shared_inside"].max() <= sum(w for _, _, w in co.edges(data="weight"))


def test_lineage_depth_and_fan_out_on_the_three_level_chain():
    docs = [extract_text(text, name) for name, text in CHAIN.items()]
    s = small_store(docs)
    s.recover()
    rows = {r["label"]: r for _, r in policykg.open(s).analyse("lineage").iterrows()}
    outline = next(k for k in rows if k.startswith("法治政府建设实施纲要"))
    province = next(k for k in rows if k.startswith("广西"))
    city = next(k for k in rows if k.startswith("钦州市法治"))
    district = next(k for k in rows if k.startswith("钦州市钦南区"))
    assert [rows[k]["depth"] for k in (outline, province, city, district)] == [0, 1, 2, 3]
    assert [rows[k]["fan_out"] for k in (outline, province, city, district)] == [1, 1, 1, 0]
    levels = policykg.open(s).analyse("lineage-by-level").set_index("level")
    assert levels.loc["county", "max_depth"] == 3 and levels.loc["national", "max_fan_out"] == 1


def test_analytics_from_the_command_line_and_http(store, client, new_store, extractions):
    r = client.get("/api/analytics/load", params={"area": "钦南区"})
    assert r.status_code == 200 and r.json()["rows"][0]["label"] == "钦南区法制办" and r.json()["filters"] == {"area": "钦南区"}
    unled = client.get("/api/analytics/unled", params={"area": "钦南区"}).json()
    table = list(csv.DictReader(io.StringIO(client.get("/api/analytics/unled", params={"area": "钦南区", "format": "csv"}).text)))
    assert len(table) == unled["count"] > 0 and [t["measure"] for t in table] == [u["measure"] for u in unled["rows"]]
    assert client.get("/api/analytics/gossip").status_code == 400
    assert client.get("/api/analytics/load", params={"format": "xml"}).status_code == 400
    s = Store(new_store)
    s.put_document(extractions["004"])
    del s
    out = CliRunner().invoke(cli, ["analyse", "load", "--store", str(new_store), "--area", "钦南区", "--format", "csv"])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[1].split(",")[1:6:4] == ["钦南区法制办", "12"]


@pytest.mark.parametrize("analysis", ["load", "communities", "lineage", "lineage-by-level", "unled"])
def test_every_analysis_runs_over_a_whole_store(store, analysis):
    assert len(policykg.open(store).analyse(analysis)) > 0


def test_lineage_depth_survives_documents_citing_each_other():
    import networkx as nx

    from policykg.queries.analytics import lineage

    g = nx.DiGraph()
    g.add_edges_from([("district", "city"), ("city", "province"), ("province", "city"), ("province", "outline")])
    depth = {r["document"]: (r["depth"], r["in_cycle"]) for r in lineage(g)}
    assert depth == {"outline": (0, False), "city": (1, True), "province": (1, True), "district": (2, False)}
