"""Classes of real plan pages (../shared/realworld/README.md, classes 11, 12, 14–17), each on plan
texts written for these tests about invented places (青山县, 青山市, 青山省). The expected values are
what the texts say, read by hand."""

from __future__ import annotations

import pytest

from policykg.ingest import extract_text
from policykg.ingest.divisions import load as load_divisions
from policykg.ingest.plans import parse_plan
from policykg.ingest.text import lines
from tests.plan_texts import FULL_WIDTH, by_number, deadline, extract, roles

COUNTY_PLAN = "青山县法治政府建设实施方案(2021—2025年)\n"
CITY_PLAN = "青山市法治政府建设实施方案(2021—2025年)\n"


def structure(text: str, home_code: str | None = None):
    """The plan parser on its own (its warnings are not yet copied into the extraction)."""
    divisions = load_divisions()
    home = divisions.get(home_code) if home_code else None
    return parse_plan(text, lines(text), home, divisions)


def every_party_string(ex):
    for m in ex.measures:
        for a in m.assignments:
            yield from (a.agency, a.party.iri, a.party.label, a.party.full_name)


# --- 11. a plan that ends with its signature ---------------------------------------------------

SIGNED = (
    "青山县人民政府关于印发青山县法治政府建设实施方案的通知\n"
    "各乡镇人民政府,县直各部门:\n"
    "现将《青山县法治政府建设实施方案》印发给你们,请认真贯彻执行。\n"
    "青山县法治政府建设实施方案\n"
    "一、主要任务\n"
    "(一)依法全面履行政府职能\n"
    "1.全面梳理县级权责清单。(县司法局牵头,县直各部门配合,2021年底前完成)\n"
    "2.推进政务服务标准化建设,编制办事指南。(县政务服务中心负责,2022年6月底前)\n"
    "青山县人民政府\n"
    "2021年3月5日\n"
)


@pytest.mark.parametrize("full_width", [False, True])
def test_the_last_measure_keeps_its_bracket_when_the_signature_and_date_follow(full_width):
    ms = by_number(extract(SIGNED, full_width))
    assert sorted(ms) == [1, 2]
    assert ms[2].text == "推进政务服务标准化建设,编制办事指南。".translate(FULL_WIDTH if full_width else {})
    assert roles(ms[2]) == [("县政务服务中心", "responsible")]
    assert deadline(ms[2]) == ("2022-06-30", "month")
    assert "青山县人民政府" not in ms[2].text and "2021年3月5日" not in ms[2].span.quote


def test_signature_after_labelled_brackets_a_public_release_note_and_a_written_out_date():
    ex = extract(
        COUNTY_PLAN + "一、重点任务\n"
        "(一)完善依法决策机制。(牵头单位:县司法局;责任单位:县发改局;完成时限:2022年底前)\n"
        "(二)加强行政执法监督。(牵头单位:县司法局;完成时限:长期坚持)\n"
        "青山县人民政府办公室\n"
        "二〇二一年三月五日\n"
        "(此件公开发布)\n")
    ms = by_number(ex)
    assert ms[2].text == "加强行政执法监督。"
    assert roles(ms[2]) == [("县司法局", "lead")] and deadline(ms[2]) == (None, "ongoing")
    assert roles(ms[1]) == [("县司法局", "lead"), ("县发改局", "responsible")]


@pytest.mark.parametrize("signature", ["青山县人民政府 2021年3月5日\n", "中共青山县委\n青山县人民政府\n", "青山县人民政府\n"])
def test_other_signatures_after_the_last_measure(signature):
    ms = by_number(extract(COUNTY_PLAN + "一、主要任务\n1.推进政务公开。(县政府办公室牵头,县直各部门配合,2022年底前完成)\n"
                           + signature))
    assert ms[1].text == "推进政务公开。"
    assert roles(ms[1]) == [("县政府办公室", "lead"), ("县直各部门", "cooperating")]
    assert deadline(ms[1]) == ("2022-12-31", "year")


def test_a_date_line_inside_a_wrapped_measure_does_not_end_it():
    # the measure goes on after the line that holds only a date: it is not a signature
    ms = by_number(extract(
        COUNTY_PLAN + "一、主要任务\n"
        "1.自\n2021年3月5日\n起施行新的执法公示办法。(县司法局负责)\n"))
    assert roles(ms[1]) == [("县司法局", "responsible")]
    assert ms[1].text.startswith("自2021年3月5日起施行")


