"""Search that understands Chinese: the text functions behind the faceted search (``/ui/search``).

A query is folded (``fold``: full-width → half-width by NFKC, Traditional → Simplified by OpenCC
``t2s``, case folded) and split at white space into terms (``terms``), every one of which must match
(spaces are AND); when some results have the terms side by side as typed (``phrase``: Chinese is
written without spaces, and pinyin with a space between words, so ``执法 公示`` and ``zhifa gongshi``
most often mean the phrase 执法公示), only those are shown, and the others are one link away.
A term matches a field of a result (a title, a text, a name) literally, or — a Latin term the
searched texts do not contain literally (``plan``) — as pinyin, with or without tones
(``zhifa``, ``zhífǎ``, ``zhi2fa3``, ``zhi'fa``), against the pinyin of the field (``pinyin_key``):
the term must cover whole syllables (``fa`` is not found in 方 ``fang``) and start where a word of
the field starts (``gongshi`` is found in 公示 and 共识, not in the 公室 of 办公室). Results are
ranked (``score``) by where their terms are found (title above text above names), whether each
hit is a whole word of the field as a maintained segmenter (rjieba, the Rust jieba) cuts it, whether
the terms stand together as they were typed, and how often they occur.

User text never becomes SPARQL here: the SPARQL pre-filter (``prefilter``), which keeps the rows a
search reads to those that can match, writes a folded term only as a literal the RDF library
escapes, a pinyin term only as Han characters taken from pypinyin's dictionary (each an escaped
literal too), and the documents and items names matched as IRIs read from the store.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, cast

import pyoxigraph as ox
import rjieba
from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

if TYPE_CHECKING:
    import opencc

# where a term is found: a document's title above an item's text above a name (a division, an
# issuer, an agency assigned to the item); a hit that is a whole word of the field counts 1.5 times
WEIGHTS = {"title": 6.0, "text": 2.0, "name": 1.0}
WHOLE_WORD = 1.5
TOGETHER = 1.0  # the terms found side by side, in the order typed (执法 公示 in 执法公示)
PER_HIT = 0.1  # each further hit in a title or text, up to MAX_HITS of them
MAX_HITS = 5
_SEPARATOR = "|"  # between runs of Han characters in a pinyin key: no term spans it
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_TONES = {"\u0304": 1, "\u0301": 2, "\u030c": 3, "\u0300": 4}  # combining macron, acute, caron, grave
_MAX_READINGS = 32  # ways of cutting a Latin term into syllables written into a pattern; more: no pattern
MAX_LEAD = 4000  # characters of a pinyin term's SPARQL REGEX pre-filter, at most (more: its clue instead)
MAX_CLUES = 128  # characters a pinyin term's SPARQL pre-filter looks for, at most (more: no pre-filter)
MAX_IRIS = 1000  # documents or items a term's SPARQL pre-filter lists, at most (more: no pre-filter)


# -- folding ------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=32768)
def fold(text: str) -> str:
    """The form both a query and the searched texts are compared in: NFKC (full-width letters,
    digits and spaces → half-width, compatibility ideographs → unified), Traditional → Simplified
    (OpenCC ``t2s``), case folded. ``執法　公示ＡＢＣ`` → ``执法 公示abc``; tone marks are kept."""
    return str(_t2s().convert(unicodedata.normalize("NFKC", text))).casefold()


# -- terms --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    """One white-space-separated word of a query, folded (``text``). A term written in Latin
    letters (and tone marks or digits, apostrophes) that can be cut into pinyin syllables also has
    its toneless ``letters`` (ü written v), the ``tones`` it asks for (letter offset → tone, from a
    mark on that letter or a digit after it), the offsets that must be syllable ``breaks`` (an
    apostrophe, a tone digit), the Han-character ``pattern`` a text needs to have it as pinyin, and
    the ``clue`` characters one of which it needs (those of its rarest syllable; empty when that
    is still more than ``MAX_CLUES``).
    ``lead`` is the pattern of its first two syllables, for a SPARQL REGEX (Oxigraph compiles the
    pattern for each text it reads, so a long one costs: the 16 readings of ``qinnanqufazhiban``
    make 24,527 characters); empty when that is still more than ``MAX_LEAD`` characters.
    ``pinyin`` says whether it is matched as pinyin (``plan``: only where it is not found literally)."""

    text: str
    letters: str = ""
    tones: tuple[tuple[int, int], ...] = ()
    breaks: frozenset[int] = frozenset()
    pattern: str = ""
    clue: str = ""
    lead: str = ""
    pinyin: bool = False

    @property
    def latin(self) -> bool:
        """Whether the term can be read as pinyin."""
        return bool(self.letters)


def _syllable_letters(reading: str) -> tuple[str, int]:
    """``zhí`` → (``zhi``, 2), ``lǜ`` → (``lv``, 4), ``lv4`` → (``lv``, 4), ``de5``/``de`` → (``de``, 5)."""
    decomposed = unicodedata.normalize("NFD", reading.casefold()).replace("u\u0308", "v")
    tone = next((_TONES[c] for c in decomposed if c in _TONES), 0)
    letters = "".join(c for c in decomposed if "a" <= c <= "z")
    digits = [c for c in decomposed if c.isdigit()]
    if digits:
        tone = int(digits[-1]) or 5
    return letters, tone or 5


@lru_cache(maxsize=1)
def _readings() -> dict[str, str]:
    """Every toneless pinyin syllable → the Han characters that have it among their readings
    (pypinyin's dictionary of single characters)."""
    chars: dict[str, list[str]] = {}
    for code, readings in pinyin_dict.items():
        for reading in readings.split(","):
            letters = _syllable_letters(reading)[0]
            if letters:
                chars.setdefault(letters, []).append(chr(code))
    return {syllable: "".join(sorted(set(cs))) for syllable, cs in chars.items()}


def syllabify(letters: str, breaks: frozenset[int] = frozenset(), limit: int = _MAX_READINGS) -> list[tuple[str, ...]]:
    """The ways of cutting toneless ``letters`` into pinyin syllables, each cut at every offset of
    ``breaks`` (at most ``limit`` of them): ``xian`` → [(xian,), (xi, an)]; ``zhifa`` → [(zhi, fa)];
    ``office`` → []."""
    known = _readings()
    longest = max(map(len, known))
    out: list[tuple[str, ...]] = []

    def cut(at: int, done: tuple[str, ...]) -> None:
        if len(out) >= limit:
            return
        if at == len(letters):
            out.append(done)
            return
        for end in range(at + 1, min(len(letters), at + longest) + 1):
            if letters[at:end] in known and not any(at < b < end for b in breaks):
                cut(end, (*done, letters[at:end]))

    cut(0, ())
    return out


def _pattern(readings: list[tuple[str, ...]], syllables: int | None = None) -> str:
    """A regular expression of Han characters that a text has wherever it can have the syllables
    in one of the ``readings`` (every reading of every character counted): ``[执直…][法发…]|…``;
    with ``syllables``, only the first so many of each reading (a shorter pattern, each once)."""
    known = _readings()
    return "|".join(dict.fromkeys("".join(f"[{known[s]}]" for s in reading[:syllables]) for reading in readings))


def _clue(readings: list[tuple[str, ...]]) -> str:
    """The characters of the CJK Unified Ideographs block that can read as the rarest syllable of
    each of the ``readings`` (``zhifa``: those of ``fa``, 41 of them), together; "" when they are
    more than ``MAX_CLUES``. A text that has the syllables in context has one of them, unless it
    writes the syllable with a rarer character (an extension block): the SPARQL pre-filter looks
    for these with ``CONTAINS`` (Virtuoso 7.2's REGEX finds nothing with CJK alternatives)."""
    known = _readings()
    common = {s: "".join(c for c in known[s] if "\u4e00" <= c <= "\u9fff") for reading in readings for s in reading}
    clue = "".join(sorted({c for reading in readings for c in min((common[s] for s in reading), key=len)}))
    return clue if len(clue) <= MAX_CLUES else ""


def term(text: str) -> Term:
    """A folded word of a query as a ``Term``; its pinyin side when it is written in Latin letters
    with tone marks or digits and apostrophes, and can be cut into syllables."""
    letters: list[str] = []
    tones: list[tuple[int, int]] = []
    breaks: set[int] = set()
    for c in unicodedata.normalize("NFD", text).replace("u\u0308", "v"):
        if "a" <= c <= "z":
            letters.append(c)
        elif c in _TONES and letters:
            tones.append((len(letters) - 1, _TONES[c]))
        elif c in "12345" and letters and (not breaks or max(breaks) < len(letters)):
            tones.append((len(letters) - 1, int(c)))
            breaks.add(len(letters))
        elif c in "'’" and letters:
            breaks.add(len(letters))
        elif c == "\u0302":  # ê
            continue
        else:
            return Term(text)
    word = "".join(letters)
    readings = syllabify(word, frozenset(breaks)) if word else []
    if not readings:
        return Term(text)
    few = len(syllabify(word, frozenset(breaks), _MAX_READINGS + 1)) <= _MAX_READINGS
    lead = _pattern(readings, 2) if few else ""
    return Term(text, word, tuple(tones), frozenset(b for b in breaks if b < len(word)),
                _pattern(readings) if few else "", _clue(readings) if few else "", lead if len(lead) <= MAX_LEAD else "")


def terms(query: str) -> list[Term]:
    """The terms of a query, folded and split at white space, each once, in the order typed:
    ``執法　公示`` → [执法, 公示]; ``zhífǎ gōngshì`` → two pinyin terms."""
    return [term(t) for t in dict.fromkeys(fold(query).split())]


def plan(query: str, texts: Iterable[str]) -> list[Term]:
    """The terms of ``query``, a Latin one marked to be matched as pinyin when none of ``texts``
    (the fields searched) contains it literally once folded."""
    found = terms(query)
    literal = {t.text for t in found if t.latin}
    if literal:
        for text in texts:
            folded = fold(text)
            literal -= {t for t in literal if t in folded}
            if not literal:
                break
    return [replace(t, pinyin=True) if t.latin and t.text in literal else t for t in found]


def phrase(query: str, texts: Iterable[str]) -> list[Term]:
    """The terms of a query of several words written together as one term, planned as ``plan``
    plans a query (a phrase of Latin words as pinyin with a syllable break where a space was:
    ``zhifa gongshi`` → ``zhifa'gongshi``); [] for a query of one word. The search shows the results
    that have the words side by side, as typed, when there are any (``执法 公示`` finds 执法公示, as
    执法公示 does), else those that have all the words anywhere."""
    words = list(dict.fromkeys(fold(query).split()))
    if len(words) < 2:
        return []
    latin = all(term(w).latin for w in words)
    return plan("'".join(words) if latin else "".join(words), texts)


# -- pinyin and words of a text ----------------------------------------------------------------

@dataclass(frozen=True)
class PinyinKey:
    """The pinyin of a (folded) text, one syllable per Han character as pypinyin reads it in
    context: ``letters`` is the toneless syllables run together, ``|`` where a run of Han characters
    ends (钦南区,执法 → ``qinnanqu|zhifa``); ``starts`` the offset in ``letters`` of each syllable,
    ``chars`` the offset in the text of its character, ``tones`` its tone (5: neutral). Compact
    (arrays and bytes), as the keys of many texts are kept."""

    letters: str
    starts: array[int]
    chars: array[int]
    tones: bytes

    def syllable_at(self, offset: int) -> int:
        """The number of the syllable holding the letter at ``offset``."""
        return bisect_right(self.starts, offset) - 1

    def starts_syllable(self, offset: int) -> bool:
        """Whether a syllable starts at ``offset`` of ``letters``."""
        n = bisect_left(self.starts, offset)
        return n < len(self.starts) and self.starts[n] == offset


# pypinyin takes a list from its ``errors`` callback as one reading per character (its stubs say str)
_no_reading = cast(Callable[[str], str], lambda chunk: [_SEPARATOR] * len(chunk))


@lru_cache(maxsize=4096)
def pinyin_key(text: str) -> PinyinKey:
    """The ``PinyinKey`` of a folded text (``fold``), read once per text (cached)."""
    readings = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors=_no_reading)
    if len(readings) != len(text):  # not one reading per character: read them one by one
        readings = [(lazy_pinyin(c, style=Style.TONE3, neutral_tone_with_five=True, errors=_no_reading) or [_SEPARATOR])[0]
                    for c in text]
    letters: list[str] = []
    starts: list[int] = []
    chars: list[int] = []
    tones: list[int] = []
    at = 0
    for i, reading in enumerate(readings):
        syllable, tone = _syllable_letters(reading) if _HAN.match(text[i]) else ("", 0)
        if not syllable:
            if letters and letters[-1] != _SEPARATOR:
                letters.append(_SEPARATOR)
                at += 1
            continue
        starts.append(at)
        chars.append(i)
        tones.append(tone)
        letters.append(syllable)
        at += len(syllable)
    return PinyinKey("".join(letters), array("I", starts), array("I", chars), bytes(tones))


