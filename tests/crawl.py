"""What a crawl does to a policy document on its way to us, as seeded, deterministic transformations.

A page reaches us without its title line (the portal shows it in a field of its own), with the
hard line breaks of a PDF it was copied out of, wrapped in portal furniture, with the other
width of punctuation, in Traditional script from a mirror (sometimes with pinyin glosses), in
GB18030, or with CRLF line ends. Each :class:`Transformation` turns a :class:`Document` (the
text the parsers see for one seed or layout fixture) into the bytes of the file a crawl would
save; ``tests/test_robustness.py`` requires that extraction keeps what it found in the unmodified
document. The randomness is seeded by transformation and document name, so a run is repeatable
and a failure can be reproduced by name.

``python -m tests.crawl`` prints the kept ratio per transformation and category.
"""

from __future__ import annotations

import random
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from policykg.ingest import Extraction, extract
from policykg.ingest.sources import read_source
from policykg.ingest.text import fold, normalize_title

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (
    *sorted((ROOT / "corpus" / "seeds").glob("*.txt")),
    *sorted(p for p in (ROOT / "tests" / "fixtures" / "layouts").iterdir() if p.suffix in {".txt", ".html", ".docx", ".pdf"}),
    ROOT / "tests" / "fixtures" / "cascade" / "qinbei_plan.txt",
)


@dataclass(frozen=True)
class Document:
    """One source as plain text: what the parsers read for the unmodified file (a page's article
    text, a PDF's re-flowed text, a DOCX's paragraphs and TAB-separated rows), and its title as
    the unmodified extraction found it (None when it had to infer one)."""

    name: str
    text: str
    title: str | None


Key = tuple[object, ...]
Facts = dict[str, dict[Key, str]]  # category → key → description


@cache
def _baseline() -> tuple[tuple[Document, Facts], ...]:
    """Each source as text, with what extraction finds in that text unmodified."""
    out = []
    for path in SOURCES:
        text = read_source(path).text
        ex = extract_bytes(text.encode("utf-8"), path.stem)
        out.append((Document(path.stem, text, None if ex.title_derived else ex.title), facts(ex)))
    return tuple(out)


def documents() -> tuple[Document, ...]:
    return tuple(doc for doc, _ in _baseline())


def original_facts() -> dict[str, Facts]:
    return {doc.name: f for doc, f in _baseline()}


def extract_bytes(data: bytes, name: str, suffix: str = ".txt") -> Extraction:
    """Extraction of the file a crawl saved: written to a temporary ``NAME.SUFFIX`` and read back
    through ``extract`` (sniffing, decoding, line ends, characters, re-flow: what a file goes through)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}{suffix}"
        path.write_bytes(data)
        return extract(path)


# --- the transformations ---------------------------------------------------------------------


@dataclass(frozen=True)
class Transformation:
    name: str
    lossless: bool
    why: str  # why it loses nothing, or what it may legitimately cost
    change: Callable[[Document, random.Random], str | None]  # None: does not apply to this document
    encoding: str = "utf-8"
    suffix: str = ".txt"  # the file saved: .txt, or the text's lines as the paragraphs of a .html or .docx

    def apply(self, doc: Document) -> bytes | None:
        """The bytes of the transformed file, or None when the transformation does not apply."""
        text = self.change(doc, random.Random(f"{self.name}/{doc.name}"))
        if text is None:
            return None
        if self.suffix == ".html":
            return as_html(text).encode(self.encoding)
        if self.suffix == ".docx":
            from tests.fixtures.build import docx_bytes

            return docx_bytes(as_docx_src(text))
        return text.encode(self.encoding)


def is_title(line: str, title: str) -> bool:
    """Whether a line is the title (normalised), or the notice that transmits it (关于印发《…》的通知)."""
    key = normalize_title(line)
    return key == normalize_title(title) or bool(re.fullmatch(rf".*关于印发《?{re.escape(normalize_title(title))}》?的通知", key))


def without_title(doc: Document, rng: random.Random) -> str | None:
    """Every line that is the document's title removed (the portal shows it elsewhere; seed 000
    repeats it below the breadcrumb, and removing only the first would change nothing)."""
    if doc.title is None:
        return None
    kept = [ln for ln in doc.text.split("\n") if not (ln.strip() and is_title(ln.strip(), doc.title))]
    return "\n".join(kept)


def width(text: str) -> float:
    """Printed width in Han-character units: a PDF line of 30 汉字 holds 60 digits or Latin letters."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def wrap_line(line: str, columns: int) -> list[str]:
    """A line broken wherever the printed width would pass ``columns``: inside names, brackets
    and 《》 titles alike, as a PDF's text layer gives it (no indentation, no hyphen)."""
    out, current, used = [], [], 0.0
    for ch in line:
        w = width(ch)
        if current and used + w > columns:
            out.append("".join(current))
            current, used = [], 0.0
        current.append(ch)
        used += w
    out.append("".join(current))
    return out


