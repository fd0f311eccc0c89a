"""Dumps of the store: N-Quads/TriG with named graphs, or Turtle/N-Triples of their union; and a
release (``release``): the N-Quads streamed to a file or a response with a manifest that makes it
citable (quads per graph, the SHA-256 of the bytes, the ontology, extraction and package versions,
the date), so a result can be cited against the dump it came from and the dump checked against
its manifest."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import typing
from typing import IO, Any

import pyoxigraph as ox
from rdflib import Graph

from policykg import iris
from policykg.graph import reasoning
from policykg.graph.store import Store
from policykg.namespaces import PREFIXES
from policykg.version import __version__

MANIFEST_FORMAT = "policykg-release/1"
RELEASE_FORMATS = {  # name → (Oxigraph format, media type, file suffix)
    "nq": (ox.RdfFormat.N_QUADS, "application/n-quads", ".nq"),
    "trig": (ox.RdfFormat.TRIG, "application/trig", ".trig"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json", ".jsonld"),
}

FORMATS = {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}


def dump(store: Store, fmt: str) -> bytes:
    rdf_format = FORMATS[fmt]
    if rdf_format.supports_datasets:
        data = store.ox.dump(format=rdf_format, prefixes=PREFIXES)
        assert data is not None  # without an output, the bytes
        return data
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in store.ox.quads_for_pattern(None, None, None)}
    kwargs = {"prefixes": PREFIXES} if fmt == "ttl" else {}
    data = ox.serialize(sorted(triples, key=str), format=rdf_format, **kwargs)  # type: ignore[arg-type]
    assert data is not None  # without an output, the bytes
    return data


def union_graph(store: Store, include_ontology: bool = False, inferred: bool = False) -> Graph:
    """The asserted data triples as one rdflib Graph (the ontology and the materialised
    entailments left out unless asked)."""
    prefix = reasoning.inferred_prefix()
    skip = set() if include_ontology else {iris.ontology_graph()}

    def kept(graph: object) -> bool:
        name = getattr(graph, "value", "")
        return name not in skip and (inferred or not name.startswith(prefix))

    g = Graph()
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store.ox.quads_for_pattern(None, None, None) if kept(q.graph_name)]
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    g.parse(data=data, format="nt")
    return g


class _Hashing(io.RawIOBase):
    """Passes what Oxigraph's serialiser writes on to ``out`` and hashes and counts it."""

    def __init__(self, out: IO[bytes]) -> None:
        super().__init__()
        self.out, self.sha256, self.size = out, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, chunk: Any) -> int:
        data = bytes(chunk)
        self.out.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)


def release(store: ox.Store, out: IO[bytes], fmt: str = "nq") -> dict[str, Any]:
    """Write every quad of ``store`` (every named graph: documents, shared descriptions, vocabulary,
    ontology, the materialised entailments) to ``out`` as N-Quads (``fmt``: or TriG, JSON-LD; the
    named graphs kept), and return its manifest.
    ``store`` is read as it is: give it a store nobody writes to meanwhile (a read-only copy, a
    snapshot), or the counts may not match the bytes."""
    graphs = {str(r["g"].value): int(r["n"].value) for r in store.query(  # type: ignore[union-attr]
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")}
    versions = {str(r["v"].value): int(r["n"].value) for r in store.query(  # type: ignore[union-attr]
        "SELECT ?v (COUNT(DISTINCT ?a) AS ?n) WHERE { GRAPH ?g { ?a <https://w3id.org/policykg/ontology#extractionVersion> ?v } }"
        " GROUP BY ?v ORDER BY ?v")}
    ontology = [str(r["v"].value) for r in store.query(  # type: ignore[union-attr]
        "SELECT ?v WHERE { GRAPH ?g { ?o a <http://www.w3.org/2002/07/owl#Ontology> ; "
        "<http://www.w3.org/2002/07/owl#versionInfo> ?v } }")]
    documents = sum(1 for _ in store.quads_for_pattern(
        None, ox.NamedNode("https://w3id.org/policykg/ontology#inCorpus"), ox.Literal(True)))
    sink = _Hashing(out)
    write_release(store, typing.cast(IO[bytes], sink), fmt)  # a raw byte stream
    media_type = RELEASE_FORMATS[fmt][1]
    return {"manifest": MANIFEST_FORMAT, "format": fmt, "media_type": media_type, "bytes": sink.size,
            "sha256": sink.sha256.hexdigest(), "quads": sum(graphs.values()), "documents": documents,
            "graphs": graphs, "ontology_version": ontology[0] if ontology else None,
            "extraction_versions": versions, "policykg_version": __version__, "base": iris.base(),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


def write_release(store: ox.Store, out: IO[bytes], fmt: str = "nq") -> None:
    """Every quad of ``store`` to ``out`` in the release format ``fmt``, the same bytes for the same store."""
    store.dump(out, format=RELEASE_FORMATS[fmt][0], **({"prefixes": PREFIXES} if fmt == "trig" else {}))  # type: ignore[arg-type]


def verify(data: IO[bytes], manifest: dict[str, Any]) -> bool:
    """Whether the bytes read from ``data`` are the release ``manifest`` describes (size and SHA-256)."""
    h, size = hashlib.sha256(), 0
    for chunk in iter(lambda: data.read(1 << 20), b""):
        h.update(chunk)
        size += len(chunk)
    return bool(size == manifest["bytes"] and h.hexdigest() == manifest["sha256"])