def test_an_obligation_bracket_that_is_not_at_the_end_is_read_and_reported():
    text = COUNTY_PLAN + "一、主要任务\n1.规范执法文书。(县司法局牵头,2022年底前完成)各执法机关参照执行\n"
    ms = by_number(extract(text))
    assert roles(ms[1]) == [("县司法局", "lead")] and deadline(ms[1]) == ("2022-12-31", "year")
    plan = structure(text)
    assert any("1" in w and "bracket" in w for w in plan.warnings)


def test_a_measure_read_whole_gives_no_warning():
    assert structure(SIGNED).warnings == []


# --- 12. unknown jurisdiction; cut-off brackets ---------------------------------------------------


def test_an_unknown_jurisdiction_keeps_assignments_as_unresolved_surface_forms():
    ex = extract(
        COUNTY_PLAN + "一、主要任务\n"
        "1.推行权力清单制度。(县委编办牵头,县直各部门配合)\n"
        "2.落实行政执法三项制度。(县司法局负责)\n"
        "3.推进执法信息公示。(县司法局牵头,县人社局配合)\n")
    assert ex.jurisdiction_code is None
    assert any("jurisdiction" in w for w in ex.warnings)
    ms = by_number(ex)
    assert roles(ms[1]) == [("县委编办", "lead"), ("县直各部门", "cooperating")]
    assert ms[1].assignments[1].collective and not ms[1].assignments[0].collective
    assert roles(ms[3]) == [("县司法局", "lead"), ("县人社局", "cooperating")]
    for a in (a for m in ex.measures for a in m.assignments):
        assert a.party.jurisdiction is None and a.party.label.startswith("县")
    assert ms[2].assignments[0].party.label == "县司法局"
    # the same body written twice in one document is one party
    assert ms[2].assignments[0].party.iri == ms[3].assignments[0].party.iri


def test_an_unresolved_body_written_short_and_in_full_is_one_party():
    ms = by_number(extract(
        COUNTY_PLAN + "一、主要任务\n1.落实社保政策。(县人社局负责)\n2.规范劳动监察。(县人力资源和社会保障局负责)\n"))
    one, other = ms[1].assignments[0].party, ms[2].assignments[0].party
    assert one.iri == other.iri and one.label == other.label == "县人社局"


def test_an_unresolved_document_still_resolves_a_body_that_names_its_own_division():
    text = "法治政府建设实施方案\n一、主要任务\n1.推进政务公开。(县司法局牵头,湖南省司法厅指导)\n"
    a, b = structure(text).measures[0].assignments
    assert a.party.jurisdiction is None and a.party.iri.split("/")[-2].startswith("unresolved-")
    assert (b.agency, b.party.jurisdiction, b.party.label) == ("湖南省司法厅", "430000", "湖南省司法厅")


def test_unresolved_bodies_of_two_unknown_jurisdictions_are_not_merged():
    a = extract(COUNTY_PLAN + "一、主要任务\n1.推进政务公开。(县司法局负责)\n")
    b = extract("白水县法治政府建设实施方案(2021—2025年)\n一、主要任务\n1.推进政务公开。(县司法局负责)\n")
    assert a.measures[0].assignments[0].agency == b.measures[0].assignments[0].agency == "县司法局"
    assert a.measures[0].assignments[0].party.iri != b.measures[0].assignments[0].party.iri


@pytest.mark.parametrize("full_width", [False, True])
def test_a_bracket_cut_off_at_the_end_of_the_page_keeps_the_lead_and_drops_the_fragment(full_width):
    text = (CITY_PLAN + "一、主要任务\n"
            "1.健全规范性文件备案审查制度。(牵头单位:市司法局;完成时限:2022年底前)\n"
            "2.推进综合行政执法改革。(牵头单位:市司法局;责任单位:市政")
    ex = extract(text, full_width)
    ms = by_number(ex)
    assert roles(ms[2]) == [("市司法局", "lead")]
    assert ms[2].text == "推进综合行政执法改革。"
    assert all("市政" != a for a in (x.agency for m in ex.measures for x in m.assignments))
    assert any("cut off" in w for w in structure(text.translate(FULL_WIDTH) if full_width else text).warnings)


def test_a_cut_off_bracket_keeps_the_whole_names_before_the_cut():
    ms = by_number(extract(CITY_PLAN + "一、主要任务\n1.清理证明事项。(市司法局牵头,市公安局、市民政局配合;市人社"))
    assert roles(ms[1]) == [("市司法局", "lead"), ("市公安局", "cooperating"), ("市民政局", "cooperating")]


