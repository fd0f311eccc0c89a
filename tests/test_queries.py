"""BRIEF.md's competency questions, answered by the canned queries in queries/ on the seeds.
Expected answers come from BRIEF.md and from reading the documents."""

from __future__ import annotations

import pytest

from policykg import queries
from policykg.errors import ParameterError, QueryNotFound, ResourceNotFound
from policykg.graph.resolve import Resolver
from tests.conftest import PLAN_TITLE


def run(store, name, **params):
    q = queries.get(name)
    return store.select(q.render(q.bind({k: str(v) for k, v in params.items()}, Resolver(store))))


def test_q1_implementers_of_measure_37(store):
    rows = run(store, "implementers", document=PLAN_TITLE, measure=37)
    leads = {r["agencyLabel"] for r in rows if r["role"] == "lead"}
    responsible = {(r["surfaceForm"], r["collective"]) for r in rows if r["role"] == "responsible"}
    assert leads == {"钦南区政务服务管理办", "钦南区法制办"}
    assert all(r["agency"].startswith("https://w3id.org/policykg/id/agency/450702/") for r in rows if r["role"] == "lead")
    assert responsible == {("各有关部门", True), ("各镇政府", True), ("街道办事处", True)}
    assert {r["deadline"] for r in rows} == {"2017-12-31"}
    assert {r["deadlineIsDefault"] for r in rows} == {False}


def test_document_parameter_accepts_title_variants_iri_and_key(store):
    r = Resolver(store)
    iri = r.document(PLAN_TITLE)
    assert r.document("钦州市钦南区法治政府建设实施方案（2016—2020年）") == iri
    assert r.document(iri) == iri
    assert r.document("中发〔2015〕36号").endswith("central-outline-2015-2020")
    with pytest.raises(ResourceNotFound):
        r.document("不存在的文件")


def test_q2_lineage_of_the_district_plan(store):
    rows = run(store, "lineage", document=PLAN_TITLE)
    assert [r["title"] for r in rows] == [
        "钦州市法治政府建设实施方案(2016—2020年)",
        "广西壮族自治区法治政府建设实施方案(2016—2020年)",
        "法治政府建设实施纲要(2015—2020年)",
    ]
    assert [r["level"] for r in rows] == ["Prefectural", "Provincial", "National"]
    outline = rows[-1]
    assert set(outline["issuers"].split("、")) == {"中共中央", "国务院"} and outline["docNumber"] == "中发〔2015〕36号"
    assert not any(r["inCorpus"] for r in rows)  # parents exist as nodes without their texts


def test_q3_documents_citing_the_2015_outline(store, extractions):
    rows = run(store, "citing", document="法治政府建设实施纲要(2015-2020年)")
    citing = {r["citing"] for r in rows}
    assert citing == {extractions[k].iri for k in ("001", "003", "004")}
    corrected = [r for r in rows if r["corrected"]]
    assert [r["citing"] for r in corrected] == [extractions["001"].iri]
    assert corrected[0]["citedAs"] == "法治政府建设实施纲要(2016—2020年)"
    newer = run(store, "citing", document="法治政府建设实施纲要(2021-2025年)")
    assert {r["citing"] for r in newer} == {extractions["002"].iri}


def test_q5_agencies_leading_most_measures_and_measures_without_lead(store, extractions):
    rows = run(store, "agency-load", jurisdiction="钦南区")
    # counted by reading 004: 区法制办 leads 12 measures, 区政府办公室 9, 区编办 6
    assert [(r["label"], r["lead"]) for r in rows[:3]] == [("钦南区法制办", 12), ("钦南区政府办公室", 9), ("钦南区编办", 6)]
    assert all("各" not in r["label"] for r in rows)
    unled = run(store, "unled-measures", jurisdiction="450702")  # measures with no 牵头 group, read from the text
    assert sorted(int(r["number"]) for r in unled) == [5, 7, 8, 12, 15, 16, 18, 19, 20, 21, 24, 25, 35, 38, 39, 41, 44, 46, 49, 53, 58, 59, 60, 64]


