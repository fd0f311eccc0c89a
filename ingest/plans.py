"""Plan structure and measures.

A plan's outline is numbered in the conventional styles, outermost first: ``一、`` ``(一)``
``1.``/``1、`` ``1)``/``(1)`` ``①``. Which style numbers the *measures* differs between plans
(the 钦南区 plan: ``一、`` parts, ``(一)`` task areas, ``1.`` topics, ``37)`` measures; others
number measures ``1.`` or ``(一)``); it is the style whose items carry obligations (a trailing
parenthesis, labelled fields, labelled lines). The styles above it are sections. Task-division
tables (序号 | 任务 | 牵头单位 | 配合单位 | 完成时限, one row per line, cells separated by TABs or,
under a header row, by ``|``) give measures too. Obligations are parsed by :mod:`policykg.ingest.obligations`.

What closes a plan or its covering 通知 (the signature and its date, 此件公开发布, 附件:) and page
numbers never join the last measure: its obligation bracket stays at the end of its text. What
could only be read with doubt (a bracket not closed, cut off, or not at the end) is read and
reported in ``PlanStructure.warnings``.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from policykg.ingest import agencies, obligations
from policykg.ingest.deadlines import default_deadline, parse_deadline
from policykg.ingest.divisions import Division, Divisions
from policykg.ingest.model import Assignment, Deadline, Goal, Measure, Section, SectionKind, Span, short_title
from policykg.ingest.obligations import Context
from policykg.ingest.text import Line, chinese_number, fold, trailing_bracket

_CN = "一二三四五六七八九十"
# numbering styles, outermost first: (style, pattern); group n = the number, the rest is the heading
STYLES = (
    ("cn", re.compile(rf"^(?P<n>[{_CN}]+)\s*[、.]\s*(?P<h>.+)$")),
    ("paren-cn", re.compile(rf"^\((?P<n>[{_CN}]+)\)\s*(?P<h>.+)$")),
    ("arabic", re.compile(r"^(?P<n>\d{1,4})\s*(?:[.、](?!\d)|\.(?=\d+\.))\s*(?P<h>[^\d].*)$")),
    ("arabic-paren", re.compile(r"^(?:\((?P<n>\d{1,4})\)|(?P<m>\d{1,4})\s*\))\s*(?P<h>.+)$")),
    ("circled", re.compile(r"^(?P<n>[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])\s*(?P<h>.+)$")),
)
_RANK = {name: i for i, (name, _) in enumerate(STYLES)}
_SECTION_KIND = {"cn": "part", "paren-cn": "task-area", "arabic": "topic", "arabic-paren": "topic", "circled": "topic"}
_GOAL = re.compile(r"^目标\s*:\s*(?P<t>.+)$")
# a heading glued to the end of a measure: "…负责)40. 强化考核评价和督促检查", "…牵头)(二)完善…"
_GLUED = re.compile(rf"(?<=[)〕])\s*(?=(?:\d{{1,3}}\s*\.|[{_CN}]+、|\([{_CN}]+\))[^()。;]{{2,40}}$)")
_STEPS = re.compile(r"实施步骤|进度安排|时间安排|时间步骤|工作步骤")
# table columns by header words
_NUMBER_COL = re.compile(r"^(?:序号|编号|序)$")
_TASK_COL = re.compile(r"任务|工作内容|措施|事项|内容")
_DEADLINE_COL = re.compile(r"时限|时间|期限|进度")
_SUB_NUMBER = re.compile(r"^\d{1,4}\s*[.-]\s*\d{1,3}$")
_EMPTY_CELLS = {"-", "--", "/", "无", "—", "——", "…"}
# what closes a plan or its covering 通知 (signature, date, release note); it never belongs to
# the last measure, whose bracket must stay at the end of its text
_DATE_LINE = re.compile(
    r"(?:^|\s)(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|[〇○零一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,2}\s*月\s*[一二三四五六七八九十]{1,3}\s*日)(?:印发)?$"
)
_SIGNER = re.compile(
    r"^[\u4e00-\u9fff][\u4e00-\u9fff ]{1,40}(?:人民政府|政府|办公室|办公厅|委员会|领导小组|委|局|厅|办|部|院|中心)$"
)
_RELEASE = re.compile(r"^\((?:此件|本件)[^()]{0,12}\)$|^(?:抄送|抄报|主送|联系人)\s*:|^附件\s*[:\d一二三四五六七八九]")
_PAGE_NUMBER = re.compile(r"^-*\s*\d{1,3}\s*-*$|^第\s*\d{1,3}\s*页")
_SENTENCE_END = tuple("。)〕];!?")


@dataclass
class PlanStructure:
    sections: list[Section]
    goals: list[Goal]
    measures: list[Measure]
    default: Deadline | None
    warnings: list[str] = field(default_factory=list)  # obligations read with doubt, or not read


@dataclass
class _Item:
    """A numbered outline line with the lines that follow it up to the next item."""

    style: str
    number: int
    heading: str
    line: Line
    end: int
    obligated: bool = False
    parent_of_obligated: bool = False  # a deeper item under it carries obligations
    extra: list[Line] = field(default_factory=list)


def _number(style: str, m: re.Match[str]) -> int:
    n = m.group("n") or m.groupdict().get("m")
    assert n, f"a numbering has a number: {m.group(0)!r}"
    if style in {"cn", "paren-cn"}:
        return chinese_number(n)
    if style == "circled":
        return "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳".index(n) + 1
    return int(n)


def classify(t: str) -> tuple[str, int, str] | None:
    """The numbering style, number and heading of an outline line, or None."""
    for style, pattern in STYLES:
        if m := pattern.match(t):
            try:
                return style, _number(style, m), m.group("h").strip()
            except (ValueError, KeyError):
                return None
    return None


def _structured_obligation(folded: str, year: int | None = None) -> bool:
    """A block states obligations in a structured way (not just "区法制办要牵头做好…" in prose)."""
    tb = trailing_bracket(folded) or obligations.bracket_before_deadline(folded, year)
    if tb and obligations.has_obligation(folded[tb[0]:tb[1]]):
        return True
    return obligations.labelled_span(folded) is not None or obligations.unclosed_bracket(folded) is not None \
        or obligations.role_sentences(folded) is not None


def _closing_lines(body: list[Line]) -> set[int]:
    """The starts of the lines that close the document or its covering 通知: a signature (one
    or more issuer lines) with its date, a date after a finished sentence, a release note."""
    out: set[int] = set()
    for k, line in enumerate(body):
        t = line.text
        if _RELEASE.search(t) and len(t) <= 40 and classify(t) is None:
            out.add(line.start)
        date = _DATE_LINE.search(t)
        if date is None:
            continue
        if date.start() > 0:  # 青山县人民政府 2021年3月5日 on one line
            if _SIGNER.match(t[:date.start()].strip()) and classify(t) is None:
                out.add(line.start)
            continue
        j = k - 1
        while j >= 0 and _SIGNER.match(body[j].text) and classify(body[j].text) is None:
            j -= 1
        if j >= 0 and body[j].text.rstrip().endswith((":", "：")):
            continue  # 牵头单位: / 市司法局 / 2022年12月31日: a measure's cells, one a line
        if j < k - 1 or (k > 0 and body[k - 1].text.endswith(_SENTENCE_END)):
            out.update(ln.start for ln in body[j + 1:k + 1])
    # a signature without a date, at the very end
    k = len(body) - 1
    while k >= 0 and body[k].start in out:
        k -= 1
    if k > 0 and _SIGNER.match(body[k].text) and classify(body[k].text) is None \
            and body[k - 1].text.endswith(_SENTENCE_END):
        out.add(body[k].start)
    return out


class _PlanParser:
    def __init__(self, text: str, body: list[Line], home: Division | None, divisions: Divisions, year: int | None = None) -> None:
        self.text = text
        self.body, self.folded = pipe_tables(body, fold(text))
        owner = agencies.issuing_body(text) if home is not None and home.level == "national" else None
        self.ctx = Context(text, home, divisions, year=year, owner=owner)
        self.warnings: list[str] = []
        self.sections: list[Section] = []
        self.goals: list[Goal] = []
        self.measures: list[Measure] = []
        self.open: dict[str, Section] = {}  # style → innermost open section of that style
        self.carried: list[Assignment] = []
        self._table_columns: _Columns | None = None  # the header of the table being read

    def span(self, start: int, end: int) -> Span:
        return Span(start, end, self.text[start:end])

    # --- pass 1: items, and which style numbers the measures ---------------------------------
    def items(self) -> tuple[list[_Item | Line], str | None]:
        out: list[_Item | Line] = []
        current: _Item | None = None
        closing = _closing_lines(self.body)
        for line in (part for body_line in self.body for part in _unglue(body_line)):
            c = classify(line.text) if "\t" not in line.text else None
            if line.start in closing:
                current = None  # the signature after the last measure is not its text
                out.append(line)
            elif current is not None and _PAGE_NUMBER.match(line.text):
                continue  # a page number of text copied out of a PDF
            elif c is not None:
                current = _Item(c[0], c[1], c[2], line, line.end)
                out.append(current)
            elif current is not None and "\t" not in line.text and not _GOAL.match(line.text) \
                    and line.text.rstrip(":") != "措施" and not obligations.carry_over(self.ctx, line.text, line.start):
                current.extra.append(line)
                current.end = line.end
            else:
                current = None
                out.append(line)
        counts: dict[str, int] = {}
        for item in out:
            if isinstance(item, _Item):
                item.obligated = _structured_obligation(self.folded[item.line.start:item.end], self.ctx.year)
                if item.obligated:
                    counts[item.style] = counts.get(item.style, 0) + 1
        if counts:
            # the style most obligated items use; a tie goes to the deeper style
            out = _fold_listed_sub_items(out)
            counts = {}
            for item in out:
                if isinstance(item, _Item) and item.obligated:
                    counts[item.style] = counts.get(item.style, 0) + 1
            style = max(counts, key=lambda st: (counts[st], _RANK[st]))
            _mark_parents(out)
        elif any(isinstance(i, Line) and "\t" in i.text and self._columns(i) is not None for i in out):
            style = None  # the measures are the rows of a task-division table
        else:
            numbered = [i.style for i in out if isinstance(i, _Item) and i.style != "cn"]
            style = max(numbered, key=_RANK.__getitem__) if numbered else None
        return out, style

    # --- pass 2 --------------------------------------------------------------------------------
    def parse(self) -> PlanStructure:
        items, measure_style = self.items()
        steps: list[Line] = []
        in_steps = False
        i = 0
        while i < len(items):
            item = items[i]
            i += 1
            if isinstance(item, Line):
                t = item.text
                if "\t" in t:
                    consumed = self.table(items, i - 1)
                    i = i - 1 + max(consumed, 1)
                    continue
                if in_steps:
                    steps.append(item)
                    continue
                if m := _GOAL.match(t):
                    owner = self.open.get("paren-cn") or self.open.get("cn")
                    self.goals.append(Goal(owner.path if owner else "", m.group("t"), self.span(item.start, item.end)))
                    continue
                carried = obligations.carry_over(self.ctx, t, item.start)
                if carried is not None:
                    self.carried = carried
                continue
            if measure_style is not None and not in_steps:
                if item.obligated and not item.parent_of_obligated:
                    self.measure(item)  # obligations of its own and none below it: a measure, whatever its style
                    continue
                if item.style == measure_style and not item.parent_of_obligated:
                    self.measure(item)  # a measure that names no body
                    continue
                if _RANK[item.style] > _RANK[measure_style]:
                    continue  # a sub-item inside a measure's text
                # (五)加强组织保障 whose 1. 2. items carry the obligations: a heading
            if item.style == "cn":
                in_steps = bool(_STEPS.search(item.heading))
                if in_steps:
                    steps.extend([item.line, *item.extra])
            elif in_steps:
                steps.extend([item.line, *item.extra])
                continue
            self.section(item)
        default = self.default(steps)
        return PlanStructure(self.sections, self.goals, self.measures, default, self.warnings)

    def section(self, item: _Item) -> None:
        style = item.style
        if style == "arabic" and self.open.get("arabic") and item.number not in {1, int(self.open["arabic"].number) + 1}:
            return  # "3. …" inside running text, not the next topic
        for s in list(self.open):
            if _RANK[s] >= _RANK[style]:
                del self.open[s]
        parent = self._innermost()
        path = f"{parent.path if parent else '0'}.{item.number}" if style != "cn" else str(item.number)
        section = Section(path, SectionKind(_SECTION_KIND[style]), str(item.number), item.heading, self.span(item.line.start, item.line.end))
        self.sections.append(section)
        self.open[style] = section

    def _innermost(self) -> Section | None:
        if not self.open:
            return None
        return self.open[max(self.open, key=_RANK.__getitem__)]

    def _area(self) -> Section | None:
        return self.open.get("paren-cn") or self.open.get("cn")

    def _topic(self) -> Section | None:
        topics = [s for st, s in self.open.items() if st not in {"cn", "paren-cn"}]
        return topics[-1] if topics else None

    def measure(self, item: _Item) -> None:
        for style in [st for st in self.open if _RANK[st] >= _RANK[item.style]]:
            del self.open[style]  # (四)… after the heading (三)加强组织保障 is not under it
        start, end = item.line.start, item.end
        raw, folded = self.text[start:end], self.folded[start:end]
        body_start = item.line.text.index(item.heading)
        assignments: list[Assignment] = []
        deadline: Deadline | None = None
        text_end = len(folded)
        inner: tuple[int, int] | None = None  # a bracket read from inside the text, cut out of it
        tail = 0  # where a deadline written after the obligation bracket starts
        labelled = obligations.labelled_span(folded)
        tb = trailing_bracket(folded)
        if tb is None and (tb := obligations.bracket_before_deadline(folded, self.ctx.year)) is not None:
            tail = tb[1] + 1  # (区司法局牵头)2022年6月底前完成。: the deadline after the bracket is the measure's
        unclosed = obligations.unclosed_bracket(folded[body_start:])
        unclosed = None if unclosed is None else body_start + unclosed
        if tb and obligations.has_obligation(folded[tb[0]:tb[1]]) and (labelled is None or labelled[0] >= tb[0]):
            assignments, deadline = obligations.groups(self.ctx, folded[tb[0]:tb[1]], start + tb[0])
            text_end = tb[0] - 1
            if deadline is None and tail and (after := obligations.text_deadline(folded[tail:], self.ctx.year)) is not None:
                deadline = self._deadline_at(*after, start + tail)
        elif unclosed is not None and (labelled is None or labelled[0] > unclosed):
            content = folded[unclosed + 1:len(folded.rstrip(" \n。;,"))]
            if not self.text[end:].strip():  # the page ends inside the bracket: its last piece may be cut
                content, fragment = obligations.cut_fragment(content)
                self.warn(item, "its obligation bracket is cut off by the end of the text; read what is whole"
                          + (f", dropped the fragment {fragment!r}" if fragment else ""))
            else:
                self.warn(item, "its obligation bracket is not closed; read it to the end of the measure")
            assignments, deadline = obligations.groups(self.ctx, content, start + unclosed + 1)
            text_end = unclosed
        elif labelled is not None:
            assignments, deadline = obligations.labelled(self.ctx, folded[labelled[0]:], start + labelled[0])
            text_end = labelled[0]
            # …。(区发改局牵头) then 责任单位:… on the next line: the bracket counts too
            head = trailing_bracket(folded[:labelled[0]])
            if head and obligations.has_obligation(folded[head[0]:head[1]]):
                more, more_deadline = obligations.groups(self.ctx, folded[head[0]:head[1]], start + head[0])
                assignments = [*more, *assignments]
                deadline = deadline or more_deadline
                text_end = head[0] - 1
        elif (roles := obligations.role_sentences(folded[body_start:], self.ctx.year)) is not None:
            # 由市司法局牵头,市直各部门配合,2022年6月底前完成: role clauses in the measure's sentences
            for a, b in roles.clauses:
                found, found_deadline = obligations.groups(self.ctx, folded[body_start + a:body_start + b], start + body_start + a)
                assignments.extend(found)
                deadline = deadline or found_deadline
            if deadline is None and roles.deadline is not None:
                deadline = self._deadline_at(*roles.deadline, start + body_start)
            if roles.closing is not None:
                text_end = body_start + roles.closing  # a closing sentence that only assigns: not the task's text
        elif (inner := _inner_bracket(folded, body_start)) is not None:
            assignments, deadline = obligations.groups(self.ctx, folded[inner[0] + 1:inner[1] - 1], start + inner[0] + 1)
            self.warn(item, f"its obligation bracket {raw[inner[0]:inner[1]]!r} is not at the end of its text; "
                      "read it as the measure's")
        if deadline is None and (found_at := obligations.text_deadline(folded[body_start:text_end], self.ctx.year)) is not None:
            deadline = self._deadline_at(*found_at, start + body_start)  # …,2023年10月底前完成。(责任单位:…)
        segment = folded[body_start:text_end]
        lead = len(segment) - len(segment.lstrip())
        measure_text = raw[body_start + lead:body_start + lead + len(segment.strip())]
        if inner is not None:
            measure_text = measure_text.replace(raw[inner[0]:inner[1]], "", 1)
        for carried in self.carried:
            assignments.append(carried)
        area, topic_s = self._area(), self._topic()
        self.measures.append(Measure(
            number=item.number,
            text=measure_text.replace("\n", ""),
            section=topic_s.path if topic_s else (area.path if area else None),
            topic=int(topic_s.number) if topic_s else None,
            task_area=area.heading if area else None,
            deadline=deadline,
            assignments=assignments,
            span=self.span(start, end),
        ))

    def _deadline_at(self, deadline: Deadline, a: int, b: int, offset: int) -> Deadline:
        """``deadline``, found at [a, b) of the text read from ``offset``, with its span."""
        deadline.span = self.span(offset + a, offset + b)
        return deadline

    def warn(self, item: _Item, what: str) -> None:
        self.warnings.append(f"measure {item.number} ({item.heading[:16]}…): {what}")

    # --- task-division tables ---------------------------------------------------------------
    def table(self, items: list[_Item | Line], i: int) -> int:
        """Parse the table starting at items[i]; return how many items it spans."""
        rows: list[Line] = []
        j = i
        while j < len(items) and isinstance(items[j], Line) and "\t" in items[j].text:  # type: ignore[union-attr]
            rows.append(items[j])  # type: ignore[arg-type]
            j += 1
        header_at = next((k for k, r in enumerate(rows) if self._columns(r) is not None), None)
        if header_at is not None:
            self._table_columns = self._columns(rows[header_at])
        elif self._table_columns is None:
            return j - i  # a table that is not a task-division table
        else:
            header_at = -1  # rows continuing the table after a section row ("一、…" spans the table)
        columns = self._table_columns
        assert columns is not None
        previous: Measure | None = None
        for row in rows[header_at + 1:]:
            cells = self._cells(row)
            filled = [c for c in cells if c[0].strip()]
            if filled and all(_RULE_CELL.match(c) for c, _ in filled):
                continue  # |---|---| under a Markdown header
            if len(filled) == 1 and (c := classify(filled[0][0].strip())) is not None:
                self.section(_Item(c[0], c[1], c[2], row, row.end))
                continue
            if columns.number is not None:
                raw = cells[columns.number][0].strip() if columns.number < len(cells) else ""
                number = _row_number(raw)
                if number is None and raw and not _SUB_NUMBER.match(raw):
                    continue  # a sub-total or note row; 5.1 continues measure 5
            else:
                number = len([m for m in self.measures if m.span.start >= rows[0].start]) + 1
            row_measure = self._row(row, cells, columns, number if number is not None else 0)
            if number is None or (previous is not None and number == previous.number):
                # no 序号, or the same one repeated from a merged cell: the row continues the measure above
                if previous is not None:
                    self.measures.pop()
                    _merge(previous, row_measure, self.span(previous.span.start, row_measure.span.end))
                continue
            previous = row_measure
        return j - i

    def _cells(self, row: Line) -> list[tuple[str, int]]:
        raw_line = self.folded[row.start:row.end]
        return [(cell, row.start + offset) for cell, offset in _split_tabs(raw_line)]

    def _columns(self, row: Line) -> _Columns | None:
        return table_columns([c for c, _ in _split_tabs(self.folded[row.start:row.end])])

    def _row(self, row: Line, cells: list[tuple[str, int]], columns: _Columns, number: int) -> Measure:
        assignments: list[Assignment] = []
        deadline: Deadline | None = None
        wanted = [*((k, role) for k, role in columns.roles.items()), (columns.deadline, None)]
        for k, role in wanted:
            if k is None or k >= len(cells):
                continue
            cell, at = cells[k]
            value, at = cell.strip(), at + len(cell) - len(cell.lstrip())
            if not value or value in _EMPTY_CELLS:
                continue
            if role is not None:
                a, d = obligations.groups(self.ctx, value, at, "table", default=role)
                assignments.extend(a)
                deadline = deadline or d
            elif (d := parse_deadline(value, field=True, year=self.ctx.year)) is not None:
                d.span = self.span(at, at + len(value))
                deadline = d
        task_cell, task_at = cells[columns.task] if columns.task < len(cells) else ("", row.start)
        under = self._topic() or self._area()
        measure = Measure(
            number=number,
            text=self.text[task_at:task_at + len(task_cell)].strip(),
            section=under.path if under else None,
            topic=int(self._topic().number) if self._topic() else None,  # type: ignore[union-attr]
            task_area=self._area().heading if self._area() else None,  # type: ignore[union-attr]
            deadline=deadline,
            assignments=[*assignments, *self.carried],
            span=self.span(row.start, row.end),
        )
        self.measures.append(measure)
        return measure

    def default(self, steps: list[Line]) -> Deadline | None:
        """The plan-wide completion date (原则上应当在2019年底前完成), from the 实施步骤 part or,
        failing that, from any line outside the measures; applied to measures without one."""
        for line in itertools.chain(steps, self._outside_measures()):
            found = default_deadline(self.text[line.start:line.end])
            if found:
                default, a, b = found
                default.span = self.span(line.start + a, line.start + b)
                for measure in self.measures:
                    if measure.deadline is None:
                        measure.deadline = Deadline(default.date, default.precision, default.text, True, default.span)
                return default
        return None

    def _outside_measures(self) -> Iterator[Line]:
        spans = sorted((m.span.start, m.span.end) for m in self.measures)
        starts = [a for a, _ in spans]
        for line in self.body:
            i = bisect.bisect_right(starts, line.start) - 1
            if i < 0 or line.start >= spans[i][1]:
                yield line


@dataclass(frozen=True)
class _Columns:
    """Where a task-division table keeps what: the 序号, task, deadline columns and, for each
    column of bodies, its role and label (牵头单位 → lead)."""

    task: int
    roles: dict[int, tuple[str, str]]
    number: int | None = None
    deadline: int | None = None


def table_columns(header: list[str]) -> _Columns | None:
    """The columns of a task-division table from its header row, or None if it is not one."""
    number = task = deadline = None
    roles: dict[int, tuple[str, str]] = {}
    for k, cell in enumerate(c.strip().replace(" ", "") for c in header):
        label = cell if cell in obligations.LABELS else cell.rstrip("单位部门") + "单位"
        if _NUMBER_COL.match(cell):
            number = number if number is not None else k
        elif label in obligations.LABELS:
            roles[k] = (obligations.LABELS[label], cell)
        elif _DEADLINE_COL.search(cell):
            deadline = deadline if deadline is not None else k
        elif _TASK_COL.search(cell):
            task = task if task is not None else k
    if task is None or not roles:
        return None
    return _Columns(task, roles, number, deadline)


def _inner_bracket(folded: str, start: int) -> tuple[int, int] | None:
    """The [start, end) of the last top-level bracket after ``start`` that assigns bodies, when the
    measure goes on after it (a note, a page number): (区司法局牵头)各执法机关参照执行."""
    found: tuple[int, int] | None = None
    depth, opened = 0, 0
    for i in range(start, len(folded)):
        ch = folded[i]
        if ch in "([〔【{":
            if depth == 0:
                opened = i
            depth += 1
        elif ch in ")]〕】}" and depth:
            depth -= 1
            if depth == 0 and obligations.has_obligation(folded[opened + 1:i]):
                found = (opened, i + 1)
    return found


def _unglue(line: Line) -> list[Line]:
    """A line whose obligation bracket is followed by a heading glued to it becomes two lines
    (offsets kept); "实施XX工程(2017年)3. 完善…" stays one line."""
    m = _GLUED.search(line.text)
    if m is None or m.start() == 0:
        return [line]
    tb = trailing_bracket(line.text[:m.start()])
    if tb is None or not obligations.has_obligation(line.text[tb[0]:tb[1]]):
        return [line]
    cut = m.end()
    head, tail = line.text[:m.start()], line.text[cut:]
    return [Line(line.start, line.start + len(head), head), Line(line.start + cut, line.end, tail)]


def _fold_listed_sub_items(items: list[_Item | Line]) -> list[_Item | Line]:
    """``1.推行权力清单制度…:`` / ``(1)梳理…;`` / ``(2)…。(区编办牵头…)``: sub-items listed under an
    item without obligations, where only the last one carries the obligation bracket, are the
    item's own text; they fold into it."""
    out: list[_Item | Line] = []
    i = 0
    while i < len(items):
        item = items[i]
        out.append(item)
        i += 1
        if not isinstance(item, _Item) or item.obligated:
            continue
        j = i
        while j < len(items) and isinstance(items[j], _Item) and _RANK[items[j].style] > _RANK[item.style]:  # type: ignore[union-attr]
            j += 1
        children = items[i:j]
        if len(children) >= 2 and children[-1].obligated and not any(c.obligated for c in children[:-1]):  # type: ignore[union-attr]
            for c in children:
                item.extra.extend([c.line, *c.extra])  # type: ignore[union-attr]
            item.end, item.obligated = children[-1].end, True
            i = j
    return out