@lru_cache(maxsize=4096)
def words(text: str) -> frozenset[int]:
    """The offsets between the words of a (folded) text, as rjieba cuts it (``全面推行行政执法公示制度``
    → 全面推行|行政|执法|公示|制度), and inside a word the dictionary words it is made of, where they
    cut it without overlap (依法执法 → 依法|执法, 执法人员 → 执法|人员; not 办公室 → 办公 + 公室)."""
    bounds = set()
    sub: dict[int, list[int]] = {}  # the search mode's dictionary words inside longer words: start → ends
    for _, start, end in rjieba.tokenize(text, mode="search"):
        sub.setdefault(start, []).append(end)
    for _, start, end in rjieba.tokenize(text):
        bounds |= {start, end}
        if end - start > 2:
            bounds |= _cuts(start, end, sub)
    return frozenset(bounds)


def _cuts(start: int, end: int, sub: dict[int, list[int]]) -> set[int]:
    """The offsets of a cut of [start, end) into dictionary words (``sub``: start → ends), if any."""
    way: dict[int, int] = {start: start}  # offset reached → where the word that reached it began
    for at in range(start, end):
        if at in way:
            for stop in sub.get(at, []):
                if at < stop <= end and (at, stop) != (start, end):
                    way.setdefault(stop, at)
    if end not in way:
        return set()
    cuts, at = set(), end
    while at != start:
        at = way[at]
        cuts.add(at)
    return cuts


