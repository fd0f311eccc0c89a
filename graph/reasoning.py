"""Reasoning at engine speed: the OWL 2 RL entailments the queries rely on, materialised by rules
evaluated over the store's indexes into named graphs of their own.

owlrl stays the reference semantics (``policykg validate --owl``); this module computes, for the
axioms of ``ontology/policykg.ttl``, the same triples owlrl derives for these rules
(tests/test_reasoning.py proves the equality on the seeds and the layout fixtures):

- prp-spo1 / scm-spo: sub-properties (lg:leadAgency ⊑ lg:assignedAgency, lg:basedOn ⊑ lg:derivesFrom …);
- prp-inv1/2: inverses (lg:derivesFrom ↔ lg:hasDescendant, lg:assignedAgency ↔ lg:assignedMeasure);
- prp-trp: transitive properties (lg:derivesFrom, skos:broaderTransitive, org:transitiveSubOrganizationOf);
- prp-spo2: property chains (lg:level ← lg:jurisdiction ∘ lg:areaLevel);
- prp-dom / prp-rng: types from named domains and ranges;
- cax-sco / scm-sco: class membership up the class hierarchy.

A graph's own entailments (its triples through the single-premise rules) go into the inferred
graph of the graph their premise came from (``graph/doc/K`` → ``graph/inferred/doc/K``; the
vocabulary and the ontology likewise), so replacing a document recomputes only its own. The
single-premise rules are folded beforehand into one step per premise predicate (sub-properties
and inverses closed, then the domains, ranges and super-classes of everything a triple entails),
so one scan of each premise predicate's triples yields them all, with no rounds. The two-premise
rules (transitive closure, chains) can join triples of different graphs: they seed
``graph/inferred/closure``, whose consequences under every rule are propagated semi-naively (a
rule fires only with a premise new in the round before) until nothing new appears. So do the
classes a graph gives a node it does not describe (``foreign_types``) and the entailments of the
shared descriptions (``graph.shared``), which change with every document written.

While documents are only added (the store journals which pending ones are new), the closure is
extended from what changed (``grow``): every rule is monotone, so the closure of the larger store
is the old one plus what fires with a new triple as a premise, minus what a graph now holds
itself. A document replaced or removed, or a change the store did not make itself, makes it from
scratch, which reads the whole store (a batch leaves that to its end).

The rules are evaluated in Python over ``quads_for_pattern`` scans (one per premise predicate)
and the results written with one ``Store.extend``: on this data that is several times faster than
the same rules as SPARQL updates, whose cost went into joining, attributing results to graphs by
string operations and re-deriving the same type from every property of a node. Each graph's own
entailments exclude what that graph asserts; the closure excludes what any graph holds.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, BNode, Graph, URIRef
from rdflib.collection import Collection

from policykg import iris
from policykg.graph import terms
from policykg.graph.shared import graph_of, shared_graphs

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = str(RDF.type)
_NON_CLASSES = {str(OWL.Thing), str(RDFS.Resource), str(RDFS.Literal), str(RDF.langString)}


def inferred_prefix() -> str:
    return f"{iris.base()}graph/inferred/"


def asserted_pattern(pattern: str, graph: str = "g") -> str:
    """SPARQL that matches ``pattern`` in the asserted graphs only, over the union of the graphs:
    ``GRAPH ?{graph} { pattern }`` and a filter that leaves the inferred graphs out. The asserted
    graphs' answer without naming them one by one as the default graph (``inferred=False``),
    which costs a lookup per graph, two per document: at 1,000 generated documents a document's
    page took 25 s that way, its lineage 22 s at 300."""
    return f'GRAPH ?{graph} {{ {pattern} }} FILTER(!STRSTARTS(STR(?{graph}), "{inferred_prefix()}"))'


def doc_inferred_graph(key: str) -> str:
    return f"{inferred_prefix()}doc/{key}"


def closure_graph() -> str:
    return f"{inferred_prefix()}closure"


def _closure(pairs: set[tuple[str, str]]) -> dict[str, set[str]]:
    """Transitive closure of a relation given as pairs (sub, super): sub → all its supers."""
    up: dict[str, set[str]] = {}
    for a, b in pairs:
        up.setdefault(a, set()).add(b)
    changed = True
    while changed:
        changed = False
        for a, supers in up.items():
            more = set().union(*(up.get(b, set()) for b in supers)) - supers - {a}
            if more:
                supers |= more
                changed = True
    return up


@dataclass(frozen=True)
class Step:
    """Everything the single-premise rules entail from one triple ``s p o`` of a premise predicate
    ``p``, folded: ``s h o`` for each ``h`` in ``same``; ``o h s`` for each ``h`` in ``flipped``
    (``o`` not a literal); ``s a c`` for each ``c`` in ``subject_types`` (``subject_types_node``
    when ``o`` is not a literal); ``o a c`` for each ``c`` in ``object_types`` (``o`` not a literal).
    Class sets are closed under super-classes."""

    same: tuple[ox.NamedNode, ...]
    flipped: tuple[ox.NamedNode, ...]
    subject_types: frozenset[ox.NamedNode]
    subject_types_node: frozenset[ox.NamedNode]
    object_types: frozenset[ox.NamedNode]


@dataclass(frozen=True)
class RuleSet:
    """The rules the ontology's axioms give, ready to run."""

    super_properties: dict[str, set[str]]
    inverses: tuple[tuple[str, str], ...]  # both directions listed
    transitive: tuple[str, ...]
    chains: tuple[tuple[str, str, str], ...]  # (head, first, second)
    domains: dict[str, set[str]]
    ranges: dict[str, set[str]]
    super_classes: dict[str, set[str]]
    classes: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_ontology(cls, onto: Graph) -> RuleSet:
        named = lambda n: isinstance(n, URIRef) and str(n) not in _NON_CLASSES and not str(n).startswith(XSD)  # noqa: E731
        sub_props = {(str(a), str(b)) for a, b in onto.subject_objects(RDFS.subPropertyOf) if isinstance(a, URIRef) and isinstance(b, URIRef)}
        sub_classes = {(str(a), str(b)) for a, b in onto.subject_objects(RDFS.subClassOf) if named(a) and named(b)}
        inverses = {(str(a), str(b)) for a, b in onto.subject_objects(OWL.inverseOf)}
        chains = []
        for head, chain in onto.subject_objects(OWL.propertyChainAxiom):
            steps = [str(x) for x in Collection(onto, chain)] if isinstance(chain, BNode) else []
            if len(steps) == 2:
                chains.append((str(head), steps[0], steps[1]))
        domains: dict[str, set[str]] = {}
        ranges: dict[str, set[str]] = {}
        for p, c in onto.subject_objects(RDFS.domain):
            if named(c):
                domains.setdefault(str(p), set()).add(str(c))
        for p, c in onto.subject_objects(RDFS.range):
            if named(c):
                ranges.setdefault(str(p), set()).add(str(c))
        super_classes = _closure(sub_classes)
        classes = {c for pair in sub_classes for c in pair} | {c for cs in (*domains.values(), *ranges.values()) for c in cs}
        rules = cls(
            super_properties=_closure(sub_props),
            inverses=tuple(sorted(inverses | {(b, a) for a, b in inverses})),
            transitive=tuple(sorted(str(p) for p in onto.subjects(RDF.type, OWL.TransitiveProperty))),
            chains=tuple(sorted(chains)),
            domains=domains,
            ranges=ranges,
            super_classes=super_classes,
            classes=frozenset(classes),
        )
        if RDF_TYPE in set(rules.property_closure()) | set(domains) | set(ranges) | rules.predicates:
            raise ValueError("rules on rdf:type itself (sub-properties, inverses, domain, range) are not supported")
        return rules

    def property_closure(self) -> dict[str, set[tuple[str, bool]]]:
        """p → every (q, flipped) that a triple of p entails through sub-properties and inverses
        (flipped: the entailed triple runs the other way). One pass of these replaces rounds of
        the sub-property and inverse rules."""
        inverse: dict[str, set[str]] = {}
        for a, b in self.inverses:
            inverse.setdefault(a, set()).add(b)
        props = set(self.super_properties) | set(inverse)
        out: dict[str, set[tuple[str, bool]]] = {}
        for p in props:
            seen: set[tuple[str, bool]] = set()
            todo = [(p, False)]
            while todo:
                q, flipped = todo.pop()
                for nxt in [*((sup, flipped) for sup in self.super_properties.get(q, ())),
                            *((inv, not flipped) for inv in inverse.get(q, ()))]:
                    if nxt not in seen and nxt != (p, False):
                        seen.add(nxt)
                        todo.append(nxt)
            if seen:
                out[p] = seen
        return out

    def _up(self, classes: Iterable[str]) -> frozenset[ox.NamedNode]:
        """The classes with all their super-classes."""
        out = set(classes)
        for c in list(out):
            out |= self.super_classes.get(c, set())
        return frozenset(_node(c) for c in out)

    @cached_property
    def steps(self) -> dict[ox.NamedNode, Step]:
        """Premise predicate → the folded single-premise rules (see :class:`Step`).

        The folding follows the order in which the rules feed each other: sub-properties and
        inverses (closed by :meth:`property_closure`), then domains and ranges of the premise and
        of every triple it entails, then super-classes. An entailed ``o h s`` exists only when
        ``o`` is not a literal, so the types it gives ``s`` are kept apart."""
        closure = self.property_closure()
        out: dict[ox.NamedNode, Step] = {}
        for p in sorted(set(closure) | set(self.domains) | set(self.ranges)):
            entailed = closure.get(p, set())
            same = sorted(q for q, flipped in entailed if not flipped)
            flipped = sorted(q for q, f in entailed if f)
            subject = set(self.domains.get(p, ())).union(*(self.domains.get(q, ()) for q in same))
            subject_node = set().union(*(self.ranges.get(q, ()) for q in flipped))
            obj = set(self.ranges.get(p, ())).union(*(self.ranges.get(q, ()) for q in same), *(self.domains.get(q, ()) for q in flipped))
            out[_node(p)] = Step(tuple(_node(q) for q in same), tuple(_node(q) for q in flipped),
                                 self._up(subject), self._up(subject | subject_node), self._up(obj))
        return out

    @cached_property
    def type_steps(self) -> dict[ox.NamedNode, frozenset[ox.NamedNode]]:
        """Class → its super-classes (cax-sco for an asserted type)."""
        return {_node(c): frozenset(_node(d) for d in ds) for c, ds in self.super_classes.items() if ds}

    @property
    def predicates(self) -> frozenset[str]:
        """The predicates rules may produce (rdf:type aside)."""
        heads = {q for qs in self.super_properties.values() for q in qs}
        heads |= {q for _, q in self.inverses} | set(self.transitive) | {h for h, _, _ in self.chains}
        return frozenset(heads)


