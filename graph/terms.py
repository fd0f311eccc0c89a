"""Reading Oxigraph terms: the lexical value of a node or literal (a quoted triple has none)."""

from __future__ import annotations

import pyoxigraph as ox


def value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> str:
    """The IRI of a named node, the id of a blank node, the text of a literal."""
    if isinstance(term, ox.Triple | ox.DefaultGraph):
        raise TypeError(f"{term} has no lexical value")
    return term.value


def serialized(data: bytes | None) -> bytes:
    """What Oxigraph serialised into memory (``serialize`` without an output returns the bytes)."""
    if data is None:
        raise RuntimeError("the serialiser wrote to an output instead of returning bytes")
    return data
