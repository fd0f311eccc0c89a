"""Text utilities: width/dash folding that keeps offsets, lines with offsets, page furniture,
title and 文号 normalisation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

DASHES = "—–－‐‑‒―─~～"
_FOLD = {"（": "(", "）": ")", "，": ",", "；": ";", "：": ":", "　": " ", "［": "[", "］": "]", "【": "[", "】": "]", "﹝": "[", "﹞": "]", "〖": "[", "〗": "]"}


def fold_char(ch: str) -> str:
    if ch in _FOLD:
        return _FOLD[ch]
    if ch in DASHES:
        return "-"
    if "\uff01" <= ch <= "\uff5e":  # full-width ASCII
        return chr(ord(ch) - 0xFEE0)
    return ch


def fold(text: str) -> str:
    """Half-width punctuation and one dash form, character for character: offsets are kept."""
    return "".join(fold_char(ch) for ch in text)


@dataclass(frozen=True)
class Line:
    start: int  # offset of the first non-blank character
    end: int  # offset after the last non-blank character
    text: str  # stripped text, folded (same length as the stripped original)


def lines(text: str) -> list[Line]:
    """Non-blank lines of the text with their offsets; text is folded, offsets index the original.
    A CR before the line break (a CRLF text given to ``extract_text`` as it is) is a blank."""
    out: list[Line] = []
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip(" \t\u3000\xa0\ufeff\r")
        if stripped and "\t" in raw:
            stripped = raw.strip(" \u3000\xa0\ufeff\r")  # a table row keeps its empty first cells
        if stripped:
            start = pos + raw.index(stripped)
            out.append(Line(start, start + len(stripped), fold(stripped)))
        pos += len(raw) + 1
    return out


FURNITURE = re.compile(
    r"您现在的位置|当前位置|当前的位置|您的位置|^>|打印本页|关闭窗口|浏览次数|浏览数|字体大小|字体:|保护视力色|Produced By|"
    r"^通知公告$|^索引号|^发布机构|^文章来源|^来源:|^发布日期|^发布时间|^更新时间|打印文章|^分享到|"
    r"^欢迎(?:访问|来到|光临)|背景颜色|^\(此件公开发布\)$|^【(?:打印|关闭|字体)"
)


_WIDE_ALNUM = {c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}


def narrow_alnum(text: str) -> str:
    """Full-width digits and Latin letters as ASCII (２０２２年 → 2022年); punctuation is left as written."""
    return text.translate(_WIDE_ALNUM)


def is_furniture(line: str) -> bool:
    return bool(FURNITURE.search(line))


_YEAR_RANGE = re.compile(r"\((\d{4})\s*-?\s*(\d{4})(年?)\)?")


def normalize_title(title: str) -> str:
    """The matching key of a title: folded, no spaces, ASCII quotes, year ranges as (YYYY-YYYY年),
    dropped dashes restored ((20152020年) → (2015-2020年))."""
    t = unicodedata.normalize("NFKC", fold(title))
    t = re.sub(r"\s+", "", t)
    t = t.replace("〈", "<").replace("〉", ">").replace("“", '"').replace("”", '"')
    if "《" in t[1:-1]:  # a title inside a title (…贯彻落实《纲要》的实施方案) is marked as 〈〉 would be
        t = t[0] + t[1:-1].replace("《", "<").replace("》", ">") + t[-1]
    t = re.sub(r"-+", "-", t)

    def year_range(m: re.Match[str]) -> str:
        a, b = int(m.group(1)), int(m.group(2))
        if 1949 < a < b < 2100:
            return f"({a}-{b}年)"
        return m.group(0)

    return _YEAR_RANGE.sub(year_range, t)


def display_title(title: str) -> str:
    """A title for display: spaces removed, dropped dashes restored with an em dash."""
    t = re.sub(r"\s+", "", title)

    def year_range(m: re.Match[str]) -> str:
        a, b = int(m.group(1)), int(m.group(2))
        if 1949 < a < b < 2100:
            return f"({a}—{b}年)"
        return m.group(0)

    t = t.replace("（", "(").replace("）", ")")
    t = re.sub(r"\((\d{4})\s*[" + DASHES + r"-]*\s*(\d{4})(年?)\)?", year_range, t)
    return t


# 文号: issuer code, year in 〔〕, serial, 号. Damaged forms: 〔201550号, 〔201753 (〕 and 号 lost).
DOC_NUMBER = re.compile(
    r"(?P<code>[\u4e00-\u9fff]{1,12}?)\s*[〔\[［(（]\s*(?P<year>(?:19|20)\d{2})\s*[〕\]］)）]?\s*(?P<serial>\d{1,4})(?![\d年])\s*号?"
)


def normalize_doc_number(m: re.Match[str]) -> str:
    return f"{m.group('code')}〔{m.group('year')}〕{int(m.group('serial'))}号"


# Brackets (folded) that nest: an obligation parenthesis may hold 〔…(含…)…〕.
OPEN_BRACKETS, CLOSE_BRACKETS = "([〔【{", ")]〕】}"


def split_top(text: str, separators: str) -> list[tuple[str, int]]:
    """Split at separators outside brackets; pieces with their offsets in ``text``."""
    out: list[tuple[str, int]] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch in OPEN_BRACKETS:
            depth += 1
        elif ch in CLOSE_BRACKETS:
            depth = max(0, depth - 1)
        elif depth == 0 and ch in separators:
            out.append((text[start:i], start))
            start = i + 1
    out.append((text[start:], start))
    return out


def trailing_bracket(folded: str) -> tuple[int, int] | None:
    """The [start, end) of the content of the bracket that closes ``folded`` (trailing 。; ignored),
    matched with nesting, or None."""
    end = len(folded.rstrip(" \n。.;,"))
    if end == 0 or folded[end - 1] not in CLOSE_BRACKETS:
        return None
    depth = 0
    for i in range(end - 1, -1, -1):
        ch = folded[i]
        if ch in CLOSE_BRACKETS:
            depth += 1
        elif ch in OPEN_BRACKETS:
            depth -= 1
            if depth == 0:
                return i + 1, end - 1
    return None



def clause_start(folded: str, pos: int, stops: str = "。;!?:,") -> int:
    """Where the clause holding ``pos`` starts: after the last stop before it that is not inside
    brackets (the comma in (中发〔2015〕36号,以下简称《纲要》) does not end a clause)."""
    depth = 0
    while pos > 0:
        ch = folded[pos - 1]
        if ch in CLOSE_BRACKETS:
            depth += 1
        elif ch in OPEN_BRACKETS and depth:
            depth -= 1
        elif depth == 0 and ch in stops:
            break
        pos -= 1
    return pos


CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def chinese_number(text: str) -> int:
    """一 → 1 … 十九 → 19, 二十三 → 23."""
    if text in CN_DIGITS:
        return CN_DIGITS[text]
    if text.startswith("十"):
        return 10 + (CN_DIGITS[text[1]] if len(text) > 1 else 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return CN_DIGITS[tens] * 10 + (CN_DIGITS[ones] if ones else 0)
    raise ValueError(text)