def hard_wraps(doc: Document, rng: random.Random) -> str:
    """Each paragraph hard-wrapped at one width per document, 25–40 Han characters. Table rows
    (TAB-separated cells) are left alone: a PDF's text layer does not turn a table into wrapped
    prose but into cells in columns, another layout altogether."""
    columns = rng.randint(25, 40)
    out: list[str] = []
    for line in doc.text.split("\n"):
        out.extend([line] if "\t" in line else wrap_line(line.strip(" \u3000"), columns))
    return "\n".join(out)


# Portal furniture, made up: site banners, menus, breadcrumbs, metadata labels left empty or with
# spaced letters, share and print links, display settings.
FURNITURE_BEFORE = (
    ("欢迎访问人民政府门户网站", "欢迎访问政府信息公开网站!", "欢迎访问本站 今天是:星期三"),
    ("首页 | 政务公开 | 办事服务 | 互动交流", "首页|新闻中心|信息公开|政务服务|政民互动", "网站首页 政府信息公开 公众参与"),
    ("您当前的位置:首页>政策文件", "您当前的位置:首页 > 信息公开 > 政策文件 > 规划计划", "当前位置:首页>>政务公开>>通知公告"),
    ("索 引 号:000014349/2017-01024", "索  引  号:", "索 引 号 : 11450700MB0000000X/2018-00031  主题分类:综合政务"),
    ("发文机关:", "发 文 机 关:", "发文字号:"),
    ("成文日期:", "成 文 日 期 :", "主 题 词:"),
    ("字号:大 中 小", "【字体:大 中 小】", "字体:[大] [中] [小]"),
    ("背景颜色", "背景颜色:默认 护眼", "阅读模式 背景颜色"),
)
FURNITURE_AFTER = (
    ("(此件公开发布)", "(此件主动公开)", "\uff08此件公开发布\uff09"),
    ("分享到", "分享到:", "分享到: 微信 微博"),
    ("打印本页 关闭窗口", "【打印本页】【关闭窗口】", "[打印本页] [关闭窗口]"),
    ("背景颜色", "扫一扫在手机打开当前页", "相关附件:"),
    ("网站标识码:0000000001 ICP备案号:ICP备00000000号-1", "主办:政府办公室 承办:信息中心", "版权所有 联系我们 网站地图"),
)


def portal_furniture(doc: Document, rng: random.Random) -> str:
    """Furniture lines before and after the text: a variant of each kind, a random subset (in
    page order), at least three above and two below."""

    def pick(kinds: tuple[tuple[str, ...], ...], least: int) -> list[str]:
        chosen = sorted(rng.sample(range(len(kinds)), rng.randint(least, len(kinds))))
        return [rng.choice(kinds[i]) for i in chosen]

    return "\n".join([*pick(FURNITURE_BEFORE, 3), doc.text.strip("\n"), *pick(FURNITURE_AFTER, 2)]) + "\n"


