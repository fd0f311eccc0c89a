"""A Word .docx document → plain lines: paragraphs and tables in document order.

The body's children are walked in order (not ``doc.paragraphs`` then ``doc.tables``), so a
任务分工 table stays between the paragraphs around it. A table becomes one line per row with the
cell texts joined by a TAB; a merged cell is taken once per row.

Before anything is unpacked, the archive's directory is checked (``check_archive``): at most
``MAX_ENTRIES`` entries and ``MAX_UNPACKED_BYTES`` bytes unpacked in all, else
``ArchiveTooLarge`` (a zip bomb). The sizes the directory declares are binding: Python's
``zipfile`` never returns more bytes for an entry than its declared size.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from policykg.errors import ArchiveTooLarge

if TYPE_CHECKING:
    from docx.oxml.text.paragraph import CT_P
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_ENTRIES = 2_000  # a Word document has a few dozen parts; hundreds with many images
MAX_UNPACKED_BYTES = 200_000_000  # all parts unpacked (python-docx holds them in memory)


class DocxError(ValueError):
    """A .docx we cannot take text from; the message says why and what to do."""


def is_docx(data: bytes) -> bool:
    """A ZIP archive with a ``word/document.xml`` part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def zip_kind(data: bytes) -> str:
    """What a ZIP archive that is not a .docx seems to be, for the error message."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return "a damaged ZIP archive"
    if "xl/workbook.xml" in names:
        return "an Excel .xlsx workbook, not a Word document"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint .pptx file, not a Word document"
    if "content.xml" in names:
        return "an OpenDocument file, not a Word .docx"
    return "a ZIP archive, not a Word .docx document (it has no word/document.xml)"


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip(" \u3000")


def _paragraph_lines(text: str) -> list[str]:
    """A paragraph's text; a manual line break (w:br) starts a new line, a TAB is a blank."""
    return [line for line in (_clean(part) for part in text.split("\n")) if line]


def _blocks(element: Any, parent: Any) -> Iterator[Paragraph | Table]:
    """Paragraphs and tables under a body (or content control) in document order (``element``:
    python-docx's oxml element of a body, cell or content control; ``parent``: its document or cell)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in element.iterchildren():
        if child.tag == W + "p":
            yield Paragraph(child, parent)
        elif child.tag == W + "tbl":
            yield Table(child, parent)
        elif child.tag in (W + "sdt", W + "customXml"):
            content = child.find(W + "sdtContent") if child.tag == W + "sdt" else child
            if content is not None:
                yield from _blocks(content, parent)


def _cell_text(cell: _Cell) -> str:
    """All text of a cell, nested tables included, on one line."""
    from docx.text.paragraph import Paragraph

    return _clean(" ".join(Paragraph(cast("CT_P", p), cell).text for p in cell._tc.iter(W + "p")))


def table_rows(table: Table) -> list[list[str]]:
    """Cell texts row by row; a cell merged across columns (or carried down rows) once per row."""
    rows = []
    for row in table.rows:
        seen: set[int] = set()
        cells = []
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(_cell_text(cell))
        rows.append(cells)
    return rows


def check_archive(data: bytes) -> None:
    """Raise ArchiveTooLarge when the ZIP directory lists more than ``MAX_ENTRIES`` entries or
    more than ``MAX_UNPACKED_BYTES`` unpacked bytes; nothing is decompressed to find out."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a readable archive: python-docx says so (DocxError)
    if len(entries) > MAX_ENTRIES:
        raise ArchiveTooLarge(f"is a ZIP archive of {len(entries):,} entries, more than the limit of {MAX_ENTRIES:,} for a .docx "
                              "(a zip bomb, or not a Word document)", limit="entries", entries=len(entries), max=MAX_ENTRIES)
    unpacked = sum(e.file_size for e in entries)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ArchiveTooLarge(f"would unpack to {unpacked:,} bytes, more than the limit of {MAX_UNPACKED_BYTES:,} for a .docx "
                              f"(a zip bomb, or a document far larger than a policy text)",
                              limit="unpacked_bytes", unpacked=unpacked, max=MAX_UNPACKED_BYTES)


def docx_lines(data: bytes) -> list[str]:
    """The document's lines; raises ArchiveTooLarge past the archive limits, DocxError when
    python-docx cannot open it."""
    import docx
    from docx.table import Table

    check_archive(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors …  # noqa: BLE001
        raise DocxError(
            f"is not a readable Word document ({type(exc).__name__}: {exc}); open and re-save it as .docx"
        ) from None
    lines: list[str] = []
    for block in _blocks(document.element.body, document):
        if isinstance(block, Table):
            for cells in table_rows(block):
                if any(cells):
                    lines.append("\t".join(cells))
        else:
            lines.extend(_paragraph_lines(block.text.replace("\t", " ")))
    return lines


def docx_text(data: bytes) -> str:
    """The text of a .docx, one paragraph or table row per line."""
    lines = docx_lines(data)
    if not lines:
        raise DocxError("is a Word document with no text in it")
    return "\n".join(lines) + "\n"
