"""《…》 citations: title, 文号, issuer, relation by verb, alias resolution and matching to known
documents (the registry) or to a node minted for a document outside the corpus."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import yaml
from rapidfuzz import fuzz

from policykg import iris
from policykg.ingest.divisions import Divisions
from policykg.ingest.documents import genre_of
from policykg.ingest.model import Citation, CitedDocument, Relation, Span
from policykg.ingest.text import DOC_NUMBER, clause_start, display_title, fold, narrow_alnum, normalize_doc_number, normalize_title

# a 文号 in the bracket after a title, in any bracket: (…) […] 【…】 〔…〕 ﹝…﹞, half- or full-width
_NUMBER_AFTER = re.compile(r"\s*[(\[〔]\s*(" + DOC_NUMBER.pattern + r")\s*[)\]〕]?")
# brackets ``fold`` leaves that a 文号 is written in: ﹝﹞ 〖〗 as 〔〕 and [] (one for one: offsets are kept)
_BRACKETS = str.maketrans({"﹝": "〔", "﹞": "〕", "〖": "[", "〗": "]"})
_LINE_BREAK = re.compile(r"\s*[\r\n]+\s*")
_ISSUER_BEFORE = re.compile(
    r"((?:中共中央|党中央|国务院|中共中央办公厅|国务院办公厅|中办|国办|全国人大常委会|"
    r"(?:省|市|区|县|自治区)(?:委|政府|人民政府|政府办公厅|政府办公室|委办公室|委办公厅))"
    r"(?:[、和与]\s*(?:中共中央|党中央|国务院|中共中央办公厅|国务院办公厅|(?:省|市|区|县|自治区)(?:委|政府|人民政府|政府办公厅|政府办公室)))*)$"
)
# verbs that govern a citation, nearest first; relation by verb
_VERBS = (
    ("贯彻落实", "implements"), ("贯彻执行", "implements"), ("贯彻实施", "implements"), ("贯彻", "implements"),
    ("落实", "implements"), ("根据", "based_on"), ("依据", "based_on"), ("参照", "conforms_to"),
    ("按照", "cites"), ("执行", "cites"), ("印发", "cites"), ("学习", "cites"), ("制定", "cites"), ("出台", "cites"),
)
_VERB_RE = re.compile("|".join(v for v, _ in _VERBS))
_VERB_REL = dict(_VERBS)
_AFTER_IMPLEMENTS = re.compile(r"^[^。;,]{0,20}的(?:贯彻)?落实")


@dataclass(frozen=True)
class Known:
    key: str
    title: str
    normalized: str
    doc_number: str | None
    issuers: tuple[str, ...]
    date: str | None
    genre: str | None
    jurisdiction: str | None
    succeeds: str | None
    aliases: tuple[str, ...] = ()  # normalised short names (立法法 for 中华人民共和国立法法)


@lru_cache(maxsize=1)
def registry() -> tuple[Known, ...]:
    rows = yaml.safe_load((files("policykg.ingest") / "data" / "registry.yaml").read_text(encoding="utf-8"))
    return tuple(
        Known(
            key=r["key"],
            title=r["title"],
            normalized=normalize_title(r["title"]),
            doc_number=r.get("doc_number"),
            issuers=tuple(r.get("issuers") or ()),
            date=r.get("date"),
            genre=r.get("genre"),
            jurisdiction=r.get("jurisdiction"),
            succeeds=r.get("succeeds"),
            aliases=tuple(normalize_title(a) for a in r.get("aliases") or ()),
        )
        for r in rows
    )


_PERIOD = re.compile(r"\((\d{4})-(\d{4})年\)$")


def match_known(normalized: str, doc_number: str | None) -> tuple[Known, float, str | None] | None:
    """A registry document this title (or 文号) refers to, with a score and a correction note."""
    for k in registry():
        if normalized == k.normalized or normalized in k.aliases or (doc_number and doc_number == k.doc_number):
            return k, 1.0, None
    base = _PERIOD.sub("", normalized)
    m = _PERIOD.search(normalized)
    if not m:
        return None
    start, end = int(m.group(1)), int(m.group(2))
    best: tuple[Known, int] | None = None
    for k in registry():
        km = _PERIOD.search(k.normalized)
        if km is None or _PERIOD.sub("", k.normalized) != base:
            continue
        distance = abs(int(km.group(1)) - start) + abs(int(km.group(2)) - end)
        if best is None or distance < best[1]:
            best = (k, distance)
    if best is None or best[1] > 2:
        return None
    k = best[0]
    note = f"period written as {start}—{end}; the document of this title is {k.title}"
    return k, 0.8 if best[1] == 1 else 0.7, note


_MODIFIER = re.compile(r"(?:印发|制定|出台|发布|颁布|修订|通过)(?:实施)?的\s*$")
_ISSUING_VERB = re.compile(r"(?:印发|制定|出台|发布|颁布|修订|通过)了?(?:实施)?的?\s*$")
_ALIAS_DEFINITION = re.compile(r"(?:以下简称|以下称|下称|简称)\s*$")
_ISSUER_WORD = re.compile(r"(?:政府|办公厅|办公室|委员会|委|局|部|厅|院)$")
_DIGITS = re.compile(r"\d+")
_TRAILING_BRACKET = re.compile(r"\([^()]*\)$")
_LEVELS = "省市县区州旗盟"


@dataclass(frozen=True)
class Found:
    """A title found in the text: the span of its 《…》 (to the end of the title when the closing
    》 is lost; for a document a notice carries, the notice's), and the title text within it."""

    start: int
    end: int
    title_start: int
    title_end: int


# what ends a title: its period, or the word for its kind of document (for an unclosed 《)
_TITLE_END = re.compile(
    r"(?:\((?:19|20)\d{2}\s*-?\s*(?:19|20)\d{2}年?\)|方案|纲要|规划|计划|意见|要点|通知|决定|决议|报告|汇报|条例|规定|"
    r"办法|细则|规则|(?<![依方违守合执普司立说用])法|清单|标准|指引|指南|目录|制度|安排|公报|批复|通告|公告|总结)\s*")
_TITLE_END_AT_END = re.compile(_TITLE_END.pattern + "$")
_SEPARATOR = re.compile(r"[、,;和及与]\s*$")
# a line that starts a heading: a 《 left open above it never runs into it
_HEADING = re.compile(r"\s*(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d{1,2}[.、](?!\d)|第[一二三四五六七八九十]+[章节条部])")
_BLANK_LINE = re.compile(r"[ \t\r\u3000]*(?:\n|$)")
_STOPS = "。;!?"
_MAX_TITLE = 120  # characters of a title, line breaks and spaces not counted
# inner marks of a nested title, closing mark by opening mark (folded: ＜＞ are <>)
_INNER = {"〈": "〉", "<": ">", "《": "》"}
# a notice that carries documents: 关于印发〈A〉(和〈B〉)的通知; # stands for each inner title
_CARRIES = re.compile(r"(?:印发|转发|批转|颁发|颁布|发布|下发|印送)(?:#[、和及与]?)+的?(?:通知|通告|决定|批复|函)$")
_NOTICE_ISSUER = re.compile(r"^(?P<issuer>.+?)(?:关于)?(?:印发|转发|批转|颁发|颁布|发布|下发|印送)")


def _complete(title: str) -> bool:
    """Whether a title ends as titles end: with its period or its kind of document."""
    return len(title) >= 5 and _TITLE_END_AT_END.search(title) is not None


def _open_title_end(folded: str, start: int, stop: int) -> int | None:
    """Where the title of a 《 never closed ends: within its first clause and first line, at the
    last period or kind-of-document word followed by at most a few words (…方案要求, …纲要精神)."""
    end = stop
    for j in range(start + 1, stop):
        if folded[j] in ",:\n" or folded[j] in _STOPS:
            end = j
            break
    best = None
    for m in _TITLE_END.finditer(folded, start + 1, end):
        if end - m.end() <= 8 and m.end() - (start + 1) >= 5:
            best = m.end()
    return best


def titles(folded: str) -> list[Found]:
    """Top-level 《…》 titles, in text order. Marks nested inside stay in the title; a title broken
    over lines is one title; a 《 whose 》 is lost (before the next title of a list, at the end of
    its clause, before a heading) still gives its title."""
    out: list[Found] = []
    depth, start, i = 0, -1, 0
    while i <= len(folded):
        ch = folded[i] if i < len(folded) else ""
        if depth and (not ch or ch in _STOPS or i - start > 2 * _MAX_TITLE
                      or (ch == "\n" and (_HEADING.match(folded, i + 1) or _BLANK_LINE.match(folded, i + 1)))):
            # an unclosed 《 does not swallow the rest of the text: its title ends within its
            # first clause and line, and what follows is read again for titles of its own
            end = _open_title_end(folded, start, i)
            if end is not None:
                out.append(Found(start, end, start + 1, end))
            depth, i = 0, (end if end is not None else start + 1)
            continue
        if ch == "《":
            if depth == 0:
                start, depth = i, 1
            elif depth == 1 and (sep := _SEPARATOR.search(folded, start + 1, i)) is not None \
                    and _complete(folded[start + 1:sep.start()].strip()):
                # 《A、《B》: A's closing mark is lost, B starts a title of its own
                out.append(Found(start, sep.start(), start + 1, sep.start()))
                start = i
            else:
                depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0:
                size = len(re.sub(r"\s", "", folded[start + 1:i]))
                if 1 <= size <= _MAX_TITLE:
                    out.append(Found(start, i + 1, start + 1, i))
        i += 1
    return out


def _inner_titles(folded: str, found: Found) -> list[tuple[int, int]]:
    """The [start, end) of the titles marked inside a title (〈…〉, <…>, 《…》), top level only."""
    spans: list[tuple[int, int]] = []
    i = found.title_start
    while i < found.title_end:
        close = _INNER.get(folded[i])
        if close is None:
            i += 1
            continue
        depth, j = 0, i
        while j < found.title_end:
            if folded[j] == folded[i]:
                depth += 1
            elif folded[j] == close:
                depth -= 1
                if depth == 0:
                    break
            j += 1
        if j >= found.title_end:
            break  # never closed: not a title mark
        spans.append((i + 1, j))
        i = j + 1
    return spans


def _misplaced_close(folded: str, start: int, end: int, outer_end: int) -> int:
    """The end of an inner title whose closing mark was put after the outer title's own last words
    (关于印发<X的通知>: X ends before 的通知); ``end`` when the mark is where it belongs."""
    if folded[end + 1:outer_end].strip():
        return end
    m = re.search(r"的?(?:通知|通告|决定|批复|函)$", folded[start:end])
    if m is not None and _complete(folded[start:start + m.start()].strip()):
        return start + m.start()
    return end


# 《》 around what is not a document: a body (成立了《青山县复议咨询委员会》), a newspaper or journal
# (《青山日报》), a broadcast or column; a document's title ends with its kind, never with these
_NOT_A_DOCUMENT = re.compile(r"(?:委员会|领导小组|工作组|办公室|中心|协会|研究会|(?:日|晚|时|商|导|法制|法治|青年|经济|都市|人民)报"
                             r"|杂志|周刊|半月谈|新闻联播|专栏|栏目)$")


def carried(folded: str, found: Found) -> list[tuple[Found, bool]]:
    """The documents a title marks inside it, with the title's span, and whether the title is a
    notice transmitting them (《…关于印发〈X〉的通知》: X, True). In 《关于贯彻落实〈X〉的实施意见》 X is
    named too (False): the text names it, as a careful reading of real pages counts it, though
    only as cited (lineage runs to the 实施意见). Without marks (关于印发X的通知) the text does not
    delimit X."""
    inner = _inner_titles(folded, found)
    if not inner:
        return []
    skeleton, pos, spans = "", found.title_start, []
    for a, b in inner:
        end = _misplaced_close(folded, a, b, found.title_end)
        skeleton += folded[pos:a - 1] + "#" + folded[end:b]
        pos = b + 1
        spans.append((a, end))
    skeleton += folded[pos:found.title_end]
    transmits = _CARRIES.search(re.sub(r"\s", "", skeleton)) is not None
    return [(Found(found.start, found.end, a, b), transmits) for a, b in spans
            if genre_of(normalize_title(folded[a:b]), cited=True) is not None or _complete(folded[a:b].strip())]


def unwrap(folded: str, found: Found) -> Found:
    """A title written inside doubled marks (《《X》》) is the title X."""
    content = folded[found.title_start:found.title_end]
    if content.startswith("《") and content.endswith("》") and _inner_titles(folded, found) == [(found.title_start + 1, found.title_end - 1)]:
        return Found(found.start, found.end, found.title_start + 1, found.title_end - 1)
    return found


def same_document_score(a: str, b: str) -> float | None:
    """How likely two normalised titles name the same document, or None when they cannot:
    numbers (years, periods) must agree, and so must the place they start with and the kind of
    document they end with."""
    if a == b:
        return 1.0
    core_a, core_b = _TRAILING_BRACKET.sub("", a), _TRAILING_BRACKET.sub("", b)
    if _DIGITS.findall(a) != _DIGITS.findall(b) or a[:2] != b[:2] or core_a[-2:] != core_b[-2:] \
            or genre_of(core_a, cited=True) != genre_of(core_b, cited=True):
        return None  # 实施意见 and 实施方案 (or 意见) are different documents however alike the rest
    first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), None)
    if first is not None and first <= 12 and a[first] in _LEVELS and b[first] in _LEVELS:
        return None  # 青山县… and 青山省…: the same name at another level is another government's document
    score = fuzz.ratio(a, b) / 100
    return round(score, 2) if score >= 0.9 else None


