"""Roles written as sentences, task tables with ``|`` between cells, deadlines written in the
measure's text, and the labels of collectives and of a ministry's own units. The plans are
written for these tests about invented places (青山县, 青山市) or real ones (长沙市岳麓区, 交通运输部);
the expected values are what the texts say, read by hand."""

from __future__ import annotations

import pytest

from policykg.ingest import extract, extract_text
from policykg.ingest.obligations import body_name, role_clause
from policykg.ingest.sources import reflow_hard_wraps
from tests.plan_texts import by_number, deadline, extract as parse, roles


def party(m, agency):
    return next(a.party for a in m.assignments if a.agency == agency)


# --- roles written as sentences ----------------------------------------------------------------

SENTENCES = (
    "青山县2023年法治政府建设工作要点\n"
    "一、主要任务\n"
    "1.完善重大行政决策机制。编制年度决策事项目录,由县司法局牵头,县政府办公室、县直各部门配合,6月底前完成。\n"
    "2.推进行政复议体制改革。县司法局会同县信访局负责,每年12月底前通报一次办理情况。\n"
    "3.加强行政执法监督。县纪委监委机关会同县司法局负责,开展行政执法专项检查。\n"
    "4.深化综合执法改革。梳理综合执法事项。县委编办会同县司法局负责,2023年第三季度完成。\n"
    "5.加强领导干部学法用法。由县委组织部牵头,县司法局、县委党校配合,举办专题培训班不少于2期。\n"
    "6.全面落实行政执法责任制,由县司法局牵头,县直各行政执法部门配合,2023年9月底前完成执法人员清理。\n"
    "7.推进政务公开。县政府办负责,县数据局配合。\n"
)


@pytest.mark.parametrize("full_width", [False, True])
def test_role_clauses_are_read_wherever_they_stand_in_the_measure(full_width):
    ms = by_number(parse(SENTENCES, full_width))
    assert sorted(ms) == [1, 2, 3, 4, 5, 6, 7]
    # lead + cooperating + a deadline clause in the same sentence (without its year: an annual plan's)
    assert roles(ms[1]) == [("县司法局", "lead"), ("县政府办公室", "cooperating"), ("县直各部门", "cooperating")]
    assert ms[1].assignments[2].collective
    assert deadline(ms[1]) == ("2023-06-30", "month")
    # 会同…负责, then a recurring deadline that opens a task clause
    assert roles(ms[2]) == [("县司法局", "responsible"), ("县信访局", "cooperating")]
    assert deadline(ms[2]) == (None, "recurring")
    # a purpose clause after the roles, no deadline
    assert roles(ms[3]) == [("县纪委监委机关", "responsible"), ("县司法局", "cooperating")]
    assert ms[3].deadline is None
    assert roles(ms[4]) == [("县委编办", "responsible"), ("县司法局", "cooperating")]
    assert deadline(ms[4]) == ("2023-09-30", "quarter")
    assert roles(ms[5]) == [("县委组织部", "lead"), ("县司法局", "cooperating"), ("县委党校", "cooperating")]
    # the sentence starts with the task
    assert roles(ms[6]) == [("县司法局", "lead"), ("县直各行政执法部门", "cooperating")]
    assert deadline(ms[6]) == ("2023-09-30", "month")
    assert roles(ms[7]) == [("县政府办", "responsible"), ("县数据局", "cooperating")]


def test_a_closing_sentence_of_roles_is_cut_from_the_text_and_a_sentence_with_a_task_is_not():
    ms = by_number(parse(SENTENCES))
    assert ms[4].text == "深化综合执法改革。梳理综合执法事项。"  # roles and a deadline only: not the task's text
    assert ms[7].text == "推进政务公开。"
    assert ms[2].text.endswith("每年12月底前通报一次办理情况。")  # 通报 is a task: the sentence stays
    assert ms[5].text.endswith("举办专题培训班不少于2期。")
    assert ms[6].text.startswith("全面落实行政执法责任制,由县司法局牵头")


def test_role_sentences_with_a_line_break_inside_a_role_word_and_a_name():
    ex = parse(
        "长沙市岳麓区法治政府建设实施方案\n"
        "一、主要任务\n"
        "1.健全依法决策机制。严格落实重大行政决策程序,制定年度决策事项目录。由区司法局牵头,区政府办公室、区直各部门配\n"
        "合,2022年6月底前完成。\n"
        "2.加强基层法治建设。由区司法局牵头,各街道办事处、各镇人民政\n府负责,推进法治乡村建设,2022年12月底前完成。\n")
    ms = by_number(ex)
    assert roles(ms[1]) == [("区司法局", "lead"), ("区政府办公室", "cooperating"), ("区直各部门", "cooperating")]
    assert deadline(ms[1]) == ("2022-06-30", "month")
    assert roles(ms[2]) == [("区司法局", "lead"), ("各街道办事处", "responsible"), ("各镇人民政府", "responsible")]
    assert deadline(ms[2]) == ("2022-12-31", "month")
    assert ms[2].assignments[2].span.quote == "各镇人民政\n府"
    assert party(ms[1], "区司法局").label == "岳麓区司法局"


