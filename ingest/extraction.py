"""From a source file to an :class:`Extraction` (what the graph will state about it):
``extract(path)`` reads, decodes and parses one file without touching the store."""

from __future__ import annotations

import re
from pathlib import Path

from policykg import iris
from policykg.errors import ExtractionError
from policykg.ingest import agencies, task_areas
from policykg.ingest.citations import CitationExtractor, match_known
from policykg.ingest.divisions import Division, Divisions, load as load_divisions
from policykg.ingest.documents import REPORT_GENRES, level_spoken, read_metadata
from policykg.ingest.model import Citation, Extraction, Party, PartyKind, Section
from policykg.ingest.plans import parse_plan
from policykg.ingest.reports import parse_report
from policykg.ingest.sources import read_source
from policykg.ingest.text import Line, is_furniture, lines, normalize_title

__all__ = ["extract", "extract_text", "Extraction"]

def extract(path: str | Path, data: bytes | None = None) -> Extraction:
    """Read and parse one file (``data``: its bytes, when already read)."""
    source = read_source(Path(path), data)
    ex = extract_text(source.text, Path(path).name, source.sha256, source.page_metadata)
    ex.source_format, ex.conversions, ex.original_text = source.format, list(source.conversions), source.original_text
    ex.index_number = source.page_metadata.get("index_number")
    return ex


def extract_text(text: str, source_file: str, sha256: str = "", page: dict[str, str] | None = None) -> Extraction:
    """Parse one document's text. ``page`` is what the web page around it showed (文号, 发布机构,
    发布日期 …); the text itself wins where both say something."""
    divisions = load_divisions()
    all_lines = lines(text)
    if not all_lines:
        raise ExtractionError(f"{source_file}: no text lines found")
    meta = read_metadata(text, all_lines, divisions, page or {}, source_file)
    provisional = meta.title is None
    if meta.title is None:  # never lose a document: go on under a provisional title, and say so
        meta.title = provisional_title(source_file, all_lines)
        meta.title_derived = True
    title: str = meta.title
    normalized = normalize_title(title)
    known = match_known(normalized, meta.doc_number)
    key = known[0].key if known and known[1] == 1.0 else iris.title_key(normalized)
    division = meta.division
    ex = Extraction(
        source_file=source_file,
        sha256=sha256,
        iri=iris.document(key),
        key=key,
        text=text,
        title=meta.title,
        title_derived=meta.title_derived,
        normalized_title=normalized,
        doc_number=meta.doc_number,
        issuers=meta.issuers,
        jurisdiction=(divisions.full_name(division) or division.name) if division else None,
        jurisdiction_code=division.code if division else None,
        level=division.level if division else level_spoken(text),
        date=meta.date,
        date_published=meta.date_published,
        publisher=meta.publisher,
        genre=meta.genre,
        report_year=meta.report_year,
        recipient=meta.recipient,
        period=meta.period,
    )
    for name in meta.issuers:
        party = agencies.government(name, divisions)
        if party is None and division is not None:
            party = Party(iris.agency(division.code, name), name, name, PartyKind.GOVERNMENT, division.code, False)
        if party is not None:
            ex.issuer_parties.append(party)
    skip = [(meta.title_line.start, meta.title_line.end)] if meta.title_line else []
    cx = CitationExtractor(text, divisions, skip)
    ex.citations = cx.extract()
    # A citation of this document's own title is the document itself, unless what the citation
    # says of the cited one sets it apart (another 文号, an issuer of another level or place: a
    # county's 实施意见 citing the province's of the same name). That one keeps the title's IRI;
    # this document's key is the title key with what identifies it.
    own = [c for c in ex.citations if c.target == ex.iri]
    another = [c for c in own if _cites_another(c, meta.doc_number, division, divisions)]
    if another:
        ex.key = iris.distinct_key(key, meta.doc_number, ex.jurisdiction_code, meta.date, normalized)
        ex.iri = iris.document(ex.key)
        own = [c for c in own if c not in another]
    ex.cited_documents = [d for d in cx.documents.values() if d.iri != ex.iri]
    ex.citations = [c for c in ex.citations if c not in own]
    if meta.genre in REPORT_GENRES:
        report = parse_report(text, meta.body, meta.report_year)
        ex.report_sections, ex.activities = report.sections, report.activities
        ex.planned_measures, ex.observations = report.planned, report.observations
    else:
        plan = parse_plan(text, meta.body, division, divisions, annual_year(meta.title, meta.genre, meta.period))
        ex.warnings.extend(f"{source_file}: {w}" for w in plan.warnings)
        if division is None and any(m.assignments for m in plan.measures):
            ex.warnings.append(
                f"{source_file}: the issuing jurisdiction was not recognised (GB/T 2260, ingest/data/divisions.yaml), "
                "so the bodies its measures name are kept as written, unresolved (not linked to a jurisdiction's agencies)")
        ex.sections, ex.goals, ex.measures, ex.default_deadline = plan.sections, plan.goals, plan.measures, plan.default
        headings = {s.path: s for s in plan.sections}
        for m in ex.measures:
            area = _area_section(m.section, headings)
            m.classification = task_areas.classify(
                text[m.span.start:m.span.end], m.span.start, text,
                area.heading if area else None, area.span if area else None,
            )
    if meta.title_from_file_name:
        ex.warnings.append(f"{source_file}: no title line; the title {meta.title!r} is taken from the file's name: check it")
    if provisional:
        ex.warnings.append(
            f"{source_file}: no document title found (no line naming a 方案/纲要/报告/汇报/意见 near the top, and no "
            f"report opening to infer one from); kept under the provisional title {meta.title!r}: check it and give "
            "the page with its title line")
    return ex


