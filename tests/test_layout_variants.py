"""Layouts beyond the fixtures, each a small document written for the test; the expected values
are what the text says."""

from __future__ import annotations

from policykg.ingest import extract, extract_text

PLAN = "钦南区法治政府建设实施方案(2016—2020年)\n"


def measures(text):
    ex = extract_text(PLAN + text, "t.txt")
    return {m.number: m for m in ex.measures}, ex


def roles(m):
    return [(a.agency, a.role) for a in m.assignments]


def test_role_words_inside_one_group_labelled_values_and_brackets_in_names():
    ms, _ = measures(
        "一、主要任务\n(一)依法全面履行政府职能\n"
        "1.推行权力清单制度。(区编办牵头、区法制办配合,2017年底前完成)\n"
        "2.推进政务公开。(区法制办会同区编办)\n"
        "3.清理规范性文件。(牵头单位:区编办,2017年底前完成)\n"
        "4.加强执法监督。(责任单位:区法制办,长期坚持)\n"
        "5.落实三项制度。(责任单位:区法制办(区编办配合))\n"
        "6.建立法律顾问制度。(责任单位:区法制办牵头,区人社局配合)\n")
    assert roles(ms[1]) == [("区编办", "lead"), ("区法制办", "cooperating")]
    assert ms[1].deadline.date == "2017-12-31"
    assert roles(ms[2]) == [("区法制办", "responsible"), ("区编办", "cooperating")]  # 会同: works with it
    assert ms[2].text == "推进政务公开。"
    assert roles(ms[3]) == [("区编办", "lead")] and ms[3].deadline.date == "2017-12-31"
    assert roles(ms[4]) == [("区法制办", "responsible")] and ms[4].deadline.precision == "ongoing"
    assert sorted(roles(ms[5])) == [("区法制办", "responsible"), ("区编办", "cooperating")]
    assert roles(ms[6]) == [("区法制办", "lead"), ("区人社局", "cooperating")]


def test_headings_with_measures_under_them_and_glued_headings():
    ms, ex = measures(
        "一、主要任务\n"
        "(一)推行权力清单制度。(区编办牵头,区直各有关部门负责)\n"
        "(二)推进政务公开。(区政府办公室负责,2017年底前完成)\n"
        "(三)加强执法监督。(区法制办负责)(四)加强组织保障\n"
        "1.建立考核制度。(区委组织部牵头)\n"
        "2.落实第一责任人制度。(区政府办公室负责)\n")
    assert len(ex.measures) == 5
    assert [m.text[:4] for m in ex.measures] == ["推行权力", "推进政务", "加强执法", "建立考核", "落实第一"]
    assert roles(ex.measures[2]) == [("区法制办", "responsible")]  # the glued heading did not swallow it
    assert any(s.heading == "加强组织保障" for s in ex.sections)
    assert ex.measures[3].section.endswith(".4") and roles(ex.measures[3]) == [("区委组织部", "lead")]


def test_numbering_that_restarts_keeps_every_measure(tmp_path):
    ms, ex = measures(
        "一、主要任务\n(一)依法全面履行政府职能\n1.推行权力清单制度。(区编办负责)\n2.推进政务公开。(区政府办公室负责)\n"
        "(二)严格规范公正文明执法\n1.落实三项制度。(区法制办负责)\n")
    assert [(m.number, m.text[:4]) for m in ex.measures] == [(1, "推行权力"), (2, "推进政务"), (1, "落实三项")]
    from policykg.graph.rdf import measure_segments

    assert measure_segments(ex) == ["1-1", "2", "1-2"]