@lru_cache(maxsize=4096)
def _node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


@dataclass
class Run:
    """What one materialisation did: rounds, triples added, seconds."""

    rounds: int = 0
    added: int = 0
    seconds: float = 0.0
    per_rule: dict[str, int] = field(default_factory=dict)


@contextmanager
def _no_gc() -> Iterator[None]:
    """The passes build a few hundred thousand tuples and free none of them until the end: the
    cyclic garbage collector, triggered by allocations, would rescan them over and over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def local_pass(store: ox.Store, rules: RuleSet, units: dict[ox.NamedNode, ox.NamedNode], everywhere: bool) -> list[ox.Quad]:
    """Each graph's own entailments (asserted graph → inferred graph in ``units``): the quads to
    add, none of them asserted in the premise's graph (the inferred graphs are assumed empty).
    ``everywhere``: ``units`` covers (nearly) every graph, so each premise predicate is scanned
    across the store at once rather than graph by graph."""
    literal = ox.Literal
    rdf_type = _node(RDF_TYPE)
    # per asserted graph: node → the classes it gets, the property triples entailed, node → asserted classes
    bins: dict[Any, tuple[dict[Any, Any], set[tuple[Any, Any, Any]], dict[Any, Any]]] = {g: ({}, set(), {}) for g in units}

    def scan(p: ox.NamedNode) -> Iterator[ox.Quad]:
        if everywhere:
            return store.quads_for_pattern(None, p, None, None)
        return (q for g in units for q in store.quads_for_pattern(None, p, None, g))

    for p, step in rules.steps.items():
        same, flipped, st, st_node, ot = step.same, step.flipped, step.subject_types, step.subject_types_node, step.object_types
        for q in scan(p):
            b = bins.get(q.graph_name)
            if b is None:
                continue
            types, props = b[0], b[1]
            s, o = q.subject, q.object
            for h in same:
                props.add((s, h, o))
            # (a node's classes: one shared set per premise predicate, merged only when another adds to it)
            if isinstance(o, literal):
                if st and (have := types.setdefault(s, st)) is not st and not st <= have:
                    types[s] = have | st
                continue
            for h in flipped:
                props.add((o, h, s))
            if st_node and (have := types.setdefault(s, st_node)) is not st_node and not st_node <= have:
                types[s] = have | st_node
            if ot and (have := types.setdefault(o, ot)) is not ot and not ot <= have:
                types[o] = have | ot
    up: dict[Any, frozenset[ox.NamedNode]] = rules.type_steps  # looked up by any term
    for q in scan(rdf_type):
        b = bins.get(q.graph_name)
        if b is None:
            continue
        s, c = q.subject, q.object
        asserted = b[2].get(s)
        if asserted is None:
            b[2][s] = c
        elif isinstance(asserted, set):
            asserted.add(c)
        else:
            b[2][s] = {asserted, c}
        supers = up.get(c)
        if supers and (have := b[0].setdefault(s, supers)) is not supers and not supers <= have:
            b[0][s] = have | supers
    # what the graphs assert of the entailed properties is not restated
    heads = {h for step in rules.steps.values() for h in (*step.same, *step.flipped)}
    stated: dict[object, set[tuple[object, object, object]]] = {g: set() for g in units}
    for h in heads:
        for q in scan(h):
            known = stated.get(q.graph_name)
            if known is not None:
                known.add((q.subject, h, q.object))
    out: list[ox.Quad] = []
    quad = ox.Quad
    for g, (types, props, asserted) in bins.items():
        t = units[g]
        known = stated[g]
        out += [quad(s, h, o, t) for s, h, o in (props - known if known else props)]
        for node, classes in types.items():
            # the classes of a node this graph only points at are the closure's (``foreign_types``):
            # each is derived once, whichever graphs point at it
            if node not in asserted and next(iter(store.quads_for_pattern(node, None, None, g)), None) is None:
                continue
            a = asserted.get(node)
            if a is None:
                out += [quad(node, rdf_type, c, t) for c in classes]
            elif isinstance(a, set):
                out += [quad(node, rdf_type, c, t) for c in classes if c not in a]
            else:
                out += [quad(node, rdf_type, c, t) for c in classes if c != a]
    return out


def _local(graph: object) -> bool:
    """Whether a graph's own entailments are kept apart (a document's, the vocabulary's, the
    ontology's): not an inferred graph, and not a shared description (whose entailments are the
    closure's, ``shared_entailments``)."""
    name = graph.value if isinstance(graph, ox.NamedNode) else ""
    return bool(name) and not name.startswith(inferred_prefix()) and name not in shared_graphs()


