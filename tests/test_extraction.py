"""Extraction checked against the gold annotations written by reading the documents
(tests/gold) and against facts read directly from the seed texts."""

from __future__ import annotations

import json

import jsonschema
import pytest

from policykg.errors import SourceFileError
from policykg.graph.evaluation import evaluate
from policykg.ingest import extract
from tests.conftest import GOLD, LAYOUTS, ROOT, SEEDS


@pytest.fixture(scope="module")
def scores():
    return {(s.field, s.layout): s for s in evaluate(GOLD, [SEEDS, LAYOUTS, LAYOUTS.parent / "cascade"])}


def test_measure_agency_role_precision_and_recall_at_least_098(scores):
    s = scores["(measure, agency, role)", "seeds"]
    assert s.tp >= 270  # the gold set has 280 assignments over 65 measures
    assert s.precision >= 0.98 and s.recall >= 0.98, (s.missed, s.spurious)


def test_every_measure_of_the_plan_is_found_with_its_topic_and_deadline(scores):
    for field in ("measure", "measure topic", "(measure, deadline)", "(measure, deadline default)", "(measure, agency, collective)"):
        s = scores[field, "seeds"]
        assert s.recall >= 0.98 and s.precision >= 0.98, (field, s.missed, s.spurious)


def test_citations_across_the_five_documents_at_least_095(scores):
    s = scores["citation (target, relation)", "seeds"]
    assert s.tp >= 90
    assert s.precision >= 0.95 and s.recall >= 0.95, (s.missed, s.spurious)


def test_document_metadata_matches_gold(scores):
    for field in ("document.title", "document.doc_number", "document.jurisdiction", "document.date", "document.genre", "document.report_year", "document.issuers"):
        s = scores[field, "seeds"]
        assert s.precision == 1.0 and s.recall == 1.0, (field, s.missed, s.spurious)


LAYOUT_NAMES = ("labelled-fields", "labelled-lines", "carry-over", "table-html", "table-docx", "pdf-reflow", "traditional-mirror", "cascade")


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
def test_each_layout_reaches_095_for_roles_deadlines_and_citations(scores, layout):
    """The issue's bar: (measure, agency, role), deadlines and citations ≥ 0.95 on every layout."""
    for field in ("measure", "(measure, agency, role)", "(measure, deadline)", "citation (target, relation)"):
        s = scores[field, layout]
        assert s.tp > 0, (field, layout)
        assert s.precision >= 0.95 and s.recall >= 0.95, (field, layout, s.missed, s.spurious)


def test_report_parts_plan_items_and_task_areas(scores):
    for field in ("report section (kind, heading)", "report section kinds (in order)", "planned measure"):
        s = scores[field, "reports"]
        assert s.precision >= 0.95 and s.recall >= 0.95, (field, s.missed, s.spurious)
    areas = scores["activity task area", "reports"]
    assert areas.tp >= 40 and areas.recall >= 0.85, (areas.missed, areas.spurious)


def test_report_figures_against_the_gold(scores):
    """Figures are hard (the subject of a number is often a clause away); the bar keeps what
    extraction reaches (0.88 / 0.85 when written) from sliding back."""
    s = scores["indicator (concept, value)", "reports"]
    assert s.tp >= 45 and s.precision >= 0.85 and s.recall >= 0.8, (s.missed, s.spurious)


def test_measure_37_roles_agencies_and_deadline(extractions):
    m = next(m for m in extractions["004"].measures if m.number == 37)
    assert m.text.startswith("全面推行行政执法公示制度")
    got = [(a.agency, a.role, a.collective) for a in m.assignments]
    assert got == [
        ("区政务服务管理办", "lead", False), ("区法制办", "lead", False),
        ("各有关部门", "responsible", True), ("各镇政府", "responsible", True), ("街道办事处", "responsible", True),
    ]
    assert (m.deadline.date, m.deadline.precision, m.deadline.default) == ("2017-12-31", "year", False)
    lead = m.assignments[1].party
    assert lead.label == "钦南区法制办" and lead.jurisdiction == "450702"


def test_parenthesis_on_the_line_after_the_heading_is_read(extractions):
    by_number = {m.number: m for m in extractions["004"].measures}
    assert [a.agency for a in by_number[10].assignments] == ["区工商局", "区地税局", "区国税局", "等有关部门"]
    assert by_number[10].deadline.date == "2018-12-31"
    assert [a.agency for a in by_number[24].assignments] == ["各行政决策机关"]


def test_heading_glued_to_measure_63_starts_topic_40(extractions):
    by_number = {m.number: m for m in extractions["004"].measures}
    assert "强化考核评价" not in by_number[63].text
    assert by_number[63].assignments[-1].agency == "街道办事处"
    assert by_number[64].topic == 40
    assert any(s.kind == "topic" and s.number == "40" and s.heading == "强化考核评价和督促检查" for s in extractions["004"].sections)


def test_measures_without_deadline_take_the_plans_default_marked_as_such(extractions):
    ex = extractions["004"]
    assert ex.default_deadline.date == "2019-12-31"
    m1 = next(m for m in ex.measures if m.number == 1)
    assert (m1.deadline.date, m1.deadline.default) == ("2019-12-31", True)
    assert "原则上应当在2019年底前完成" in ex.text[ex.default_deadline.span.start:ex.default_deadline.span.end]


