"""Reading a source file: size and emptiness checks, format sniffing, decoding or extraction,
then character clean-up — every supported file becomes one plain text the parsers read line
by line.

Formats, told apart by content first and file suffix second:

* ``pdf``  — ``%PDF-`` magic; text layer via pypdf, hard line breaks re-flowed (``ingest.pdf``)
* ``docx`` — a ZIP archive with ``word/document.xml``; paragraphs and tables in order (``ingest.docx``)
* ``html`` — ``.html``/``.htm`` or a file starting with ``<!doctype html``/``<html``; the article
  body and the page metadata (``ingest.html``)
* ``text`` — anything else: UTF-8 (with or without BOM), GB18030 or Big5

Then inline pinyin glosses are removed and Traditional characters converted to Simplified
(``ingest.characters``); ``Source.original_text`` keeps the text from before that. Last, a text
that still carries the hard line breaks of a printed page (copied out of a PDF into a text file,
a web page or a .docx) is re-flowed like a PDF's (``reflow_hard_wraps``).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from policykg import settings
from policykg.errors import ArchiveTooLarge, SourceFileError
from policykg.ingest import html as html_format
from policykg.ingest.characters import normalize_characters
from policykg.ingest.deadlines import parse_deadline
from policykg.ingest.documents import genre_of
from policykg.ingest.docx import DocxError, docx_text, is_docx, zip_kind
from policykg.ingest.obligations import FIELD_LABEL, has_obligation
from policykg.ingest.pdf import PdfError, display_width, ends_paragraph, is_page_number, pdf_text, starts_item
from policykg.ingest.plans import classify, pipe_row
from policykg.ingest.text import fold

ENCODINGS = ("utf-8-sig", "gb18030", "big5")
FORMATS = ("text", "html", "pdf", "docx")
HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc/.xls/.ppt


@dataclass(frozen=True)
class Source:
    """One source file as the parsers see it.

    ``text`` is what the parsers read. ``encoding`` is the codec the bytes were decoded with
    (``"binary"`` for PDF and DOCX, whose text is extracted, not decoded). ``original_text`` is
    the decoded or extracted text before gloss removal and Traditional → Simplified conversion,
    or None when those changed nothing; ``conversions`` says what they did (``"opencc:t2s"``,
    ``"pinyin-glosses:5"``). ``page_metadata`` is what an HTML page shows about the document
    (keys ``title``, ``publisher``, ``date_published`` and ``date_written`` as yyyy-mm-dd,
    ``index_number``, ``doc_number``); empty for other formats.
    """

    path: Path
    text: str
    sha256: str
    encoding: str
    format: str = "text"
    original_text: str | None = None
    page_metadata: dict[str, str] = field(default_factory=dict)
    conversions: tuple[str, ...] = ()


def read_source(path: Path, data: bytes | None = None) -> Source:
    """Read, sniff and decode (or extract) one file, or raise SourceFileError with a reason a
    person can act on. ``data``: the file's bytes, already read (a worker that cannot see the
    file is handed them)."""
    data = read_bytes(path) if data is None else _checked(path, data)
    digest = hashlib.sha256(data).hexdigest()
    kind = sniff(data, path)
    if kind == "html":
        markup, encoding = decode(data, path, html_format.declared_charset(data))
        try:
            page = html_format.page_text(markup)
        except html_format.NoArticleBody as exc:
            raise SourceFileError(
                f"{path}: HTML page with {exc}; save the article page itself (not a list or index page) "
                f"or copy the article into a .txt file",
                path=path,
            ) from None
        # characters were converted node by node, so furniture and labels in Traditional are seen
        return Source(
            path,
            reflow_hard_wraps(page.text),
            digest,
            encoding,
            format=kind,
            original_text=page.original_text,
            page_metadata=dict(page.metadata),
            conversions=page.conversions,
        )
    cut = False
    if kind == "pdf":
        text, encoding = _extract(path, pdf_text, data, PdfError), "binary"
    elif kind == "docx":
        text, encoding = _extract(path, docx_text, data, DocxError), "binary"
    else:
        data, cut = complete_utf8(data)
        text, encoding = decode(data, path)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    converted, conversions = normalize_characters(text)
    if cut:
        conversions = ["cut-off-character-dropped", *conversions]
    return Source(
        path,
        converted if kind == "pdf" else reflow_hard_wraps(converted),
        digest,
        encoding,
        format=kind,
        original_text=text if converted != text else None,
        conversions=tuple(conversions),
    )


def read_bytes(path: Path) -> bytes:
    """A file's bytes, or SourceFileError saying why they cannot be read (missing, a folder, too large, empty)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceFileError(f"{path}: no such file", path=path) from None
    except IsADirectoryError:
        raise SourceFileError(f"{path}: is a directory; pass files or use a folder path", path=path) from None
    except OSError as exc:
        raise SourceFileError(f"{path}: cannot be read ({exc.strerror})", path=path) from None
    return _checked(path, data)


