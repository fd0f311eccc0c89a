"""Citations as real pages write them (classes 7, 8 and 9 of ../shared/realworld/README.md):
nested titles, unclosed 《, titles across line breaks, self-citations after normalisation, and
文号 in any bracket style. Every text here is made up (青山省/青山市/青山县 are invented places);
the expected answers come from reading these texts."""

from __future__ import annotations

import pytest

from policykg import iris
from policykg.ingest import extract_text
from policykg.ingest.model import Citation, Extraction
from policykg.ingest.text import normalize_title

HEAD = "青山县法治政府建设工作方案\n"
PROVINCE_PLAN = "青山省法治政府建设实施方案(2021—2025年)"
NOTICE = "青山省人民政府关于印发〈青山省法治政府建设实施方案(2021—2025年)〉的通知"


def run(body: str, head: str = HEAD) -> Extraction:
    return extract_text(head + body, "t.txt")


def by_title(ex: Extraction) -> dict[str, Citation]:
    return {normalize_title(c.title): c for c in ex.citations}


def key(title: str) -> str:
    return normalize_title(title)


# ---- 7. nested titles ------------------------------------------------------------------------


@pytest.mark.parametrize("inner", ["〈{}〉", "<{}>", "《{}》", "\uff1c{}\uff1e"], ids=["angle", "ascii", "double", "full-width-angle"])
@pytest.mark.parametrize("width", ["half", "full"])
def test_a_transmittal_notice_is_cited_with_its_number_and_so_is_what_it_transmits(inner: str, width: str) -> None:
    notice = f"青山省人民政府关于印发{inner.format(PROVINCE_PLAN)}的通知"
    body = f"根据《{notice}》(青政发〔2021〕9号)精神,结合我县实际,制定本方案。\n"
    if width == "full":
        body = body.replace("(", "\uff08").replace(")", "\uff09").replace(",", "\uff0c")
    ex = run(body)
    got = by_title(ex)
    assert set(got) == {key(notice), key(PROVINCE_PLAN)}
    outer, transmitted = got[key(notice)], got[key(PROVINCE_PLAN)]
    assert outer.doc_number == "青政发〔2021〕9号" and outer.relation == "based_on"
    # lineage runs to the plan the notice carries; the notice's 文号 stays the notice's
    assert transmitted.relation == "based_on" and transmitted.doc_number is None
    assert transmitted.target != outer.target
    assert transmitted.target_title == "青山省法治政府建设实施方案(2021—2025年)"
    assert transmitted.issuer == "青山省人民政府"
    assert {d.iri for d in ex.cited_documents} >= {outer.target, transmitted.target}
    # both spans are evidence in the text: they start at the notice's 《 and hold the title
    for c in (outer, transmitted):
        assert ex.text[c.span.start:c.span.end] == c.span.quote and c.span.quote.startswith("《")


def test_the_document_a_notice_transmits_takes_the_verb_that_governs_the_notice() -> None:
    got = by_title(run("认真贯彻落实《青山市人民政府办公室关于转发〈青山省依法行政工作要点〉的通知》。\n"))
    assert got[key("青山省依法行政工作要点")].relation == "implements"
    assert got[key("青山市人民政府办公室关于转发〈青山省依法行政工作要点〉的通知")].relation == "implements"


def test_a_notice_carrying_two_documents_cites_both() -> None:
    got = by_title(run("根据《青山省人民政府办公厅关于印发〈青山省行政执法公示办法〉和〈青山省行政执法全过程记录办法〉的通知》精神。\n"))
    assert {t: c.relation for t, c in got.items() if not t.endswith("通知")} == {
        "青山省行政执法公示办法": "based_on", "青山省行政执法全过程记录办法": "based_on"}
    assert len(got) == 3


def test_a_transmittal_notice_without_inner_marks_is_cited_as_the_notice() -> None:
    """Without marks the text does not delimit the document the notice carries: the notice alone."""
    ex = run("依据《青山市人民政府关于印发青山市重大行政决策程序规定的通知》(青政发〔2020〕12号)。\n")
    assert [(c.title, c.doc_number, c.relation) for c in ex.citations] == [
        ("青山市人民政府关于印发青山市重大行政决策程序规定的通知", "青政发〔2020〕12号", "based_on")]