def test_prose_that_mentions_bodies_or_role_words_is_no_assignment():
    ms = by_number(parse(
        "青山市法治政府建设实施方案(2021—2025年)\n一、主要任务\n"
        "1.加强法治宣传。各部门要积极配合,形成工作合力。\n"
        "2.加强组织领导。各级政府主要负责人负责,要加强与有关部门的配合。\n"
        "3.压实工作责任。实行政府负责、部门协同的工作机制。\n"
        "4.健全联席会议制度。建立由市司法局牵头的联席会议制度,定期会商。\n"
        "5.推进依法行政。市司法局要牵头做好统筹协调。\n"))
    assert all(m.assignments == [] for m in ms.values()), {n: roles(m) for n, m in ms.items()}
    assert ms[1].text == "加强法治宣传。各部门要积极配合,形成工作合力。"


@pytest.mark.parametrize(("clause", "expected"), [
    ("由区司法局牵头", True),
    ("区委编办会同区司法局负责", True),
    ("区政府办公室、区直各部门配\n合", True),
    ("各乡镇(街道)负责", True),
    ("县公安局、县市场监管局等县直有关执法部门配合", True),
    ("区工商局牵头、区地税局等有关部门按职责分别负责", True),
    ("各部门要积极配合", False),
    ("各级政府主要负责人负责", False),
    ("要加强与有关部门的配合", False),
    ("实行政府负责", False),
    ("党委领导、政府负责", False),
    ("县司法局落实", False),  # 落实 alone is too common in prose to assign
])
def test_role_clause(clause, expected):
    assert role_clause(clause) is expected


@pytest.mark.parametrize(("name", "expected"), [
    ("区司法局", True), ("长沙市岳麓区人民政府办公室", True), ("法规司", True), ("各街镇", True),
    ("州级各部门", True), ("县政府", True),
    ("政府", False), ("实行政府", False), ("推进城市管理局", False), ("各部门要积极", False), ("1.由区司法局", False),
])
def test_body_name(name, expected):
    assert body_name(name) is expected


# --- deadlines written in the measure's text ------------------------------------------------------


def test_deadlines_outside_brackets_and_after_a_labelled_field():
    ms = by_number(parse(
        "青山县2023年法治政府建设工作要点\n一、主要任务\n"
        "1.推进基层合法性审核全覆盖,2023年10月底前完成。(责任单位:县司法局)\n"
        "2.推进基层合法性审核全覆盖,2023年10月底前完成。\n"
        "3.深化综合执法改革。(责任单位:县综合执法局、县市场监管局;每年12月底前)\n"
        "4.推进政务公开。(责任单位:县政府办、县数据局;2023年11月底前完成)\n"
        "5.加强执法监督。(责任单位:县司法局;完成时限:2023年第二季度)\n"
        "6.编制权责清单。由县委编办牵头,县直各部门配合。(2023年8月底前)\n"
        "7.加强法治宣传。2022年起每年开展一次普法考试。(县司法局负责)\n"
        "8.编制权责清单。(县委编办牵头,县直各部门配合)9月底前完成。\n"))
    assert deadline(ms[1]) == ("2023-10-31", "month") and roles(ms[1]) == [("县司法局", "responsible")]
    assert ms[1].deadline.span.quote == "2023年10月底前完成"
    assert deadline(ms[2]) == ("2023-10-31", "month") and ms[2].assignments == []
    assert deadline(ms[3]) == (None, "recurring")
    assert roles(ms[3]) == [("县综合执法局", "responsible"), ("县市场监管局", "responsible")]
    assert deadline(ms[4]) == ("2023-11-30", "month")
    assert ms[4].deadline.span.quote == "2023年11月底前完成"
    assert deadline(ms[5]) == ("2023-06-30", "quarter")
    assert roles(ms[6]) == [("县委编办", "lead"), ("县直各部门", "cooperating")]
    assert deadline(ms[6]) == ("2023-08-31", "month")
    assert ms[7].deadline is None  # 2022年起 is a start, not a deadline
    # an annual plan's deadline without its year, after the obligation bracket
    assert roles(ms[8]) == [("县委编办", "lead"), ("县直各部门", "cooperating")]
    assert deadline(ms[8]) == ("2023-09-30", "month") and ms[8].text == "编制权责清单。"


