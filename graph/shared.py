"""Descriptions several documents share: each triple in exactly one named graph.

A document's graph states its own nodes (the document, its measures, sections, assignments,
citations, spans: IRIs under the document's IRI). What it says of other nodes (the documents it
cites, the agencies and collectives it names, the reforms and their sources) is said by many
documents alike; kept in each document's graph it would be repeated once per document, and a
query over the union default graph would return each row once per repetition. So after a write
these triples leave the document graph for a graph of their kind (``graph/cited``,
``graph/agencies``, ``graph/reforms``), where each is held once, for as long as at least one
document states it and its node's own document graph (a cited document that is in the corpus)
does not already hold it.

What each document contributed is kept in the store's bookkeeping graph (``graph/meta``): the
N-Triples it stated (``store:contribution``) and the nodes it described (``store:describes``, the
index used to rebuild one node's description). A document replaced or removed gives up its
contribution in the same transaction; ``settle`` then rebuilds the descriptions of every node
whose contributors changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from policykg import iris
from policykg.graph.terms import serialized, value

STORE_NS = "https://w3id.org/policykg/store#"
CONTRIBUTION = ox.NamedNode(STORE_NS + "contribution")
DESCRIBES = ox.NamedNode(STORE_NS + "describes")
KINDS = {"doc": "cited", "agency": "agencies", "collective": "agencies", "reform": "reforms", "source": "reforms"}


def meta_graph() -> ox.NamedNode:
    return ox.NamedNode(f"{iris.base()}graph/meta")


def graph_of(node: str) -> str:
    """The shared graph a node's description goes to (by the kind in its IRI)."""
    rest = node[len(iris.base()) + 3:] if node.startswith(f"{iris.base()}id/") else ""
    return f"{iris.base()}graph/{KINDS.get(rest.split('/', 1)[0], 'shared')}"


def shared_graphs() -> list[str]:
    return sorted({f"{iris.base()}graph/{k}" for k in (*KINDS.values(), "shared")})


def owns(key: str, node: object, doc: str | None = None) -> bool:
    """Whether a document's graph is the home of this node's triples (``doc``: the document's
    IRI, when the caller has it)."""
    if not isinstance(node, ox.NamedNode):
        return True  # blank nodes stay with the graph that wrote them
    doc = doc or iris.document(key)
    return node.value == doc or node.value.startswith(doc + "/")


def contribution_text(triples: Iterable[ox.Triple]) -> str:
    """A document's contribution as it is recorded: its triples of shared nodes, sorted, as N-Triples."""
    return serialized(ox.serialize(sorted(set(triples), key=str), format=ox.RdfFormat.N_TRIPLES)).decode("utf-8")


@dataclass(frozen=True)
class Split:
    """A new document's graph as ``settle`` leaves it, computed where the graph is built (a Dask
    worker) so that the single writer does not scan it again: the N-Triples of its own nodes,
    its contribution (what it says of shared nodes, as recorded) with the nodes it describes, and
    its own nodes that are IRIs (some may have been described by documents before it)."""

    key: str
    own: str
    contribution: str
    nodes: tuple[str, ...]
    subjects: tuple[str, ...]

    def triples(self) -> list[ox.Triple]:
        return _triples(self.contribution)


def _triples(ntriples: str) -> list[ox.Triple]:
    return [ox.Triple(t.subject, t.predicate, t.object) for t in ox.parse(ntriples.encode(), format=ox.RdfFormat.N_TRIPLES)]


def split(key: str, ntriples: str) -> Split:
    """Split a new document's graph (N-Triples, one triple a line, as ``graph.rdf`` writes it)."""
    doc = iris.document(key)
    own: list[str] = []
    rest: list[str] = []
    subjects: set[str] = set()
    for line in ntriples.splitlines(keepends=True):
        if not line.startswith("<"):  # a blank node stays with the graph that wrote it
            own.append(line)
            continue
        subject = line[1:line.index(">")]
        if subject == doc or subject.startswith(doc + "/"):
            own.append(line)
            subjects.add(subject)
        else:
            rest.append(line)
    triples = _triples("".join(rest))
    text = contribution_text(triples) if triples else ""
    return Split(key, "".join(own), text, tuple(sorted({value(t.subject) for t in triples})), tuple(sorted(subjects)))