# full-width form → ASCII form (U+FF08 （, U+FF0C ，, U+3000 ideographic space …)
_FULL = {"\uff08": "(", "\uff09": ")", "\uff0c": ",", "\uff1b": ";", "\uff1a": ":", "\uff01": "!", "\uff1f": "?"}
_TO_HALF = str.maketrans({**_FULL, "\u3000": " ", "\uff0e": "."})
_TO_FULL = str.maketrans({ascii_: full for full, ascii_ in _FULL.items()})


def half_width(doc: Document, rng: random.Random) -> str:
    """Full-width punctuation (,:;() …) in its ASCII form."""
    return doc.text.translate(_TO_HALF)


def full_width(doc: Document, rng: random.Random) -> str:
    """ASCII punctuation in its full-width form, and the full stop of item numbers (1. → 1\uff0e)."""
    return re.sub(r"(?<=\d)\.(?!\d)", "\uff0e", doc.text.translate(_TO_FULL))


@cache
def _s2t():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("s2t")


def traditional(doc: Document, rng: random.Random) -> str:
    """The text converted to Traditional characters (OpenCC s2t), as a mirror site serves it."""
    return _s2t().convert(doc.text)


GLOSS_RATE = 1 / 15  # of Han characters followed by their pinyin


def traditional_glossed(doc: Document, rng: random.Random) -> str:
    """Traditional, with a toned pinyin gloss after some characters (設(shè)立), now and then
    after a two-character word (會同(huì tóng)) or in full-width brackets."""
    from pypinyin import Style, lazy_pinyin

    text = traditional(doc, rng)
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        out.append(ch)
        i += 1
        if not _han(ch) or rng.random() >= GLOSS_RATE:
            continue
        word = ch
        if i < len(text) and _han(text[i]) and rng.random() < 0.2:
            word += text[i]
            out.append(text[i])
            i += 1
        syllables = " ".join(lazy_pinyin(word, style=Style.TONE))
        out.append(f"({syllables})" if rng.random() < 0.8 else f"（{syllables}）")
    return "".join(out)


def _han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def as_html(text: str) -> str:
    """A page with each line of the text as a paragraph (TAB-separated rows as a table): how a
    site publishes text pasted from a PDF."""
    out, rows = ["<!DOCTYPE html>", '<html><head><meta charset="utf-8"></head><body><div class="article">'], []
    for line in [*text.split("\n"), ""]:
        if "\t" in line:
            rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in line.split("\t")) + "</tr>")
            continue
        if rows:
            out.append("<table>" + "".join(rows) + "</table>")
            rows = []
        if line.strip():
            out.append(f"<p>{escape(line)}</p>")
    return "\n".join([*out, "</div></body></html>", ""])


def as_docx_src(text: str) -> str:
    """The text in the .docx.src mini-format of ``tests.fixtures.build``: a paragraph a line."""
    lines = [f"|{line.replace(chr(9), '|')}|" if "\t" in line else line for line in text.split("\n") if line.strip()]
    return "\n".join(lines)


def crlf(doc: Document, rng: random.Random) -> str:
    return doc.text.replace("\n", "\r\n")


def same_text(doc: Document, rng: random.Random) -> str:
    return doc.text


TRANSFORMATIONS = (
    Transformation("no-title", False, "without its title a document's jurisdiction (in which its agencies are "
                   "resolved) must come from the signature or the body", without_title),
    Transformation("hard-wraps", False, "a paragraph that ends exactly at the edge cannot be told from a sentence "
                   "that does (…。| …), nor a measure from its labelled line (…。| 牵头单位:…)", hard_wraps),
    Transformation("hard-wraps-html", False, "as hard-wraps, each printed line a paragraph of a page", hard_wraps,
                   suffix=".html"),
    Transformation("hard-wraps-docx", False, "as hard-wraps, each printed line a paragraph of a .docx", hard_wraps,
                   suffix=".docx"),
    Transformation("furniture", True, "furniture lines are recognised or carry nothing a parser reads",
                   portal_furniture),
    Transformation("half-width", True, "the parsers read folded text: one width", half_width),
    Transformation("full-width", True, "the parsers read folded text: one width", full_width),
    Transformation("traditional", True, "t2s gives back every character s2t changed in these documents "
                   "(test_traditional_round_trip), and the script is judged on the whole text", traditional),
    Transformation("traditional-glosses", False, "a gloss that also reads as an ordinary bracket ((a), (an)) stays "
                   "unless toned glosses show the text is glossed", traditional_glossed),
    Transformation("gb18030", True, "the bytes decode to the same text", same_text, encoding="gb18030"),
    Transformation("crlf", True, "line ends are normalised when the file is read", crlf),
)
LOSSLESS_FLOOR, LOSSY_FLOOR = 1.0, 0.95