def test_an_obligation_bracket_followed_by_its_deadline_is_the_measures():
    ms = by_number(parse(
        "青山县法治政府建设实施方案\n一、主要任务\n"
        "1.健全依法决策机制。落实重大行政决策程序,2023年6月底前完成。\n"
        "2.推进机构职能优化。动态调整县级权责清单。(县委编办牵头,县直各部门配合)2023年9月底前完成。\n"
        "3.深化放管服改革。压减办理时限。(由县政务服务中心牵头,县直各部门配合,2023年底前完成)\n"))
    assert sorted(ms) == [1, 2, 3]  # not folded into 一、主要任务 as its listed sub-items
    assert deadline(ms[1]) == ("2023-06-30", "month") and ms[1].assignments == []
    assert roles(ms[2]) == [("县委编办", "lead"), ("县直各部门", "cooperating")]
    assert deadline(ms[2]) == ("2023-09-30", "month") and ms[2].deadline.span.quote == "2023年9月底前完成"
    assert ms[2].text == "推进机构职能优化。动态调整县级权责清单。"
    assert roles(ms[3]) == [("县政务服务中心", "lead"), ("县直各部门", "cooperating")]


def test_an_ongoing_phrase_opening_a_task_clause_is_no_deadline():
    ms = by_number(parse(
        "青山市法治政府建设实施方案(2021—2025年)\n一、主要任务\n"
        "1.加强普法。由市司法局牵头,持续推进法治宣传进社区。\n"
        "2.加强普法。由市司法局牵头,长期坚持。\n"))
    assert ms[1].deadline is None and roles(ms[1]) == [("市司法局", "lead")]
    assert deadline(ms[2]) == (None, "ongoing")


# --- task tables with | between cells ----------------------------------------------------------------

PIPES = (
    "首页 | 政务公开 | 政策文件\n"
    "青山县2023年法治政府建设任务分工方案\n"
    "为推进法治政府建设,制定本方案。\n"
    "序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时间\n"
    "1 | 编制县级权责清单 | 县委编办 | 县司法局、县直各部门 | 2023年6月底前\n"
    "2 | 开展执法案卷评查 | 县司法局 | 县市场监管局 | 2023年第三季度\n"
    "联系人:张三 | 电话:0000-1234567\n"
)


def _table_rows(ex):
    return [(m.number, m.text, roles(m), deadline(m)) for m in ex.measures]


EXPECTED_ROWS = [
    (1, "编制县级权责清单", [("县委编办", "lead"), ("县司法局", "cooperating"), ("县直各部门", "cooperating")], ("2023-06-30", "month")),
    (2, "开展执法案卷评查", [("县司法局", "lead"), ("县市场监管局", "cooperating")], ("2023-09-30", "quarter")),
]


def test_a_task_table_with_pipes_between_cells_reads_as_one_with_tabs():
    assert _table_rows(parse(PIPES)) == EXPECTED_ROWS
    assert _table_rows(parse(PIPES.replace(" | ", "\t"))) == EXPECTED_ROWS


def test_full_width_pipes_and_a_markdown_table():
    assert _table_rows(parse(PIPES.replace(" | ", "｜"))) == EXPECTED_ROWS
    markdown = "\n".join(f"| {line} |" if " | " in line and not line.startswith(("首页", "联系人")) else line
                         for line in PIPES.split("\n"))
    markdown = markdown.replace("完成时间 |\n", "完成时间 |\n|---|---|---|---|---|\n")
    assert _table_rows(parse(markdown)) == EXPECTED_ROWS


def test_the_cells_spans_quote_the_source():
    ex = parse(PIPES)
    a = ex.measures[0].assignments[1]
    assert a.span.quote == "县司法局"
    assert ex.measures[0].deadline.span.quote == "2023年6月底前"


def test_lines_with_pipes_outside_a_task_table_are_left_alone():
    ex = parse(
        "首页 | 政务公开 | 政策文件\n"
        "青山县法治政府建设实施方案\n一、主要任务\n"
        "1.推进政务公开 | 完善公开目录。(县政府办负责)\n"
        "2.加强执法监督。(县司法局负责 | 2023年底前完成)\n")
    ms = by_number(ex)
    assert sorted(ms) == [1, 2]
    assert ms[1].text == "推进政务公开 | 完善公开目录。"
    assert roles(ms[1]) == [("县政府办", "responsible")]


def test_hard_wrapped_text_keeps_pipe_rows_apart():
    wrapped = (
        "青山县法治政府建设任务分工方案。为推进法治政府建设，结合本县实际，制定本方\n"
        "案，请各单位认真贯彻落实，确保各项任务按时完成，并及时报送工作进展情况和\n"
        "存在的问题，切实把各项工作落到实处，推动全县法治政府建设取得新成效，以上\n"
        "序号 | 重点任务 | 牵头单位 | 完成时间\n"
        "1 | 编制县级权责清单 | 县委编办 | 2023年6月底前\n")
    out = reflow_hard_wraps(wrapped).strip().split("\n")
    assert len(out) == 3  # the paragraph is joined back into one line
    assert out[-2:] == ["序号 | 重点任务 | 牵头单位 | 完成时间", "1 | 编制县级权责清单 | 县委编办 | 2023年6月底前"]


