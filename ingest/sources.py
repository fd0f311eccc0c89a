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
(``ingest.characters``); ``Source.original_text`` keeps the text from before that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from policykg import settings
from policykg.errors import ArchiveTooLarge, SourceFileError
from policykg.ingest import html as html_format
from policykg.ingest.characters import normalize_characters
from policykg.ingest.docx import DocxError, docx_text, is_docx, zip_kind
from policykg.ingest.pdf import PdfError, pdf_text

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


def read_source(path: Path) -> Source:
    """Read, sniff and decode (or extract) one file, or raise SourceFileError with a reason a
    person can act on."""
    data = _read_bytes(path)
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
            page.text,
            digest,
            encoding,
            format=kind,
            original_text=page.original_text,
            page_metadata=dict(page.metadata),
            conversions=page.conversions,
        )
    if kind == "pdf":
        text, encoding = _extract(path, pdf_text, data, PdfError), "binary"
    elif kind == "docx":
        text, encoding = _extract(path, docx_text, data, DocxError), "binary"
    else:
        text, encoding = decode(data, path)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    converted, conversions = normalize_characters(text)
    return Source(
        path,
        converted,
        digest,
        encoding,
        format=kind,
        original_text=text if converted != text else None,
        conversions=tuple(conversions),
    )


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceFileError(f"{path}: no such file", path=path) from None
    except IsADirectoryError:
        raise SourceFileError(f"{path}: is a directory; pass files or use a folder path", path=path) from None
    except OSError as exc:
        raise SourceFileError(f"{path}: cannot be read ({exc.strerror})", path=path) from None
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
