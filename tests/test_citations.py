"""Citations in the forms plans and reports write them; expected targets from reading the text."""

from __future__ import annotations

from policykg.ingest import extract_text
from policykg.ingest.deadlines import parse_deadline

HEAD = "钦州市钦南区法治政府建设实施方案(2016—2020年)\n"


def cites(body: str):
    ex = extract_text(HEAD + body, "t.txt")
    return [(c.title, c.target_title, c.relation, c.doc_number, c.issuer, c.match) for c in ex.citations], ex


def test_number_issuer_alias_definition_and_later_alias():
    got, _ = cites("根据中共中央、国务院《法治政府建设实施纲要(2015—2020年)》(中发〔2015〕36号,以下简称《纲要》)和"
                   "《广西壮族自治区法治政府建设实施方案(2016—2020年)》精神,制定本方案。\n认真落实《纲要》各项要求。\n")
    outline = "法治政府建设实施纲要(2015—2020年)"
    assert got[0] == ("法治政府建设实施纲要(2015—2020年)", outline, "based_on", "中发〔2015〕36号", "中共中央、国务院", "registry")
    # the 以下简称 definition is not a citation of its own; 和 carries 根据 over the parenthesis
    assert got[1][1:3] == ("广西壮族自治区法治政府建设实施方案(2016—2020年)", "based_on")
    assert got[2][:3] == ("纲要", outline, "implements") and got[2][5] == "alias"
    assert len(got) == 3


def test_nested_titles_in_angle_brackets_and_in_double_title_marks():
    got, _ = cites("执行《钦州市人民政府关于贯彻落实〈社会信用体系建设规划纲要(2014—2020年)〉的实施意见》(钦政发〔2015〕50号)。\n"
                   "印发《关于贯彻落实《法治政府建设实施纲要》的意见》。\n")
    assert got[0][0] == "钦州市人民政府关于贯彻落实〈社会信用体系建设规划纲要(2014—2020年)〉的实施意见"
    assert got[0][3] == "钦政发〔2015〕50号"
    assert got[1][0] == "社会信用体系建设规划纲要(2014—2020年)"  # named inside it: cited as well
    assert got[2][0] == "关于贯彻落实《法治政府建设实施纲要》的意见"  # doubled 《》 inside: one title
    assert got[3][0] == "法治政府建设实施纲要" and len(got) == 4  # the title inside it, as written


def test_new_outline_is_the_2021_outline_and_a_wrong_period_is_corrected():
    got, ex = cites("深入学习新《纲要》。\n贯彻落实《法治政府建设实施纲要(2016—2020年)》。\n")
    assert got[0][1] == "法治政府建设实施纲要(2021—2025年)"
    corrected = ex.citations[1]
    assert corrected.target_title == "法治政府建设实施纲要(2015—2020年)"
    assert corrected.corrected and corrected.confidence < 1.0 and "2016—2020" in corrected.correction_note


def test_short_law_names_resolve_to_the_registry():
    got, _ = cites("严格执行《立法法》《行政复议法》和《中华人民共和国政府信息公开条例》。\n")
    assert [g[1] for g in got] == ["中华人民共和国立法法", "中华人民共和国行政复议法", "中华人民共和国政府信息公开条例"]


def test_a_slightly_different_title_of_a_document_cited_before_is_the_same_document():
    got, ex = cites("制定《吴忠市重大行政决策程序规定》。\n做好《吴忠市重大决策程序规定》的贯彻落实。\n")
    assert got[1][1] == "吴忠市重大行政决策程序规定" and got[1][5] == "fuzzy"
    assert 0.9 <= ex.citations[1].confidence < 1.0
    # a different place is a different document, however similar the rest of the title
    got, _ = cites("落实《钦州市钦南区法治政府建设实施方案(2016—2020年)》。\n根据《钦州市法治政府建设实施方案(2016—2020年)》。\n")
    assert got[-1][1] == "钦州市法治政府建设实施方案(2016—2020年)"


def test_issuer_prefixed_short_title_refers_to_the_full_title_cited_before():
    got, _ = cites("根据《淄博市人民政府办公厅关于加强行政执法监督工作的意见》(淄政办字[2017]5号)精神。\n"
                   "按照市政府办公厅《关于加强行政执法监督工作的意见》要求。\n")
    assert got[1][1] == "淄博市人民政府办公厅关于加强行政执法监督工作的意见" and got[1][5] == "issuer-prefix"


def test_deadlines_with_their_precision():
    cases = {
        "2017年底前完成": ("2017-12-31", "year"),
        "2018年6月底前": ("2018-06-30", "month"),
        "2019年年底前": ("2019-12-31", "year"),
        "2019年上半年": ("2019-06-30", "half-year"),
        "每年12月前": (None, "recurring"),
        "长期坚持": (None, "ongoing"),
        "持续推进": (None, "ongoing"),
        "2018年6月30日前": ("2018-06-30", "day"),
        "2018年3月底": ("2018-03-31", "month"),
        "2019年第二季度": ("2019-06-30", "quarter"),
        "2017年内完成": ("2017-12-31", "year"),
        "每年年底前": (None, "recurring"),
    }
    for text, expected in cases.items():
        d = parse_deadline(text)
        assert (d.date, d.precision) == expected, text
    assert parse_deadline("区法制办牵头") is None


def test_starts_and_ranges_are_not_deadlines_and_deadline_fields_take_bare_dates():
    assert parse_deadline("2018年3月启动") is None
    assert parse_deadline("2017年以来") is None
    assert (parse_deadline("自2018年1月起每月报送").precision) == "recurring"
    assert parse_deadline("2019年3月至2020年12月").date == "2020-12-31"
    assert parse_deadline("2019年") is None
    assert parse_deadline("2019年", field=True).date == "2019-12-31"
    assert parse_deadline("2018年3月", field=True).date == "2018-03-31"