def _foreign(store: ox.Store, rules: RuleSet, quads: Iterable[ox.Quad],
             states: dict[tuple[object, object], bool]) -> Iterator[tuple[object, ox.NamedNode, object]]:
    """The classes a node gets from the range of a property in a graph with a local pass that
    states nothing of the node itself (``states``: (node, graph) → whether it does, a cache)."""
    rdf_type = _node(RDF_TYPE)
    steps = rules.steps
    local: dict[object, bool] = {}
    for q in quads:
        step = steps.get(q.predicate)
        if step is None or not step.object_types:
            continue
        o, g = q.object, q.graph_name
        if isinstance(o, ox.Literal):
            continue
        if (is_local := local.get(g)) is None:
            is_local = local[g] = _local(g)
        if not is_local:
            continue
        key = (o, g)
        found = states.get(key)
        if found is None:
            found = states[key] = next(iter(store.quads_for_pattern(o, None, None, g)), None) is not None
        if not found:
            yield from ((o, rdf_type, c) for c in step.object_types)


def foreign_types(store: ox.Store, rules: RuleSet) -> set[tuple[object, ox.NamedNode, object]]:
    """The classes a node gets from the range of a property in a graph that states nothing of the
    node itself (a document naming an agency, a division, another document's measure): one set for
    the whole store, so that each is derived once, however many graphs point at the node. Only
    the graphs with a local pass are premises here (the shared descriptions' entailments are all
    the closure's)."""
    states: dict[tuple[object, object], bool] = {}
    out: set[tuple[object, ox.NamedNode, object]] = set()
    for p, step in rules.steps.items():
        if step.object_types:
            out.update(_foreign(store, rules, store.quads_for_pattern(None, p, None, None), states))
    return out


