"""Annual reports (情况报告/工作报告/工作汇报): the parts (what was done, problems, next year's
plan), each reported activity, the figures given (:mod:`indicators`), and the plan items as
planned measures."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.ingest import indicators, task_areas
from policykg.ingest.model import Activity, Observation, PartKind, PlannedMeasure, ReportSection, Span
from policykg.ingest.plans import classify as outline
from policykg.ingest.text import Line

_PROBLEMS = re.compile(r"问题|不足|差距|短板")
_PLAN = re.compile(r"计划|打算|下一步|思路|安排|要点|展望")
# a paragraph that turns to shortcomings: a sentence opening with 但/与…相比/同时… that says
# something 存在 (exists) as a gap or a shortcoming — not any sentence that mentions 问题
_UNHEADED_PROBLEMS = re.compile(
    r"^(?:[^。]*。)?(?:但|与|同时|然而|不过|虽然|尽管|当然)[^。]*(?:差距|不足|短板|存在[^。]{0,10}问题)"
)
_READS_AS_PROBLEM = re.compile(r"问题|不足|有待|差距|薄弱|欠缺|不够|不到位|短板")
_BEING_FIXED = re.compile(r"整改|解决|纠正|督促|及时处理")


def _turns_to_problems(line: str) -> bool:
    """A paragraph that turns to shortcomings, not one that reports problems being fixed
    (对检查中发现存在的问题及时督促整改)."""
    m = _UNHEADED_PROBLEMS.search(line)
    return m is not None and not _BEING_FIXED.search(m.group(0))


_PLAN_START = re.compile(r"下一步[,,]?|(?:19|20)\d{2}年[,,]?(?:我(?:区|市|县|们)将|将)")
_X_SHI = re.compile(r"(?:^|(?<=[。;]))\s*(?P<m>[一二三四五六七八九十]{1,3}是)")
_SUBITEM = re.compile(r"(?:^|(?<=[。;]))\s*(?P<m>\((?:[一二三四五六七八九十]{1,3})\)|\d{1,2}[、.](?!\d))")


@dataclass
class ReportStructure:
    sections: list[ReportSection]
    activities: list[Activity]
    planned: list[PlannedMeasure]
    observations: list[Observation]


def _kind(heading: str) -> str:
    if _PROBLEMS.search(heading):
        return "problems"
    if _PLAN.search(heading):
        return "plan"
    return "achievements"


def parse_report(text: str, body: list[Line], year: int | None) -> ReportStructure:
    span = lambda a, b: Span(a, b, text[a:b])  # noqa: E731
    # --- parts -----------------------------------------------------------------------------
    marks: list[tuple[int, str, str | None, Line | None]] = []  # (start, kind, heading, heading line)
    if body:
        marks.append((body[0].start, "other", None, None))
    mixed = False  # a heading such as 四、存在问题及下一步工作打算: the plan starts inside the part
    for line in body:
        c = outline(line.text)
        if c is not None and c[0] == "cn":
            kind = _kind(c[2])
            mixed = kind == "problems" and bool(_PLAN.search(c[2]))
            marks.append((line.start, kind, text[line.start:line.end], line))
            continue
        current = marks[-1][1] if marks else "other"
        if current == "achievements" and _turns_to_problems(line.text):
            marks.append((line.start, "problems", None, None))
        elif current == "problems" and (p := _PLAN_START.search(line.text)):
            marks.append((line.start + p.start(), "plan", None, None))
        elif current == "problems" and mixed and c is not None and c[0] in {"paren-cn", "arabic"}:
            if _PLAN.search(c[2]) and len(c[2]) <= 20:
                marks.append((line.end, "plan", None, None))  # (二)下一步工作打算: the plan follows the sub-heading
            elif not _READS_AS_PROBLEM.search(c[2]):
                marks.append((line.start, "plan", None, None))  # the first numbered item that is not a problem
    end_of_body = body[-1].end if body else 0
    sections: list[ReportSection] = []
    bounds: list[tuple[int, int, Line | None]] = []
    for i, (start, kind, heading, hline) in enumerate(marks):
        stop = marks[i + 1][0] if i + 1 < len(marks) else end_of_body
        if i == 0 and stop == start:
            continue
        sections.append(ReportSection(PartKind(kind), heading, span(start, stop)))
        bounds.append((start, stop, hline))
    if sections and sections[0].kind == "other" and not text[sections[0].span.start:sections[0].span.end].strip():
        sections.pop(0)
        bounds.pop(0)
    # --- activities and planned measures -------------------------------------------------------
    activities: list[Activity] = []
    planned: list[PlannedMeasure] = []
    for index, (section, (start, stop, hline)) in enumerate(zip(sections, bounds)):
        lines = [ln for ln in body if start <= ln.start < stop and ln is not hline]
        if section.kind == "plan":
            planned.extend(_planned(text, lines, start, len(planned), span))
            continue
        if section.kind != "achievements":
            continue
        heading, heading_span = None, None
        for line in lines:
            c = outline(line.text)
            if c is not None and len(c[2].rstrip("。")) <= 30 and "。" not in c[2].rstrip("。"):
                heading, heading_span = c[2], span(line.start, line.end)  # a sub-heading: (五)坚持严格规范公正文明执法
                continue
            for a, b in _items(line):
                item = text[a:b].strip()
                if len(item) < 6:
                    continue
                activities.append(Activity(
                    number=len(activities) + 1, text=item, section=index, span=span(a, b),
                    classification=task_areas.classify(text[a:b], a, text, heading, heading_span),
                ))
    # --- figures -------------------------------------------------------------------------------
    observations: list[Observation] = []
    for section, (start, stop, _) in zip(sections, bounds):
        if section.kind in {"achievements", "other", "problems"}:
            observations.extend(indicators.observations(text, start, stop, year))
    return ReportStructure(sections, activities, planned, observations)


def _items(line: Line) -> list[tuple[int, int]]:
    """A paragraph split at 一是/二是… or at inline (一)/1、 items; the whole line if it has none."""
    cuts = [m.start("m") for m in _X_SHI.finditer(line.text)] or [m.start("m") for m in _SUBITEM.finditer(line.text) if m.start("m") > 0]
    if not cuts:
        return [(line.start, line.end)]
    points = sorted({0, *cuts})
    return [(line.start + a, line.start + b) for a, b in zip(points, [*points[1:], len(line.text)])]


def _planned(text: str, lines: list[Line], section_start: int, offset: int, span) -> list[PlannedMeasure]:  # type: ignore[no-untyped-def]
    """Plan items: lines starting (一)/1., or 一是/二是 items, whichever the section uses first."""
    items: list[tuple[str, int, int]] = []  # (marker, start, end)
    for line in lines:
        if line.start < section_start:
            continue
        c = outline(line.text)
        if c is not None and c[0] in {"paren-cn", "arabic"}:
            marker_end = line.text.index(c[2])
            items.append((line.text[:marker_end].strip(), line.start + marker_end, line.end))
            continue
        for m in _X_SHI.finditer(line.text):
            items.append((m.group("m"), line.start + m.end("m"), line.end))
    if not items:
        return []
    style = "是" if items[0][0].endswith("是") else "("
    kept = [it for it in items if (it[0].endswith("是")) == (style == "是")]
    out = []
    for i, (marker, a, b) in enumerate(kept):
        if style == "是" and i + 1 < len(kept) and kept[i + 1][1] < b:
            b = kept[i + 1][1] - len(kept[i + 1][0])
        out.append(PlannedMeasure(
            number=offset + i + 1, marker=marker, text=text[a:b].strip(), span=span(a, b),
            classification=task_areas.classify(text[a:b], a, text),
        ))
    return out
