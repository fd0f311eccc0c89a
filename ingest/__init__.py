"""Ingest: from a source file to an :class:`Extraction` (what the graph will state about it).

``extract(path)`` reads, decodes and parses one file without touching the store
(``ingest.extraction``). The parsers are imported when first used, so a process that only reads
the graph (a query from the command line) and needs a module of this package (the text
normalisation, the division table) does not load them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from policykg.ingest.extraction import extract, extract_text
    from policykg.ingest.model import Extraction

__all__ = ["extract", "extract_text", "Extraction"]


def __getattr__(name: str) -> Any:
    if name in ("extract", "extract_text"):
        from policykg.ingest import extraction

        return getattr(extraction, name)
    if name == "Extraction":
        from policykg.ingest.model import Extraction

        return Extraction
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