# -- matching and scoring ------------------------------------------------------------------------

def find(t: Term, text: str) -> list[tuple[int, int]]:
    """Where term ``t`` is in the folded ``text``: (start, end) character offsets, literally, or
    as pinyin when the term is matched so (whole syllables, starting a word of the text, with the
    tones the term gives)."""
    if not t.pinyin:
        out, at = [], text.find(t.text)
        while at >= 0:
            out.append((at, at + len(t.text)))
            at = text.find(t.text, at + 1)
        return out
    if t.pattern and not re.search(t.pattern, text):
        return []  # no characters that could read so: the text's pinyin is not needed
    key = pinyin_key(text)
    bounds = words(text)
    spans = []
    at = key.letters.find(t.letters)
    while at >= 0:
        end = at + len(t.letters)
        if key.starts_syllable(at) and (end == len(key.letters) or key.letters[end] == _SEPARATOR or key.starts_syllable(end)):
            first, last = key.syllable_at(at), key.syllable_at(end - 1)
            if (key.chars[first] in bounds and all(key.starts_syllable(at + b) for b in t.breaks)
                    and all(key.tones[key.syllable_at(at + offset)] == tone for offset, tone in t.tones)):
                spans.append((key.chars[first], key.chars[last] + 1))
        at = key.letters.find(t.letters, at + 1)
    return spans


