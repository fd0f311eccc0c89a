"""Agencies through institutional reforms: the curated 2018 reform rules as W3C ORG change
events, who holds a duty today, what a body inherited (BRIEF question 4), and the API saying
when an answer went through a succession. Expected duties come from the hand-written gold of
the 钦南区 plan (tests/gold/004_measures.json)."""

from __future__ import annotations

import json

import pytest

from policykg import queries
from policykg.graph.resolve import Resolver
from policykg.ingest import agencies, reforms
from policykg.ingest.divisions import load
from tests.conftest import GOLD

AGENCY = "https://w3id.org/policykg/id/agency/"
REFORM_DATE = "2019-03-31"  # 深化党和国家机构改革方案: 市县 reforms in place by the end of March 2019


@pytest.fixture(scope="module")
def gold_duties():
    """(measure number, role, deadline) of every duty the 钦南区 plan gives 区法制办."""
    gold = json.loads((GOLD / "004_measures.json").read_text(encoding="utf-8"))
    return {(str(m["number"]), a["role"], m["deadline"]) for m in gold["measures"] for a in m["assignments"]
            if a["agency"] == "区法制办"}


def _run(store, name, **params):
    q = queries.get(name)
    return store.select(q.render(q.bind(params, Resolver(store))))


def test_question_4_what_the_legal_affairs_office_is_responsible_for(store, gold_duties):
    rows = _run(store, "obligations", agency="钦南区法制办")
    assert {(r["number"], r["role"], r["deadline"]) for r in rows} == gold_duties
    assert len(gold_duties) >= 15  # not a trivial set


def test_question_4_which_of_those_duties_the_justice_bureau_holds_today(store, gold_duties):
    rows = _run(store, "inherited-duties", agency="钦南区司法局")
    assert {(r["number"], r["role"], r["deadline"]) for r in rows} == gold_duties
    assert {r["predecessorLabel"] for r in rows} == {"钦南区法制办"}
    assert {(r["reformDate"], r["qualifier"]) for r in rows} == {(REFORM_DATE, "by")}
    state = {(r["number"], r["role"]): r["openAtReform"] for r in rows}
    # the reform took effect after the national decision (2018-03-17) and by 2019-03-31
    assert state == {(n, role): "yes" if deadline is None or deadline >= REFORM_DATE else "no" if deadline < "2018-03-17" else "unknown"
                     for n, role, deadline in gold_duties}
    assert state["4", "responsible"] == "no"  # due by the end of 2017: the old office's to finish
    assert "yes" in state.values()


def test_successor_of_an_agency_with_the_reform_event_and_its_sources(store):
    rows = _run(store, "successor", agency="钦南区法制办")
    assert {r["today"] for r in rows} == {AGENCY + "450702/司法局"}
    assert {r["kind"] for r in rows} == {"merger"}
    assert {r["sourceTitle"] for r in rows} == {"国务院机构改革方案", "深化党和国家机构改革方案"}
    assert all(0 < r["confidence"] < 1 for r in rows)  # a local event: the national rule applied
    # the market regulator took over three bureaus
    assert {r["today"] for r in _run(store, "successor", agency="钦南区工商局")} == {AGENCY + "450702/市场监督管理局"}
    assert {r["today"] for r in _run(store, "successor", agency="钦南区食品药品监管局")} == {AGENCY + "450702/市场监督管理局"}
    assert _run(store, "successor", agency="钦南区编办") == []  # not ended by a recorded reform


def test_change_events_follow_w3c_org(store):
    rows = store.select("""SELECT ?original ?result WHERE {
        ?e a org:ChangeEvent ; org:originalOrganization ?original ; org:resultingOrganization ?result .
        ?original org:changedBy ?e . ?result org:resultedFrom ?e .
        FILTER(CONTAINS(STR(?e), "/judicial-administration/450702")) }""")
    # both the 法制办 and the old 司法局 went into the re-formed 司法局
    assert {r["original"] for r in rows} == {AGENCY + "450702/人民政府法制办公室", AGENCY + "450702/司法局"}
    assert {r["result"] for r in rows} == {AGENCY + "450702/司法局"}