def test_a_transmitted_document_cited_again_directly_is_one_document() -> None:
    ex = run(f"根据《{NOTICE}》精神,制定本方案。\n对照《{PROVINCE_PLAN}》确定的目标任务,逐项落实。\n")
    plans = [c for c in ex.citations if c.normalized_title == key(PROVINCE_PLAN)]
    assert len({c.target for c in plans}) == 1
    assert {c.relation for c in plans} == {"based_on", "cites"}


def test_an_inner_closing_mark_put_after_the_notice_words_is_read_where_it_belongs() -> None:
    got = by_title(run("根据《青山县人民政府关于印发<青山县法治政府建设实施方案(2021—2025年)的通知>》精神。\n"))
    assert got[key("青山县法治政府建设实施方案(2021—2025年)")].relation == "based_on"
    assert len(got) == 2


def test_marks_inside_a_title_that_name_no_document_are_part_of_the_title() -> None:
    ex = run("执行《青山省〈行政执法证〉管理办法》和《青山市<诚信青山>建设规划》。\n")
    assert [c.title for c in ex.citations] == ["青山省〈行政执法证〉管理办法", "青山市<诚信青山>建设规划"]


def test_a_title_written_inside_doubled_marks_is_one_citation_of_that_title() -> None:
    ex = run("认真贯彻落实《《青山市法治政府建设实施方案》》。\n")
    assert [(c.title, c.relation) for c in ex.citations] == [("青山市法治政府建设实施方案", "implements")]


def test_a_title_naming_what_it_implements_names_it_as_cited_only() -> None:
    """《…关于贯彻落实〈X〉的实施意见》: the text names X, so X is cited, but only cited (lineage
    runs to the 实施意见, which implements X), without the 实施意见's 文号 or issuer; and once
    when the text cites X in its own right too."""
    ex = run("根据《青山市人民政府关于贯彻落实〈青山省依法行政工作要点〉的实施意见》(青政发〔2022〕4号),制定本方案。\n")
    assert [(c.title, c.doc_number, c.relation, c.issuer) for c in ex.citations] == [
        ("青山市人民政府关于贯彻落实〈青山省依法行政工作要点〉的实施意见", "青政发〔2022〕4号", "based_on", None),
        ("青山省依法行政工作要点", None, "cites", None)]
    both = run("根据《青山省依法行政工作要点》和《青山市人民政府关于贯彻落实〈青山省依法行政工作要点〉的实施意见》,制定本方案。\n")
    assert [(c.title, c.relation) for c in both.citations] == [
        ("青山省依法行政工作要点", "based_on"), ("青山市人民政府关于贯彻落实〈青山省依法行政工作要点〉的实施意见", "based_on")]


# ---- 8. unclosed 《 and titles across line breaks ------------------------------------------------


def test_a_title_whose_closing_mark_is_lost_before_the_next_title_is_still_a_title() -> None:
    ex = run("根据《法治政府建设实施纲要(2021—2025年)、《青山省法治政府建设实施方案》要求,制定本方案。\n")
    assert [(c.target_title, c.relation) for c in ex.citations] == [
        ("法治政府建设实施纲要(2021—2025年)", "based_on"), ("青山省法治政府建设实施方案", "based_on")]
    assert ex.citations[0].match == "registry"  # the central outline, not a node of its own
    assert ex.citations[0].span.quote == "《法治政府建设实施纲要(2021—2025年)"


def test_an_unclosed_title_at_the_end_of_its_clause_ends_where_the_title_ends() -> None:
    ex = run("贯彻落实《青山市法治政府建设实施方案(2021—2025年)精神,推进依法行政。\n"
             "学习《青山县依法行政工作要点要求,抓好落实。\n")
    assert [(c.title, c.relation) for c in ex.citations] == [
        ("青山市法治政府建设实施方案(2021—2025年)", "implements"), ("青山县依法行政工作要点", "cites")]


