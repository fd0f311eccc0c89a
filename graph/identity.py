"""Which document a new text is, among those the store holds.

A document is identified by what identifies it in this field, not by its title alone: its 文号
where it has one, otherwise its issuing jurisdiction, its date and its normalised title. Texts are
compared with the documents already stored that share the file's content hash or the normalised
title, and one of these happens (``Admission.status``):

- ``new``: no stored document shares the title; the text gets its title key (as before).
- ``unchanged``: the same file (same SHA-256) read by the same extraction version is already in
  the store: nothing is written.
- ``re-extracted``: the same file read by an older extraction version: it is read again in place,
  under the IRI it already has (IRIs of stored documents never change).
- ``replaced``: a new text of the same file (same file name, same document): it replaces the old
  one under the same IRI.
- ``edition``: another text of a stored document (same identity, another file): a mirror copy, an
  excerpt, a fuller text or another wording. It is kept beside the original, never in its place,
  with ``lg:editionOf`` and ``lg:editionKind`` (decided from the wording the two share).
- ``homonym``: a different document with the same title (another 文号, jurisdiction or date): a
  node of its own.

A text that must not take the title key (it is held by another document) gets the title key with
a suffix drawn from what distinguishes it (its content hash for an edition, its identity for a
homonym: ``iris.distinct_key``, the same as extraction uses). Which of two same-titled documents
holds the bare title key is the one that arrived first; the suffixed key of the other depends only
on its own text, and no stored document's IRI ever changes.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, replace

import pyoxigraph as ox

from policykg import iris
from policykg.graph.rdf import extraction_version
from policykg.graph.terms import value
from policykg.ingest.model import Extraction
from policykg.namespaces import sparql_prefixes

# share of one text's character bigrams found in the other above which it is "contained" in it
CONTAINED = 0.85
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Stored:
    """What the store says of a document that may be the same as a new text."""

    iri: str
    key: str
    sha256: str | None
    source_file: str | None
    normalized_title: str | None
    doc_number: str | None
    area: str | None
    date: str | None
    version: str | None
    edition_of: str | None
    title: str | None = None


@dataclass(frozen=True)
class Admission:
    """What the store did with a text (see the module's docstring for the statuses)."""

    status: str
    key: str
    iri: str
    related: str | None = None  # the stored document it is the same as, an edition of, or shares a title with
    kind: str | None = None  # for an edition: mirror | excerpt | fuller | edition
    reason: str = ""
    triples: int = 0

    @property
    def written(self) -> bool:
        return self.status != "unchanged"


# the stored documents sharing a text's hash or title or holding its key: (graph, document) pairs
# only, each a few index lookups; their fields are then read by pattern (``_stored``), so the cost
# does not grow with the store (the wanted values are projected: substitution binds only those)
_CANDIDATES = """
SELECT DISTINCT ?g ?d ?wanted_sha ?wanted_title ?wanted_doc WHERE {
  { GRAPH ?g { ?d lg:sha256 ?wanted_sha } } UNION { GRAPH ?g { ?d lg:normalizedTitle ?wanted_title } }
  UNION { GRAPH ?g { ?wanted_doc lg:inCorpus true } BIND(?wanted_doc AS ?d) }
}"""
_LG, _PROV, _DCT = iris.ONTOLOGY, "http://www.w3.org/ns/prov#", "http://purl.org/dc/terms/"


def _stored(store: ox.Store, graph: str, iri: str) -> Stored | None:
    """What a document's own graph says of it (None: not a document of the corpus)."""
    g, d = ox.NamedNode(graph), ox.NamedNode(iri)

    def one(subject: ox.NamedNode, prop: str) -> str | None:
        for q in store.quads_for_pattern(subject, ox.NamedNode(prop), None, g):
            return value(q.object)
        return None

    if one(d, _LG + "inCorpus") is None:
        return None
    activity = one(d, _PROV + "wasGeneratedBy")
    version = one(ox.NamedNode(activity), _LG + "extractionVersion") if activity else None
    return Stored(iri, iris.key_of_document(iri), one(d, _LG + "sha256"), one(d, _LG + "sourceFile"),
                  one(d, _LG + "normalizedTitle"), one(d, _LG + "docNumber"), one(d, _LG + "issuingArea"),
                  one(d, _LG + "dateSigned"), version, one(d, _LG + "editionOf"), one(d, _DCT + "title"))


def stored_candidates(store: ox.Store, ex: Extraction) -> list[Stored]:
    """The stored documents that share this text's content hash or normalised title, or hold its key."""
    subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable("wanted_sha"): ox.Literal(ex.sha256 or "-"),
        ox.Variable("wanted_title"): ox.Literal(ex.normalized_title or "-"),
        ox.Variable("wanted_doc"): ox.NamedNode(ex.iri),
    }
    prefix = iris.doc_graph("")
    found: dict[str, Stored] = {}
    for row in store.query(sparql_prefixes() + _CANDIDATES, substitutions=subs):  # type: ignore[union-attr]
        graph, iri = value(row["g"]), value(row["d"])
        if not graph.startswith(prefix) or graph[len(prefix):] != iris.key_of_document(iri):
            continue  # only what a document's own graph says of it
        if (stored := _stored(store, graph, iri)) is not None:
            found[iri] = stored
    return sorted(found.values(), key=lambda s: s.key)