def _checked(path: Path, data: bytes) -> bytes:
    """The file's bytes, unless they are too many or none."""
    limit = int(settings.get("max_file_bytes"))
    if len(data) > limit:
        raise SourceFileError(
            f"{path}: {len(data):,} bytes is larger than the limit of {limit:,} bytes "
            f"(set POLICYKG_MAX_FILE_BYTES to raise it)",
            path=path,
        )
    if not data.strip():
        raise SourceFileError(f"{path}: the file is empty", path=path)
    return data


def sniff(data: bytes, path: Path) -> str:
    """The format of a file: magic numbers first (PDF, ZIP), then markup, then the suffix.

    Raises SourceFileError for a ZIP that is not a .docx, an old binary Office file and any
    other binary content (NUL bytes).
    """
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if data[:4] in ZIP_MAGIC:
        if is_docx(data):
            return "docx"
        raise SourceFileError(
            f"{path}: is {zip_kind(data)}; save the document as .docx, PDF, HTML or text and try again",
            path=path,
        )
    if data[:8] == OLE_MAGIC:
        raise SourceFileError(
            f"{path}: looks like a binary file (an old Word .doc or other Office file), not a text "
            f"document; save it as .docx or text and try again",
            path=path,
        )
    if b"\x00" in data[:8192]:
        raise SourceFileError(f"{path}: looks like a binary file (NUL bytes), not a text document", path=path)
    if html_format.looks_like_html(data):
        return "html"
    if path.suffix.lower() in HTML_SUFFIXES and html_format.has_markup(data):
        return "html"
    return "text"


def decode(data: bytes, path: Path, declared: str | None = None) -> tuple[str, str]:
    """The text and the codec used: UTF-8 (with or without BOM) when the bytes are valid UTF-8 —
    legacy Chinese encodings practically never are, and pages do declare the wrong charset —
    else a charset the page declares, else GB18030 or Big5, whichever reads as more ordinary
    Chinese (Big5 bytes also decode, as nonsense, under GB18030)."""
    text = _try_decode(data, ENCODINGS[0])
    if text is not None:
        return text, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    if declared:
        text = _try_decode(data, declared)
        if text is not None:
            return text, declared
    legacy = [(enc, t) for enc in ENCODINGS[1:] if (t := _try_decode(data, enc)) is not None]
    if legacy:
        encoding, text = max(legacy, key=lambda pair: _common_share(pair[1]))  # first wins a tie
        return text, encoding
    raise SourceFileError(
        f"{path}: cannot decode as UTF-8, GB18030 or Big5; convert it to UTF-8 and try again", path=path
    )