def test_an_unclosed_title_does_not_swallow_the_next_heading_or_sentence() -> None:
    ex = run("学习《青山省依法行政工作要点\n二、主要任务\n(一)落实《青山市法治政府建设实施方案》。\n"
             "开展《学习活动,提高依法行政能力。\n学习《青山市依法行政工作,提高能力。\n")
    assert [c.title for c in ex.citations] == ["青山省依法行政工作要点", "青山市法治政府建设实施方案"]


@pytest.mark.parametrize("newline", ["\n", "\r\n", " \n  ", "\u3000\r\n"], ids=["lf", "crlf", "spaces", "ideographic-space"])
def test_a_title_broken_over_lines_is_one_title_without_the_line_break(newline: str) -> None:
    ex = run(f"根据《青山市法治政府建设{newline}实施方案(2021—2025年)》{newline}(青政发〔2021〕3号)精神,制定本方案。\n")
    assert [(c.title, c.normalized_title, c.doc_number, c.relation) for c in ex.citations] == [
        ("青山市法治政府建设实施方案(2021—2025年)", "青山市法治政府建设实施方案(2021-2025年)", "青政发〔2021〕3号", "based_on")]
    assert ex.cited_documents[0].title == "青山市法治政府建设实施方案(2021—2025年)"
    assert "\n" not in ex.citations[0].target_title


def test_an_unclosed_title_before_a_blank_line_leaves_the_next_paragraphs_title_alone() -> None:
    ex = run("学习《青山省依法行政工作要点\r\n\r\n认真落实《青山市法治政府建设实施方案》。\r\n")
    assert [c.title for c in ex.citations] == ["青山省依法行政工作要点", "青山市法治政府建设实施方案"]


def test_a_nested_title_broken_over_lines_gives_both_titles() -> None:
    ex = run("根据《青山省人民政府关于印发〈青山省法治政府\n建设实施方案(2021—2025年)〉的通知》(青政发\n〔2021〕9号)精神。\n")
    got = by_title(ex)
    assert set(got) == {key(NOTICE), key(PROVINCE_PLAN)}
    assert got[key(NOTICE)].doc_number == "青政发〔2021〕9号"
    assert all("\n" not in c.title for c in ex.citations)


def test_titles_broken_over_lines_in_a_list_are_each_one_title() -> None:
    ex = run("按照《青山省法治政府建设实施方案》《青山市法治政府\n建设实施方案》和《青山县依法\n行政工作要点》要求。\n")
    assert [c.title for c in ex.citations] == ["青山省法治政府建设实施方案", "青山市法治政府建设实施方案", "青山县依法行政工作要点"]


# ---- 9. self-citations -------------------------------------------------------------------------


OWN = "青山县法治政府建设实施方案(2021—2025年)"


@pytest.mark.parametrize("head", [
    f"{OWN}\n",
    "青山县法治政府建设实施方案(2021-2025年)\n",  # full-width brackets and another dash
    f"《{OWN}》\n",  # a title line kept inside 《》
    f"《{OWN}》出台!\n",  # and with a news tail
    "青山县法治政府建设\n实施方案(2021—2025年)\n",  # a title over two lines
], ids=["plain", "full-width", "in-marks", "news-tail", "two-lines"])
def test_a_document_citing_its_own_title_in_any_writing_does_not_cite_itself(head: str) -> None:
    ex = run("为贯彻落实《青山省法治政府建设实施方案》,结合我县实际,制定《青山县法治政府建设实施方案(2021-2025年)》。\n"
             "现将《青山县法治政府\n建设实施方案(2021—2025年)》印发给你们。\n", head=head)
    assert ex.normalized_title == key(OWN)
    assert [c.title for c in ex.citations] == ["青山省法治政府建设实施方案"]
    assert ex.iri not in {d.iri for d in ex.cited_documents}


def test_this_documents_short_name_is_the_document_itself_not_a_document_cited_before() -> None:
    ex = run("根据《青山省法治政府建设实施方案》,结合实际,制定本方案。本《方案》自印发之日起施行,"
             "以往规定与本《方案》不一致的,以本《方案》为准。\n")
    assert [c.title for c in ex.citations] == ["青山省法治政府建设实施方案"]