def test_branch_office_is_a_unit_of_the_municipal_bureau_not_of_the_district(extractions):
    m13 = next(m for m in extractions["004"].measures if m.number == 13)
    branch = next(a.party for a in m13.assignments if a.agency == "公安钦南分局")
    assert branch.kind == "branch-office"
    assert branch.full_name == "钦州市公安局钦南分局"
    assert branch.branch_of.endswith("/450700/公安局")


def test_damaged_document_numbers_are_repaired(extractions):
    assert extractions["000"].doc_number == "江开〔2017〕53号"
    numbers = {c.doc_number for c in extractions["004"].citations}
    assert {"钦政发〔2015〕50号", "钦政办〔2014〕88号", "钦政办〔2015〕42号", "钦政发〔2015〕37号"} <= numbers


def test_wrong_period_of_the_outline_in_001_is_matched_and_marked_corrected(extractions):
    c = next(c for c in extractions["001"].citations if c.title.startswith("法治政府建设实施纲要"))
    assert c.title == "法治政府建设实施纲要(2016—2020年)"
    assert c.target.endswith("/central-outline-2015-2020")
    assert c.corrected and c.confidence < 1.0 and "2015—2020" in c.correction_note
    # a district's own outline with the same period is not the central one
    own = next(c for c in extractions["001"].citations if c.title.startswith("张店区法治政府建设实施纲要"))
    assert not own.target.endswith("central-outline-2015-2020") and own.doc_number == "张发〔2016〕22号"


def test_plan_basis_clause_gives_based_on_relations_to_three_levels(extractions):
    basis = [c for c in extractions["004"].citations if c.relation == "based_on" and c.span.start < 400]
    assert [c.target_title for c in basis] == [
        "法治政府建设实施纲要(2015—2020年)", "广西壮族自治区法治政府建设实施方案(2016—2020年)", "钦州市法治政府建设实施方案(2016—2020年)"]
    assert basis[0].issuer == "中共中央、国务院"


def _all_documents(extractions):
    yield from extractions.values()
    for path in sorted(LAYOUTS.iterdir()):
        if path.suffix != ".src":
            yield extract(path)


def test_every_span_holds_what_it_is_evidence_for(extractions):
    """A span is evidence only if the text at its offsets says the fact: the agency name, the
    deadline words, the cited title, the figure. Checked on the seeds and every layout fixture."""
    from policykg.ingest.text import fold

    def at(ex, span):
        assert ex.text[span.start:span.end] == span.quote
        return fold(span.quote)

    for ex in _all_documents(extractions):
        for c in ex.citations:
            assert at(ex, c.span).startswith("《") and fold(c.title) in at(ex, c.span)
        for m in ex.measures:
            assert fold(m.text[:10]) in at(ex, m.span).replace("\n", "")
            for a in m.assignments:
                assert at(ex, a.span) == fold(a.agency)
            if m.deadline is not None and m.deadline.span is not None:
                assert fold(m.deadline.text) in at(ex, m.deadline.span)
            if m.classification is not None:
                for e in m.classification.evidence:
                    at(ex, e)
        for o in ex.observations:
            digits = f"{o.value:,}" if "," in o.span.quote else str(o.value)
            assert at(ex, o.span).endswith(o.unit) or o.unit == "件", (o, o.span.quote)
            assert digits in o.span.quote, (o, o.span.quote)
        for part in ex.report_sections:
            heading = at(ex, part.span)
            assert part.heading is None or heading.startswith(fold(part.heading))
        for item in (*ex.activities, *ex.planned_measures):
            assert fold(item.text) == at(ex, item.span).strip()
            for e in item.classification.evidence if item.classification else ():
                at(ex, e)


def test_extract_output_validates_against_the_shipped_json_schema(extractions):
    schema = json.loads((ROOT / "ingest" / "extract.schema.json").read_text(encoding="utf-8"))
    for ex in extractions.values():
        jsonschema.validate(json.loads(json.dumps(ex.to_json(), ensure_ascii=False)), schema)


def test_report_without_title_gets_a_derived_title_and_its_year(extractions):
    ex = extractions["002"]
    assert ex.title_derived and ex.report_year == 2021 and ex.jurisdiction_code == "411500-gxq"
    assert any(c.target.endswith("central-outline-2021-2025") for c in ex.citations)


@pytest.mark.parametrize(
    "content, reason",
    [(b"", "empty"), (b"\x00\x01\x02binary\x00", "binary"), ("法治".encode("utf-16"), "binary")],
)
def test_unusable_files_raise_a_clear_error(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(SourceFileError) as err:
        extract(path)
    assert reason in err.value.message or "decode" in err.value.message


def test_gbk_encoded_file_is_decoded(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes((SEEDS / "004_8a0f2a3241cfe731.txt").read_text(encoding="utf-8").encode("gb18030"))
    assert len(extract(path).measures) == 65


def test_measure_alignment_in_the_evaluation(scores):
    """`policykg eval` scores graph/alignment.py against the hand alignment (tests/test_alignment.py
    checks the same in the store); doubtful entries are the annotator's judgement calls."""
    s = scores["measure alignment (child, parent)", "cascade"]
    assert s.tp >= 30 and s.precision >= 0.93 and s.recall >= 0.95, (s.missed, s.spurious)
