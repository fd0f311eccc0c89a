"""A PDF with a text layer → plain lines, hard line breaks re-flowed.

pypdf gives each printed line as a line. Page numbers (``- 3 -``, ``—3—``, ``第3页``, ``3/10``) and a
running header or footer repeated on two or more pages are dropped, then ``reflow`` joins a line
to the next where the printer wrapped it, so one paragraph (one measure) is one line again —
what the parsers downstream expect from a text file.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections import Counter
from typing import TYPE_CHECKING

from policykg.ingest.deadlines import parse_deadline
from policykg.ingest.obligations import FIELD_LABEL, has_obligation
from policykg.ingest.plans import classify
from policykg.ingest.text import fold

if TYPE_CHECKING:
    from pypdf import PageObject

PAGE_NUMBER = re.compile(
    r"^(?:"
    r"[-—–－―~～·•\s]*\d{1,4}[-—–－―~～·•\s]*"  # 3, - 3 -, —3—
    r"|(?:共\s*\d{1,4}\s*页\s*[,，]?\s*)?第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"  # 第3页, 第3页 共10页
    r"|\d{1,4}\s*/\s*\d{1,4}"  # 3/10
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"  # Page 3 of 10
    r")$",
    re.I,
)

# Sentence-final punctuation: a line ending with one of these ends its paragraph. A closing
# quote does only after one of them (…执行。” ends, 规范性文件“三统一” does not).
FINAL_PUNCTUATION = "。；：！？;:!?…"
CLOSING_QUOTES = "」』”’\""
# Punctuation inside a sentence: a line ending with one of these always continues.
CONTINUING_PUNCTUATION = "，,、"
# A parenthesis at the end of a measure names who does it or by when: (区编办牵头, … 负责).
def _is_obligation(text: str) -> bool:
    folded = fold(text)
    return has_obligation(folded) or parse_deadline(folded) is not None


# The start of a new item or heading (the outline styles plans use), of a labelled line
# (牵头单位:…, the labels obligations reads), or of the other openings below: never joined to
# the line before.
_OTHER_START = re.compile(
    r"^(?:[⑴-⒇⒈-⒛]"  # ⑴ ⒈
    r"|第[一二三四五六七八九十百零〇\d]+[条章节部分款项]"  # 第一条
    r"|附件\s*\d*\s*:?$"
    r"|(?:责任领导|目标|措施)\s*:)"
)


def starts_item(line: str) -> bool:
    folded = fold(line.strip())
    return (classify(folded) is not None or bool(FIELD_LABEL.match(folded))
            or bool(_OTHER_START.match(folded)))


_BLANKS = " \t\u3000\xa0"
INDENT = re.compile(r"^(?:\u3000|[ \xa0]{2,})")
# A line at least this share of the text width is "full": the printer, not the author, ended it.
FULL_LINE = 0.75


def is_page_number(line: str) -> bool:
    return bool(PAGE_NUMBER.match(line.strip()))


def display_width(text: str) -> float:
    """Width in Han-character units: wide characters 1, everything else ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def text_width(lines: list[str]) -> float:
    """The width a full printed line has: the 90th percentile of line widths."""
    widths = sorted((display_width(ln) for ln in lines), reverse=True)
    return widths[len(widths) // 10] if widths else 0.0


def ends_paragraph(line: str) -> bool:
    """Whether a line ends where its sentence (or measure) ends."""
    if line[-1] in FINAL_PUNCTUATION:
        return True
    if line[-1] in CLOSING_QUOTES:
        return len(line) > 1 and line[-2] in FINAL_PUNCTUATION
    if line[-1] in ")）":
        opening = max(line.rfind("("), line.rfind("（"))
        return opening >= 0 and _is_obligation(line[opening:])
    return False


def _join(a: str, b: str) -> str:
    if a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return f"{a} {b}"
    return a + b


def reflow(lines: list[str], width: float | None = None) -> str:
    """Join hard-wrapped lines back into paragraphs; one paragraph per output line.

    Page-number lines are dropped. A line is joined to the next when the next is not indented
    (two blanks or an ideographic space start a paragraph), the paragraph so far
    does not end a sentence or a measure (``ends_paragraph``), the next line does not start a
    new item, heading or labelled line (``starts_item``), and the line is a wrap: it ends with a
    comma or 顿号, or is full — at least ``FULL_LINE`` of ``width`` (by default the text's own
    width) — so a short heading such as ``(一)指导思想`` or a closing date stays on its own line.
    """
    raw = [ln for ln in lines if ln.strip(_BLANKS) and not is_page_number(ln)]
    kept = [ln.strip(_BLANKS) for ln in raw]
    if width is None:
        width = text_width(kept)
    out: list[str] = []
    previous = ""
    for original, line in zip(raw, kept):
        if out and not INDENT.match(original) and is_wrap(out[-1], previous, line, width):
            out[-1] = _join(out[-1], line)
        else:
            out.append(line)
        previous = line
    return "\n".join(out) + ("\n" if out else "")


def is_wrap(paragraph: str, printed: str, line: str, width: float) -> bool:
    """Whether ``line`` continues ``paragraph``, whose last printed line is ``printed``."""
    if ends_paragraph(paragraph) or starts_item(line):
        return False
    return printed[-1] in CONTINUING_PUNCTUATION or display_width(printed) >= FULL_LINE * width


def _key(line: str) -> str:
    return re.sub(r"[\s\d]+", "", line)


def drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Pages without blank and page-number lines, and without a running header (first line) or
    footer (last line) that repeats on at least two pages and half of them (digits aside, so
    ``第 2 页`` in a header does not matter)."""
    pages = [[ln.rstrip() for ln in page if ln.strip() and not is_page_number(ln)] for page in pages]
    if len(pages) < 2:
        return pages
    need = max(2, len(pages) // 2)
    for index in (0, -1):
        counts = Counter(_key(page[index]) for page in pages if page and _may_run(page[index]))
        running = {key for key, n in counts.items() if n >= need and key}
        pages = [_without(page, index) if page and _key(page[index]) in running else page for page in pages]
    return pages


def _may_run(line: str) -> bool:
    """A running header or footer is short and is not an item or a labelled line (two pages of
    a task list may well end with the same 配合单位：… line)."""
    text = line.strip(_BLANKS)
    return len(text) <= 40 and not starts_item(text)


def _without(page: list[str], index: int) -> list[str]:
    return page[1:] if index == 0 else page[:-1]


class PdfError(ValueError):
    """A PDF we cannot take text from; the message says why and what to do."""


def page_lines(data: bytes) -> list[list[str]]:
    """The text lines of each page, as pypdf extracts them; raises PdfError."""
    log = logging.getLogger("pypdf")  # its repair warnings would clutter the CLI; errors still show
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        return [_lines(page) for page in _open_pages(data)]
    finally:
        log.setLevel(level)


def _open_pages(data: bytes) -> list[PageObject]:
    import pypdf
    from pypdf.errors import DependencyError, PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # a PDF with only an owner password opens with ""
            except DependencyError:
                opened = pypdf.PasswordType.NOT_DECRYPTED
            if opened == pypdf.PasswordType.NOT_DECRYPTED:
                raise PdfError(
                    "is an encrypted (password-protected) PDF; remove the password "
                    "(open it and save or print an unprotected copy) and try again"
                )
        return list(reader.pages)
    except PdfError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise PdfError(f"is not a readable PDF ({exc}); check the download or re-save the file") from None


def _lines(page: PageObject) -> list[str]:
    try:
        text = page.extract_text() or ""
    except Exception:  # one damaged page should not lose the others  # noqa: BLE001
        text = ""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def pdf_text(data: bytes) -> str:
    """The document text: running lines and page numbers dropped, hard wraps re-flowed.

    Raises PdfError for an encrypted or unreadable PDF, or one with no text layer (a scan).
    """
    pages = drop_running_lines(page_lines(data))
    lines = [ln for page in pages for ln in page]
    if sum(1 for ln in lines for ch in ln if not ch.isspace()) < 10:
        raise PdfError(
            "has no extractable text (a scanned image without a text layer?); run OCR on it "
            "or ingest a text, HTML or .docx version of the document"
        )
    return reflow(lines)