def test_q6_measures_due_by_end_of_2017_and_their_leads(store):
    rows = run(store, "due-by", date="2017-12-31")
    numbers = sorted(int(r["number"]) for r in rows)
    # every measure of 004 whose parenthesis says 2017年(年)底前完成
    assert numbers == [2, 4, 6, 9, 11, 12, 15, 25, 26, 29, 35, 36, 37, 39, 40, 41, 47]
    by_number = {int(r["number"]): r for r in rows}
    assert set(by_number[37]["leads"].split("、")) == {"钦南区政务服务管理办", "钦南区法制办"}
    assert not any(r["isDefault"] for r in rows)
    later = run(store, "due-by", date="2019-12-31")
    assert any(r["isDefault"] for r in later) and len(later) == 65


def test_q7_reports_covering_2017(store):
    rows = run(store, "reports", year=2017)
    assert {(r["jurisdiction"], r["province"]) for r in rows} == {("江海区", "广东省"), ("张店区", "山东省"), ("吴忠市", "宁夏回族自治区")}
    assert {r["jurisdiction"] for r in run(store, "reports", year=2021)} == {"信阳高新技术产业开发区"}


def test_q4_first_half_obligations_of_the_legal_affairs_office(store):
    rows = run(store, "obligations", agency="钦南区法制办")
    led = sorted(int(r["number"]) for r in rows if r["role"] == "lead")
    assert led == [22, 23, 29, 33, 36, 37, 40, 45, 51, 52, 62, 65]
    assert {int(r["number"]) for r in rows if r["role"] == "cooperating"} == {34}


def test_every_canned_query_has_front_matter_and_runs_its_example(store):
    for q in queries.all_queries().values():
        assert q.summary and q.description and q.example, q.name
        assert {p.name for p in q.params if p.required} <= set(q.example) <= {p.name for p in q.params}, q.name
        rows = run(store, q.name, **q.example)
        assert rows, f"{q.name} returned no rows for its own example"


def test_parameters_are_typed_and_never_reach_sparql_text(store):
    with pytest.raises(ParameterError):
        run(store, "due-by", date="2017-13-45")
    with pytest.raises(ParameterError):
        run(store, "implementers", document=PLAN_TITLE, measure="37 } ; DROP ALL")
    with pytest.raises(ParameterError):
        run(store, "reports", year=2017, extra=1)
    with pytest.raises(QueryNotFound):
        queries.get("nope")
    hostile = '行政" ) } SELECT * WHERE { ?s ?p ?o } #'
    rows = run(store, "measures-search", phrase=hostile)
    assert rows == []
    with pytest.raises(ResourceNotFound):
        run(store, "lineage", document="<http://x> } DROP ALL {")


def test_q8_reconsideration_and_enforcement_staff_figures_side_by_side(store):
    """Figures read from the reports: 001 收到行政复议申请176件, 受理87件; 000 收到了9宗行政复议申请;
    003 办理19件 (行政复议案件); enforcement staff 000 177人, 003 869名 (市本级)."""
    rows = run(store, "indicator-figures", indicator="行政复议")
    got = {(r["indicatorName"], r["jurisdictionName"], float(r["value"])) for r in rows}
    assert {("行政复议申请", "张店区", 176.0), ("行政复议受理", "张店区", 87.0),
            ("行政复议申请", "江海区", 9.0), ("行政复议受理", "吴忠市", 19.0)} <= got
    assert all(r["year"] == "2017" for r in rows)
    assert all(r["quote"] and str(int(float(r["value"]))) in r["quote"] for r in rows)
    staff = {(r["jurisdictionName"], float(r["value"]), r["unit"])
             for r in run(store, "indicator-figures", indicator="行政执法人员") if r["indicatorName"] == "行政执法人员"}
    assert {("江海区", 177.0, "人"), ("吴忠市", 869.0, "名")} <= staff