def test_task_table_with_varied_numbers_merged_rows_and_empty_cells(tmp_path):
    page = tmp_path / "t.html"
    page.write_text(
        "<html><body><h1>钦南区法治政府建设任务分工方案</h1><table>"
        "<tr><td>序号</td><td>工作任务</td><td>牵头单位</td><td>配合单位</td><td>完成时限</td></tr>"
        "<tr><td>一</td><td>深化行政审批制度改革</td><td>区编办</td><td>区法制办</td><td>2017年底前</td></tr>"
        "<tr><td rowspan='2'>2.</td><td>推行权力清单制度</td><td>区法制办</td><td>区发改局</td><td>长期坚持</td></tr>"
        "<tr><td>公布责任清单</td><td>区编办</td><td></td><td></td></tr>"
        "<tr><td>(3)</td><td>推进政务公开</td><td>区政府办公室</td><td>—</td><td>2018年6月30日前</td></tr>"
        "</table></body></html>", encoding="utf-8")
    ex = extract(page)
    assert [m.number for m in ex.measures] == [1, 2, 3]
    two = ex.measures[1]
    assert two.text == "推行权力清单制度;公布责任清单"
    assert roles(two) == [("区法制办", "lead"), ("区发改局", "cooperating"), ("区编办", "lead")]
    assert roles(ex.measures[2]) == [("区政府办公室", "lead")]  # the — cell names nobody
    assert (ex.measures[2].deadline.date, ex.measures[2].deadline.precision) == ("2018-06-30", "day")


def test_report_with_a_combined_problems_and_plan_part():
    ex = extract_text(
        "钦南区2017年法治政府建设情况报告\n一、2017年工作开展情况\n"
        "(一)加强组织领导。成立法治政府建设领导小组。同时,建立工作台账,解决群众反映的突出问题。\n"
        "(二)推进行政复议。收到行政复议申请12件,受理10件。\n"
        "(三)规范执法行为。全区行政执法人员共有1,234人。\n"
        "二、存在的问题和下一步工作打算\n一是执法队伍建设有待加强。二是规范性文件管理仍有不足。\n"
        "(一)加强执法队伍建设。\n(二)规范性文件管理。\n", "r.txt")
    assert [s.kind for s in ex.report_sections] == ["achievements", "problems", "plan"]
    assert len(ex.activities) == 3  # 解决…突出问题 is not the start of the problems
    assert [p.text for p in ex.planned_measures] == ["加强执法队伍建设。", "规范性文件管理。"]
    figures = {(o.indicator, o.value) for o in ex.observations}
    assert figures == {("reconsideration-applications", 12), ("reconsideration-accepted", 10), ("enforcement-staff", 1234)}


def test_glosses_of_several_syllables_are_removed_real_brackets_stay():
    from policykg.ingest.characters import remove_pinyin_glosses

    assert remove_pinyin_glosses("深化改革(gǎi gé)工作,执法(zhí fǎ)人员") == ("深化改革工作,执法人员", 2)
    assert remove_pinyin_glosses("(区法制办牵头)改革(ABC)") == ("(区法制办牵头)改革(ABC)", 0)


def test_a_plan_of_an_unknown_jurisdiction_keeps_its_bodies_unresolved_and_says_why():
    ex = extract_text("某某县法治政府建设实施方案\n一、主要任务\n1.推行权力清单制度。(县编办牵头)\n", "x.txt")
    a = ex.measures[0].assignments
    assert [(x.agency, x.role) for x in a] == [("县编办", "lead")] and a[0].party.jurisdiction is None
    assert any("jurisdiction" in w and "unresolved" in w for w in ex.warnings)


def test_deadlines_and_brackets_inside_labelled_values_keep_their_bodies():
    ms, _ = measures(
        "一、主要任务\n"
        "1.甲。(责任单位:区法制办(2018年底前完成))\n"
        "2.乙。(牵头单位:区编办 2017年底前完成)\n"
        "3.丙。(责任单位:各镇政府、街道办事处(每年12月前报送))\n"
        "4.丁。(责任单位:区农业技术指导站、区编办)\n"
        "5.戊。(由区法制办牵头,各镇、街道具体落实)\n"
        "6.己。(区法制办(区编办配合)负责)\n"
        "7.庚。(区编办牵头、区法制办、区财政局配合)\n")
    assert roles(ms[1]) == [("区法制办", "responsible")] and ms[1].deadline.date == "2018-12-31"
    assert roles(ms[2]) == [("区编办", "lead")] and ms[2].deadline.date == "2017-12-31"
    assert roles(ms[3]) == [("各镇政府", "responsible"), ("街道办事处", "responsible")]
    assert ms[3].deadline.precision == "recurring"
    assert roles(ms[4]) == [("区农业技术指导站", "responsible"), ("区编办", "responsible")]  # 指导 inside a name
    assert roles(ms[5]) == [("区法制办", "lead"), ("各镇、街道", "responsible")]
    assert sorted(roles(ms[6])) == [("区法制办", "responsible"), ("区编办", "cooperating")]
    assert roles(ms[7]) == [("区编办", "lead"), ("区法制办", "cooperating"), ("区财政局", "cooperating")]