Field = tuple[str, str]  # (kind: "title", "text" or "name", folded text)


def heading(text: str) -> tuple[str, str]:
    """An item's text as its heading (the lead sentence: 全面推行行政执法公示制度) and the rest; the
    heading is searched as the item's title."""
    head = re.split(r"[。;；]", text, maxsplit=1)[0]
    return head, text[len(head):]


def score(found: Sequence[Term], fields: Sequence[Field]) -> float | None:
    """How well a result with these (folded) fields answers the terms; None when a term is found
    in none of them. Each term counts its best hit: the weight of the field (a title 6, a text 2, a
    name 1), times 1.5 when the hit is a whole word (or words) of the field as rjieba cuts it; then
    1 more when, in one field, the terms stand side by side in the order typed, and 0.1 for each
    further hit in a title or text (at most 0.5). Empty terms: 0 (everything matches)."""
    if not found:
        return 0.0
    total, hits = 0.0, 0
    spans: list[list[list[tuple[int, int]]]] = []  # term → field → spans
    for t in found:
        best, per_field = 0.0, []
        for kind, text in fields:
            where = find(t, text)
            per_field.append(where)
            if where:
                bounds = words(text)
                whole = any(start in bounds and end in bounds for start, end in where)
                best = max(best, WEIGHTS[kind] * (WHOLE_WORD if whole else 1.0))
                if kind != "name":
                    hits += len(where)
        if not best:
            return None
        total += best
        spans.append(per_field)
    hits -= sum(1 for per_field in spans if any(per_field[i] for i, (kind, _) in enumerate(fields) if kind != "name"))
    total += PER_HIT * min(MAX_HITS, max(0, hits))
    if len(found) > 1 and any(_together([s[i] for s in spans]) for i in range(len(fields))):
        total += TOGETHER
    return round(total, 3)


