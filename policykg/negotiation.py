"""Content negotiation: the formats we write, and which one a request gets by ``Accept`` (with
q-values and wildcards) or by ``format=``.

A format table maps a key to (media type, Oxigraph format, W3C format IRI, other media types
that ask for it): ``RESULT_FORMATS`` for SELECT and ASK, ``GRAPH_FORMATS`` for CONSTRUCT,
DESCRIBE and graphs. ``negotiate`` reads an Accept header against any such table (the linked
data pages and the canned queries have their own); ``chosen`` adds ``format=`` and turns "no
acceptable format" into ``NotAcceptable`` (406)."""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

from policykg.errors import NotAcceptable

W3C_FORMATS = "http://www.w3.org/ns/formats/"
FormatTable = dict[str, tuple[str, Any, str, tuple[str, ...]]]

# key: (media type, Oxigraph format, W3C format IRI, other media types that ask for it)
RESULT_FORMATS: FormatTable = {
    "json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON, W3C_FORMATS + "SPARQL_Results_JSON",
             ("application/json", "text/javascript", "application/javascript")),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML, W3C_FORMATS + "SPARQL_Results_XML", ("application/xml", "text/xml")),
    "csv": ("text/csv", ox.QueryResultsFormat.CSV, W3C_FORMATS + "SPARQL_Results_CSV", ()),
    "tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV, W3C_FORMATS + "SPARQL_Results_TSV", ()),
}
GRAPH_FORMATS: FormatTable = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE, W3C_FORMATS + "Turtle", ("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3")),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES, W3C_FORMATS + "N-Triples", ("text/plain",)),
    "nq": ("application/n-quads", ox.RdfFormat.N_QUADS, W3C_FORMATS + "N-Quads", ("text/x-nquads",)),
    "trig": ("application/trig", ox.RdfFormat.TRIG, W3C_FORMATS + "TriG", ()),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD, W3C_FORMATS + "JSON-LD", ("application/x-json+ld", "application/json")),
    "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML, W3C_FORMATS + "RDF_XML", ()),
}
WITH_PREFIXES = {"ttl", "trig", "rdfxml"}  # the graph formats that write prefix declarations
_MEDIA_RANGE = re.compile(r"^(?:\*/\*|[\w!#$&^.+-]+/(?:\*|[\w!#$&^.+-]+))$")


def media_type(key: str) -> str:
    """The Content-Type we send for a format key (text types say they are UTF-8)."""
    mime = (RESULT_FORMATS.get(key) or GRAPH_FORMATS[key])[0]
    return mime + "; charset=utf-8" if mime.startswith("text/") else mime


def negotiate(accept: str | None, table: FormatTable, default: str) -> str | None:
    """The key of the best format of ``table`` for an Accept header. q-values count; a media
    type's q is that of the most specific range naming it (type/subtype, then type/*, then */*);
    ties go to the earlier range, then to ``default``. Wildcards stand for a format's main media
    type, not its aliases (``text/*`` is CSV, not JSON as text/javascript). An absent or unreadable header gives
    ``default``; a header naming only formats we do not write gives None."""
    ranges = []
    for index, part in enumerate((accept or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        mime, q, readable = fields[0].lower(), 1.0, True
        for f in fields[1:]:
            name, _, value = f.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    readable = False
                readable = readable and 0.0 <= q <= 1.0
        if readable and _MEDIA_RANGE.match(mime):
            ranges.append((mime, q, index))
    if not ranges:
        return default
    offered = [(default, table[default])] + [(k, f) for k, f in table.items() if k != default]
    best: tuple[tuple[float, int, int, int], str] | None = None
    for rank, (key, (mime, _, _, aliases)) in enumerate(offered):
        for media in (mime, *aliases):  # wildcards stand for the main media type only
            match = None
            for rng, q, index in ranges:
                if rng == media:
                    specific = 3
                elif media != mime:
                    continue
                else:
                    specific = 2 if rng.endswith("/*") and rng != "*/*" and media.startswith(rng[:-1]) else 1 if rng == "*/*" else 0
                if specific and (match is None or specific > match[0]):
                    match = (specific, q, index)
            if match and match[1] > 0:
                score = (match[1], match[0], -match[2], -rank)
                if best is None or score > best[0]:
                    best = (score, key)
    return best[1] if best else None


# format=… names (ours, and those SPARQLWrapper sends beside Accept) → (results key, graph key)
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"), "sparql-json": ("json", None), "xml": ("xml", "rdfxml"), "sparql-xml": ("xml", None),
    "csv": ("csv", None), "tsv": ("tsv", None),
    "ttl": (None, "ttl"), "turtle": (None, "ttl"), "n3": (None, "ttl"), "nt": (None, "nt"), "n-triples": (None, "nt"),
    "nq": (None, "nq"), "n-quads": (None, "nq"), "trig": (None, "trig"), "jsonld": (None, "jsonld"), "json-ld": (None, "jsonld"),
    "rdfxml": (None, "rdfxml"), "rdf+xml": (None, "rdfxml"), "rdf": (None, "rdfxml"),
}


def chosen(accept: str | None, fmt: str | None, table: FormatTable, default: str, form: str) -> str:
    """The key of ``RESULT_FORMATS`` or ``GRAPH_FORMATS`` (``table``) to write ``form`` results
    in: ``format=`` (a name of ``FORMAT_NAMES``) when given, else by Accept; ``NotAcceptable``
    when neither names a format of the table."""
    if fmt:
        results, graph = FORMAT_NAMES[fmt.lower()]
        key = results if table is RESULT_FORMATS else graph
        if key is None:
            raise NotAcceptable(f"format={fmt} does not apply to {form} results; use one of {', '.join(table)}")
        return key
    key = negotiate(accept, table, default)
    if key is None:
        types = ", ".join(f[0] for f in table.values())
        raise NotAcceptable(f"none of the formats in Accept: {accept} can be written for {form} results; we write {types}")
    return key
