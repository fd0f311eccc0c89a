"""Character-level clean-up of a decoded text: inline pinyin glosses removed, Traditional → Simplified.

Mirror sites re-publish policy documents in Traditional characters (繁体) and sometimes with a
pinyin gloss after a character (``設(shè)立``). The parsers downstream match Simplified terms
(牵头, 负责, 〔2017〕…), so both are undone here. ``normalize_characters`` records what it did
as short tags (``"pinyin-glosses:5"``, ``"opencc:t2s"``) for the Source.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import opencc

# --- pinyin glosses ------------------------------------------------------------------------

_TONE_MARKS = {
    **dict.fromkeys("āáǎà", "a"),
    **dict.fromkeys("ēéěè", "e"),
    **dict.fromkeys("īíǐì", "i"),
    **dict.fromkeys("ōóǒò", "o"),
    **dict.fromkeys("ūúǔù", "u"),
    **dict.fromkeys("ǖǘǚǜ", "v"),
    **dict.fromkeys("ńňǹḿ", ""),  # syllabic n/m (嗯 ń, 呣 ḿ) — base letter restored below
}
_SYLLABIC = {"ń": "n", "ň": "n", "ǹ": "n", "ḿ": "m"}
# Letters some sites typeset pinyin with: Latin alpha and script g; ê and ü.
_LOOKALIKE = {"ɑ": "a", "ɡ": "g", "ü": "v", "ê": "e"}

_INITIAL = r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
_FINAL = (
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|in|un|vn"
    r"|ia|ie|iu|ua|uo|ui|ue|ve|er|a|o|e|i|u|v)"
)
_SYLLABLE = re.compile(rf"{_INITIAL}{_FINAL}|hm|hng|ng|n|m")

_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_GLOSS_LETTERS = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêńňǹḿɑɡ\u0300\u0301\u0304\u030c"
# A Han character, then bracketed lower-case words (one syllable each, up to four: 改革(gǎi gé))
# of at most 7 letters and an optional tone digit.
_WORD = rf"[{_GLOSS_LETTERS}]{{1,7}}[1-5]?"
_GLOSS = re.compile(rf"(?<={_HAN})\s?[(（]\s?({_WORD}(?:\s{_WORD}){{0,3}})\s?[)）]")


def pinyin_syllable(word: str) -> tuple[bool, bool]:
    """(is a pinyin syllable, carries a tone) for one bracketed word: ``shè`` → (True, True),
    ``xian4`` → (True, True), ``nü`` → (True, True), ``guan`` → (True, False),
    ``office`` → (False, False)."""
    word = unicodedata.normalize("NFC", word)
    # ü is as telling as a tone mark: no English word has it (lü, nü).
    toned = word[-1].isdigit() or any(ch in _TONE_MARKS or ch == "ü" for ch in word)
    base = word.rstrip("12345")
    plain = "".join(_SYLLABIC.get(ch) or _TONE_MARKS.get(ch) or _LOOKALIKE.get(ch, ch) for ch in base)
    if word[-1].isdigit() and any(ch in _TONE_MARKS for ch in word):
        return False, False  # both a mark and a digit: not how anyone writes pinyin
    return bool(plain) and _SYLLABLE.fullmatch(plain) is not None, toned


def remove_pinyin_glosses(text: str, toneless: bool | None = None) -> tuple[str, int]:
    """Drop ``(shè)``-style glosses after Han characters; return the text and how many were dropped.

    A gloss needs a tone (mark or digit, or ü); a tone-less syllable (``有關(guan)``) is dropped only
    in a text that has toned glosses too (or when ``toneless`` says so for a piece of a larger
    text), so ``(a)`` or ``(an)`` in an ordinary text stays. Real parentheses — ``(区法制办牵头)``,
    ``(2017年)``, ``(一)``, ``(试行)``, ``(ABC)``, ``(office)`` — never match: they are not one
    lower-case pinyin syllable.
    """
    found = [(m, *_gloss(text, m)) for m in _GLOSS.finditer(text)]
    if toneless is None:
        toneless = has_toned_glosses(text)
    drop = [m for m, ok, toned in found if ok and (toned or toneless)]
    if not drop:
        return text, 0
    out: list[str] = []
    pos = 0
    for m in drop:
        out.append(text[pos : m.start()])
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), len(drop)


def has_toned_glosses(text: str) -> bool:
    return any(all(_gloss(text, m)) for m in _GLOSS.finditer(text))


def _gloss(text: str, m: re.Match[str]) -> tuple[bool, bool]:
    """(is a gloss, carries a tone) for a bracketed match: every word a pinyin syllable, and as
    many Han characters right before it as it has syllables."""
    words = m.group(1).split()
    before = text[max(0, m.start() - len(words)):m.start()]
    if len(words) > 1 and not (len(before) == len(words) and all(re.match(_HAN, ch) for ch in before)):
        return False, False
    checks = [pinyin_syllable(w) for w in words]
    return all(ok for ok, _ in checks), any(toned for _, toned in checks)


# --- Traditional → Simplified --------------------------------------------------------------


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    import opencc

    return opencc.OpenCC("t2s")


def _changed_characters(before: str, after: str) -> int:
    if len(before) == len(after):
        return sum(1 for a, b in zip(before, after) if a != b)
    import difflib

    ops = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


def to_simplified(text: str) -> tuple[str, bool]:
    """Convert with OpenCC t2s when the text is written in Traditional characters.

    A Simplified text passed through t2s changes at most a handful of characters (variant
    forms); a Traditional one changes a large share. Converted when at least 3 characters and
    2% of the Han characters change, or — for a short text — a fifth of them.
    """
    han = sum(1 for ch in text if "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff")
    if not han:
        return text, False
    converted = _t2s().convert(text)
    changed = _changed_characters(text, converted)
    if (changed >= 3 and changed >= 0.02 * han) or (changed >= 1 and changed >= 0.2 * han):
        return converted, True
    return text, False


@dataclass(frozen=True)
class Conversion:
    """What to do to a document's characters — decided once for the whole text (``plan``) and
    applied to it, or piece by piece to the text nodes of a page."""

    toneless_glosses: bool = False  # the text has toned glosses: bare syllables after Han go too
    t2s: bool = False  # the text is Traditional: convert every piece

    def apply(self, text: str) -> tuple[str, int]:
        """The piece converted, and the number of glosses removed from it."""
        text, glosses = remove_pinyin_glosses(text, self.toneless_glosses)
        if self.t2s:
            text = _t2s().convert(text)
        return text, glosses

    def tags(self, glosses: int, changed: bool) -> list[str]:
        """``["pinyin-glosses:N", "opencc:t2s"]`` as far as they happened."""
        out = [f"pinyin-glosses:{glosses}"] if glosses else []
        return out + (["opencc:t2s"] if self.t2s and changed else [])


def plan(text: str) -> Conversion:
    """Decide for a whole text: are there glosses, is it Traditional (after removing them)?"""
    toneless = has_toned_glosses(text)
    without, _ = remove_pinyin_glosses(text, toneless)
    return Conversion(toneless_glosses=toneless, t2s=to_simplified(without)[1])


def normalize_characters(text: str) -> tuple[str, list[str]]:
    """Glosses removed, then Traditional → Simplified; the new text and what was done."""
    conversion = plan(text)
    glossless, glosses = remove_pinyin_glosses(text, conversion.toneless_glosses)
    converted, _ = conversion.apply(text)
    return converted, conversion.tags(glosses, converted != glossless)
