"""Obligations: which bodies must carry out a measure, in which role, and by when.

Plans write them in several layouts, all handled here on folded text (half-width punctuation,
same length as the original, so offsets index the source text):

- a trailing parenthesis: ``(区工商局牵头,区地税局等有关部门按职责分别负责,2018年底前完成)``,
  with nested brackets (``〔市法制办牵头,市直各有关部门(含中直单位)配合〕``);
- labelled fields, inside or after the measure or on lines of their own:
  ``牵头单位:市法制办;责任单位:市直各有关部门;完成时限:2017年底前``;
- the cells of a task-division table row (the column header gives the role);
- carry-over notes that add a body to every following measure
  (``以下各项工作均需各市、县(市、区)人民政府落实,不再列出``);
- role clauses in the measure's sentences, wherever they stand (``…。由市司法局牵头,市直各部门配合。``,
  ``全面落实…,由区法制办牵头,区直各部门配合,2017年9月底前完成…``), with a deadline clause of the
  same sentence; a closing sentence of roles alone is not the task's text;
- a bracket never closed, or cut off by the end of the page (what is whole is kept).

Real pages add: roles inside a list (``责任单位:市司法局(牵头),市财政局``), lists closed by 等
(no body of its own), hard wraps inside names, role words and labels (``省自\n然资源厅``: one name,
the span still quotes the source). Where the jurisdiction is unknown, bodies are kept as written,
unresolved, with IRIs scoped to the document.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from policykg.ingest import agencies
from policykg.ingest.deadlines import parse_deadline
from policykg.ingest.divisions import Division, Divisions, load as load_divisions
from policykg.ingest.model import Assignment, Deadline, Role, Span
from policykg.ingest.text import CLOSE_BRACKETS, OPEN_BRACKETS, split_top, trailing_bracket

# Role words that end an obligation group, longest first.
ROLE_WORDS = (
    ("按职责分别负责", "responsible"), ("按职责分工负责", "responsible"), ("按照职责分工负责", "responsible"),
    ("按职责负责", "responsible"), ("分别负责", "responsible"), ("共同负责", "responsible"),
    ("共同牵头", "joint-lead"), ("联合牵头", "joint-lead"),
    ("牵头负责", "lead"), ("牵头落实", "lead"), ("牵头", "lead"), ("负责落实", "responsible"), ("负责", "responsible"),
    ("配合", "cooperating"), ("协助", "assisting"), ("参与", "participating"), ("指导", "guiding"),
    ("会同", "cooperating"), ("具体落实", "responsible"), ("组织落实", "responsible"), ("落实", "responsible"),
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
_BREAK = r"(?:[ \t\u3000]*\r?\n[ \t\u3000]*)?"  # a hard wrap inside a label (牵头单\n位:)
FIELD_LABEL = re.compile(
    r"(?P<label>" + "|".join(_BREAK.join(map(re.escape, label)) for label in sorted([*LABELS, *DEADLINE_LABELS], key=len, reverse=True))
    + r")\s*:\s*"
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
    """What resolving a name needs: the source text, the issuing jurisdiction, the division table.
    ``scope`` names the document for bodies that cannot be resolved (unknown jurisdiction)."""

    text: str
    home: Division | None
    divisions: Divisions
    scope: str = field(default="")
    year: int | None = None  # the year of an annual plan, for deadlines written without one
    owner: str | None = None  # the ministry that issued a national document: the units it names are its own

    def __post_init__(self) -> None:
        if not self.scope:
            digest = hashlib.sha1(self.text.encode("utf-8")).hexdigest()[:12]
            object.__setattr__(self, "scope", f"unresolved-{digest}")


def role_of(group: str, anywhere: bool = True) -> tuple[str, str | None]:
    """The role word a group ends with (or, with ``anywhere``, contains) and its role. Where a
    column or label gives the role, only a word at the end counts: 区农业技术指导站 is a name."""
    group = agencies.unwrap(group)  # 牵\n头 is 牵头
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
    content = agencies.unwrap(content)
    core = content.rstrip(" 。;,")
    return (bool(FIELD_LABEL.search(content)) or any(word in content for word, _ in ROLE_WORDS if word not in _ENDING_ONLY)
            or any(core.endswith(word) for word in _ENDING_ONLY if word != "会同") or bool(_JOINT.search(content)))


def names(ctx: Context, value: str, offset: int, role: str, role_text: str, source: str) -> list[Assignment]:
    """Assignments for a list of names (``区发改局、区财政局等有关部门``) at ``offset`` in the text."""
    pieces = split_top(value, "、,")
    merged: list[tuple[str, int]] = []
    for piece, start in pieces:
        if merged and _BARE_LEVEL.match(merged[-1][0].strip()) and not _names_itself(piece):
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
        if not name:
            continue
        start += lead
        # drop qualifiers (含中直单位) from the name but keep the span over what was written
        core = _QUALIFIER.sub("", name).strip()
        for surface, _ in _split_etc(core):
            surface = surface.strip()
            if not surface or _CLOSING_ETC.fullmatch(agencies.unwrap(surface)):
                continue
            surface = agencies.without_etc(surface)  # 区司法局等区直有关执法部门: the set is 区直有关执法部门
            pos = name.find(surface)
            at = offset + start + max(pos, 0)
            width = len(surface) if pos >= 0 else len(name)
            # a name wrapped over two lines (省自\n然资源厅) is one name; the span keeps the source
            written = agencies.unwrap(surface)
            if ctx.home is None:  # unknown jurisdiction: keep the body as written, unresolved
                party = agencies.unresolved(written, ctx.scope, ctx.divisions)
            else:
                party = agencies.resolve(written, ctx.home, ctx.divisions, ctx.owner)
            out.append(Assignment(
                agency=written, role=Role(role), role_text=role_text, collective=party.collective, party=party,
                span=Span(at, at + width, ctx.text[at:at + width]), source=source,
            ))
    return out


# 等 that closes a list of named bodies (区发改局、区财政局等 / 等部门): no body of its own
_CLOSING_ETC = re.compile(r"等(?:部门|单位|机关|机构)?")


def _names_itself(piece: str) -> bool:
    """A piece after a bare level (各乡镇、县直各部门; 各镇、县司法局) that names bodies of its own
    and so does not complete it, unlike 各市、县(市、区)人民政府 or 各镇、街道."""
    name = agencies.unwrap(piece).strip()
    return "各" in name or "直" in name or (re.match(r"^(?:省|市|州|县|区|旗)[\u4e00-\u9fff]", name) is not None
                                           and agencies.looks_whole(name))


def _split_etc(name: str) -> list[tuple[str, int]]:
    """"区发改局等有关部门" → [区发改局, 等有关部门]; "区商务局等" and "区商务局等部门" → [区商务局]."""
    i = name.find("等")
    if i > 0 and _CLOSING_ETC.fullmatch(agencies.unwrap(name[i:])):
        return [(name[:i], 0)]
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
    content = _inline_roles(content)
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
            flat, where = agencies.flatten(g)  # a deadline wrapped over two lines (2022年11月\n底前) too
            d = parse_deadline(flat, year=ctx.year)
            if d is not None:
                # a deadline in the group: keep it, and read what is left (区法制办(2018年底前完成))
                i = flat.find(d.text)
                i, j = where[i], where[i + len(d.text) - 1] + 1
                d.span = Span(at + i, at + j, ctx.text[at + i:at + j])
                deadline = d
                start, end = _enclosing_bracket(g, i, j) or (i, j)
                g = _blank(g, start, end)  # (每年12月前报送) is about timing: the whole bracket goes
                if not g.strip(" ,;()"):
                    continue
            role_text, role = role_of(g.rstrip(), anywhere=default is None)
            if role is not None:
                body = _before_role(g, role_text)
            elif default is not None:
                (role, role_text), body = default, g
            elif _JOINT.search(agencies.unwrap(g)):
                role, role_text, body = "responsible", "", g  # 区法制办会同区编办: no verb, both act
            else:
                continue
            assignments.extend(_with_joint(ctx, body, at, role, role_text, source))
    return assignments, deadline


_ASSIGNING_BRACKET = re.compile(r"\(([^()]*)\)")
# a role in brackets after a name: 市司法局(牵头),市财政局 (the lead among the 责任单位)
_INLINE_ROLE = re.compile(
    r"\(" + _BREAK + r"(?P<word>" + "|".join(_BREAK.join(w) for w in ("牵头", "负责", "配合", "协助", "参与")) + r")" + _BREAK + r"\)"
)


def _inline_roles(content: str) -> str:
    """``市司法局(牵头)、市财政局`` → ``市司法局  牵头、市财政局``: the word takes the place of its
    brackets, right-aligned so that it still closes its group; the length is kept."""
    return _INLINE_ROLE.sub(lambda m: " " * (len(m.group(0)) - len(m.group("word"))) + m.group("word"), content)


def _before_role(group: str, role_text: str) -> str:
    """The part of ``group`` before its role word, the word found across hard wraps (牵\n头)."""
    flat, where = agencies.flatten(group)
    stripped = flat.rstrip()
    i = len(stripped) - len(role_text) if stripped.endswith(role_text) else flat.index(role_text)
    return group[:where[i]]


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
    """``区编办会同区法制办`` + 负责: the first body carries the group's role, the one after 会同 works
    with it (cooperating: the brief's glossary lists 会同 with 配合 and 协助, and 市司法局会同市委编办负责
    is read as 司法局 responsible, 编办 cooperating)."""
    flat, where = agencies.flatten(body)  # 会\n同 too
    if "会同" in flat and role_text != "会同":
        i, j = where[flat.index("会同")], where[flat.index("会同") + 2]
        return [*names(ctx, body[:i], at, role, role_text, source),
                *names(ctx, body[j:], at + j, "cooperating", "会同", source)]
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
        rest = value[_value_end(value):]
        value = value[:len(value) - len(rest)]
        at = offset + m.end()
        if deadline is None and (after := _unlabelled_deadline(rest, ctx.year)) is not None:
            # 责任单位:县司法局;每年12月底前: a deadline after the value, without its label
            late, a, b = after
            s = at + len(value) + a
            late.span = Span(s, s + b - a, ctx.text[s:s + b - a])
            deadline = late
        label = agencies.unwrap(m.group("label"))
        if label in DEADLINE_LABELS:
            d = parse_deadline(agencies.unwrap(value), field=True, year=ctx.year)
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


def _unlabelled_deadline(rest: str, year: int | None) -> tuple[Deadline, int, int] | None:
    """A deadline standing on its own after a labelled value (``;每年12月底前``, ``;2023年底前完成``),
    with its [start, end) in ``rest``, or None: the piece after the separator must be the
    deadline and nothing else."""
    if not rest[:1] or rest[0] not in ";,。":
        return None
    piece = re.split(r"[\n;。)\]〕】]", rest[1:], maxsplit=1)[0]
    core = piece.strip(" ,")
    d = parse_deadline(agencies.unwrap(core), field=True, year=year)
    if d is None or agencies.unwrap(core) not in {d.text, d.text + "完成"}:
        return None
    a = 1 + piece.index(core)
    return d, a, a + len(core)


def _value_end(value: str) -> int:
    """Where a labelled value ends: at 。 ; or a line break outside brackets, or an unmatched ``)``.
    A line break inside a name (责任单位:省财\n政厅, a hard wrap) does not end it: the name before
    it is not whole and no label follows."""
    depth = 0
    for i, ch in enumerate(value):
        if ch in OPEN_BRACKETS:
            depth += 1
        elif ch in CLOSE_BRACKETS:
            if depth == 0:
                return i
            depth -= 1
        elif depth == 0 and ch in "。;":
            return i
        elif depth == 0 and ch == "\n" and not _wrapped_name(value, i):
            return i
    return len(value.rstrip(" ,"))


_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+、|\(?[一二三四五六七八九十\d]{1,3}[).、])")


def _wrapped_name(value: str, i: int) -> bool:
    """Whether the line break at ``value[i]`` is a hard wrap inside a name or a deadline
    (``省财\n政厅``, ``市直各部\n门``, ``2022年11月\n底前``) rather than the end of a labelled line:
    no label or numbering follows, and the piece before it or the piece after it is no whole name."""
    before = split_top(value[:i], "、,;")[-1][0].strip()
    after = value[i + 1:].lstrip()
    if not after or FIELD_LABEL.match(after) or _NUMBERED.match(after):
        return False  # the next labelled line, or the next item
    if value[:i].rstrip()[-1:] in ("、", ",") or after[:1] in ("、", ",", "("):
        return True  # 市直各部门、\n各区县…, 市司法局\n(牵头),…: the list goes on
    if before[-1:].isdigit() and after[:1].isdigit() or before[-1:] in ("年", "月") and after[:1] in tuple("0123456789底末前内"):
        return True  # 202\n2年底前, 2022年\n底前
    if not before or not "\u4e00" <= after[0] <= "\u9fff":
        return False
    first = re.split(r"[、,;。\n(]", after, maxsplit=1)[0]
    joined = before + first
    whole_deadline, part_deadline = parse_deadline(joined, field=True), parse_deadline(before, field=True)
    if whole_deadline is not None and (part_deadline is None or len(part_deadline.text) < len(whole_deadline.text)):
        return True  # 每年第一\n季度, 长期坚\n持
    role_text, _ = role_of(joined, anywhere=False)
    if not agencies.looks_whole(joined[: len(joined) - len(role_text)]):
        return False  # 市委督查室 / 各区县要参照执行: a new line of prose
    return not agencies.looks_whole(before) or not agencies.looks_whole(first) or bool(_NAME_HEAD.match(first))


# what ends a name but never starts one: 各区县\n人民政府 is one name
_NAME_HEAD = re.compile(r"^(?:人民政府|政府|办公室|办公厅|委员会|部门|单位|机关|管理局|服务中心|中心)")


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


def unclosed_bracket(folded: str) -> int | None:
    """Where the obligation bracket opened near the end of a measure and never closed starts
    (``…。(牵头单位:区司法局;责任单位:区政`` on a page cut off there), or None. Only a bracket
    that reads like one qualifies: obligation words, no sentence inside, not too long."""
    stack: list[int] = []
    for i, ch in enumerate(folded):
        if ch in OPEN_BRACKETS:
            stack.append(i)
        elif ch in CLOSE_BRACKETS and stack:
            stack.pop()
    end = len(folded.rstrip(" \n。;,"))
    for start in stack:
        content = folded[start + 1:end]
        if content and len(content) <= 160 and "。" not in content and has_obligation(content):
            return start
    return None


def cut_fragment(content: str) -> tuple[str, str | None]:
    """The whole part of the content of a bracket cut off by the end of the page, and the
    fragment dropped from its end (None if the last piece looks whole). ``牵头单位:区司法局;
    责任单位:区政`` → (``牵头单位:区司法局;责任单位:``, ``区政``)."""
    body = content.rstrip()
    cut = max(body.rfind(sep) for sep in ",;、:")
    fragment = body[cut + 1:]
    if not fragment.strip() or agencies.looks_whole(fragment) or parse_deadline(fragment) is not None \
            or role_of(fragment, anywhere=False)[1] is not None:
        return body, None
    return body[:cut + 1], fragment.strip()


# what a body's name never holds: prose around a role word (各部门要积极配合, 各级政府主要负责人负责)
_PROSE = re.compile(
    r"[的要将把对并及与]|(?<!自)由|积极|加强|推进|推动|推行|做好|督促|确保|切实|认真|主动|负责人|分管|干部|人员|工作|"
    r"实行|实施|建立|健全|完善|坚持|形成|构建|强化|明确|压实|全面|深化|开展"
)
# how the name of a body that takes a role ends (an agency, a government, a set of them)
_BODY_END = re.compile(r"(?:局|委|办|厅|部|院|室|司|署|处|中心|政府|组|街道|机关|单位|部门|机构|街镇|乡镇|党组|党校|法院)$")
_COLLECTIVE_PLACES = re.compile(r"^各(?:[省市州盟县区旗乡镇]|街道|社区|村|地)+(?:\([^()]*\))?$")  # 各乡镇, 各县(市、区)
# a name that says whose body it is: a place level, a set, the Party, the State (or a division's name)
_SCOPED = re.compile(r"^(?:自治区|省|市|州|盟|县|区|旗|乡|镇|各|中共|党委|国家|国务院|中央|部机关|部直属)")
# a unit named bare (法规司, 执法局, 区委编办 aside): short, and ending like one body
_UNIT = re.compile(r"^[\u4e00-\u9fff]{2,12}(?:局|司|厅|办|委|室|中心|院|所|处|组)$")
# a set named by its relation to the task, after a list or alone: 等有关部门, 相关司局
_RELATED = re.compile(r"^等?(?:有关|相关)[\u4e00-\u9fff]{0,8}(?:部门|单位|司局|机关|机构)$")
# a deadline clause may open with these (力争2022年底前完成, 并于6月底前报送)
_DEADLINE_LEAD = re.compile(r"^(?:并|要|须|需|应|力争|确保|争取|于|在)*")


def body_name(name: str, divisions: Divisions | None = None) -> bool:
    """Whether ``name`` (as written before a role word in a sentence) is the name of a body: it
    ends like an agency (局, 委, 办, 厅, 部, 院, 室, 中心, 政府, 组 …) or is a set of places (各乡镇);
    it says whose body it is (区司法局, 各部门, a division's name: 长沙市岳麓区人民政府) or is a
    unit named bare (法规司); it holds only Han characters and brackets, and no prose (要, 的, 积极,
    负责人, 实行 …): 实行政府 and 各部门要积极 are not names."""
    n = agencies.unwrap(_QUALIFIER.sub("", name)).strip()
    if not 2 <= len(n) <= 30 or not re.fullmatch(r"[\u4e00-\u9fff()、]+", n) or _PROSE.search(n):
        return False
    if _COLLECTIVE_PLACES.match(n):
        return True
    if not _BODY_END.search(n):
        return False
    if _SCOPED.match(n) or _UNIT.match(n) or _RELATED.match(n):
        return True
    found = (divisions or load_divisions()).find(n)
    return bool(found) and found[0][0] == 0


def _names_ok(who: str) -> bool:
    """Every name in ``区发改局、区财政局等有关部门`` / ``区编办会同区法制办`` is a body's name."""
    parts = [p for part in agencies.unwrap(who).split("会同") for p, _ in split_top(part, "、")]
    if not parts:
        return False
    for part in parts:
        pieces = [s for s, _ in _split_etc(_QUALIFIER.sub("", part).strip())]
        if not pieces or not all(_CLOSING_ETC.fullmatch(s.strip()) or body_name(s.strip().removeprefix("等")) for s in pieces):
            return False
    return True


def role_clause(clause: str) -> bool:
    """Whether a clause of a sentence only assigns bodies: ``由区司法局牵头``, ``区编办会同区法制办负责``,
    ``区政府办公室、区直各部门配合``, ``区编办牵头、区法制办配合``. The role word ends each part
    (会同 and 落实 alone do not count) and what stands before it is names of bodies."""
    if not clause.strip():
        return False
    for piece, _ in _after_roles(clause):
        g = agencies.unwrap(piece).strip()
        role_text, role = role_of(g, anywhere=False)
        if role is None or role_text in _ENDING_ONLY:
            return False
        if not _names_ok(g[: len(g) - len(role_text)].removeprefix("由")):
            return False
    return True


def clause_deadline(clause: str, year: int | None = None) -> tuple[Deadline, int, int] | None:
    """The deadline a clause opens with (``2022年6月底前完成``, ``每年12月底前通报一次``, ``力争年底前
    完成``), with its [start, end) in ``clause``, or None. An ongoing one (长期坚持) must be the
    whole clause: ``持续推进法治宣传`` is a task."""
    flat, where = agencies.flatten(clause)
    stripped = flat.strip(" \n")
    lead = len(flat) - len(flat.lstrip(" \n"))
    lead += _DEADLINE_LEAD.match(stripped).end()  # type: ignore[union-attr]
    rest = flat[lead:].rstrip(" \n")
    d = parse_deadline(rest, year=year)
    if d is None or not d.text or not rest.startswith(d.text):
        return None
    if d.precision == "ongoing" and rest.strip(" 。") != d.text:
        return None
    return d, where[lead], where[lead + len(d.text) - 1] + 1


def _numbering(folded: str) -> int:
    """The length of the outline number (and blanks) a measure's text may start with."""
    stripped = folded.lstrip()
    m = _NUMBERED.match(stripped)
    return len(folded) - len(stripped) + (m.end() if m else 0)


@dataclass
class RoleSentences:
    """Role clauses written in a measure's sentences (``…。由区司法局牵头,区直各部门配合,2022年6月底前
    完成。``), as [start, end) offsets in the text read."""

    clauses: list[tuple[int, int]]
    deadline: tuple[Deadline, int, int] | None  # a deadline clause in a sentence with role clauses
    closing: int | None  # where a closing sentence of role and deadline clauses alone starts


def role_sentences(folded: str, year: int | None = None) -> RoleSentences | None:
    """The role clauses of a measure's text, wherever they stand in its sentences (``全面落实…责任制,
    由区法制办牵头,区直各部门配合,2017年9月底前完成…``), or None. A clause that is neither names with a
    role word nor a deadline is the task's own (推进法治乡村建设) and is left alone; prose that
    mentions bodies (各部门要积极配合, 各级政府主要负责人负责) is no role clause."""
    skip = _numbering(folded)
    clauses: list[tuple[int, int]] = []
    deadline: tuple[Deadline, int, int] | None = None
    closing: int | None = None
    sentences = [(s, a) for s, a in split_top(folded, "。") if s.strip(" \n,;")]
    for k, (sentence, s_at) in enumerate(sentences):
        found: list[tuple[int, int]] = []
        sentence_deadline: tuple[Deadline, int, int] | None = None
        other = False
        for clause, c_at in split_top(sentence, ",;"):
            at = s_at + c_at
            if at + len(clause) <= skip or not clause.strip(" \n"):
                continue
            if at < skip:
                clause, at = clause[skip - at:], skip
            lead = len(clause) - len(clause.lstrip(" \n"))
            core, bracket_deadline = _without_deadline_bracket(clause, year)  # 区直各部门配合(2022年底前)
            if role_clause(core):
                found.append((at + lead, at + len(core.rstrip(" \n"))))
                if bracket_deadline is not None and sentence_deadline is None:
                    sentence_deadline = (bracket_deadline[0], at + bracket_deadline[1], at + bracket_deadline[2])
            elif sentence_deadline is None and (d := clause_deadline(clause, year)) is not None:
                sentence_deadline = (d[0], at + d[1], at + d[2])
                # 每季度通报一次办理情况 is a task with its time: the sentence is not only roles
                other = other or agencies.unwrap(clause[d[2]:]).strip(" \n。") not in {"", "完成"}
            else:
                other = True
        if not found:
            continue
        clauses.extend(found)
        deadline = deadline or sentence_deadline
        if k == len(sentences) - 1 and k > 0 and not other:
            closing = s_at + len(sentence) - len(sentence.lstrip(" \n"))
    return RoleSentences(clauses, deadline, closing) if clauses else None


def _without_deadline_bracket(clause: str, year: int | None) -> tuple[str, tuple[Deadline, int, int] | None]:
    """A clause without the bracket that closes it when that bracket holds a deadline
    (``区直各部门配合(2022年底前完成)``), and that deadline with its [start, end) in the clause."""
    tb = trailing_bracket(clause)
    if tb is None or (d := clause_deadline(clause[tb[0]:tb[1]], year)) is None:
        return clause, None
    return clause[:tb[0] - 1], (d[0], tb[0] + d[1], tb[0] + d[2])


def text_deadline(folded: str, year: int | None = None) -> tuple[Deadline, int, int] | None:
    """The last deadline clause of a measure's own text (``加强街镇法治建设,2023年10月底前完成。``),
    or of a bracket that holds one (``…。(2022年底前完成)``), with its [start, end), or None."""
    found: list[tuple[Deadline, int, int]] = []
    skip = _numbering(folded)
    brackets = _top_brackets(folded)
    blanked = list(folded)
    for a, b in brackets:  # (区司法局牵头)2022年6月底前完成: the clause after the bracket is read apart
        blanked[a - 1:b + 1] = " " * (b + 1 - (a - 1))
        if (d := clause_deadline(folded[a:b], year)) is not None:
            found.append((d[0], a + d[1], a + d[2]))
    for sentence, s_at in split_top("".join(blanked), "。"):
        for clause, c_at in split_top(sentence, ",;"):
            at = s_at + c_at
            if at >= skip and (d := clause_deadline(clause, year)) is not None:
                found.append((d[0], at + d[1], at + d[2]))
    return max(found, key=lambda f: f[1]) if found else None


def bracket_before_deadline(folded: str, year: int | None = None) -> tuple[int, int] | None:
    """The [start, end) of the content of the last bracket when only a deadline follows it
    (``…。(区司法局牵头,区直各部门配合)2022年6月底前完成。``): the measure's obligation bracket."""
    brackets = _top_brackets(folded)
    if not brackets:
        return None
    a, b = brackets[-1]
    tail = folded[b + 1:].strip(" \n。;,")
    found = clause_deadline(tail, year) if tail and "。" not in tail else None
    if found is None or agencies.unwrap(tail[found[2]:]).strip() not in {"", "完成"} or not has_obligation(folded[a:b]):
        return None
    return a, b


def _top_brackets(text: str) -> list[tuple[int, int]]:
    """The [start, end) of the content of every top-level bracket that is closed in ``text``."""
    out: list[tuple[int, int]] = []
    depth = opened = 0
    for i, ch in enumerate(text):
        if ch in OPEN_BRACKETS:
            if depth == 0:
                opened = i
            depth += 1
        elif ch in CLOSE_BRACKETS and depth:
            depth -= 1
            if depth == 0:
                out.append((opened + 1, i))
    return out