def shared_entailments(rules: RuleSet, quads: Iterable[ox.Quad]) -> set[tuple[object, ox.NamedNode, object]]:
    """What the single-premise rules entail from these triples of the shared descriptions
    (``graph.shared``), every class included: a shared graph has no inferred graph of its own,
    because its descriptions change with every document written, so its entailments are the
    closure's, kept current with it."""
    rdf_type = _node(RDF_TYPE)
    up: dict[Any, frozenset[ox.NamedNode]] = rules.type_steps
    steps = rules.steps
    out: set[tuple[object, ox.NamedNode, object]] = set()
    for q in quads:
        s, p, o = q.subject, q.predicate, q.object
        if p == rdf_type:
            out.update((s, rdf_type, c) for c in up.get(o, ()))
            continue
        step = steps.get(p)
        if step is None:
            continue
        out.update((s, h, o) for h in step.same)
        if isinstance(o, ox.Literal):
            out.update((s, rdf_type, c) for c in step.subject_types)
            continue
        out.update((o, h, s) for h in step.flipped)
        out.update((s, rdf_type, c) for c in step.subject_types_node)
        out.update((o, rdf_type, c) for c in step.object_types)
    return out


def _shared_quads(store: ox.Store) -> Iterator[ox.Quad]:
    for g in shared_graphs():
        yield from store.quads_for_pattern(None, None, None, ox.NamedNode(g))