def unchanged(store: ox.Store, sha256: str) -> tuple[Admission, str | None] | None:
    """The admission of a file already stored as it is (same SHA-256, read by this extraction
    version), with its stored title; None when it must be read. Looked up before the file is
    parsed, so a batch run again (or resumed after a kill) skips what it has done."""
    version = extraction_version()
    prefix = iris.doc_graph("")
    for q in store.quads_for_pattern(None, ox.NamedNode(_LG + "sha256"), ox.Literal(sha256), None):
        graph = value(q.graph_name)
        if not isinstance(q.subject, ox.NamedNode) or graph[len(prefix):] != iris.key_of_document(q.subject.value):
            continue
        s = _stored(store, graph, q.subject.value)
        if s is not None and s.version == version:
            return Admission("unchanged", s.key, s.iri, s.iri, reason=_SAME), s.title
    return None


_SAME = "already in the store (same content, same extraction version): nothing changed"


def same_identity(stored: Stored, ex: Extraction) -> bool:
    """Whether a stored document and a text may be the same document: nothing that identifies a
    document (文号, jurisdiction, date) differs where both have it."""
    area = iris.division(ex.jurisdiction_code) if ex.jurisdiction_code else None
    if stored.doc_number and ex.doc_number:
        return stored.doc_number == ex.doc_number and (not stored.area or not area or stored.area == area)
    return all(not a or not b or a == b for a, b in ((stored.area, area), (stored.date, ex.date)))


def _bigrams(text: str) -> Counter[str]:
    t = _NOISE.sub("", text)
    return Counter(t[i:i + 2] for i in range(len(t) - 1))


def edition_kind(text: str, original: str) -> str:
    """How a text relates to the original it is an edition of, from the character bigrams they share
    (spaces and punctuation left out, so re-flow and punctuation width do not count)."""
    a, b = _bigrams(text), _bigrams(original)
    if not a or not b:
        return "edition"
    shared = sum((a & b).values())
    in_original, in_text = shared / sum(a.values()), shared / sum(b.values())
    if in_original >= CONTAINED and in_text >= CONTAINED:
        return "mirror"
    if in_original >= CONTAINED:
        return "excerpt"
    if in_text >= CONTAINED:
        return "fuller"
    return "edition"


def _content(store: ox.Store, iri: str) -> str:
    """The text a stored document was read from (its own graph's lg:content)."""
    for q in store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(iris.ONTOLOGY + "content"), None,
                                     ox.NamedNode(iris.doc_graph(iris.key_of_document(iri)))):
        return value(q.object)
    return ""