def test_an_unclosed_bracket_inside_the_document_is_read_whole_and_reported():
    text = (CITY_PLAN + "一、主要任务\n"
            "1.清理证明事项。(市司法局牵头,市公安局配合,2022年底前完成\n"
            "2.推进政务公开。(市政府办公室负责)\n")
    ms = by_number(extract(text))
    assert roles(ms[1]) == [("市司法局", "lead"), ("市公安局", "cooperating")]
    assert deadline(ms[1]) == ("2022-12-31", "year")
    assert roles(ms[2]) == [("市政府办公室", "responsible")]
    assert any("not closed" in w for w in structure(text).warnings)


# --- 14. lists ending in 等 -------------------------------------------------------------------


@pytest.mark.parametrize("full_width", [False, True])
def test_a_list_ending_in_deng_names_its_bodies_and_nothing_more(full_width):
    ex = extract(
        COUNTY_PLAN + "一、主要任务\n"
        "1.优化营商法治环境。(县发改局、县财政局、县商务局等按职责分工负责)\n"
        "2.清理涉企收费。(牵头单位:县发改局;责任单位:县财政局、县市场监管局等)\n"
        "3.规范招标投标。(县发改局、县财政局等部门负责)\n"
        "4.加强政务诚信建设。(县发改局牵头,县法院、县检察院等有关部门配合)\n", full_width)
    ms = by_number(ex)
    assert roles(ms[1]) == [("县发改局", "responsible"), ("县财政局", "responsible"), ("县商务局", "responsible")]
    assert roles(ms[2]) == [("县发改局", "lead"), ("县财政局", "responsible"), ("县市场监管局", "responsible")]
    assert roles(ms[3]) == [("县发改局", "responsible"), ("县财政局", "responsible")]
    # 等有关部门 is an open set: a collective, as the seeds have it
    assert roles(ms[4])[-1] == ("等有关部门", "cooperating") and ms[4].assignments[-1].collective
    for m in ms.values():
        for a in m.assignments:
            assert a.agency not in {"等", "等部门"} and not a.party.label.endswith("各等")


def test_a_bare_level_before_a_set_of_its_own_stays_apart():
    # 各市、县(市、区)人民政府 is one set; 各乡镇、县直各部门 and 各乡镇、县司法局 are not
    ms = by_number(extract(
        COUNTY_PLAN + "一、主要任务\n"
        "1.甲。(县司法局牵头,各乡镇、县直各部门按职责负责)\n"
        "2.乙。(各乡镇、县司法局负责)\n"
        "3.丙。(县司法局牵头,各镇、街道具体落实)\n"))
    assert roles(ms[1]) == [("县司法局", "lead"), ("各乡镇", "responsible"), ("县直各部门", "responsible")]
    assert roles(ms[2]) == [("各乡镇", "responsible"), ("县司法局", "responsible")]
    assert roles(ms[3]) == [("县司法局", "lead"), ("各镇、街道", "responsible")]


def test_deng_in_a_table_cell_is_not_a_body():
    ex = extract("青山县法治政府建设任务分工方案\n序号\t工作任务\t牵头单位\t配合单位\t完成时限\n"
                 "1\t清理涉企收费\t县发改局\t县财政局、县商务局等\t2022年底前\n")
    assert roles(ex.measures[0]) == [("县发改局", "lead"), ("县财政局", "cooperating"), ("县商务局", "cooperating")]


# --- 15. roles written as sentences ----------------------------------------------------------------


@pytest.mark.parametrize("full_width", [False, True])
def test_roles_written_as_sentences(full_width):
    ex = extract(
        CITY_PLAN + "一、主要任务\n"
        "(一)依法全面履行政府职能\n"
        "1.深化行政审批制度改革。(由青山市司法局牵头,市直各部门配合)\n"
        "2.完善机构职能体系。(市司法局会同市委编办负责)\n"
        "3.推行行政执法公示制度。责任单位:市司法局(牵头),市财政局、市人社局\n"
        "4.完善行政复议体制。(牵头单位:市司法局;责任单位:市信访局;完成时限:2022年底前)\n"
        "5.建立行政执法案例指导制度。由市司法局牵头,市直各部门配合。\n"
        "6.推进公共法律服务平台建设。(责任单位:市司法局(牵头)、市民政局)\n", full_width)
    ms = by_number(ex)
    assert roles(ms[1]) == [("青山市司法局", "lead"), ("市直各部门", "cooperating")]
    assert ms[1].assignments[1].collective
    # 会同: the body before it carries the role; the one after works with it (cooperating, as the glossary reads 会同)
    assert roles(ms[2]) == [("市司法局", "responsible"), ("市委编办", "cooperating")]
    assert roles(ms[3]) == [("市司法局", "lead"), ("市财政局", "responsible"), ("市人社局", "responsible")]
    assert ms[3].text == "推行行政执法公示制度。"
    assert roles(ms[4]) == [("市司法局", "lead"), ("市信访局", "responsible")]
    assert deadline(ms[4]) == ("2022-12-31", "year")
    assert roles(ms[5]) == [("市司法局", "lead"), ("市直各部门", "cooperating")]
    assert ms[5].text == "建立行政执法案例指导制度。"
    assert roles(ms[6]) == [("市司法局", "lead"), ("市民政局", "responsible")]