def _mark_parents(items: list[_Item | Line]) -> None:
    """Mark each item that has an obligated item nested under it (before the next item of its
    own level or above)."""
    stack: list[_Item] = []
    for item in items:
        if not isinstance(item, _Item):
            continue
        while stack and _RANK[stack[-1].style] >= _RANK[item.style]:
            stack.pop()
        if item.obligated:
            for parent in stack:
                parent.parent_of_obligated = True
        stack.append(item)


def _row_number(cell: str) -> int | None:
    """The 序号 of a table row: 1, 1., 1、, (1), (一), 三; None for an empty or other cell."""
    core = cell.strip().strip("()（）.、 ")
    if core.isdigit():
        return int(core)
    if core and all(ch in _CN for ch in core):
        try:
            return chinese_number(core)
        except (ValueError, KeyError):
            return None
    return None


def _merge(into: Measure, row: Measure, span: Span) -> None:
    """A continuation row: its task text, bodies and deadline join the measure above."""
    if row.text:
        into.text = f"{into.text};{row.text}"
        into.short_title = short_title(into.text)
    into.assignments.extend(a for a in row.assignments if a not in into.assignments)
    into.deadline = into.deadline or row.deadline
    into.span = span


PIPE = "|"  # ``fold`` gives | for ｜ too
_RULE_CELL = re.compile(r"^\s*:?-{2,}:?\s*$")  # |---|:---:| under a header written in Markdown


