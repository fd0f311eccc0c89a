"""Reasoning at engine speed: the OWL 2 RL entailments the queries rely on, materialised by rules
run inside the store into named graphs of their own.

owlrl stays the reference semantics (``policykg validate --owl``); this module computes, for the
axioms of ``ontology/policykg.ttl``, the same triples owlrl derives for these rules
(tests/test_reasoning.py proves the equality on the seeds and the layout fixtures):

- prp-spo1 / scm-spo: sub-properties (lg:leadAgency ⊑ lg:assignedAgency, lg:basedOn ⊑ lg:derivesFrom …);
- prp-inv1/2: inverses (lg:derivesFrom ↔ lg:hasDescendant, lg:assignedAgency ↔ lg:assignedMeasure);
- prp-trp: transitive properties (lg:derivesFrom, skos:broaderTransitive, org:transitiveSubOrganizationOf);
- prp-spo2: property chains (lg:level ← lg:jurisdiction ∘ lg:areaLevel);
- prp-dom / prp-rng: types from named domains and ranges;
- cax-sco / scm-sco: class membership up the class hierarchy.

Each rule is one CONSTRUCT over a dataset whose default graph is the union of the source graphs;
its new triples go into the target graph with one bulk insert; rounds repeat until nothing new
appears. A document's own entailments live in ``graph/inferred/doc/{key}`` and are recomputed
when the document is replaced; the entailments that cross documents (transitive lineage, chains
into the division vocabulary) live in ``graph/inferred/closure`` and are recomputed after.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, BNode, Graph, URIRef
from rdflib.collection import Collection

from policykg import iris

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = str(RDF.type)
_NON_CLASSES = {str(OWL.Thing), str(RDFS.Resource), str(RDFS.Literal), str(RDF.langString)}


def inferred_prefix() -> str:
    return f"{iris.base()}graph/inferred/"


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
        return cls(
            super_properties=_closure(sub_props),
            inverses=tuple(sorted(inverses | {(b, a) for a, b in inverses})),
            transitive=tuple(sorted(str(p) for p in onto.subjects(RDF.type, OWL.TransitiveProperty))),
            chains=tuple(sorted(chains)),
            domains=domains,
            ranges=ranges,
            super_classes=super_classes,
            classes=frozenset(classes),
        )

    @property
    def predicates(self) -> frozenset[str]:
        """The predicates rules may produce (rdf:type aside)."""
        heads = {q for qs in self.super_properties.values() for q in qs}
        heads |= {q for _, q in self.inverses} | set(self.transitive) | {h for h, _, _ in self.chains}
        return frozenset(heads)

    def queries(self) -> list[tuple[str, str]]:
        """(name, CONSTRUCT) for every rule; each yields only triples not yet in its dataset."""
        out: list[tuple[str, str]] = []

        def values(pairs: list[tuple[str, str]]) -> str:
            return " ".join(f"(<{a}> <{b}>)" for a, b in sorted(pairs))

        spo = [(p, q) for p, qs in self.super_properties.items() for q in qs]
        if spo:
            out.append(("sub-property", f"CONSTRUCT {{ ?s ?q ?o }} WHERE {{ VALUES (?p ?q) {{ {values(spo)} }} ?s ?p ?o "
                                        "FILTER NOT EXISTS { ?s ?q ?o } }"))
        if self.inverses:
            out.append(("inverse", f"CONSTRUCT {{ ?o ?q ?s }} WHERE {{ VALUES (?p ?q) {{ {values(list(self.inverses))} }} ?s ?p ?o "
                                   "FILTER(!isLiteral(?o)) FILTER NOT EXISTS { ?o ?q ?s } }"))
        for t in self.transitive:
            out.append((f"transitive {t}", f"CONSTRUCT {{ ?a <{t}> ?c }} WHERE {{ ?a <{t}> ?b . ?b <{t}>+ ?c "
                                           f"FILTER NOT EXISTS {{ ?a <{t}> ?c }} }}"))
        for head, first, second in self.chains:
            out.append((f"chain {head}", f"CONSTRUCT {{ ?x <{head}> ?z }} WHERE {{ ?x <{first}> ?y . ?y <{second}> ?z "
                                         f"FILTER NOT EXISTS {{ ?x <{head}> ?z }} }}"))
        dom = [(p, c) for p, cs in self.domains.items() for c in cs]
        if dom:
            out.append(("domain", f"CONSTRUCT {{ ?s a ?c }} WHERE {{ VALUES (?p ?c) {{ {values(dom)} }} ?s ?p ?o "
                                  "FILTER NOT EXISTS { ?s a ?c } }"))
        rng = [(p, c) for p, cs in self.ranges.items() for c in cs]
        if rng:
            out.append(("range", f"CONSTRUCT {{ ?o a ?c }} WHERE {{ VALUES (?p ?c) {{ {values(rng)} }} ?s ?p ?o "
                                 "FILTER(!isLiteral(?o)) FILTER NOT EXISTS { ?o a ?c } }"))
        sco = [(c, d) for c, ds in self.super_classes.items() for d in ds]
        if sco:
            out.append(("sub-class", f"CONSTRUCT {{ ?x a ?d }} WHERE {{ VALUES (?c ?d) {{ {values(sco)} }} ?x a ?c "
                                     "FILTER NOT EXISTS { ?x a ?d } }"))
        return out


@dataclass
class Run:
    """What one materialisation did: rounds, triples added, seconds."""

    rounds: int = 0
    added: int = 0
    seconds: float = 0.0
    per_rule: dict[str, int] = field(default_factory=dict)


def saturate(store: ox.Store, rules: RuleSet, sources: list[str], target: str) -> Run:
    """Apply the rules to the union of ``sources`` and ``target`` until nothing new appears; put
    the new triples into ``target``."""
    started = time.perf_counter()
    run = Run()
    dataset = [ox.NamedNode(g) for g in {*sources, target}]
    graph = ox.NamedNode(target)
    queries = rules.queries()
    while True:
        run.rounds += 1
        new = 0
        for name, q in queries:
            triples = set(store.query(q, default_graph=dataset))  # type: ignore[arg-type]
            if triples:
                store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
                new += len(triples)
                run.per_rule[name] = run.per_rule.get(name, 0) + len(triples)
        run.added += new
        if new == 0:
            break
    run.seconds = time.perf_counter() - started
    return run


# --- the store's inferred graphs ----------------------------------------------------------------


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


def refresh(store: ox.Store, keys: list[str] | None = None, rules: RuleSet | None = None) -> dict[str, Run]:
    """Recompute the entailments of the documents ``keys`` (all documents when None), then the
    closure across documents. Returns what each step did."""
    rules = rules or _rules()
    runs: dict[str, Run] = {}
    existing = set(document_keys(store))
    targets = sorted(existing) if keys is None else [k for k in keys if k in existing]
    if keys is None:
        for g in _graphs(store):
            if g.startswith(inferred_prefix()):
                _drop(store, g)
    for key in targets:
        _drop(store, doc_inferred_graph(key))
        runs[key] = saturate(store, rules, [iris.doc_graph(key)], doc_inferred_graph(key))
    _drop(store, closure_graph())
    runs["closure"] = saturate(store, rules, [g for g in _graphs(store) if g != closure_graph()], closure_graph())
    return runs


def forget(store: ox.Store, key: str) -> None:
    """Drop a removed document's entailments (the closure is recomputed by the next refresh)."""
    _drop(store, doc_inferred_graph(key))