class _Propagation:
    """The two-premise rules (transitive properties, chains) and, on what they and the seeds
    derive, every rule, semi-naively (a rule fires only with a premise new in the round before),
    until nothing new appears; nothing derived that a graph other than ``target`` holds.

    From scratch (``grown`` False) the triples of the indexed predicates are read into memory,
    every graph but ``target`` (the closure as it stands, recomputed); grown, ``target`` is the
    closure of the store as it was and counts as known, and the joins look the store up."""

    def __init__(self, store: ox.Store, rules: RuleSet, target: ox.NamedNode, grown: bool) -> None:
        self.store, self.target, self.grown = store, target, grown
        self.run = Run()
        self.transitive = [_node(t) for t in rules.transitive]
        chains = [(_node(h), _node(a), _node(b)) for h, a, b in rules.chains]
        self.chains = chains
        indexed = {*self.transitive, *(p for c in chains for p in c)}
        # the triples of the indexed predicates (from scratch: all graphs but ``target``; grown: the new ones)
        self.succ: dict[ox.NamedNode, dict[object, set[object]]] = {p: {} for p in indexed}
        self.pred: dict[ox.NamedNode, dict[object, set[object]]] = {p: {} for p in indexed}
        if not grown:
            for p in indexed:
                fwd, bwd = self.succ[p], self.pred[p]
                for q in store.quads_for_pattern(None, p, None, None):
                    if q.graph_name != target:
                        fwd.setdefault(q.subject, set()).add(q.object)
                        bwd.setdefault(q.object, set()).add(q.subject)
        self.held: dict[tuple[object, object, object], bool] = {}
        self.derived: list[tuple[object, ox.NamedNode, object]] = []
        self.new: list[tuple[object, ox.NamedNode, object]] = []
        self.sup = {_node(p): [_node(q) for q in sorted(qs)] for p, qs in rules.super_properties.items()}
        self.inverse: dict[ox.NamedNode, list[ox.NamedNode]] = {}
        for a, b in rules.inverses:
            self.inverse.setdefault(_node(a), []).append(_node(b))
        self.domains = {_node(p): sorted(_node(c) for c in cs) for p, cs in rules.domains.items()}
        self.ranges = {_node(p): sorted(_node(c) for c in cs) for p, cs in rules.ranges.items()}
        self.up: dict[Any, list[ox.NamedNode]] = {_node(c): sorted(_node(d) for d in ds) for c, ds in rules.super_classes.items()}
        self.firsts: dict[ox.NamedNode, list[tuple[ox.NamedNode, ox.NamedNode]]] = {}
        self.seconds: dict[ox.NamedNode, list[tuple[ox.NamedNode, ox.NamedNode]]] = {}
        for head, first, second in chains:
            self.firsts.setdefault(first, []).append((head, second))
            self.seconds.setdefault(second, []).append((head, first))

    def objects(self, s: object, p: ox.NamedNode) -> list[object]:
        mine = self.succ[p].get(s, ())
        if not self.grown:
            return list(mine)
        return [*mine, *(q.object for q in self.store.quads_for_pattern(s, p, None, None))]  # type: ignore[arg-type]

    def subjects(self, p: ox.NamedNode, o: object) -> list[object]:
        mine = self.pred[p].get(o, ())
        if not self.grown:
            return list(mine)
        return [*mine, *(q.subject for q in self.store.quads_for_pattern(None, p, o, None))]  # type: ignore[arg-type]

    def known(self, s: object, p: ox.NamedNode, o: object) -> bool:
        if p in self.succ:
            if o in self.succ[p].get(s, ()):
                return True
            if not self.grown:
                return False
        key = (s, p, o)
        found = self.held.get(key)
        if found is None:
            matches = self.store.quads_for_pattern(s, p, o, None)  # type: ignore[arg-type]
            found = self.held[key] = (next(iter(matches), None) is not None if self.grown
                                      else any(q.graph_name != self.target for q in matches))
        return found

    def add(self, s: object, p: ox.NamedNode, o: object, rule: str) -> None:
        if self.known(s, p, o):
            return
        if p in self.succ:
            self.succ[p].setdefault(s, set()).add(o)
            self.pred[p].setdefault(o, set()).add(s)
        else:
            self.held[(s, p, o)] = True
        self.new.append((s, p, o))
        self.run.per_rule[rule] = self.run.per_rule.get(rule, 0) + 1

    def transitive_closure(self) -> None:
        """From scratch, round 1: the transitive closure of each transitive property's triples."""
        for t in self.transitive:
            name, fwd = f"transitive {t.value}", {a: set(bs) for a, bs in self.succ[t].items()}  # the asserted edges only
            for a, direct in fwd.items():
                reach: set[object] = set()
                todo = list(direct)
                while todo:
                    b = todo.pop()
                    if b not in reach:
                        reach.add(b)
                        todo.extend(fwd.get(b, ()))
                for c in reach - direct:
                    self.add(a, t, c, name)
        for head, first, second in self.chains:
            name, after = f"chain {head.value}", self.succ[second]
            for x, ys in list(self.succ[first].items()):
                for y in list(ys):
                    for z in list(after.get(y, ())):
                        self.add(x, head, z, name)

    def joins(self, s: object, p: ox.NamedNode, o: object) -> None:
        """The two-premise rules with ``s p o`` as one premise and the store or what is derived
        as the other."""
        if p in self.transitive:
            name = f"transitive {p.value}"
            for c in self.objects(o, p):
                self.add(s, p, c, name)
            for a in self.subjects(p, s):
                self.add(a, p, o, name)
        for head, second in self.firsts.get(p, ()):
            for z in self.objects(o, second):
                self.add(s, head, z, f"chain {head.value}")
        for head, first in self.seconds.get(p, ()):
            for x in self.subjects(first, s):
                self.add(x, head, o, f"chain {head.value}")

    def propagate(self) -> list[ox.Quad]:
        """Later rounds: every rule, each with a premise new in the round before. Returns the
        quads for ``target``."""
        rdf_type = _node(RDF_TYPE)
        while True:
            self.run.rounds += 1
            delta, self.new = self.new, []
            self.derived += delta
            if not delta:
                break
            for s, p, o in delta:
                if p in self.succ:
                    self.joins(s, p, o)
                is_literal = isinstance(o, ox.Literal)
                for sp in self.sup.get(p, ()):
                    self.add(s, sp, o, "sub-property")
                if not is_literal:
                    for inv in self.inverse.get(p, ()):
                        self.add(o, inv, s, "inverse")
                for c in self.domains.get(p, ()):
                    self.add(s, rdf_type, c, "domain")
                if not is_literal:
                    for c in self.ranges.get(p, ()):
                        self.add(o, rdf_type, c, "range")
                if p == rdf_type:
                    for d in self.up.get(o, ()):
                        self.add(s, rdf_type, d, "sub-class")
        self.run.added = len(self.derived)
        return [ox.Quad(s, p, o, self.target) for s, p, o in self.derived]  # type: ignore[arg-type]