def contribution_ops(key: str, text: str, nodes: Iterable[str]) -> str:
    """The data recording a document's contribution and the nodes it describes (a GRAPH block)."""
    graph, meta = f"<{iris.doc_graph(key)}>", meta_graph()
    return (f"GRAPH {meta} {{ {graph} {CONTRIBUTION} {ox.Literal(text)} . "
            + " ".join(f"{graph} {DESCRIBES} <{n}> ." for n in sorted(nodes)) + " }")


def forget_ops(key: str) -> str:
    """The update operation that drops a document's contribution and its index."""
    return f"DELETE WHERE {{ GRAPH {meta_graph()} {{ <{iris.doc_graph(key)}> ?p ?o }} }}"


def replaced_ops(key: str) -> str:
    """The update operation, in the transaction that replaces a document's graph, that drops what
    it contributed before (its index stays until ``settle`` has rebuilt those nodes)."""
    return f"DELETE WHERE {{ GRAPH {meta_graph()} {{ <{iris.doc_graph(key)}> {CONTRIBUTION} ?o }} }}"


def contributed(store: ox.Store, key: str) -> bool:
    """Whether a document has a contribution recorded (a replaced one gives it up)."""
    return next(iter(store.quads_for_pattern(ox.NamedNode(iris.doc_graph(key)), CONTRIBUTION, None, meta_graph())), None) is not None


def _contribution(store: ox.Store, key: str) -> list[ox.Triple]:
    subject = ox.NamedNode(iris.doc_graph(key))
    for q in store.quads_for_pattern(subject, CONTRIBUTION, None, meta_graph()):
        return _triples(value(q.object))
    return []


def contributors(store: ox.Store) -> set[str]:
    """The keys of the documents with a contribution or an index entry recorded."""
    prefix = iris.doc_graph("")
    return {q.subject.value[len(prefix):] for q in store.quads_for_pattern(None, None, None, meta_graph())
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(prefix)}


def described(store: ox.Store, keys: Iterable[str]) -> set[str]:
    """The nodes these documents' contributions describe (call before their graphs change)."""
    return {value(q.object) for k in keys for q in store.quads_for_pattern(ox.NamedNode(iris.doc_graph(k)), DESCRIBES, None, meta_graph())}


def settle(store: ox.Store, keys: Iterable[str], grown: bool = False, splits: Mapping[str, Split] | None = None) -> set[str]:
    """Move what the graphs of these documents say of nodes they do not own into their
    contributions (a graph replaced has given up its old contribution; one added to keeps it), and
    rebuild the shared description of every node concerned, before and after. Returns those
    nodes (the shared descriptions changed only for them).

    ``grown``: the documents are new ones (nothing replaced or removed), so a node's description
    only gains what they state of it (``_extend``), whatever the number of its other contributors;
    rebuilt in full are only the nodes a new document owns (a cited document entering the corpus,
    whose own graph now holds part of its description). ``splits``: the new documents written
    already split (``Split``), whose graphs need no scan."""
    affected: set[str] = set()
    full: set[str] = set()
    gained: list[ox.Triple] = []
    for key in keys:
        graph = ox.NamedNode(iris.doc_graph(key))
        full.add(iris.document(key))  # a cited document entering or leaving the corpus
        done = splits.get(key) if grown and splits else None
        if done is not None:  # written as settled: what it states of shared nodes is what they gain
            full |= _described_before(store, done.subjects)
            gained += done.triples()
            affected |= set(done.nodes)
            continue
        full |= described(store, [key])
        if not store.contains_named_graph(graph):
            store.update(forget_ops(key))
            continue
        doc = iris.document(key)
        moved, own = [], set()
        for q in store.quads_for_pattern(None, None, None, graph):
            if owns(key, q.subject, doc):
                own.add(q.subject)
            else:
                moved.append(q)
        before = _contribution(store, key)
        if grown:  # what other documents said of this one's nodes before it came
            full |= _described_before(store, [n.value for n in own if isinstance(n, ox.NamedNode)])
        if not moved:
            if not before:  # a replaced graph that says nothing of shared nodes: no index either
                store.update(forget_ops(key))
            continue
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in moved} | set(before)
        nodes = {value(t.subject) for t in triples}
        if grown and not before:
            gained += (ox.Triple(q.subject, q.predicate, q.object) for q in moved)
            affected |= nodes
        else:  # a replay after a crash, or not an addition
            full |= nodes
        store.update(" ;\n".join([
            forget_ops(key),
            "DELETE DATA { GRAPH " + str(graph) + " {\n" + "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in moved) + "\n} }",
            f"INSERT DATA {{ {contribution_ops(key, contribution_text(triples), nodes)} }}",
        ]))
    if not grown:
        full |= affected
    rebuild(store, full)
    _extend(store, [t for t in gained if value(t.subject) not in full])
    return affected | full


