"""What extraction produces for one source file: plain dataclasses, serialisable to the JSON
that ``policykg extract`` prints (schema: ``ingest/extract.schema.json``). Fields are added over
time, never renamed."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class PartyKind(StrEnum):
    """What kind of body a party is."""

    GOVERNMENT = "government"
    DEPARTMENT = "department"
    PARTY_BODY = "party-body"
    LEADING_GROUP = "leading-group"
    BRANCH_OFFICE = "branch-office"
    COLLECTIVE = "collective"
    AGENCY = "agency"  # a state organ outside the government (监察委员会), a vertical unit (税务局)


class Role(StrEnum):
    """The role of a body for a measure (牵头, 负责, 配合 …)."""

    LEAD = "lead"
    RESPONSIBLE = "responsible"
    COOPERATING = "cooperating"
    JOINT_LEAD = "joint-lead"
    ASSISTING = "assisting"
    PARTICIPATING = "participating"
    GUIDING = "guiding"


class Relation(StrEnum):
    """How a document relates to a document it cites."""

    BASED_ON = "based_on"
    IMPLEMENTS = "implements"
    CONFORMS_TO = "conforms_to"
    CITES = "cites"


class SectionKind(StrEnum):
    PART = "part"
    TASK_AREA = "task-area"
    TOPIC = "topic"


class PartKind(StrEnum):
    """The kind of a part of a report."""

    ACHIEVEMENTS = "achievements"
    PROBLEMS = "problems"
    PLAN = "plan"
    OTHER = "other"


@dataclass
class Span:
    """A character span [start, end) of the decoded source text, with the quoted text."""

    start: int
    end: int
    quote: str


@dataclass
class Party:
    """An agency or a collective, resolved within a jurisdiction."""

    iri: str
    label: str  # display name with jurisdiction, e.g. 钦南区法制办
    full_name: str  # e.g. 钦州市钦南区人民政府法制办公室
    kind: PartyKind
    jurisdiction: str | None  # division code
    collective: bool
    branch_of: str | None = None  # IRI of the higher-level bureau, for branch offices
    branch_of_label: str | None = None

    def __post_init__(self) -> None:
        self.kind = PartyKind(self.kind)


@dataclass
class Assignment:
    agency: str  # surface form as written, e.g. 区法制办 / 等有关部门
    role: Role
    role_text: str  # the role words as written, e.g. 按职责分别负责
    collective: bool
    party: Party
    span: Span
    source: str = "parenthesis"  # layout it came from: parenthesis | labelled | table | carry-over

    def __post_init__(self) -> None:
        self.role = Role(self.role)


@dataclass
class Deadline:
    date: str | None  # ISO date, None for ongoing
    precision: str  # day | month | quarter | half-year | year | ongoing | recurring
    text: str
    default: bool = False  # True: taken from the plan's 实施步骤 default
    span: Span | None = None


@dataclass
class Section:
    path: str  # e.g. "2", "2.4", "2.4.19"
    kind: SectionKind
    number: str
    heading: str
    span: Span

    def __post_init__(self) -> None:
        self.kind = SectionKind(self.kind)


@dataclass
class Goal:
    section: str
    text: str
    span: Span


@dataclass
class Classification:
    """A measure's or activity's task area (and topics) in the task-area scheme, with evidence."""

    area: str  # concept id, e.g. enforcement
    topics: list[str]
    method: str  # section-heading | keywords
    score: float
    evidence: list[Span]


# A short title (``short_title``) ends where the first clause does (。；：, ASCII too, a colon
# between digits excepted) or, when that clause is long, at a comma or an enumeration comma;
# punctuation inside brackets, 《titles》 and quotations is not a boundary.
_CLAUSE_ENDS = "。；;：:！!？?"
_COMMAS = "，,"
_ENUMERATION = "、"
_OPENERS = "(（《〈“‘「『【〔["
_CLOSERS = ")）》〉”’」』】〕]"
SHORT_TITLE_LIMIT = 30


def _clause(text: str, nested: bool) -> tuple[int | None, list[int], list[int], int]:
    """The end of the first clause (None: none in the text), the offsets of the commas and of the
    enumeration commas before it, outside brackets when ``nested``, and the bracket depth at the end."""
    depth, commas, enumerations = 0, list[int](), list[int]()
    for i, ch in enumerate(text):
        if nested and ch in _OPENERS:
            depth += 1
        elif nested and ch in _CLOSERS:
            depth = max(0, depth - 1)
        elif depth == 0:
            if ch in _CLAUSE_ENDS and not (ch in "：:" and text[i - 1:i].isdigit() and text[i + 1:i + 2].isdigit()):
                return i, commas, enumerations, depth
            if ch in _COMMAS:
                commas.append(i)
            elif ch in _ENUMERATION:
                enumerations.append(i)
    return None, commas, enumerations, depth


def short_title(text: str, limit: int = SHORT_TITLE_LIMIT) -> str:
    """A measure's lead phrase, its name for people (``lg:shortTitle``): the text up to the first
    。, ； or ： (全面推行行政执法公示制度。对本地区… → 全面推行行政执法公示制度). A first clause longer
    than ``limit`` characters is cut at its last comma within the limit, else at its last 、 within
    it, else at its first comma (a clause of its own, only longer), else kept whole: the title ends
    at a punctuation mark or at the end of the clause, never in the middle of a word, and is a
    prefix of the text (leading blanks and punctuation aside)."""
    text = text.lstrip(" \t\r\n\u3000" + _CLAUSE_ENDS + _COMMAS + _ENUMERATION)
    end, commas, enumerations, depth = _clause(text, nested=True)
    if end is None and depth > 0:  # a bracket never closed: its punctuation counts after all
        end, commas, enumerations, _ = _clause(text, nested=False)
    clause = text[:end] if end is not None else text
    if len(clause.rstrip()) <= limit:
        return clause.rstrip()
    for cuts in (commas, enumerations):
        within = [i for i in cuts if 0 < i <= limit and clause[:i].strip()]
        if within:
            return clause[:within[-1]].rstrip()
    return clause[:commas[0]].rstrip() if commas else clause.rstrip()


@dataclass
class Measure:
    number: int  # as numbered in the document (a table's 序号)
    text: str
    section: str | None  # path of the enclosing topic
    topic: int | None
    task_area: str | None
    deadline: Deadline | None
    assignments: list[Assignment]
    span: Span
    classification: Classification | None = None
    short_title: str = ""  # its lead phrase (``short_title(text)`` when not given)

    def __post_init__(self) -> None:
        if not self.short_title:
            self.short_title = short_title(self.text)


@dataclass
class ReportSection:
    kind: PartKind
    heading: str | None
    span: Span

    def __post_init__(self) -> None:
        self.kind = PartKind(self.kind)


@dataclass
class Activity:
    """A reported activity: one item of a report's account of what was done."""

    number: int
    text: str
    section: int  # index into Extraction.report_sections
    span: Span
    classification: Classification | None = None


