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
from policykg.ingest.text import DOC_NUMBER, clause_start, display_title, fold, normalize_doc_number, normalize_title

# 《 … 》 with nested 〈…〉 or <…> inside
_TITLE = re.compile(r"《([^《》]{1,120})》")
_NUMBER_AFTER = re.compile(r"^\s*[(（]\s*(" + DOC_NUMBER.pattern + r")\s*[)）]?")
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


def titles(folded: str) -> list[re.Match[str]]:
    """Top-level 《…》 titles, nested 《…》 or 〈…〉 inside kept in the title."""
    out: list[re.Match[str]] = []
    depth, start = 0, -1
    for i, ch in enumerate(folded):
        if ch == "《":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0 and 1 < i - start <= 121:
                m = _TITLE.fullmatch(folded, start, i + 1) or re.compile(r"《(.+)》", re.S).fullmatch(folded, start, i + 1)
                if m:
                    out.append(m)
        elif ch in "\n。" and depth:
            depth = 0  # an unclosed 《 does not swallow the rest of the text
    return out


def same_document_score(a: str, b: str) -> float | None:
    """How likely two normalised titles name the same document, or None when they cannot:
    numbers (years, periods) must agree, and so must the place they start with and the kind of
    document they end with."""
    if a == b:
        return 1.0
    core_a, core_b = _TRAILING_BRACKET.sub("", a), _TRAILING_BRACKET.sub("", b)
    if _DIGITS.findall(a) != _DIGITS.findall(b) or a[:2] != b[:2] or core_a[-2:] != core_b[-2:]:
        return None  # 实施意见 and 实施方案 are different documents however alike the rest
    score = fuzz.ratio(a, b) / 100
    return round(score, 2) if score >= 0.9 else None


class CitationExtractor:
    """Extracts citations from one document's text."""

    def __init__(self, text: str, divisions: Divisions, skip: list[tuple[int, int]] | None = None) -> None:
        self.text = text
        self.folded = fold(text)
        self.divisions = divisions
        self.skip = skip or []
        self.documents: dict[str, CitedDocument] = {}
        self.aliases: dict[str, CitedDocument | None] = {}
        self._last: str | None = None  # target of the title read last (kept or a repeat)

    def extract(self) -> list[Citation]:
        out: list[Citation] = []
        seen: dict[tuple[str, str], Citation] = {}
        for m in titles(self.folded):
            if any(a <= m.start() < b for a, b in self.skip):
                continue
            if _ALIAS_DEFINITION.search(self.folded[max(0, m.start() - 6):m.start()]):
                if self._last is not None:  # (…,以下简称《纲要》): an alias of the title just cited
                    self.aliases[normalize_title(m.group(1))] = self.documents.get(self._last)
                continue
            citation = self._one(m, out)
            self._last = citation.target if citation is not None else self._last
            if citation is None:
                continue
            key = (citation.target, citation.relation)
            if key in seen:
                prior = seen[key]
                if prior.doc_number is None and citation.doc_number:
                    prior.doc_number = citation.doc_number
                continue
            seen[key] = citation
            out.append(citation)
        return out

    def _one(self, m: re.Match[str], earlier: list[Citation]) -> Citation | None:
        raw_title = self.text[m.start(1):m.end(1)]
        title = raw_title.strip()
        if not title:
            return None
        after = self.folded[m.end():m.end() + 40]
        doc_number = None
        end = m.end()
        if n := _NUMBER_AFTER.match(after):
            dm = DOC_NUMBER.search(n.group(1))
            if dm:
                doc_number = normalize_doc_number(dm)
                end = m.end() + n.end()
        issuer = self._issuer(m.start())
        relation, verb = self._relation(m.start(), m.end())
        normalized = normalize_title(title)
        alias = False
        resolved = self._resolve_alias(normalized, earlier, m.start())
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
            span=Span(m.start(), end, self.text[m.start():end]),
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