_LEVEL_WORDS = (("中共中央", "national"), ("党中央", "national"), ("国务院", "national"), ("省", "provincial"),
                ("自治区", "provincial"), ("市", "prefectural"), ("州", "prefectural"), ("盟", "prefectural"),
                ("县", "county"), ("区", "county"), ("旗", "county"))


def _cites_another(c: Citation, doc_number: str | None, division: Division | None, divisions: Divisions) -> bool:
    """Whether a citation of a document's own title names another document: a 文号 that is not
    the document's, or an issuer of another level or place (省委、省政府《…》 in a county's text)."""
    if c.doc_number and doc_number:
        return c.doc_number != doc_number
    if not c.issuer or division is None:
        return False
    place = divisions.deepest(c.issuer)
    if place is not None:
        return place.code != division.code
    level = next((lvl for word, lvl in _LEVEL_WORDS if c.issuer.startswith(word)), None)
    return level is not None and level != division.level


def annual_year(title: str | None, genre: str | None, period: tuple[int, int] | None) -> int | None:
    """The one year an annual plan is for (青山县2023年法治政府建设工作要点: 2023), so that its
    deadlines without a year fall in it; None for plans of several years or no year."""
    if not title or period is not None or genre not in {"工作要点", "工作安排", "工作方案", "实施方案", "通知"}:
        return None
    if re.search(r"(?:19|20)\d{2}\s*年?\s*[-—–~至到]\s*(?:19|20)\d{2}", title):
        return None  # 2021—2025年…: several years, even without brackets
    years = set(re.findall(r"((?:19|20)\d{2})\s*年(?:度)?", title))
    return int(years.pop()) if len(years) == 1 else None


def provisional_title(source_file: str, all_lines: list[Line]) -> str:
    """A title for a document whose own is lost: its first words and the file it came from, marked
    as provisional, so that the document is kept (and different files stay different documents)."""
    first = next((ln.text.strip() for ln in all_lines if ln.text.strip() and not is_furniture(ln.text)), "")
    head = re.split(r"[,,。;;:：]", first, maxsplit=1)[0][:24]
    return f"(无标题) {head} [{Path(source_file).name}]"


def _area_section(path: str | None, headings: dict[str, Section]) -> Section | None:
    """The task-area section a measure sits in or, in plans whose parts are the task areas
    (一、依法全面履行政府职能), its part."""
    part = None
    while path:
        section = headings.get(path)
        if section is not None and section.kind == "task-area":
            return section
        if section is not None and section.kind == "part":
            part = section
        path = path.rsplit(".", 1)[0] if "." in path else None
    return part if part is not None and task_areas.area_of_heading(part.heading) else None