def closure_pass(store: ox.Store, rules: RuleSet, target: ox.NamedNode,
                 seeds: Iterable[tuple[str, Iterable[tuple[object, ox.NamedNode, object]]]] = ()) -> tuple[Run, list[ox.Quad]]:
    """What the two-premise rules (transitive properties, chains) derive from the triples of all
    graphs, with the ``seeds`` (rule name, triples: the classes of nodes from graphs that only
    point at them, the shared descriptions' entailments), and what every rule derives from that
    in turn, semi-naively, until nothing new appears; none of it held by any graph but ``target``
    (the closure as it stands, which is neither premise nor exclusion, so it can be updated by
    difference). Returns the run and the quads for ``target``."""
    started = time.perf_counter()
    work = _Propagation(store, rules, target, grown=False)
    for rule, triples in seeds:
        for seed in triples:
            work.add(*seed, rule)
    work.transitive_closure()
    quads = work.propagate()
    work.run.seconds = time.perf_counter() - started
    return work.run, quads


def grow(store: ox.Store, rules: RuleSet, target: ox.NamedNode, graphs: Iterable[str],
         nodes: Iterable[str], written: Iterable[ox.Quad] = ()) -> tuple[Run, list[ox.Quad], list[ox.Quad]]:
    """The closure after documents were added, from what changed only: the triples of ``graphs``
    (the documents written), the quads ``written`` with them and what the shared descriptions say of
    ``nodes`` (the nodes whose descriptions were rebuilt or extended). Valid when the store only
    grew since ``target`` was last made (every triple any graph held is still held by one): then
    each rule has only to fire with one of these as a premise, against the store and the
    closure as they are, and propagate. ``written`` (their new inferred graphs) is known without
    reading it back. Returns the run, the quads to add to ``target`` and the quads to take from
    it (what a graph now holds itself)."""
    started = time.perf_counter()
    work = _Propagation(store, rules, target, grown=True)
    delta: dict[ox.Quad, None] = dict.fromkeys(written)
    for g in graphs:
        delta.update(dict.fromkeys(store.quads_for_pattern(None, None, None, ox.NamedNode(g))))
    described: dict[ox.Quad, None] = {}
    for n in nodes:  # a node's shared description is in the graph of its kind
        described.update(dict.fromkeys(store.quads_for_pattern(ox.NamedNode(n), None, None, ox.NamedNode(graph_of(n)))))
    for seed in _foreign(store, rules, delta, {}):
        work.add(*seed, "range")
    for seed in shared_entailments(rules, described):
        work.add(*seed, "shared description")
    for q in (*delta, *described):
        if q.predicate in work.succ:
            work.joins(q.subject, q.predicate, q.object)
    quads = work.propagate()
    heads = {_node(RDF_TYPE), *(_node(p) for p in rules.predicates)}
    gone = [ox.Quad(q.subject, q.predicate, q.object, target) for q in (*delta, *described) if q.predicate in heads]
    gone = [q for q in gone if next(iter(store.quads_for_pattern(q.subject, q.predicate, q.object, target)), None) is not None]
    work.run.seconds = time.perf_counter() - started
    return work.run, quads, gone