def test_obligations_api_says_which_duties_came_through_a_succession(client, gold_duties):
    body = client.get("/api/agencies/钦南区司法局/obligations").json()
    own = {(r["number"], r["role"]) for r in body["obligations"]}
    inherited = {(r["number"], r["role"]) for r in body["inherited"]}
    assert inherited == {(n, role) for n, role, _ in gold_duties}
    gold = json.loads((GOLD / "004_measures.json").read_text(encoding="utf-8"))
    assert own == {(str(m["number"]), a["role"]) for m in gold["measures"] for a in m["assignments"]
                   if a["agency"] == "区司法局"}  # its own duties, listed apart
    through = body["inherited"][0]["through"]
    assert through["predecessorLabel"] == "钦南区法制办" and through["reformDate"] == REFORM_DATE
    old = client.get("/api/agencies/钦南区法制办/successor").json()
    assert old["succeeded"] and old["today"] == AGENCY + "450702/司法局"
    step = old["succession"]["steps"][0]
    assert step["kind"] == "merger" and {s["title"] for s in step["sources"]} == {"国务院机构改革方案", "深化党和国家机构改革方案"}
    assert client.get("/api/agencies/钦南区编办/successor").json()["succeeded"] is False


def test_rules_cover_levels_and_the_national_event():
    divisions = load()
    national = agencies.resolve("国务院法制办公室", divisions.get("100000"), divisions)
    found = reforms.succession(national, divisions)
    assert found is not None and (found.date, found.qualifier, found.confidence) == ("2018-03-17", "decided", 1.0)
    assert found.successor.label.endswith("司法部")
    province = agencies.resolve("自治区法制办", divisions.get("450000"), divisions)
    s = reforms.succession(province, divisions)
    assert s.successor.full_name == "广西壮族自治区司法厅" and s.date == "2018-12-31"
    for rule in reforms.rules():  # every rule names a source with a date and a quote
        assert rule.source.title and rule.source.date and rule.quote


def test_implementers_say_who_holds_the_duty_today(client):
    body = client.get("/api/measures/钦州市钦南区法治政府建设实施方案(2016-2020年)/37/implementers").json()
    by_label = {i["agencyLabel"]: i for i in body["implementers"]}
    assert by_label["钦南区法制办"]["held_today_by"] == {"agency": AGENCY + "450702/司法局", "label": "钦南区司法局"}
    assert by_label["钦南区政务服务管理办"]["held_today_by"] is None  # no recorded reform


def test_municipalities_state_organs_and_abbreviations():
    divisions = load()
    beijing = divisions.get("110000")
    judicial = reforms.succession(agencies.resolve("北京市法制办", beijing, divisions), divisions)
    assert judicial.successor.full_name == "北京市司法局"  # a province-level city has 局, not 厅
    assert reforms.succession(agencies.resolve("天津市国土资源局", divisions.get("120000"), divisions), divisions) is None
    qinnan = divisions.get("450702")
    tax = reforms.succession(agencies.resolve("区国税局", qinnan, divisions), divisions)
    assert tax.successor.full_name == "国家税务总局钦州市钦南区税务局" and tax.successor.kind == "agency"
    assert reforms.succession(agencies.resolve("区监察局", qinnan, divisions), divisions).successor.kind == "agency"
    for written in ("区质监局", "区食药监局", "区工商局"):
        found = reforms.succession(agencies.resolve(written, qinnan, divisions), divisions)
        assert found is not None and found.successor.label == "钦南区市场监管局", written
    city = divisions.get("450700")
    assert reforms.succession(agencies.resolve("市环保局", city, divisions), divisions).successor.label.endswith("生态环境局")
    assert reforms.succession(agencies.resolve("区环保局", qinnan, divisions), divisions) is None  # counties: case by case


def test_state_organs_are_not_placed_under_the_government(store):
    rows = store.select("""SELECT ?gov WHERE { ?a org:resultedFrom ?e . FILTER(CONTAINS(STR(?e), "/supervision/450702"))
                          OPTIONAL { ?a org:subOrganizationOf ?gov } }""")
    assert rows and all(r["gov"] is None for r in rows)