def test_a_title_of_another_place_of_another_level_is_not_the_same_document() -> None:
    # 青山县… and 青山省… differ in one character, which names another government
    ex = run("根据《青山省法治政府建设实施方案》,制定《青山县依法行政工作方案》。\n落实《青山市依法行政工作方案》。\n", head="青山县法治工作要点\n")
    assert [c.target_title for c in ex.citations] == ["青山省法治政府建设实施方案", "青山县依法行政工作方案", "青山市依法行政工作方案"]
    assert len({c.target for c in ex.citations}) == 3


def test_the_same_title_with_another_number_is_another_document() -> None:
    head = "关于加快推进法治政府建设的实施意见\n青县发〔2016〕3号\n"
    ex = run("根据省委、省政府《关于加快推进法治政府建设的实施意见》(青发【2015】8号)精神,提出如下实施意见。\n", head=head)
    assert [(c.title, c.doc_number) for c in ex.citations] == [("关于加快推进法治政府建设的实施意见", "青发〔2015〕8号")]
    assert ex.citations[0].target != ex.iri and ex.doc_number == "青县发〔2016〕3号"



def test_a_news_tail_without_marks_is_not_part_of_the_documents_own_title() -> None:
    ex = run(f"制定《{OWN}》。\n", head=f"{OWN}出台!\n")
    assert ex.normalized_title == key(OWN) and ex.citations == []



def test_a_transmittal_title_with_angle_marks_is_the_title_it_transmits() -> None:
    ex = run(f"现将《{OWN}》印发给你们。\n", head=f"青山县人民政府关于印发〈{OWN}〉的通知\n")
    assert ex.normalized_title == key(OWN) and ex.citations == []


# ---- 文号 after a citation, in any bracket ---------------------------------------------------------


@pytest.mark.parametrize("written", [
    "(青政办发〔2022〕7号)", "(青政办发[2022]7号)", "(青政办发(2022)7号)", "(青政办发﹝2022﹞7号)", "(青政办发【2022】7号)",
    "\uff08青政办发〔2022〕7号\uff09", "\uff08青政办发\uff3b2022\uff3d7号\uff09", "\uff08青政办发\uff082022\uff097号\uff09",
    "\uff08青政办发﹝2022﹞7号\uff09", "[青政办发〔2022〕7号]", "【青政办发〔2022〕7号】", "〔青政办发(2022)7号〕", "﹝青政办发〔2022〕7号﹞",
    "( 青政办发 〔2022〕 7 号 )", "(青政办发〔2022〕7号,以下简称《要点》)", "(青政办发〔2022〕07号)",
])
def test_a_number_after_a_citation_in_any_bracket_is_its_wenhao(written: str) -> None:
    ex = run(f"根据《青山市依法行政工作要点》{written}精神,制定本方案。\n")
    assert [(c.title, c.doc_number) for c in ex.citations] == [("青山市依法行政工作要点", "青政办发〔2022〕7号")]


@pytest.mark.parametrize("written", ["(2021年修订)", "(试行)", "[2022年版]", "(以下简称《要点》)", "(2022)"])
def test_a_bracket_after_a_citation_that_holds_no_number_gives_none(written: str) -> None:
    ex = run(f"根据《青山市依法行政工作要点》{written}精神,制定本方案。\n")
    assert [c.doc_number for c in ex.citations] == [None]


def test_ids_stay_title_keys_for_documents_outside_the_registry() -> None:
    ex = run("根据《青山市依法行政工作要点》(青政办发〔2022〕7号)精神。\n")
    assert ex.citations[0].target == iris.document(iris.title_key(key("青山市依法行政工作要点")))


def test_a_body_or_a_newspaper_in_title_marks_is_not_a_document() -> None:
    ex = run("5月9日成立了《青山县复议咨询委员会》并下发了咨询委员会《工作规则》,《青山日报》刊发专版。\n")
    assert [c.title for c in ex.citations] == ["工作规则"]


def test_newspapers_of_any_kind_are_not_documents() -> None:
    ex = run("在《青山时报》《青山法治报》开设专栏,转发《青山县人民政府关于全面推行行政执法公示制度的通报》。\n")
    assert [c.title for c in ex.citations] == ["青山县人民政府关于全面推行行政执法公示制度的通报"]
