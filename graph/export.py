"""Dumps of the store: N-Quads/TriG with named graphs, or Turtle/N-Triples of their union."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from policykg import iris
from policykg.graph import reasoning
from policykg.graph.store import Store
from policykg.namespaces import PREFIXES

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