def pipe_row(line: str) -> bool:
    """Whether a line may be a table row written with ``|`` (or ``｜``) between its cells: two
    separators at least. A line with one ``|`` (首页 | 政务公开) is left alone."""
    return fold(line).count(PIPE) >= 2


def pipe_tables(body: list[Line], folded: str) -> tuple[list[Line], str]:
    """Task-division tables written with ``|`` between cells (``序号 | 工作任务 | 牵头单位 | 完成时限``)
    read as TAB-separated ones: from a header row that names the columns (``table_columns``), each
    following line with two separators or more has its ``|`` made TABs, in the lines and in the
    folded text (one character for one: offsets hold). Other lines with a ``|`` (a portal's menu,
    ``联系人:张三 | 电话:…``) are left as they are."""
    out: list[Line] = []
    chars: list[str] | None = None
    header = False
    for line in body:
        t = line.text
        if "\t" in t or not pipe_row(t):
            header = False  # the table has ended: a later line with two | needs a header of its own
            out.append(line)
            continue
        header = header or table_columns(t.split(PIPE)) is not None
        if not header:
            out.append(line)
            continue
        chars = chars if chars is not None else list(folded)
        for k in range(line.start, line.end):
            if chars[k] == PIPE:
                chars[k] = "\t"
        out.append(Line(line.start, line.end, t.replace(PIPE, "\t")))
    return out, ("".join(chars) if chars is not None else folded)


def _split_tabs(line: str) -> list[tuple[str, int]]:
    out, pos = [], 0
    for cell in line.split("\t"):
        out.append((cell, pos))
        pos += len(cell) + 1
    return out


def parse_plan(text: str, body: list[Line], home: Division | None, divisions: Divisions, year: int | None = None) -> PlanStructure:
    """The plan's parts, measures and obligations. ``year`` is the one year an annual plan (a
    工作要点 of 2023) is for: its deadlines written without a year (6月底前, 三季度) fall in it."""
    return _PlanParser(text, body, home, divisions, year).parse()