# --- the store's inferred graphs ----------------------------------------------------------------


@lru_cache(maxsize=1)
def _rules() -> RuleSet:
    from policykg.ontology import ontology_graph

    return RuleSet.from_ontology(ontology_graph())


def _graphs(store: ox.Store) -> list[str]:
    return [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)]


def asserted_graphs(store: ox.Store) -> list[str]:
    """Every named graph except the inferred ones."""
    prefix = inferred_prefix()
    return [g for g in _graphs(store) if not g.startswith(prefix)]


def document_keys(store: ox.Store) -> list[str]:
    prefix = iris.doc_graph("")
    return [g[len(prefix):] for g in _graphs(store) if g.startswith(prefix)]


def _drop(store: ox.Store, graph: str) -> None:
    store.update(f"DROP SILENT GRAPH <{graph}>")


def local_units(store: ox.Store) -> dict[str, str]:
    """Each graph whose entailments are kept on their own: asserted graph → its inferred graph."""
    units = {iris.doc_graph(k): doc_inferred_graph(k) for k in document_keys(store)}
    units[iris.ontology_graph()] = f"{inferred_prefix()}ontology"
    units[f"{iris.base()}graph/vocab"] = f"{inferred_prefix()}vocab"
    return units


def _rank(graph: str) -> tuple[int, str]:
    """Which of two graphs keeps an entailment both derive: the ontology, then the vocabulary,
    then documents (each entailment is held once)."""
    if graph == iris.ontology_graph():
        return (0, graph)
    if graph == f"{iris.base()}graph/vocab":
        return (1, graph)
    return (2, graph)