def _suffixed(ex: Extraction, held: set[str], *parts: str | None) -> str:
    """The text's own key if no stored document holds it, else ``iris.distinct_key`` of ``parts``."""
    return ex.key if ex.key not in held else iris.distinct_key(ex.key, *parts)


def admit(store: ox.Store, ex: Extraction) -> tuple[Admission, Extraction]:
    """Decide what this text is among the stored documents; returns the decision and the extraction
    to write (under the key decided, with its edition link), which is ``ex`` itself when it is new."""
    candidates = stored_candidates(store, ex)
    version = extraction_version()
    title = f"《{ex.title}》"
    for s in candidates:
        if ex.sha256 and s.sha256 == ex.sha256:
            if s.version == version:
                return Admission("unchanged", s.key, s.iri, s.iri, reason=_SAME), ex
            return Admission("re-extracted", s.key, s.iri, s.iri,
                             reason="the same file, read again by this version of the extraction (IRI kept)"), _in_place(store, ex, s)
    held = {s.key for s in candidates}
    titled = [s for s in candidates if s.normalized_title == ex.normalized_title]
    for s in titled:
        if s.source_file == ex.source_file and same_identity(s, ex):
            return Admission("replaced", s.key, s.iri, s.iri,
                             reason=f"a new text of {s.source_file} replaced the one stored under the same IRI"), _in_place(store, ex, s)
    same = [s for s in titled if same_identity(s, ex)]
    if same:
        original = next((s for s in same if not s.edition_of and s.key == ex.key),
                        next((s for s in same if not s.edition_of), same[0]))
        if original.edition_of:  # an edition of an edition is an edition of the original
            original = next((s for s in candidates if s.iri == original.edition_of), original)
        kind = edition_kind(ex.text, _content(store, original.iri))
        content = ex.sha256 or hashlib.sha256(ex.text.encode("utf-8")).hexdigest()  # a text without a file has no hash
        key = _suffixed(ex, held, "edition", content)
        kept = replace(ex, key=key, iri=iris.document(key), edition_of=original.iri, edition_kind=kind)
        words = {"mirror": "a copy of the same text (mirror)", "excerpt": "an excerpt", "fuller": "a fuller text",
                 "edition": "another edition"}
        return Admission("edition", key, kept.iri, original.iri, kind,
                         f"kept beside {original.source_file or original.key} as {words[kind]} of {title}, linked by lg:editionOf"), kept
    if titled or ex.key in held:
        key = _suffixed(ex, held, ex.doc_number, ex.jurisdiction_code, ex.date, ex.normalized_title)
        kept = replace(ex, key=key, iri=iris.document(key))
        other = titled[0] if titled else next(s for s in candidates if s.key == ex.key)
        differs = _difference(other, ex)
        return Admission("homonym", key, kept.iri, other.iri,
                         reason=f"a different document from {other.source_file or other.key} with the same title ({differs}): kept as a node of its own"), kept
    return Admission("new", ex.key, ex.iri), ex


def _in_place(store: ox.Store, ex: Extraction, stored: Stored) -> Extraction:
    """The text written under a stored document's key and IRI, an edition still of what it was."""
    kind = edition_kind(ex.text, _content(store, stored.edition_of)) if stored.edition_of else None
    return replace(ex, key=stored.key, iri=stored.iri, edition_of=stored.edition_of, edition_kind=kind)


def _difference(stored: Stored, ex: Extraction) -> str:
    area = iris.division(ex.jurisdiction_code) if ex.jurisdiction_code else None
    for label, a, b in (("文号", stored.doc_number, ex.doc_number), ("jurisdiction", stored.area, area),
                        ("date", stored.date, ex.date)):
        if a and b and a != b:
            return f"{label} {iris.key_of_document(a) if label == 'jurisdiction' else a} vs {iris.key_of_document(b) if label == 'jurisdiction' else b}"
    return "another document"