def _together(per_term: list[list[tuple[int, int]]]) -> bool:
    """Whether some hit of each term begins where a hit of the one before it ends."""
    ends = {end for _, end in per_term[0]}
    for spans in per_term[1:]:
        ends = {end for start, end in spans if start in ends}
        if not ends:
            return False
    return True


# -- SPARQL pre-filter ---------------------------------------------------------------------------

def prefilter(found: Sequence[Term], text: str, within: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
              regex: bool = False, any_term: bool = False) -> str:
    """A SPARQL FILTER that keeps every row whose ``?{text}`` can match all the terms (``any_term``:
    one of them), and leaves out most of the rest, so a search reads only those rows: for each
    term, the text contains it (lower-cased) or — a Latin term — the Han characters it can be read
    in: with ``regex`` (an engine whose REGEX handles Han character classes) the term's ``lead``,
    characters side by side that can read as its first syllables (``zhifa``: [执直…][法发…]), else
    one of its ``clue`` characters; or a variable of the row is one of the IRIs ``within`` gives
    for it and the term (variable → term → IRIs: the documents whose division the term matches, the items
    assigned to an agency whose name it matches). A term with neither (a Latin term) nor at most
    ``MAX_IRIS`` IRIs for a variable adds no condition (with ``any_term``: no filter at all): the
    rows are read and matched here. The terms are written only as literals the RDF library
    escapes, the IRIs as IRIs it validated. Texts are compared as the store keeps them (Simplified:
    ingest converts Traditional texts), only lower-cased."""
    conditions = []
    for t in found:
        if (t.latin and not t.clue and not (regex and t.lead)) or any(
                len(set(by_term.get(t.text, ()))) > MAX_IRIS for by_term in (within or {}).values()):
            if any_term:
                return ""
            continue
        either = [f"CONTAINS(LCASE(STR(?{text})), {ox.Literal(t.text)})"]
        if t.latin and regex and t.lead:
            either.append(f"REGEX(STR(?{text}), {ox.Literal(t.lead)})")
        elif t.latin:
            either += [f"CONTAINS(STR(?{text}), {ox.Literal(c)})" for c in t.clue]
        for var, by_term in sorted((within or {}).items()):
            iris = sorted(set(by_term.get(t.text, ())))
            if iris:
                either.append(f"?{var} IN ({', '.join(str(ox.NamedNode(i)) for i in iris)})")
        conditions.append(f"({' || '.join(either)})")
    return f"FILTER({(' || ' if any_term else ' && ').join(conditions)})" if conditions else ""


def found_in(t: Term, texts: Iterable[str]) -> bool:
    """Whether term ``t`` is in one of the folded ``texts`` literally or — a Latin term — as pinyin."""
    ways = [Term(t.text)] + ([replace(t, pinyin=True)] if t.latin else [])
    return any(find(way, text) for text in texts for way in ways)


# -- the division tree of the facets ------------------------------------------------------------

def division_tree(chains: Mapping[str, Iterable[str]], level: Mapping[str, str],
                  sort_key: Mapping[str, str]) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """The path from the top (the sort keys of the divisions above it, then its own) and the parent
    of every division in ``chains`` (each division a document was issued in → the divisions above
    it and itself, as ``skos:broader*`` gives them), ordered by ``level`` (1 nation … 5 township).
    Sorting facet values by their path lists every division right under its parent, whatever its
    key: a development zone without a GB/T 2260 code (``411500-gxq``) sits under 信阳市 (411500),
    not after the last code. A division reached along two paths keeps the smaller."""

    def rank(d: str) -> tuple[int, str]:
        n = level.get(d, "")
        return (int(n) if n.isdigit() else 99, sort_key.get(d, d))

    paths: dict[str, tuple[str, ...]] = {}
    parents: dict[str, str] = {}
    for area in sorted(chains):
        ups = sorted(set(chains[area]), key=rank)
        for i, d in enumerate(ups):
            path = tuple(sort_key.get(u, u) for u in ups[: i + 1])
            if d not in paths or path < paths[d]:
                paths[d] = path
                if i:
                    parents[d] = ups[i - 1]
                else:
                    parents.pop(d, None)
    return paths, parents