def _once(store: ox.Store, quads: list[ox.Quad], units: dict[ox.NamedNode, ox.NamedNode]) -> list[ox.Quad]:
    """The entailments each held once: none that a graph outside this pass holds, and of those two
    units of the pass both derive, only the higher-ranked one's."""
    targets = set(units.values())
    source = {t: g for g, t in units.items()}
    best: dict[tuple[object, object, object], ox.Quad] = {}
    for q in quads:
        key = (q.subject, q.predicate, q.object)
        have = best.get(key)
        if have is None or _rank(source[q.graph_name].value) < _rank(source[have.graph_name].value):  # type: ignore[index]
            best[key] = q
    closure = _node(closure_graph())
    return [q for q in best.values()
            if not any(h.graph_name not in targets and h.graph_name != closure
                       for h in store.quads_for_pattern(q.subject, q.predicate, q.object, None))]


def refresh(store: ox.Store, keys: list[str] | None = None, rules: RuleSet | None = None, count: bool = True,
            closure: bool = True, grown: Iterable[str] | None = None) -> dict[str, Run]:
    """Recompute the entailments of the documents ``keys`` (every graph when None) from their own
    triples, then (``closure``) the closure across graphs (seeded by the two-premise rules, which
    alone can join triples of different graphs, and by the shared descriptions' entailments, and
    propagated semi-naively). From scratch it reads the whole store; when the store has only grown
    since the closure was last made (documents added, none replaced or removed), ``grown`` names
    the nodes whose shared descriptions were rebuilt and the closure is extended from what changed
    (``grow``), at a cost that follows the change, not the store. Returns what each step did
    (``count`` is kept for callers; the triples added are known without counting)."""
    rules = rules or _rules()
    runs: dict[str, Run] = {}
    units = local_units(store)
    present = set(_graphs(store))
    targets = {*units.values(), closure_graph()}
    # inferred graphs of no graph (a removed document's; the shared descriptions' of older stores)
    stale = [g for g in present if g.startswith(inferred_prefix()) and (keys is None or g not in targets)]
    if stale:
        store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in stale))
        grown = None  # what they held may be the closure's now: it is made from scratch
    if keys is None:
        todo = list(units)
    else:
        todo = [iris.doc_graph(k) for k in keys if iris.doc_graph(k) in units]
        todo += [g for g, t in units.items() if not g.startswith(iris.doc_graph("")) and t not in present]
    todo = [t for t in todo if t in present or keys is None]
    with _no_gc():
        if todo:
            started = time.perf_counter()
            if keys is not None:
                store.update(" ;\n".join(f"DROP SILENT GRAPH <{units[source]}>" for source in todo))
            scope = {ox.NamedNode(g): ox.NamedNode(units[g]) for g in todo}
            # scanning a predicate in one graph costs more per triple than across the store
            quads = local_pass(store, rules, scope, everywhere=keys is None)
            quads = _once(store, quads, scope)
            store.extend(quads)
            runs["local"] = Run(rounds=1, added=len(quads), seconds=time.perf_counter() - started)
        else:
            quads = []
        if not closure:
            return runs
        target = _node(closure_graph())
        if grown is not None and keys is not None:
            runs["closure"], quads, gone = grow(store, rules, target, todo, grown, written=quads)
            started = time.perf_counter()
            store.extend(quads)
            for quad in gone:
                store.remove(quad)
            runs["closure"].seconds += time.perf_counter() - started
            return runs
        seeds = [("range", foreign_types(store, rules)), ("shared description", shared_entailments(rules, _shared_quads(store)))]
        runs["closure"], quads = closure_pass(store, rules, target, seeds)
        started = time.perf_counter()
        # written by difference: a document changes a few of its triples, not the whole closure
        new, old = set(quads), set(store.quads_for_pattern(None, None, None, target))
        store.extend(new - old)
        for quad in old - new:
            store.remove(quad)
        runs["closure"].seconds += time.perf_counter() - started
    return runs


def _count(store: ox.Store, graphs: list[str]) -> int:
    if not graphs:
        return 0
    values = " ".join(f"<{g}>" for g in graphs)
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}")
    assert isinstance(rows, ox.QuerySolutions)
    return int(terms.value(next(iter(rows))["n"]))


def forget(store: ox.Store, key: str) -> None:
    """Drop a removed document's entailments (the closure is recomputed by the next refresh)."""
    _drop(store, doc_inferred_graph(key))