# --- what is kept ------------------------------------------------------------------------------

CATEGORIES = ("measures", "assignments", "citations", "deadlines")


def facts(ex: Extraction) -> Facts:
    """What an extraction says, by category: comparable keys, each with a readable description.

    A measure is its number (with its occurrence, as numbering may restart) and the first words of
    its text (folded, spaces dropped); an assignment is (measure, agency IRI, role); a citation its
    target IRI; a deadline (measure, date, precision).
    """
    seen: dict[int, int] = {}
    out: Facts = {c: {} for c in CATEGORIES}
    for m in ex.measures:
        seen[m.number] = seen.get(m.number, 0) + 1
        key = (m.number, seen[m.number])
        name = f"{m.number}" + (f"#{key[1]}" if key[1] > 1 else "")
        start = re.sub(r"\s+", "", fold(m.text))[:8]
        out["measures"][(*key, start)] = f"{name} {start}"
        for a in m.assignments:
            out["assignments"][(*key, a.party.iri, str(a.role))] = f"{name} {a.party.label} {a.role}"
        if m.deadline is not None:
            d = m.deadline
            out["deadlines"][(*key, d.date, d.precision)] = f"{name} {d.date or d.precision} ({d.text})"
    out["citations"] = {(c.target,): f"《{c.target_title}》" for c in ex.citations}
    return out


@dataclass
class Kept:
    """Kept counts of one category over documents, and what was lost, by document."""

    kept: int = 0
    total: int = 0

    def __post_init__(self) -> None:
        self.lost: dict[str, list[str]] = {}

    def add(self, doc: str, original: dict[Key, str], transformed: dict[Key, str]) -> None:
        self.kept += len(original.keys() & transformed.keys())
        self.total += len(original)
        if missing := sorted(original.keys() - transformed.keys(), key=repr):
            self.lost[doc] = [original[k] for k in missing]

    @property
    def ratio(self) -> float:
        return self.kept / self.total if self.total else 1.0


def kept(transformation: Transformation, originals: dict[str, Facts],
         docs: Iterable[Document]) -> tuple[dict[str, Kept], dict[str, str]]:
    """Kept counts per category under one transformation, and the documents that failed outright."""
    result = {c: Kept() for c in CATEGORIES}
    failed: dict[str, str] = {}
    for doc in docs:
        data = transformation.apply(doc)
        if data is None:
            continue
        try:
            got = facts(extract_bytes(data, doc.name, transformation.suffix))
        except Exception as exc:  # noqa: BLE001 — a rejected document loses everything; say why
            failed[doc.name] = f"{type(exc).__name__}: {exc}"
            got = {c: {} for c in CATEGORIES}
        for c in CATEGORIES:
            result[c].add(doc.name, originals[doc.name][c], got[c])
    return result, failed


def main() -> None:
    originals = original_facts()
    print(f"{'transformation':21}" + "".join(f"{c:>22}" for c in CATEGORIES) + "  floor")
    for t in TRANSFORMATIONS:
        result, failed = kept(t, originals, documents())
        cells = "".join(f"{f'{result[c].ratio:.3f} ({result[c].kept}/{result[c].total})':>22}" for c in CATEGORIES)
        print(f"{t.name:21}{cells}  {LOSSLESS_FLOOR if t.lossless else LOSSY_FLOOR}" + (f"  rejected: {failed}" if failed else ""))


if __name__ == "__main__":
    main()