def test_q9_enforcement_task_area_per_jurisdiction_with_bodies(store):
    rows = run(store, "task-area", area="严格规范公正文明执法")
    measures = {r["item"].rsplit("/", 1)[-1]: r for r in rows if r["kind"] == "measure"}
    # measure 37 sits under (四)坚持严格规范公正文明执法 of the 钦南区 plan
    assert "37" in measures and measures["37"]["jurisdictionName"] == "钦南区"
    assert measures["37"]["method"] == "section-heading"
    assert "钦南区法制办(lead)" in measures["37"]["bodies"].split("、")
    # every report covers enforcement with at least one reported activity
    reported = {r["jurisdictionName"] for r in rows if r["kind"] == "reported activity"}
    assert {"江海区", "张店区", "信阳高新技术产业开发区", "吴忠市"} <= reported
    same = run(store, "task-area", area="enforcement")
    assert {r["item"] for r in same} == {r["item"] for r in rows}


def _answers(rows):
    """Rows as comparable values, a GROUP_CONCAT's parts in order (its order is not defined)."""
    return sorted(tuple(sorted((k, "、".join(sorted(str(v).split("、")))) for k, v in row.items())) for row in rows)


def test_every_canned_query_answers_the_same_as_the_engine_runs_it(store):
    """The embedded engine runs each OPTIONAL as LATERAL { OPTIONAL { … } } (graph.dialect): the
    answers must be those of the standard text, for every canned query's example."""
    checked = 0
    for name, q in sorted(queries.all_queries().items()):
        bound = q.bind({k: str(v) for k, v in q.example.items()}, Resolver(store))
        standard, fast = q.render(bound), q.executable(bound)
        if "OPTIONAL" in standard and q.lateral:
            assert "LATERAL" in fast, name
            checked += 1
        assert _answers(store.select(standard)) == _answers(store.select(fast)), name
    assert checked >= 10


def test_lateral_rewrite_leaves_strings_iris_and_comments_alone():
    from policykg.graph.dialect import lateral_optionals

    text = ('SELECT * WHERE { ?s <http://x/OPTIONAL/a> ?o . # OPTIONAL { in a comment }\n'
            '  OPTIONAL { ?s ?p "OPTIONAL { }" OPTIONAL { ?s ?q ?r } } FILTER(?o < 3) }')
    assert lateral_optionals(text) == (
        'SELECT * WHERE { ?s <http://x/OPTIONAL/a> ?o . # OPTIONAL { in a comment }\n'
        '  LATERAL { OPTIONAL { ?s ?p "OPTIONAL { }" LATERAL { OPTIONAL { ?s ?q ?r } } } } FILTER(?o < 3) }')


def test_lateral_subqueries_feed_what_follows_them():
    """What follows a subquery in its group runs per row of it (LATERAL), inline data right after
    it stays a join, a subquery with nothing after it is left alone, and so is a brace in a string."""
    from policykg.graph.dialect import embedded, lateral_subqueries

    text = ('SELECT * WHERE {\n  { # first\n    SELECT ?m WHERE { ?m <t> ?t FILTER(CONTAINS(?t, "{ SELECT")) } }\n'
            '  VALUES ?r { "a" } . ?m <n> ?n . OPTIONAL { ?m <x> ?x }\n}')
    assert lateral_subqueries(text) == (
        'SELECT * WHERE {\n  { # first\n    SELECT ?m WHERE { ?m <t> ?t FILTER(CONTAINS(?t, "{ SELECT")) } }\n'
        '  VALUES ?r { "a" } LATERAL { ?m <n> ?n . OPTIONAL { ?m <x> ?x }\n}}')
    assert embedded(text).endswith('LATERAL { ?m <n> ?n . LATERAL { OPTIONAL { ?m <x> ?x } }\n}}')
    alone = 'SELECT * WHERE { ?a <p> ?b OPTIONAL { SELECT ?a WHERE { ?a <q> ?c } } # end\n}'
    assert lateral_subqueries(alone) == alone