@dataclass
class PlannedMeasure:
    """An item of a report's plan for the next year."""

    number: int
    marker: str  # 一是 / (一) / 1.
    text: str
    span: Span
    classification: Classification | None = None


@dataclass
class Observation:
    """A figure a report gives: indicator concept, value, unit, year, with its source span."""

    indicator: str  # concept id in the indicator scheme
    value: float
    unit: str
    year: int | None
    approximate: bool  # written with 多/余/以上
    span: Span


@dataclass
class Citation:
    title: str  # as written (inside 《》)
    normalized_title: str
    doc_number: str | None
    issuer: str | None
    relation: Relation
    verb: str | None
    target: str  # IRI of the cited document
    target_title: str
    confidence: float
    corrected: bool
    correction_note: str | None
    alias: bool
    span: Span
    match: str = "title"  # how the target was found: registry | doc-number | title | alias | issuer-prefix | fuzzy | corrected | new

    def __post_init__(self) -> None:
        self.relation = Relation(self.relation)


@dataclass
class CitedDocument:
    """A document node for a cited document, with what the citing text lets us infer."""

    iri: str
    key: str
    title: str
    normalized_title: str
    doc_number: str | None
    issuers: list[str]
    genre: str | None
    jurisdiction: str | None
    level: str | None
    date: str | None = None
    succeeds: str | None = None


@dataclass
class Extraction:
    source_file: str
    sha256: str
    iri: str
    key: str
    text: str = field(repr=False)
    title: str | None = None
    title_derived: bool = False
    normalized_title: str | None = None
    doc_number: str | None = None
    issuers: list[str] = field(default_factory=list)
    issuer_parties: list[Party] = field(default_factory=list)
    jurisdiction: str | None = None  # full name path, e.g. 广西壮族自治区钦州市钦南区
    jurisdiction_code: str | None = None
    level: str | None = None
    date: str | None = None
    date_published: str | None = None
    genre: str | None = None
    report_year: int | None = None
    recipient: str | None = None
    period: tuple[int, int] | None = None
    default_deadline: Deadline | None = None
    sections: list[Section] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    cited_documents: list[CitedDocument] = field(default_factory=list)
    report_sections: list[ReportSection] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    planned_measures: list[PlannedMeasure] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    source_format: str = "text"  # text | html | pdf | docx
    index_number: str | None = None  # 索引号 of a government web page
    publisher: str | None = None  # 发布机构 / 来源 the page names
    warnings: list[str] = field(default_factory=list)  # what could not be done, for the person ingesting
    conversions: list[str] = field(default_factory=list)  # e.g. opencc:t2s, pinyin-glosses:5
    original_text: str | None = field(default=None, repr=False)  # before the conversions, if any
    # set by the store when the text is another edition of a document it holds (graph.identity)
    edition_of: str | None = None  # that document's IRI
    edition_kind: str | None = None  # mirror | excerpt | fuller | edition

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data.pop("text")
        data.pop("original_text")
        data["period"] = list(self.period) if self.period else None
        return data