def complete_utf8(data: bytes) -> tuple[bytes, bool]:
    """A UTF-8 file cut off inside its last character (a page saved or sent in part) keeps what is
    whole: the incomplete sequence (at most three bytes) is dropped, and the second value says so.
    Anything else is returned as it is."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            return data[:exc.start], True
    return data, False


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return text if _mostly_cjk_or_ascii(text) else None


# Frequent characters of government Chinese, Simplified and Traditional forms: a right decoding
# is full of them, a wrong one (Big5 read as GB18030) almost never hits them.
COMMON_HAN = frozenset(
    "的一是在不了有和人这中大为上个国以要时来们到作地于出就分对成会可主发年动同工也能下过法所民"
    "得经之进等部度家力理现实加量都体制机当使点从业本应开合还由其前政日事平全间与关各重新内正明"
    "原利或第向条建月公无系立通并提府务区市局办县镇省委员会规定管理服务社会工作组织行政执法监督"
    "為個國來們於對會發動過經進體機當點從業應開還與關內條無係並區辦縣鎮規務組織監督"
    "和治依推施责任完善制度加强落实建设实施方案意见单位门指导"
    "責實設導門見單"
)


def _common_share(text: str) -> float:
    han = [ch for ch in text[:20000] if "\u4e00" <= ch <= "\u9fff"]
    return sum(1 for ch in han if ch in COMMON_HAN) / len(han) if han else 0.0


def _extract(path: Path, extractor: Callable[[bytes], str], data: bytes, error: type[Exception]) -> str:
    try:
        return extractor(data)
    except ArchiveTooLarge as exc:  # the same type, with the path
        raise ArchiveTooLarge(f"{path}: {exc.message}", path=path, **exc.context) from None
    except error as exc:
        raise SourceFileError(f"{path}: {exc}", path=path) from None


def _mostly_cjk_or_ascii(text: str) -> bool:
    sample = text[:4000]
    if not sample:
        return False
    good = sum(1 for ch in sample if ch.isascii() or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return good / len(sample) > 0.9


# --- hard line breaks ------------------------------------------------------------------------
# A text copied out of a PDF keeps the printer's line breaks: every printed line a line, all of
# them but each paragraph's last about as wide as the page, breaking agency names, brackets and
# 《》 titles. The parsers read one paragraph (one measure, one citation) per line, so such a text
# is re-flowed, whatever file it came in, with the rules of ``ingest.pdf`` and a few a text allows.

WRAP_SLACK = 2.0  # a wrapped line is this close (in Han characters) to the page's full width
WRAP_WIDTHS = (12.0, 60.0)  # printed pages hold 12 to 60 Han characters a line
WRAP_SHARE = 0.8  # of the lines at least that wide: within the page width, in a hard-wrapped text
OPEN_REACH = 150  # characters: a bracket or a 《 open longer than this is a stray one
_BLANKS = " \u3000\xa0\ufeff"
_INDENT = ("\u3000", "  ", "\xa0\xa0")  # a paragraph's first line, indented: never a wrapped one


def full_width(lines: list[str]) -> float | None:
    """The printed width of a hard-wrapped text, or None for a text with its paragraphs on one line.

    Hard-wrapped: at least 3 lines that do not end their sentence share one width (within
    ``WRAP_SLACK``, indentation counted), and hardly any line is wider — the page's edge. In a
    text with a paragraph a line, the lines that do not end a sentence are headings and labels,
    and paragraphs are wider than any of them.
    """
    rows = [ln.rstrip(_BLANKS) for ln in lines if ln.strip(_BLANKS) and not _table_row(ln) and not is_page_number(ln)]
    widths = sorted(display_width(ln) for ln in rows)
    going_on = sorted(display_width(ln) for ln in rows if not ends_paragraph(ln.strip(_BLANKS)))

    def between(values: list[float], low: float, high: float) -> int:
        return bisect.bisect_right(values, high) - bisect.bisect_left(values, low)

    best, most = None, 2  # the edge most lines that go on end at (the widest of equals)
    for edge in sorted({w for w in going_on if WRAP_WIDTHS[0] <= w <= WRAP_WIDTHS[1]}, reverse=True):
        n = between(going_on, edge - WRAP_SLACK, edge)
        wide = between(widths, edge - WRAP_SLACK, float("inf"))
        inside = between(widths, edge - WRAP_SLACK, edge + 1)  # a hanging punctuation mark may pass the edge
        if n > most and inside >= WRAP_SHARE * wide:
            best, most = edge, n
    return best


def reflow_hard_wraps(text: str) -> str:
    """The text with hard-wrapped paragraphs joined back into one line each; other texts unchanged.

    A line that is not indented, blank or a table row (TAB-separated, or with two ``|`` or more
    between cells) joins the paragraph before
    it when

    * the paragraph leaves a bracket or a 《 open (…(牵头单位:区编办; | 配合单位:…), even if its
      last line is not full (a first line whose indentation was lost), and the line does not
      start the next numbered item; or
    * the paragraph's last printed line is full (``full_width``) and ``_continues`` says the line
      goes on with it.

    Page-number lines are dropped.
    """
    lines = text.split("\n")
    width = full_width(lines)
    if width is None:
        return text
    out: list[str] = []
    outline = _Outline()
    full = prose = False  # the last output line: is a paragraph of text; ends with a full printed line
    for raw in lines:
        line = raw.strip(_BLANKS)
        if line and is_page_number(line):
            continue
        table = _table_row(raw)
        if prose and line and not table and not raw.startswith(_INDENT) \
                and (_inside(out[-1], line, outline) or full and _continues(out[-1], line, outline)):
            out[-1] = _join(out[-1], line)
        else:
            out.append(raw if table or not line else line)
            if line and not table:
                outline.see(line)
        prose = bool(line) and not table
        full = prose and display_width(raw.rstrip(_BLANKS)) >= width - WRAP_SLACK
    return "\n".join(out)


def _table_row(line: str) -> bool:
    """A row of a table: cells separated by TABs, or by ``|`` (``1 | 开展… | 州司法局 | 2022年6月底前``)."""
    return "\t" in line or pipe_row(line)


def _inside(paragraph: str, line: str, outline: _Outline) -> bool:
    """Whether ``line`` goes on inside a bracket or a 《 that ``paragraph`` left open."""
    return _open_bracket(fold(paragraph[-OPEN_REACH:])) and not outline.next_item(line)


_OPENING_BRACKET = re.compile(r"^[(〔](?P<inner>[^()〔〕]*)")
_LABEL_AT_END = re.compile(rf"(?:{FIELD_LABEL.pattern})$")
_PERIOD_AT_END = re.compile(r"\((?:19|20)\d{2}\s*-?\s*(?:19|20)\d{2}年?\)$")


def _continues(paragraph: str, line: str, outline: _Outline) -> bool:
    """Whether ``line`` goes on with ``paragraph``, whose last printed line was full: it opens the
    obligation bracket of the measure (…建设。| (区司法局牵头,2018年底前完成)); or the paragraph ends
    on a field label (责任单位: | 各县区人民政府); or it ends on ; or does not end at all
    (``ends_paragraph``) and the line starts no labelled line and no numbered item that may come
    next (统一、 broken before 一、 in the middle of part 二 is not part 一 again). A complete title
    at the top ends its paragraph though it fills the line."""
    tail = fold(paragraph[-OPEN_REACH:])
    if (m := _OPENING_BRACKET.match(fold(line))) and (has_obligation(m["inner"]) or parse_deadline(m["inner"])):
        return True
    if _LABEL_AT_END.search(tail):
        return True
    if tail[-1] == ";":  # 牵头单位:市发改委; | 配合单位:… (fields), or clauses
        return not outline.next_item(line)
    if ends_paragraph(paragraph) or (outline.count == 0 and _complete_title(tail)):
        return False
    if starts_item(line) and classify(fold(line)) is None:
        return False  # a labelled line after one that does not end (…街道办事处 | 完成时限:…) is its own
    return not outline.next_item(line)


def _complete_title(folded: str) -> bool:
    """A title: short, without sentence punctuation, ending with a genre word (…实施方案, …意见) or
    a period ((2016-2020年)). Asked only above the first numbered item: in the body, a line ending
    按照本实施方案 goes on (| 的要求)."""
    if len(folded) > 60 or any(ch in folded for ch in ",;。:"):
        return False
    return genre_of(folded, cited=True) not in {None, "法规", "法律"} or bool(_PERIOD_AT_END.search(folded))


def _open_bracket(folded: str) -> bool:
    """Whether a bracket or a 《 is left open in ``folded`` (a stray closing one is ignored)."""
    depth = {"(": 0, "《": 0}
    for ch in folded:
        if ch in depth:
            depth[ch] += 1
        elif ch in ")》":
            key = "(" if ch == ")" else "《"
            depth[key] = max(0, depth[key] - 1)
    return any(depth.values())


def _join(a: str, b: str) -> str:
    """Two pieces of one paragraph: a space between Latin words, none between Han characters or
    within a number (201|8年)."""
    if a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha():
        return f"{a} {b}"
    return a + b


class _Outline:
    """The outline numbers seen so far, to tell a heading from a wrapped line that merely starts
    like one."""

    def __init__(self) -> None:
        self.last: dict[str, tuple[int, int]] = {}  # style → (last number, position of that item)
        self.rank: dict[str, int] = {}  # style → order of first appearance: outer levels come first
        self.count = 0

    def next_item(self, line: str) -> bool:
        """Whether the line starts a numbered item that may come next: the next number of its
        style, the first of a new level, or a first again after an item of an outer level. A new
        level starts at 1: (2015-20|20)》 does not start one at 20."""
        c = classify(fold(line))
        if c is None:
            return False
        style, number, _ = c
        if style not in self.last:
            return number == 1
        last, at = self.last[style]
        return number == last + 1 or number == 1 and any(
            self.rank[t] < self.rank[style] and pos > at for t, (_, pos) in self.last.items())

    def see(self, line: str) -> None:
        if (c := classify(fold(line))) is not None:
            self.count += 1
            self.rank.setdefault(c[0], len(self.rank))
            self.last[c[0]] = (c[1], self.count)