def test_a_closing_sentence_before_an_attachment_line():
    ex = extract(
        COUNTY_PLAN + "一、主要任务\n"
        "1.推进政府法律顾问工作。县司法局会同县委组织部负责。\n"
        "附件:青山县法治政府建设重点任务分工表\n"
        "序号\t重点任务\t牵头单位\t完成时限\n"
        "1\t规范行政执法行为\t县司法局\t2022年第四季度\n")
    assert [m.text for m in ex.measures] == ["推进政府法律顾问工作。", "规范行政执法行为"]
    assert roles(ex.measures[0]) == [("县司法局", "responsible"), ("县委组织部", "cooperating")]
    assert deadline(ex.measures[1]) == ("2022-12-31", "quarter")


def test_a_sentence_in_prose_that_mentions_a_body_is_not_an_assignment():
    ms = by_number(extract(
        CITY_PLAN + "一、主要任务\n"
        "1.推进政务公开。(市政府办公室负责)\n"
        "2.加强法治宣传。各部门要积极配合,形成工作合力。\n"
        "3.加强组织领导。各级政府主要负责人负责。\n"))
    assert roles(ms[1]) == [("市政府办公室", "responsible")]
    assert ms[2].assignments == [] and ms[3].assignments == []
    assert ms[2].text == "加强法治宣传。各部门要积极配合,形成工作合力。"


def test_lead_marked_in_a_table_cell():
    ex = extract("青山市法治政府建设任务分工方案\n序号\t工作任务\t责任单位\t完成时限\n"
                 "1\t推行行政执法公示制度\t市司法局(牵头),市财政局、市人社局\t2022年底前\n")
    assert roles(ex.measures[0]) == [("市司法局", "lead"), ("市财政局", "responsible"), ("市人社局", "responsible")]


# --- 16. a line break inside an agency name ---------------------------------------------------------


def test_a_line_break_inside_an_agency_name_is_one_name():
    ex = extract(
        "青山省法治政府建设实施方案(2021—2025年)\n一、主要任务\n"
        "1.加强自然资源领域执法监督。(省自\n然资源厅牵头,各市州政\n府负责,2022年底前完成)\n"
        "2.规范执法证件管理。(牵头单\n位:省司法厅;责任单位:省财\n政厅)\n"
        "3.推进执法信息共享。(省司法厅牵\n头,省公安厅配合)\n")
    ms = by_number(ex)
    assert roles(ms[1]) == [("省自然资源厅", "lead"), ("各市州政府", "responsible")]
    assert ms[1].assignments[1].collective
    assert deadline(ms[1]) == ("2022-12-31", "year")
    assert roles(ms[2]) == [("省司法厅", "lead"), ("省财政厅", "responsible")]
    assert roles(ms[3]) == [("省司法厅", "lead"), ("省公安厅", "cooperating")]
    assert not any("\n" in s for s in every_party_string(ex))
    # the evidence still quotes the source as written
    assert ms[1].assignments[0].span.quote == "省自\n然资源厅"


def test_a_line_break_inside_a_name_resolved_in_a_known_province():
    text = ("法治政府建设实施方案\n一、主要任务\n"
            "1.加强自然资源领域执法监督。(省自\n然资源厅牵头,各市州政\n府负责)\n")
    plan = structure(text, "430000")  # 湖南省: a real province, so that the names resolve
    a, b = plan.measures[0].assignments
    assert (a.agency, a.party.label, a.party.jurisdiction) == ("省自然资源厅", "湖南省自然资源厅", "430000")
    assert b.collective and "\n" not in b.party.label and "\n" not in b.party.iri and "\n" not in b.party.full_name


