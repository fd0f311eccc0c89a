"""Obligations: which bodies must carry out a measure, in which role, and by when.

Plans write them in several layouts, all handled here on folded text (half-width punctuation,
same length as the original, so offsets index the source text):

- a trailing parenthesis: ``(区工商局牵头,区地税局等有关部门按职责分别负责,2018年底前完成)``,
  with nested brackets (``〔市法制办牵头,市直各有关部门(含中直单位)配合〕``);
- labelled fields, inside or after the measure or on lines of their own:
  ``牵头单位:市法制办;责任单位:市直各有关部门;完成时限:2017年底前``;
- the cells of a task-division table row (the column header gives the role);
- carry-over notes that add a body to every following measure
  (``以下各项工作均需各市、县(市、区)人民政府落实,不再列出``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.ingest import agencies
from policykg.ingest.deadlines import parse_deadline
from policykg.ingest.divisions import Division, Divisions
from policykg.ingest.model import Assignment, Deadline, Role, Span
from policykg.ingest.text import CLOSE_BRACKETS, OPEN_BRACKETS, split_top

# Role words that end an obligation group, longest first.
ROLE_WORDS = (
    ("按职责分别负责", "responsible"), ("按职责分工负责", "responsible"), ("按照职责分工负责", "responsible"),
    ("按职责负责", "responsible"), ("分别负责", "responsible"), ("共同负责", "responsible"),
    ("牵头负责", "lead"), ("牵头落实", "lead"), ("牵头", "lead"), ("负责落实", "responsible"), ("负责", "responsible"),
    ("配合", "cooperating"), ("协助", "assisting"), ("参与", "participating"), ("指导", "guiding"),
    ("会同", "joint-lead"), ("具体落实", "responsible"), ("组织落实", "responsible"), ("落实", "responsible"),
)
# role words that count only at the end of a group (会同 joins two names; 落实 is common in prose)
_ENDING_ONLY = {"会同", "落实", "具体落实", "组织落实"}
# Field labels (牵头单位:…) and the role they give.
LABELS = {
    "牵头单位": "lead", "牵头部门": "lead", "主责单位": "lead", "主办单位": "lead", "牵头": "lead",
    "责任单位": "responsible", "责任部门": "responsible", "负责单位": "responsible", "实施单位": "responsible",
    "落实单位": "responsible", "责任主体": "responsible",
    "配合单位": "cooperating", "配合部门": "cooperating", "协办单位": "cooperating", "协作单位": "cooperating",
    "参与单位": "participating", "协助单位": "assisting", "指导单位": "guiding",
    "配合": "cooperating", "负责": "responsible",
}
DEADLINE_LABELS = ("完成时限", "完成时间", "时间要求", "时限要求", "时间节点", "完成期限", "时限")
FIELD_LABEL = re.compile(
    r"(?P<label>" + "|".join(sorted([*LABELS, *DEADLINE_LABELS], key=len, reverse=True)) + r")\s*:\s*"
)
_QUALIFIER = re.compile(r"\((?:含|包括|不含|除)[^()]*\)|〔(?:含|包括)[^〔〕]*〕")
# a bare level word that belongs to the next name: 各市、县(市、区)人民政府 is one collective
_BARE_LEVEL = re.compile(r"^各?(?:省|市|州|县|区|旗|乡|镇|乡镇|市\(州\)|县\(市、区\)|县\(市\)|县\(区\))$")
_CARRY = re.compile(
    r"以下[^。]{0,16}?(?:均需|均由|均要|都需|都由|均须|需)(?P<who>[^。]+?)"
    r"(?P<verb>负责落实|组织落实|组织实施|落实|负责|配合|参与)[,;]?\s*(?:不再|不一一|不另)"
)
_CARRY_ROLES = {"配合": "cooperating", "参与": "participating"}


@dataclass(frozen=True)
class Context:
    """What resolving a name needs: the source text, the issuing jurisdiction, the division table."""

    text: str
    home: Division | None
    divisions: Divisions


def role_of(group: str, anywhere: bool = True) -> tuple[str, str | None]:
    """The role word a group ends with (or, with ``anywhere``, contains) and its role. Where a
    column or label gives the role, only a word at the end counts: 区农业技术指导站 is a name."""
    for word, role in ROLE_WORDS:
        if group.endswith(word):
            return word, role
    if anywhere:
        for word, role in ROLE_WORDS:
            if word in group and word not in _ENDING_ONLY:
                return word, role
    return "", None


def has_obligation(content: str) -> bool:
    """Whether the inside of a parenthesis (or a line) assigns bodies: role words, labels, or
    ``区法制办会同区编办``."""
    core = content.rstrip(" 。;,")
    return (bool(FIELD_LABEL.search(content)) or any(word in content for word, _ in ROLE_WORDS if word not in _ENDING_ONLY)
            or any(core.endswith(word) for word in _ENDING_ONLY if word != "会同") or bool(_JOINT.search(content)))


def names(ctx: Context, value: str, offset: int, role: str, role_text: str, source: str) -> list[Assignment]:
    """Assignments for a list of names (``区发改局、区财政局等有关部门``) at ``offset`` in the text."""
    pieces = split_top(value, "、,")
    merged: list[tuple[str, int]] = []
    for piece, start in pieces:
        if merged and _BARE_LEVEL.match(merged[-1][0].strip()):
            prev, prev_start = merged.pop()
            merged.append((value[prev_start:start + len(piece)], prev_start))
        else:
            merged.append((piece, start))
    out: list[Assignment] = []
    for piece, start in merged:
        lead = len(piece) - len(piece.lstrip())
        name = piece.strip()
        if name.startswith("由") and len(name) > 2:  # 由区法制办牵头
            name, lead = name[1:], lead + 1
        if not name or ctx.home is None:
            continue
        start += lead
        # drop qualifiers (含中直单位) from the name but keep the span over what was written
        core = _QUALIFIER.sub("", name).strip()
        for surface, _ in _split_etc(core):
            surface = surface.strip()
            if not surface:
                continue
            pos = name.find(surface)
            at = offset + start + max(pos, 0)
            width = len(surface) if pos >= 0 else len(name)
            party = agencies.resolve(surface, ctx.home, ctx.divisions)
            out.append(Assignment(
                agency=surface, role=Role(role), role_text=role_text, collective=party.collective, party=party,
                span=Span(at, at + width, ctx.text[at:at + width]), source=source,
            ))
    return out


def _split_etc(name: str) -> list[tuple[str, int]]:
    """"区发改局等有关部门" → [区发改局, 等有关部门]."""
    i = name.find("等")
    if i > 0 and agencies.is_collective(name[i:]):
        return [(name[:i], 0), (name[i:], i)]
    return [(name, 0)]


def groups(ctx: Context, content: str, offset: int, source: str = "parenthesis",
           default: tuple[str, str] | None = None) -> tuple[list[Assignment], Deadline | None]:
    """The inside of an obligation parenthesis, a table cell or a labelled value: comma groups of
    names ending in a role word (``区编办牵头、区法制办配合`` is two groups), labelled fields, and a
    deadline group. Names without a role word take ``default`` (role, role text: a table column's
    or a label's role). ``offset`` is where ``content`` starts in the text."""
    if default is None and FIELD_LABEL.search(content):
        return labelled(ctx, content, offset, "labelled")
    assignments: list[Assignment] = []
    deadline: Deadline | None = None
    for group, g_start in split_top(content, ",;"):
        for piece, p_start in _after_roles(group):
            g = piece.strip()
            if not g:
                continue
            at = offset + g_start + p_start + piece.index(g)
            # 区法制办(区编办配合)负责: a bracket that assigns a body of its own is read on its own
            # and blanked out (same length, so offsets hold) before the rest is read
            for b in _ASSIGNING_BRACKET.finditer(g):
                if b.start() > 0 and has_obligation(b.group(1)):
                    inner, inner_deadline = groups(ctx, b.group(1), at + b.start(1), source)
                    assignments.extend(inner)
                    deadline = deadline or inner_deadline
                    g = _blank(g, b.start(), b.end())
            d = parse_deadline(g)
            if d is not None:
                # a deadline in the group: keep it, and read what is left (区法制办(2018年底前完成))
                i = g.find(d.text)
                d.span = Span(at + i, at + i + len(d.text), ctx.text[at + i:at + i + len(d.text)])
                deadline = d
                start, end = _enclosing_bracket(g, i, i + len(d.text)) or (i, i + len(d.text))
                g = _blank(g, start, end)  # (每年12月前报送) is about timing: the whole bracket goes
                if not g.strip(" ,;()"):
                    continue
            role_text, role = role_of(g.rstrip(), anywhere=default is None)
            if role is not None:
                stripped = g.rstrip()
                body = stripped[: len(stripped) - len(role_text)] if stripped.endswith(role_text) else g[: g.index(role_text)]
            elif default is not None:
                (role, role_text), body = default, g
            elif _JOINT.search(g):
                role, role_text, body = "responsible", "", g  # 区法制办会同区编办: no verb, both act
            else:
                continue
            assignments.extend(_with_joint(ctx, body, at, role, role_text, source))
    return assignments, deadline


_ASSIGNING_BRACKET = re.compile(r"\(([^()]*)\)")


def _enclosing_bracket(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The [start, end) of the innermost round bracket around text[start:end], or None."""
    a = text.rfind("(", 0, start)
    b = text.find(")", end)
    if a < 0 or b < 0 or ")" in text[a:start] or "(" in text[end:b]:
        return None
    return a, b + 1


def _blank(text: str, start: int, end: int) -> str:
    """``text`` with [start, end) replaced by spaces: what is left keeps its offsets."""
    return text[:start] + " " * (end - start) + text[end:]


_ROLE_THEN_COMMA = re.compile("(?:" + "|".join(w for w, _ in ROLE_WORDS if w != "会同") + ")(?=、)")
_JOINT = re.compile(r"\S会同\S")


def _after_roles(group: str) -> list[tuple[str, int]]:
    """``区编办牵头、区法制办配合`` → [区编办牵头, 区法制办配合] (a role word closes a group)."""
    out, start = [], 0
    for m in _ROLE_THEN_COMMA.finditer(group):
        out.append((group[start:m.end()], start))
        start = m.end() + 1
    out.append((group[start:], start))
    return out


def _with_joint(ctx: Context, body: str, at: int, role: str, role_text: str, source: str) -> list[Assignment]:
    """``区编办会同区法制办`` + 负责: the first body carries the group's role, the one after 会同 joins it."""
    if "会同" in body and role != "joint-lead":
        i = body.index("会同")
        return [*names(ctx, body[:i], at, role, role_text, source),
                *names(ctx, body[i + 2:], at + i + 2, "joint-lead", "会同", source)]
    return names(ctx, body, at, role, role_text, source)


def labelled(ctx: Context, content: str, offset: int, source: str = "labelled") -> tuple[list[Assignment], Deadline | None]:
    """``牵头单位:市法制办;责任单位:市直各有关部门;完成时限:2017年底前``, on one line or several.
    A value may hold a deadline (``牵头单位:区编办,2017年底前完成``) or role words of its own."""
    assignments: list[Assignment] = []
    deadline: Deadline | None = None
    found = list(FIELD_LABEL.finditer(content))
    for i, m in enumerate(found):
        stop = found[i + 1].start() if i + 1 < len(found) else len(content)
        value = content[m.end():stop]
        value = value[:_value_end(value)]
        at = offset + m.end()
        label = m.group("label")
        if label in DEADLINE_LABELS:
            d = parse_deadline(value, field=True)
            if d is not None:
                v = value.strip()
                s = at + value.index(v)
                d.span = Span(s, s + len(v), ctx.text[s:s + len(v)])
                deadline = d
            continue
        found_assignments, found_deadline = groups(ctx, value, at, source, default=(LABELS[label], label))
        assignments.extend(found_assignments)
        deadline = deadline or found_deadline
    return assignments, deadline


def _value_end(value: str) -> int:
    """Where a labelled value ends: at 。 ; or a line break outside brackets, or an unmatched ``)``."""
    depth = 0
    for i, ch in enumerate(value):
        if ch in OPEN_BRACKETS:
            depth += 1
        elif ch in CLOSE_BRACKETS:
            if depth == 0:
                return i
            depth -= 1
        elif depth == 0 and ch in "。;\n":
            return i
    return len(value.rstrip(" ,"))


def labelled_span(content: str) -> tuple[int, int] | None:
    """The [start, end) of the labelled fields in a measure's text, or None."""
    first = FIELD_LABEL.search(content)
    if first is None:
        return None
    return first.start(), len(content.rstrip())


def carry_over(ctx: Context, line_text: str, offset: int) -> list[Assignment] | None:
    """A note that adds bodies to every following measure, or None if the line is not one."""
    m = _CARRY.search(line_text)
    if not m:
        return None
    verb = m.group("verb")
    role = _CARRY_ROLES.get(verb, "responsible")
    return names(ctx, m.group("who"), offset + m.start("who"), role, verb, "carry-over")