def _described_before(store: ox.Store, nodes: Iterable[str]) -> set[str]:
    """Of a new document's own nodes, those that other documents described before it came."""
    meta = meta_graph()
    return {n for n in nodes if next(iter(store.quads_for_pattern(None, DESCRIBES, ox.NamedNode(n), meta)), None) is not None}


def _extend(store: ox.Store, triples: list[ox.Triple]) -> None:
    """Add to the shared descriptions these triples new documents state, less what they hold
    already and what any graph other than the shared ones holds (as ``rebuild`` would)."""
    holds = _holder()
    adds = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph_of(value(t.subject)))) for t in set(triples)]
    adds = [q for q in adds if not any(holds(h.graph_name) or h.graph_name == q.graph_name
                                       for h in store.quads_for_pattern(q.subject, q.predicate, q.object, None))]
    if adds:
        store.extend(adds)


def _holder() -> Callable[[object], bool]:
    """Whether a graph's triples are left out of the shared descriptions: one that is not a
    shared graph, the bookkeeping or an inferred one."""
    derived = {*shared_graphs(), meta_graph().value}
    inferred = f"{iris.base()}graph/inferred/"
    return lambda g: isinstance(g, ox.NamedNode) and g.value not in derived and not g.value.startswith(inferred)


def rebuild(store: ox.Store, nodes: Iterable[str]) -> None:
    """Rewrite the shared description of each node: what its contributors state of it, less what
    any graph other than the shared ones already holds."""
    meta = meta_graph()
    holds = _holder()
    cache: dict[str, list[ox.Triple]] = {}
    removes: list[ox.Quad] = []
    adds: list[ox.Quad] = []
    for node in sorted(nodes):
        subject = ox.NamedNode(node)
        target = ox.NamedNode(graph_of(node))
        removes += list(store.quads_for_pattern(subject, None, None, target))
        contributors = [value(q.subject) for q in store.quads_for_pattern(None, DESCRIBES, subject, meta)]
        wanted: set[ox.Triple] = set()
        for graph in contributors:
            key = iris.key_of_document(graph)
            if key not in cache:
                cache[key] = _contribution(store, key)
            wanted |= {t for t in cache[key] if t.subject == subject}
        for t in wanted:
            if not any(holds(q.graph_name) for q in store.quads_for_pattern(t.subject, t.predicate, t.object, None)):
                adds.append(ox.Quad(t.subject, t.predicate, t.object, target))
    if removes or adds:
        ops = []
        if removes:
            ops.append("DELETE DATA {\n" + "\n".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in removes) + "\n}")
        if adds:
            ops.append("INSERT DATA {\n" + "\n".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in adds) + "\n}")
        store.update(" ;\n".join(ops))