def test_hard_wraps_inside_labelled_values_lists_and_deadlines():
    ms = by_number(extract(
        CITY_PLAN + "一、主要任务\n"
        "1.甲。(牵头单位:市委编办;责任单位:市直各部门、\n各区县人民政府;完成时限:202\n2年底前)\n"
        "2.乙。(牵头单位:市委编办;责任单位:市直各部门、各区县\n人民政府;完成时限:2022年\n底前)\n"
        "3.丙。责任单位:市司法局\n(牵头),市直各部\n门;完成时限:长期坚持\n"
        "4.丁。责任单位:市司法局(\n牵头),市直各部门\n"
        "5.戊。由市发\n改委牵头,市\n直各部门配合。\n"
        "6.己。(市司法局负责,2022年11月\n底前)\n"))
    want = [("市委编办", "lead"), ("市直各部门", "responsible"), ("各区县人民政府", "responsible")]
    assert roles(ms[1]) == roles(ms[2]) == want
    assert deadline(ms[1]) == deadline(ms[2]) == ("2022-12-31", "year")
    assert roles(ms[3]) == roles(ms[4]) == [("市司法局", "lead"), ("市直各部门", "responsible")]
    assert deadline(ms[3]) == (None, "ongoing")
    assert roles(ms[5]) == [("市发改委", "lead"), ("市直各部门", "cooperating")]
    assert roles(ms[6]) == [("市司法局", "responsible")] and deadline(ms[6]) == ("2022-11-30", "month")
    assert ms[6].deadline.span.quote == "2022年11月\n底前"


def test_labelled_lines_still_end_at_the_line_break():
    ms = by_number(extract(
        CITY_PLAN + "一、主要任务\n"
        "1.推进政务公开。\n牵头单位:市政府办公室\n配合单位:市司法局、市直各部门\n完成时限:2022年6月底前\n"
        "二、保障措施\n"
        "2.加强督查。\n责任单位:市委督查室\n各区县要参照执行。\n"))
    assert roles(ms[1]) == [("市政府办公室", "lead"), ("市司法局", "cooperating"), ("市直各部门", "cooperating")]
    assert deadline(ms[1]) == ("2022-06-30", "month")
    assert roles(ms[2]) == [("市委督查室", "responsible")]


def test_a_page_number_after_the_last_measure_does_not_hide_its_bracket():
    ms = by_number(extract(COUNTY_PLAN + "一、主要任务\n1.推进政务公开。(县政府办公室负责,2022年底前完成)\n- 5 -\n"))
    assert roles(ms[1]) == [("县政府办公室", "responsible")] and deadline(ms[1]) == ("2022-12-31", "year")


# --- 17. quarters and months as deadlines -------------------------------------------------------


@pytest.mark.parametrize("full_width", [False, True])
def test_quarters_and_months_in_brackets_and_labelled_fields(full_width):
    ms = by_number(extract(
        COUNTY_PLAN + "一、主要任务\n"
        "1.甲项改革。(县司法局负责,2023年第三季度)\n"
        "2.乙项改革。(县司法局负责,2022年11月底前)\n"
        "3.丙项报告。(县司法局负责,每年12月底前)\n"
        "4.丁项改革。(牵头单位:县司法局;完成时限:2023年第三季度)\n"
        "5.戊项改革。(牵头单位:县司法局;完成时限:2022年11月底前)\n"
        "6.己项报告。(牵头单位:县司法局;完成时限:每年12月底前)\n"
        "7.庚项改革。(县司法局负责,2024年二季度末前完成)\n"
        "8.辛项报告。(县司法局负责,每年第一季度)\n", full_width))
    for n in (1, 4):
        assert deadline(ms[n]) == ("2023-09-30", "quarter")
    for n in (2, 5):
        assert deadline(ms[n]) == ("2022-11-30", "month")
    for n in (3, 6, 8):
        assert deadline(ms[n]) == (None, "recurring")
    assert deadline(ms[7]) == ("2024-06-30", "quarter")
    assert all(roles(m)[0] == ("县司法局", "lead" if n in (4, 5, 6) else "responsible") for n, m in ms.items())


def test_a_month_whose_year_character_was_lost():
    ms = by_number(extract(COUNTY_PLAN + "一、主要任务\n1.甲项改革。(县司法局负责,202211月底前)\n"))
    assert deadline(ms[1]) == ("2022-11-30", "month")