def test_measures_of_two_styles_listed_sub_items_and_a_bracket_before_labelled_lines():
    _, ex = measures(
        "一、主要任务\n"
        "(一)推行权力清单制度。(区编办牵头,区直各有关部门负责)\n"
        "(二)推进政务公开。(区政府办公室负责,2017年底前完成)\n"
        "(三)加强组织保障\n1.建立考核制度。(区委组织部牵头)\n2.落实第一责任人制度。(区政府办公室负责)\n"
        "3.建立述法制度。(区司法局负责)\n"
        "(四)深化行政审批改革,具体包括:\n(1)梳理行政处罚事项;\n(2)公布权责清单。(区编办牵头,区法制办配合,2017年底前完成)\n"
        "(五)规范执法。(区发改局牵头)\n责任单位:各镇政府、街道办事处\n"
        "(六)实施XX工程(2017年)3. 完善配套制度。(区财政局负责)\n")
    got = [(m.number, m.text[:6]) for m in ex.measures]
    assert got == [(1, "推行权力清单"), (2, "推进政务公开"), (1, "建立考核制度"), (2, "落实第一责任"), (3, "建立述法制度"),
                   (4, "深化行政审批"), (5, "规范执法。"), (6, "实施XX工程")]
    listed = ex.measures[5]
    assert "梳理行政处罚事项" in listed.text and roles(listed) == [("区编办", "lead"), ("区法制办", "cooperating")]
    assert roles(ex.measures[6]) == [("区发改局", "lead"), ("各镇政府", "responsible"), ("街道办事处", "responsible")]
    assert ex.measures[6].text == "规范执法。"
    assert [m.section for m in ex.measures] == ["1", "1", "1.3", "1.3", "1.3", "1", "1", "1"]


def test_table_rows_with_an_empty_or_dotted_number_continue_the_measure_above():
    ex = extract_text("钦南区法治政府建设任务分工方案\n序号\t工作任务\t牵头单位\t完成时限\n"
                      "1\t深化审批改革\t区编办\t2017年底前\n\t公布责任清单\t区财政局\t\n"
                      "2\t推进政务公开\t区政府办公室\t2018年\n2.1\t公开财政预算\t区财政局\t\n", "t.txt")
    assert [(m.number, m.text) for m in ex.measures] == [(1, "深化审批改革;公布责任清单"), (2, "推进政务公开;公开财政预算")]
    assert roles(ex.measures[0]) == [("区编办", "lead"), ("区财政局", "lead")]
    assert ex.measures[1].deadline.date == "2018-12-31"  # a bare year in the 完成时限 column


def test_citation_kinds_and_issuers_before_yinfa_le():
    ex = extract_text(PLAN + "制定《吴忠市法治政府建设实施方案(2016-2020年)》和《吴忠市法治政府建设实施意见(2016-2020年)》。"
                      "中共中央办公厅、国务院办公厅印发了《法治政府建设与责任落实督察工作规定》。\n", "c.txt")
    targets = [c.target_title for c in ex.citations]
    assert targets[0] != targets[1]  # 实施方案 and 实施意见 are different documents
    assert ex.citations[2].issuer == "中共中央办公厅、国务院办公厅"


def test_report_plan_under_a_sub_heading_and_problems_being_fixed_are_achievements():
    ex = extract_text(
        "钦南区2017年法治政府建设情况报告\n一、2017年工作开展情况\n"
        "(一)加强组织领导。成立领导小组。同时,对检查中发现存在的问题及时督促整改。\n"
        "(二)推进行政复议。收到行政复议申请12件。\n(三)规范执法行为。开展执法检查。\n"
        "二、存在的问题和下一步工作打算\n(一)存在的问题\n1.执法队伍建设有待加强。\n"
        "(二)下一步工作打算\n1.加强执法队伍建设。\n2.完善规范性文件管理。\n", "r.txt")
    assert [s.kind for s in ex.report_sections] == ["achievements", "problems", "plan"]
    assert len(ex.activities) == 3
    assert [p.text for p in ex.planned_measures] == ["加强执法队伍建设。", "完善规范性文件管理。"]