class CitationExtractor:
    """Extracts citations from one document's text."""

    def __init__(self, text: str, divisions: Divisions, skip: list[tuple[int, int]] | None = None) -> None:
        self.text = text
        self.folded = fold(text).translate(_BRACKETS)
        self.divisions = divisions
        self.skip = skip or []
        self.documents: dict[str, CitedDocument] = {}
        self.aliases: dict[str, CitedDocument | None] = {}
        self._last: str | None = None  # target of the title read last (kept or a repeat)

    def extract(self) -> list[Citation]:
        out: list[Citation] = []
        seen: dict[tuple[str, str], Citation] = {}
        named_inside: list[Citation] = []  # X of 《…贯彻落实〈X〉的实施意见》: cited only if not otherwise
        for found in titles(self.folded):
            if any(a <= found.start < b for a, b in self.skip):
                continue
            found = unwrap(self.folded, found)
            title = self._title(found)
            if _ALIAS_DEFINITION.search(self.folded[max(0, found.start - 6):found.start]):
                if self._last is not None:  # (…,以下简称《纲要》): an alias of the title just cited
                    self.aliases[normalize_title(title)] = self.documents.get(self._last)
                continue
            if self.folded[found.start - 1:found.start] == "本":
                continue  # 本《方案》: the document itself, not a document it cites
            cited = self._one(found, out)
            self._last = cited.target if cited is not None else self._last
            if cited is None:
                continue
            # a transmittal notice, then the documents it carries (根据《…印发〈X〉的通知》 cites both)
            for citation in (cited, *(self._carried(c, cited, transmits) for c, transmits in carried(self.folded, found))):
                if citation is not cited and citation.verb is None and citation.relation == Relation.CITES:
                    named_inside.append(citation)
                key = (citation.target, citation.relation)
                if key in seen:
                    prior = seen[key]
                    if prior.doc_number is None and citation.doc_number:
                        prior.doc_number = citation.doc_number
                    continue
                seen[key] = citation
                out.append(citation)
        # a document named inside another title and cited in its own right too is that citation
        cited_directly = {c.target for c in out if not any(c is n for n in named_inside)}
        return [c for c in out if not (any(c is n for n in named_inside) and c.target in cited_directly)]

    def _title(self, found: Found) -> str:
        """The title as written, without the line breaks of text copied out of a PDF."""
        return narrow_alnum(_LINE_BREAK.sub("", self.text[found.title_start:found.title_end]).strip())

    def _one(self, found: Found, earlier: list[Citation]) -> Citation | None:
        title = self._title(found)
        if not title or _NOT_A_DOCUMENT.search(normalize_title(title)):
            return None
        doc_number = None
        end = found.end
        if n := _NUMBER_AFTER.match(self.folded, found.end, found.end + 40):
            dm = DOC_NUMBER.search(n.group(1))
            if dm:
                doc_number = normalize_doc_number(dm)
                end = n.end()
        issuer = self._issuer(found.start)
        relation, verb = self._relation(found.start, found.end)
        normalized = normalize_title(title)
        alias = False
        resolved = self._resolve_alias(normalized, earlier, found.start)
        method = "alias"
        if resolved is None and issuer and normalized.startswith("关于"):
            resolved = self._issuer_prefixed(normalized)
            method = "issuer-prefix"
        if resolved is not None:
            target_doc = resolved
            alias = True
            confidence, corrected, note = 0.9, False, None
        else:
            target_doc, confidence, corrected, note, method = self._target(title, normalized, doc_number, issuer)
        return Citation(
            title=title,
            normalized_title=normalized,
            doc_number=doc_number,
            issuer=issuer,
            relation=Relation(relation),
            verb=verb,
            target=target_doc.iri,
            target_title=target_doc.title,
            confidence=confidence,
            corrected=corrected,
            correction_note=note,
            alias=alias,
            span=Span(found.start, end, self.text[found.start:end]),
            match=method,
        )

    def _carried(self, found: Found, notice: Citation, transmits: bool) -> Citation:
        """The citation of a document named inside a cited title. Carried by a notice, the notice's
        verb governs it (根据《…印发〈X〉的通知》: based on X) and its issuer is the notice's; named by
        a document implementing it (《…关于贯彻落实〈X〉的实施意见》), it is only cited, issuer unknown.
        Its 文号 stays the outer title's; the evidence is the outer title."""
        title = self._title(found)
        normalized = normalize_title(title)
        m = _NOTICE_ISSUER.match(notice.normalized_title)
        issuer = (m.group("issuer") if m and _ISSUER_WORD.search(m.group("issuer")) else notice.issuer) if transmits else None
        target_doc, confidence, corrected, note, method = self._target(title, normalized, None, issuer)
        return Citation(
            title=title,
            normalized_title=normalized,
            doc_number=None,
            issuer=issuer,
            relation=notice.relation if transmits else Relation.CITES,
            verb=notice.verb if transmits else None,
            target=target_doc.iri,
            target_title=target_doc.title,
            confidence=confidence,
            corrected=corrected,
            correction_note=note,
            alias=False,
            span=Span(found.start, found.end, self.text[found.start:found.end]),
            match=method,
        )

    def _issuer(self, start: int) -> str | None:
        before = _ISSUING_VERB.sub("", self.folded[max(0, start - 30):start])  # 国务院印发(了/的)《…》: the issuer is 国务院
        m = _ISSUER_BEFORE.search(before)
        return m.group(1) if m else None

    def _relation(self, start: int, end: int) -> tuple[str, str | None]:
        begin = clause_start(self.folded, start)
        clause = self.folded[begin:start]
        # do not look into earlier titles of a list: 根据《A》、《B》 → B takes A's verb
        stripped = re.sub(r"《[^《》]*》", lambda mm: "#" * len(mm.group(0)), clause)
        # 贯彻落实国务院印发的《…》: 印发的 describes the title; the governing verb is 贯彻落实
        stripped = _MODIFIER.sub(lambda mm: "#" * len(mm.group(0)), stripped)
        verbs = list(_VERB_RE.finditer(stripped))
        if verbs:
            verb = verbs[-1].group(0)
            return _VERB_REL[verb], verb
        if _AFTER_IMPLEMENTS.match(self.folded[end:end + 30]):
            return "implements", "落实"
        return "cites", None

    def _resolve_alias(self, normalized: str, earlier: list[Citation], start: int) -> CitedDocument | None:
        """《纲要》, 《要点》, 《方案》: a short title standing for a full title cited before it, or
        defined with 以下简称; 新《纲要》 is the latest document of that name."""
        if normalized in self.aliases and self.aliases[normalized] is not None:
            return self.aliases[normalized]
        if len(normalized) > 4:
            return None
        if self.folded[max(0, start - 1):start] == "新":
            latest = [k for k in registry() if re.sub(r"\(.*?\)$", "", k.normalized).endswith(normalized)
                      and not any(o.succeeds == k.key for o in registry())]
            if latest:
                return self._known_document(latest[0])
        for c in reversed(earlier):
            core = re.sub(r"\(.*?\)$", "", c.normalized_title)
            if core.endswith(normalized) and c.target in self.documents:
                return self.documents[c.target]
        return None

    def _issuer_prefixed(self, normalized: str) -> CitedDocument | None:
        """市政府办公厅《关于加强行政执法监督工作的意见》: the document cited before in full as
        《淄博市人民政府办公厅关于加强行政执法监督工作的意见》."""
        for doc in self.documents.values():
            t = doc.normalized_title
            if t.endswith(normalized) and len(t) > len(normalized) and _ISSUER_WORD.search(t[: len(t) - len(normalized)]):
                return doc
        return None

    def _known_document(self, k: Known) -> CitedDocument:
        doc = self.documents.get(iris.document(k.key)) or CitedDocument(
            iri=iris.document(k.key),
            key=k.key,
            title=k.title,
            normalized_title=k.normalized,
            doc_number=k.doc_number,
            issuers=list(k.issuers),
            genre=k.genre,
            jurisdiction=k.jurisdiction,
            level=division.level if (division := self.divisions.get(k.jurisdiction or "")) else None,
            date=k.date,
            succeeds=iris.document(k.succeeds) if k.succeeds else None,
        )
        self.documents[doc.iri] = doc
        return doc

    def _fuzzy(self, normalized: str) -> tuple[CitedDocument, float] | None:
        """A document cited earlier in this text under a slightly different title
        (《吴忠市重大决策程序规定》 for 《吴忠市重大行政决策程序规定》)."""
        best: tuple[CitedDocument, float] | None = None
        place = self.divisions.deepest(normalized[:16])
        for doc in self.documents.values():
            if self.divisions.deepest(doc.normalized_title[:16]) != place:
                continue  # 钦州市… and 钦州市钦南区… are different documents
            score = same_document_score(normalized, doc.normalized_title)
            if score is not None and (best is None or score > best[1]):
                best = (doc, score)
        return best

    def _target(self, title: str, normalized: str, doc_number: str | None, issuer: str | None) -> tuple[CitedDocument, float, bool, str | None, str]:
        known = match_known(normalized, doc_number)
        if known is not None:
            k, score, note = known
            method = "corrected" if note else ("doc-number" if normalized != k.normalized else "registry")
            return self._known_document(k), score, note is not None, note, method
        if doc_number:
            for doc in self.documents.values():
                if doc.doc_number == doc_number:
                    return doc, 1.0, False, None, "doc-number"
        key = iris.title_key(normalized)
        iri = iris.document(key)
        if iri in self.documents:
            doc = self.documents[iri]
            if doc_number and not doc.doc_number:
                doc.doc_number = doc_number
            return doc, 1.0, False, None, "title"
        bare = normalized.removeprefix("关于")
        for doc in self.documents.values():  # 《关于X》 and <X> are one document
            if doc.normalized_title.removeprefix("关于") == bare:
                return doc, 1.0, False, None, "title"
        if (fuzzy := self._fuzzy(normalized)) is not None:
            return fuzzy[0], fuzzy[1], False, f"title written as 《{title}》", "fuzzy"
        division = None
        found = self.divisions.find(normalized)
        if found and found[0][0] == 0:
            division = self.divisions.deepest(normalized[: found[0][0] + 12])
        issuers = [p for p in re.split(r"[、和与]", issuer)] if issuer else []
        level = division.level if division else ("national" if any(i in {"中共中央", "国务院", "党中央"} for i in issuers) else None)
        doc = CitedDocument(
            iri=iri,
            key=key,
            title=display_title(title),
            normalized_title=normalized,
            doc_number=doc_number,
            issuers=issuers,
            genre=genre_of(normalized, cited=True),
            jurisdiction=division.code if division else ("100000" if level == "national" else None),
            level=level,
        )
        self.documents[iri] = doc
        return doc, 1.0, False, None, "new"