# --- labels of collectives, branch offices and a ministry's own units --------------------------------


def test_collective_labels_without_a_doubled_each_and_without_deng():
    ms = by_number(parse(
        "青山县2012年依法行政工作要点\n一、主要任务\n"
        "(一)加强规范性文件管理。(县法制办牵头,县政府各部门配合;2012年第三季度)\n"
        "(二)规范行政执法行为。(县法制办牵头,县公安局、县环保局等县直有关执法部门负责)\n"
        "(三)推行行政执法公示。(县法制办牵头,县公安局等有关部门负责)\n"
        "(四)推进包容审慎监管。(县司法局、县交通运输局等行政执法部门负责)\n", ))
    each = party(ms[1], "县政府各部门")
    assert each.collective and "各政府各" not in each.label and each.label.endswith("县政府各部门")
    assert roles(ms[2]) == [("县法制办", "lead"), ("县公安局", "responsible"), ("县环保局", "responsible"),
                            ("县直有关执法部门", "responsible")]
    assert ms[2].assignments[-1].collective and ms[2].assignments[-1].span.quote == "县直有关执法部门"
    # the stock 等有关部门 keeps its 等, as the seeds have it
    assert roles(ms[3])[-1] == ("等有关部门", "responsible") and ms[3].assignments[-1].collective
    assert roles(ms[4])[-1] == ("行政执法部门", "responsible") and ms[4].assignments[-1].collective


def test_collective_labels_in_a_known_district():
    m = parse(
        "长沙市岳麓区法治政府建设实施方案\n一、主要任务\n"
        "1.规范行政执法行为。(区司法局牵头,区应急管理局、市生态环境局岳麓分局等区直有关执法部门负责)\n"
        "2.推进政务公开。(区政府办公室牵头,区政府各部门负责)\n").measures
    assert party(m[0], "区直有关执法部门").label == "岳麓区各有关执法部门"
    assert party(m[1], "区政府各部门").label == "岳麓区政府各部门"
    branch = party(m[0], "市生态环境局岳麓分局")
    assert branch.full_name == "长沙市生态环境局岳麓分局" and branch.kind == "branch-office"


MINISTRY = (
    "交通运输部办公厅关于印发《交通运输部2023年法治政府建设工作要点》的通知\n"
    "部机关各司局,部直属各单位:\n"
    "现将《交通运输部2023年法治政府建设工作要点》印发给你们,请认真贯彻落实。\n"
    "交通运输部2023年法治政府建设工作要点\n"
    "(一)推进交通运输重点领域立法。(法制司牵头,各司局配合;2023年第三季度前)\n"
    "(二)加强综合执法队伍建设。由人事教育司会同法制司负责,规范执法证件管理,2023年10月底前完成。\n"
    "(三)加强法治政府建设考核评价。(法制司牵头,部直属各单位、相关司局配合;每年12月底前)\n"
    "(四)做好行政复议工作。(法制司负责,国家铁路局、财政部配合)\n"
)


def test_a_ministrys_own_units_are_its_units():
    ms = by_number(parse(MINISTRY))
    assert party(ms[1], "法制司").label == "交通运输部法制司"
    assert party(ms[1], "各司局").label == "交通运输部各司局" and party(ms[1], "各司局").collective
    assert roles(ms[2]) == [("人事教育司", "responsible"), ("法制司", "cooperating")]
    assert party(ms[2], "人事教育司").full_name == "交通运输部人事教育司"
    assert deadline(ms[2]) == ("2023-10-31", "month")
    assert party(ms[3], "部直属各单位").label == "交通运输部直属各单位"
    assert party(ms[3], "相关司局").collective
    # other national bodies spelt out are not the ministry's units
    assert "交通运输部" not in party(ms[4], "国家铁路局").label
    assert "交通运输部" not in party(ms[4], "财政部").label
    assert party(ms[1], "法制司").iri == party(ms[4], "法制司").iri


def test_the_same_table_read_from_a_file(tmp_path):
    path = tmp_path / "青山县分工方案.txt"
    path.write_text(PIPES, encoding="utf-8")
    assert _table_rows(extract(path)) == EXPECTED_ROWS


def test_a_measures_cells_one_a_line_are_not_a_signature():

    ex = extract_text("钦州市法治政府建设工作要点\n一、主要任务\n1.完善行政决策程序。\n牵头单位:\n市司法局\n2022年12月31日\n"
                      "2.规范行政执法。(市司法局牵头)\n", "cells.txt")
    assert [(a.agency, a.role) for a in ex.measures[0].assignments] == [("市司法局", "lead")]
    assert [m.number for m in ex.measures] == [1, 2]