def test_quarters_and_months_in_table_columns():
    ex = extract("青山县法治政府建设任务分工方案\n序号\t工作任务\t牵头单位\t完成时限\n"
                 "1\t甲项改革\t县司法局\t2023年第三季度\n"
                 "2\t乙项改革\t县司法局\t2022年11月底前\n"
                 "3\t丙项报告\t县司法局\t每年12月底前\n")
    assert [deadline(m) for m in ex.measures] == [("2023-09-30", "quarter"), ("2022-11-30", "month"), (None, "recurring")]


# --- half-width and full-width punctuation alike -------------------------------------------------


def test_full_width_and_half_width_give_the_same_obligations():
    text = (COUNTY_PLAN + "一、主要任务\n"
            "(一)依法全面履行政府职能\n"
            "1.推行权力清单制度。(县委编办牵头,县直各部门配合,2021年底前完成)\n"
            "2.推进政务公开。(牵头单位:县政府办公室;责任单位:县直各部门;完成时限:长期坚持)\n"
            "3.落实法律顾问制度。责任单位:县司法局(牵头),各乡镇人民政府\n"
            "青山县人民政府\n2021年3月5日\n")

    def summary(ex):
        return [(m.number, m.text.translate(FULL_WIDTH), roles(m), deadline(m)) for m in ex.measures]

    half, full = summary(extract(text)), summary(extract(text, full_width=True))
    assert half == full and len(half) == 3 and all(r for _, _, r, _ in half)


def test_a_shared_lead_is_a_joint_lead_and_a_body_after_huitong_cooperates():
    ex = extract_text("青山县法治政府建设实施方案\n一、主要任务\n1.推行权力清单制度。(县司法局、县委编办共同牵头,各乡镇配合)\n"
                      "2.规范执法程序。(县司法局会同县委编办负责)\n", "joint.txt")
    assert [(a.agency, a.role) for a in ex.measures[0].assignments] == [
        ("县司法局", "joint-lead"), ("县委编办", "joint-lead"), ("各乡镇", "cooperating")]
    assert [(a.agency, a.role) for a in ex.measures[1].assignments] == [("县司法局", "responsible"), ("县委编办", "cooperating")]


def test_an_annual_plans_deadlines_without_a_year_fall_in_its_year():
    ex = extract_text("青山县2023年法治政府建设工作要点\n一、加强党的领导\n1.深入学习贯彻习近平法治思想。(县司法局牵头,6月底前完成)\n"
                      "2.开展述法工作。(县委依法治县办负责,三季度)\n3.规范执法。(县司法局负责,9月30日前)\n"
                      "4.年度考核。(县司法局牵头,年底前完成)\n5.报送报告。(县司法局牵头,每年12月底前)\n", "annual.txt")
    assert [(m.deadline.date, m.deadline.precision) for m in ex.measures] == [
        ("2023-06-30", "month"), ("2023-09-30", "quarter"), ("2023-09-30", "day"), ("2023-12-31", "year"), (None, "recurring")]
    # a plan of several years does not guess the year of 6月底前
    multi = extract_text("青山县法治政府建设实施方案(2021—2025年)\n一、主要任务\n1.完善制度。(县司法局牵头,6月底前完成)\n", "multi.txt")
    assert multi.measures[0].deadline is None


def test_in_a_county_level_city_the_city_prefix_is_its_own():
    ex = extract_text("邵武市法治政府建设实施方案(2021—2025年)\n一、主要任务\n1.完善决策。(市司法局牵头,市直各部门配合)\n"
                      "2.规范执法。(南平市司法局指导,市司法局负责)\n", "shaowu.txt")
    assert ex.jurisdiction_code == "350781"  # 邵武市, a county-level city of 南平市
    first, second = ([(a.agency, a.party.jurisdiction) for a in m.assignments] for m in ex.measures)
    assert first == [("市司法局", "350781"), ("市直各部门", "350781")]
    assert second == [("南平市司法局", "350700"), ("市司法局", "350781")]


def test_a_plan_of_several_years_or_another_year_does_not_take_the_titles_year():
    ex = extract_text("钦州市2021—2025年法治政府建设实施方案\n一、主要任务\n1.完善制度。(市司法局牵头,6月底前完成)\n", "range.txt")
    assert ex.measures[0].deadline is None
    annual = extract_text("青山县2023年法治政府建设工作要点\n一、主要任务\n1.完善制度。(县司法局牵头,明年底前完成)\n"
                          "2.规范执法。(县司法局牵头,6月底前)\n", "annual.txt")
    assert annual.measures[0].deadline is None and annual.measures[1].deadline.date == "2023-06-30"
