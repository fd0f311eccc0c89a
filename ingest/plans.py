"""Plan structure (一、 (一) 1. 1) …, 目标/措施 blocks) and measures with their obligation
parenthesis parsed into roles, agencies, collectives and a deadline."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.ingest import agencies
from policykg.ingest.deadlines import default_deadline, parse_deadline
from policykg.ingest.divisions import Division, Divisions
from policykg.ingest.model import Assignment, Deadline, Goal, Measure, Section, Span
from policykg.ingest.text import Line, chinese_number, fold

_PART = re.compile(r"^(?P<n>[一二三四五六七八九十]+)、\s*(?P<h>.+)$")
_AREA = re.compile(r"^\((?P<n>[一二三四五六七八九十]+)\)\s*(?P<h>.+)$")
_TOPIC = re.compile(r"^(?P<n>\d{1,3})\s*[.、]\s*(?P<h>[^\d].*)$")
_MEASURE = re.compile(r"^(?P<n>\d{1,3})\s*\)\s*(?P<t>.+)$")
_GOAL = re.compile(r"^目标\s*:\s*(?P<t>.+)$")
_GLUED_TOPIC = re.compile(r"\)\s*(?P<n>\d{1,3})\s*\.\s*(?P<h>[^\d)][^()]{1,40})$")

# role words at the end of a parenthesis group, longest first
ROLES = (
    ("按职责分别负责", "responsible"), ("按职责分工负责", "responsible"), ("分别负责", "responsible"),
    ("牵头负责", "lead"), ("牵头", "lead"), ("负责", "responsible"), ("配合", "cooperating"),
    ("会同", "joint-lead"), ("协助", "assisting"), ("参与", "participating"), ("指导", "guiding"),
)


@dataclass
class PlanStructure:
    sections: list[Section]
    goals: list[Goal]
    measures: list[Measure]
    default: Deadline | None


def parse_plan(text: str, body: list[Line], home: Division | None, divisions: Divisions) -> PlanStructure:
    sections: list[Section] = []
    goals: list[Goal] = []
    measures: list[Measure] = []
    part: Section | None = None
    area: Section | None = None
    topic: Section | None = None
    current: dict | None = None  # measure being collected
    expected_topic = 1
    steps_lines: list[Line] = []
    in_steps = False

    def close() -> None:
        nonlocal current
        if current is not None:
            measures.append(_measure(text, current, home, divisions))
            current = None

    for line in body:
        t = line.text
        if in_steps:
            steps_lines.append(line)
            continue
        if m := _PART.match(t):
            close()
            n = chinese_number(m.group("n"))
            part = Section(str(n), "part", str(n), m.group("h").strip(), Span(line.start, line.end, text[line.start:line.end]))
            sections.append(part)
            area = topic = None
            if "实施步骤" in t or "组织实施" in t:
                in_steps = True
            continue
        if m := _AREA.match(t):
            close()
            n = chinese_number(m.group("n"))
            area = Section(f"{part.path if part else '0'}.{n}", "task-area", str(n), m.group("h").strip(), Span(line.start, line.end, text[line.start:line.end]))
            sections.append(area)
            topic = None
            continue
        if (m := _TOPIC.match(t)) and int(m.group("n")) == expected_topic:
            close()
            topic = _topic(m, line, text, part, area)
            sections.append(topic)
            expected_topic += 1
            continue
        if m := _GOAL.match(t):
            close()
            owner = area or part
            goals.append(Goal(owner.path if owner else "", m.group("t"), Span(line.start, line.end, text[line.start:line.end])))
            continue
        if t.rstrip(":") == "措施":
            close()
            continue
        if m := _MEASURE.match(t):
            close()
            current = {"number": int(m.group("n")), "start": line.start, "end": line.end, "topic": topic, "area": area or part}
            # a heading glued to the end of the line: "…负责)40. 强化考核评价和督促检查"
            g = _GLUED_TOPIC.search(t)
            if g and int(g.group("n")) == expected_topic:
                current["end"] = line.start + g.start() + 1
                close()
                glued_start = line.start + g.start("n")
                topic = Section(
                    f"{(area or part).path if (area or part) else '0'}.{g.group('n')}", "topic", g.group("n"), g.group("h").strip(),
                    Span(glued_start, line.end, text[glued_start:line.end]),
                )
                sections.append(topic)
                expected_topic += 1
            continue
        if current is not None:
            current["end"] = line.end  # continuation line (parenthesis on the next line)
    close()

    default = None
    if steps_lines:
        start, end = steps_lines[0].start, steps_lines[-1].end
        found = default_deadline(text[start:end])
        if found:
            default, a, b = found
            default.span = Span(start + a, start + b, text[start + a:start + b])
    if default is not None:
        for measure in measures:
            if measure.deadline is None:
                measure.deadline = Deadline(default.date, default.precision, default.text, True, default.span)
    return PlanStructure(sections, goals, measures, default)


def _topic(m: re.Match[str], line: Line, text: str, part: Section | None, area: Section | None) -> Section:
    owner = area or part
    return Section(
        f"{owner.path if owner else '0'}.{m.group('n')}", "topic", m.group("n"), m.group("h").strip(),
        Span(line.start, line.end, text[line.start:line.end]),
    )


_PAREN = re.compile(r"\(([^()]*)\)\s*[。.;]?\s*$")


def _measure(text: str, current: dict, home: Division | None, divisions: Divisions) -> Measure:
    start, end = current["start"], current["end"]
    raw = text[start:end]
    folded = fold(raw)  # same length as raw: offsets carry over
    body_start = folded.index(")") + 1  # after "37)"
    assignments: list[Assignment] = []
    deadline: Deadline | None = None
    m = _PAREN.search(folded)
    measure_text = folded[body_start:].strip()
    if m and _has_role(m.group(1)):
        paren_offset = start + m.start(1)
        assignments, deadline = parse_obligations(text, paren_offset, m.group(1), home, divisions)
        measure_text = folded[body_start:m.start()].strip()
    topic: Section | None = current["topic"]
    area: Section | None = current["area"]
    return Measure(
        number=current["number"],
        text=raw[body_start:body_start + len(measure_text)].replace("\n", ""),
        section=topic.path if topic else (area.path if area else None),
        topic=int(topic.number) if topic else None,
        task_area=area.heading if area else None,
        deadline=deadline,
        assignments=assignments,
        span=Span(start, end, raw),
    )


def _has_role(group_text: str) -> bool:
    return any(word in group_text for word, _ in ROLES)


def parse_obligations(text: str, offset: int, content: str, home: Division | None, divisions: Divisions) -> tuple[list[Assignment], Deadline | None]:
    """Parse the inside of an obligation parenthesis: comma groups of 、-separated names ending in a
    role word, and a deadline group. ``offset`` is the position of ``content`` in ``text``."""
    assignments: list[Assignment] = []
    deadline: Deadline | None = None
    pos = 0
    for group in re.split(r"([,;])", content):
        if group in {",", ";"}:
            pos += 1
            continue
        g_start = offset + pos
        pos += len(group)
        g = group.strip()
        if not g:
            continue
        d = parse_deadline(g)
        role_word, role = _role(g)
        if d is not None and role is None:
            d.span = Span(g_start, g_start + len(group), text[g_start:g_start + len(group)])
            deadline = d
            continue
        if role is None:
            continue
        names_text = g[: len(g) - len(role_word)] if g.endswith(role_word) else g[: g.index(role_word)]
        names_offset = g_start + group.index(g)
        cursor = 0
        for name in names_text.split("、"):
            n_start = names_offset + names_text.index(name, cursor)
            cursor = names_text.index(name, cursor) + len(name)
            for surface, s_start in _split_etc(name.strip(), n_start + (len(name) - len(name.lstrip()))):
                if not surface or home is None:
                    continue
                party = agencies.resolve(surface, home, divisions)
                assignments.append(
                    Assignment(
                        agency=surface,
                        role=role,
                        role_text=role_word,
                        collective=party.collective,
                        party=party,
                        span=Span(s_start, s_start + len(surface), text[s_start:s_start + len(surface)]),
                    )
                )
    return assignments, deadline


def _role(group: str) -> tuple[str, str | None]:
    for word, role in ROLES:
        if group.endswith(word):
            return word, role
    for word, role in ROLES:
        if word in group:
            return word, role
    return "", None


def _split_etc(name: str, start: int) -> list[tuple[str, int]]:
    """"区发改局等有关部门" → [区发改局, 等有关部门]."""
    i = name.find("等")
    if i > 0 and agencies.is_collective(name[i:]):
        return [(name[:i], start), (name[i:], start + i)]
    return [(name, start)]
