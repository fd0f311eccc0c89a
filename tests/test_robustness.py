"""Robustness as a property (issue 11): every seed and layout fixture, taken through what a crawl
does to a page (``tests/crawl.py``), keeps what extraction found in it unmodified — all of it under
the lossless transformations, at least 95% under the others — in each category: measures,
assignments (measure, agency IRI, role), citation targets, deadlines per measure."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from policykg.ingest import extract_text
from policykg.ingest.sources import reflow_hard_wraps
from tests import crawl

SHOWN = 12  # lost keys listed per document and category
def _cases() -> list[object]:
    return list(crawl.TRANSFORMATIONS)


@pytest.fixture(scope="module")
def originals() -> dict[str, crawl.Facts]:
    return crawl.original_facts()


@pytest.mark.parametrize("transformation", _cases(), ids=lambda t: t.name)
def test_extraction_keeps_what_it_found(transformation: crawl.Transformation, originals: dict[str, crawl.Facts]) -> None:
    floor = crawl.LOSSLESS_FLOOR if transformation.lossless else crawl.LOSSY_FLOOR
    result, failed = crawl.kept(transformation, originals, crawl.documents())
    short = {c: k for c, k in result.items() if k.ratio < floor or (transformation.lossless and k.lost)}
    lines = [f"{name}: rejected ({reason})" for name, reason in failed.items()]
    for category, k in short.items():
        lines.append(f"{category}: kept {k.kept}/{k.total} = {k.ratio:.3f} < {floor}; lost:")
        for doc, missing in k.lost.items():
            more = f" … and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
            lines.append(f"  {doc}: {missing[:SHOWN]}{more}")
    assert not lines, f"{transformation.name} ({transformation.why}):\n" + "\n".join(lines)


def test_crlf_text_given_to_extract_text_keeps_everything() -> None:
    """The same without the file: ``extract_text`` on a CRLF text (a caller that read it itself)."""
    for doc in crawl.documents():
        want = crawl.facts(extract_text(doc.text, f"{doc.name}.txt"))
        got = crawl.facts(extract_text(doc.text.replace("\n", "\r\n"), f"{doc.name}.txt"))
        for category in crawl.CATEGORIES:
            lost = [want[category][k] for k in want[category].keys() - got[category].keys()]
            assert not lost, (doc.name, category, lost)


def test_the_unmodified_documents_have_something_to_lose(originals: dict[str, crawl.Facts]) -> None:
    totals = {c: sum(len(f[c]) for f in originals.values()) for c in crawl.CATEGORIES}
    assert totals["measures"] >= 150 and totals["assignments"] >= 500, totals
    assert totals["citations"] >= 100 and totals["deadlines"] >= 140, totals
    assert all(f["citations"] for f in originals.values()), "every document cites something"


@pytest.mark.parametrize("transformation", crawl.TRANSFORMATIONS, ids=lambda t: t.name)
def test_each_transformation_changes_the_documents_and_is_repeatable(transformation: crawl.Transformation) -> None:
    applied = 0
    for doc in crawl.documents():
        data = transformation.apply(doc)
        if data is None:
            continue
        applied += 1
        assert data == transformation.apply(doc), f"{transformation.name} is not deterministic on {doc.name}"
        if transformation.name != "half-width":  # most sources are half-width already
            assert data != doc.text.encode("utf-8"), f"{transformation.name} left {doc.name} unchanged"
    assert applied >= len(crawl.documents()) - 1  # only a document without a title line escapes no-title


def test_no_title_removes_every_title_line() -> None:
    for doc in crawl.documents():
        if doc.title is None:
            continue
        text = crawl.without_title(doc, random.Random(0))
        assert text is not None and text.count("\n") < doc.text.count("\n"), doc.name
        assert not any(crawl.is_title(ln.strip(), doc.title) for ln in text.split("\n") if ln.strip())


def test_hard_wraps_are_25_to_40_wide_and_break_inside_names_and_titles() -> None:
    widths, broken_titles = set(), 0
    for doc in crawl.documents():
        text = crawl.hard_wraps(doc, random.Random(f"hard-wraps/{doc.name}"))
        rows = [ln for ln in text.split("\n") if ln and "\t" not in ln]
        columns = max(crawl.width(ln) for ln in rows)
        assert 24.5 <= columns <= 40, (doc.name, columns)
        widths.add(columns)
        broken_titles += sum(1 for ln in rows if ln.count("《") > ln.count("》"))
    assert len(widths) >= 4 and broken_titles >= 20, (widths, broken_titles)


def test_traditional_round_trip() -> None:
    """Why Traditional without glosses is declared lossless: OpenCC's t2s gives back every
    character s2t changed in these documents, so any loss is the extractor's."""
    import opencc

    t2s = opencc.OpenCC("t2s")
    for doc in crawl.documents():
        converted = crawl.traditional(doc, random.Random(0))
        assert converted != doc.text and t2s.convert(converted) == doc.text, doc.name


def test_glosses_are_toned_pinyin_after_han_characters() -> None:
    doc = crawl.documents()[-1]
    text = crawl.traditional_glossed(doc, random.Random(0))
    glosses = re.findall(r"(?<=[\u4e00-\u9fff])[((]([a-zü\u0300-\u036f ]+)[))]", unicodedata.normalize("NFD", text))
    han = sum(1 for ch in doc.text if "\u4e00" <= ch <= "\u9fff")
    assert han * crawl.GLOSS_RATE / 2 < len(glosses) < han * crawl.GLOSS_RATE * 2


# --- the re-flow the property needs (ingest/sources.py), on made-up text -----------------------


def test_a_text_with_a_paragraph_a_line_is_left_alone() -> None:
    for doc in crawl.documents():
        assert reflow_hard_wraps(doc.text) == doc.text, doc.name


def test_reflow_of_a_hard_wrapped_plan() -> None:
    wrapped = (
        "钦州市钦北区法治政府建设实施方案(2016—2020年)\n"  # fills the line, yet a complete title
        "为深入推进依法行政,结合我区实际,制定本实施方案\n"
        "。\n"
        "一、主要任务\n"
        "1.推进机构、职能、权限、程序、责任法定化,建立统\n"
        "一、规范、高效的行政审批制度。(区编办牵头,区直各\n"  # 一、 cannot be part 一 again
        "有关部门配合,2017年底前完成)\n"
        "2.严格执行《广西壮族自治区重大行政决策程序规定》。\n"
        "(区法制办牵头,2018年底前完成)\n"  # the obligation bracket after a full line that ends a sentence
        "3.落实规范性文件审查制度。(牵头单位:区法制办;配\n"
        "合单位:区司法局)\n"
        "二、保障措施\n"
        "  各镇人民政府要按照《法治政府建设实施纲要(201\n"  # indented: not full, but the 《 is open
        "5—2020年)》的要求,制定具体工作方案。"
    )
    assert reflow_hard_wraps(wrapped).split("\n") == [
        "钦州市钦北区法治政府建设实施方案(2016—2020年)",
        "为深入推进依法行政,结合我区实际,制定本实施方案。",
        "一、主要任务",
        "1.推进机构、职能、权限、程序、责任法定化,建立统一、规范、高效的行政审批制度。(区编办牵头,区直各有关部门配合,2017年底前完成)",
        "2.严格执行《广西壮族自治区重大行政决策程序规定》。(区法制办牵头,2018年底前完成)",
        "3.落实规范性文件审查制度。(牵头单位:区法制办;配合单位:区司法局)",
        "二、保障措施",
        "各镇人民政府要按照《法治政府建设实施纲要(2015—2020年)》的要求,制定具体工作方案。",
    ]
