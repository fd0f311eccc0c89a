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

A graph's own entailments (its triples through the single-premise rules) are written by one
SPARQL update per rule for all graphs at once, each result into the inferred graph of the graph
its premise came from (``graph/doc/K`` → ``graph/inferred/doc/K``), so replacing a document
recomputes only its own. The two-premise rules (transitive closure, chains) can join triples of
different graphs: they seed ``graph/inferred/closure``, whose consequences are propagated
semi-naively (a rule fires only on a premise new in the pass before) until nothing new appears.
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

    def local_updates(self, only: list[str] | None = None) -> list[tuple[str, str]]:
        """SPARQL updates that write each graph's own entailments into its inferred graph
        (``graph/doc/K`` → ``graph/inferred/doc/K``; the vocabulary and the ontology likewise),
        for every graph at once or for the asserted graphs ``only``. The order makes one pass
        complete: sub-properties and inverses (closed beforehand), then domains and ranges, then
        super-classes; each rule reads the graph and what earlier rules wrote for it."""
        dp, ip = iris.doc_graph(""), doc_inferred_graph("")
        vocab, onto = f"{iris.base()}graph/vocab", iris.ontology_graph()
        ivocab, ionto = f"{inferred_prefix()}vocab", f"{inferred_prefix()}ontology"
        scope = ""
        if only is not None:
            graphs = [g for a in only for g in (a, _inferred_of(a))]
            scope = "VALUES ?g { " + " ".join(f"<{g}>" for g in graphs) + " } "
        target = (f'BIND(IF(STRSTARTS(STR(?g), "{dp}"), IRI(CONCAT("{ip}", SUBSTR(STR(?g), {len(dp) + 1}))), '
                  f'IF(STRSTARTS(STR(?g), "{ip}"), ?g, IF(?g IN (<{vocab}>, <{ivocab}>), <{ivocab}>, '
                  f'IF(?g IN (<{onto}>, <{ionto}>), <{ionto}>, ?unbound)))) AS ?t) FILTER(BOUND(?t)) '
                  f'BIND(IF(STRSTARTS(STR(?t), "{ip}"), IRI(CONCAT("{dp}", SUBSTR(STR(?t), {len(ip) + 1}))), '
                  f'IF(?t = <{ivocab}>, <{vocab}>, <{onto}>)) AS ?u) ')

        def rule(name: str, pairs: list[tuple[str, str]], premise: str, head: str, literal_ok: bool = True) -> tuple[str, str]:
            values = " ".join(f"(<{a}> <{b}>)" for a, b in sorted(pairs))
            guard = "" if literal_ok else "FILTER(!isLiteral(?o)) "
            return name, (f"INSERT {{ GRAPH ?t {{ {head} }} }} WHERE {{ {scope}VALUES (?p ?x) {{ {values} }} "
                          f"GRAPH ?g {{ {premise} }} {guard}{target}"
                          f"FILTER NOT EXISTS {{ GRAPH ?u {{ {head} }} }} FILTER NOT EXISTS {{ GRAPH ?t {{ {head} }} }} }}")

        closure = self.property_closure()
        out = []
        same = [(p, q) for p, qs in closure.items() for q, flipped in qs if not flipped]
        flipped = [(p, q) for p, qs in closure.items() for q, f in qs if f]
        if same:
            out.append(rule("sub-property", same, "?s ?p ?o", "?s ?x ?o"))
        if flipped:
            out.append(rule("inverse", flipped, "?s ?p ?o", "?o ?x ?s", literal_ok=False))
        dom = [(p, c) for p, cs in self.domains.items() for c in cs]
        if dom:
            out.append(rule("domain", dom, "?s ?p ?o", f"?s <{RDF_TYPE}> ?x"))
        rng = [(p, c) for p, cs in self.ranges.items() for c in cs]
        if rng:
            out.append(rule("range", rng, "?s ?p ?o", f"?o <{RDF_TYPE}> ?x", literal_ok=False))
        sco = [(c, d) for c, ds in self.super_classes.items() for d in ds]
        if sco:
            out.append(rule("sub-class", sco, f"?s <{RDF_TYPE}> ?p", f"?s <{RDF_TYPE}> ?x"))
        return out

    @property
    def predicates(self) -> frozenset[str]:
        """The predicates rules may produce (rdf:type aside)."""
        heads = {q for qs in self.super_properties.values() for q in qs}
        heads |= {q for _, q in self.inverses} | set(self.transitive) | {h for h, _, _ in self.chains}
        return frozenset(heads)

    def queries(self, delta: str | None = None, multi_only: bool = False) -> list[tuple[str, str]]:
        """(name, CONSTRUCT) for every rule, each yielding only triples not yet in its dataset, in
        an order that lets one pass feed the next rule (sub-properties before transitive
        closure before inverses and chains, types last). With ``delta``, a rule fires only on a
        premise in that graph (semi-naive evaluation); ``multi_only`` keeps the rules whose
        premises are two triples (transitive closure, chains): the only ones that can join
        triples of different graphs."""
        out: list[tuple[str, str]] = []

        def values(pairs: list[tuple[str, str]]) -> str:
            return " ".join(f"(<{a}> <{b}>)" for a, b in sorted(pairs))

        def new(pattern: str) -> str:  # the premise that must be new
            return f"GRAPH <{delta}> {{ {pattern} }} ." if delta else f"{pattern} ."

        spo = [(p, q) for p, qs in self.super_properties.items() for q in qs]
        single = not multi_only
        if spo and single:
            out.append(("sub-property", f"CONSTRUCT {{ ?s ?q ?o }} WHERE {{ VALUES (?p ?q) {{ {values(spo)} }} {new('?s ?p ?o')} "
                                        "FILTER NOT EXISTS { ?s ?q ?o } }"))
        for t in self.transitive:
            right = f"{new(f'?a <{t}> ?b')} ?b <{t}>+ ?c"
            out.append((f"transitive {t}", f"CONSTRUCT {{ ?a <{t}> ?c }} WHERE {{ {right} FILTER NOT EXISTS {{ ?a <{t}> ?c }} }}"))
            if delta:
                left = f"?a <{t}>+ ?b . {new(f'?b <{t}> ?c')}"  # noqa: E501
                out.append((f"transitive {t}", f"CONSTRUCT {{ ?a <{t}> ?c }} WHERE {{ {left} FILTER NOT EXISTS {{ ?a <{t}> ?c }} }}"))
        if spo and single:
            out.append(("sub-property", out[0][1]))
        if self.inverses and single:
            out.append(("inverse", f"CONSTRUCT {{ ?o ?q ?s }} WHERE {{ VALUES (?p ?q) {{ {values(list(self.inverses))} }} {new('?s ?p ?o')} "
                                   "FILTER(!isLiteral(?o)) FILTER NOT EXISTS { ?o ?q ?s } }"))
        for head, first, second in self.chains:
            bodies = [f"{new(f'?x <{first}> ?y')} ?y <{second}> ?z"]
            if delta:
                bodies.append(f"?x <{first}> ?y . {new(f'?y <{second}> ?z')}")
            for body in bodies:
                out.append((f"chain {head}", f"CONSTRUCT {{ ?x <{head}> ?z }} WHERE {{ {body} FILTER NOT EXISTS {{ ?x <{head}> ?z }} }}"))
        if not single:
            return out
        if spo:
            out.append(("sub-property", out[0][1]))
        dom = [(p, c) for p, cs in self.domains.items() for c in cs]
        if dom:
            out.append(("domain", f"CONSTRUCT {{ ?s a ?c }} WHERE {{ VALUES (?p ?c) {{ {values(dom)} }} {new('?s ?p ?o')} "
                                  "FILTER NOT EXISTS { ?s a ?c } }"))
        rng = [(p, c) for p, cs in self.ranges.items() for c in cs]
        if rng:
            out.append(("range", f"CONSTRUCT {{ ?o a ?c }} WHERE {{ VALUES (?p ?c) {{ {values(rng)} }} {new('?s ?p ?o')} "
                                 "FILTER(!isLiteral(?o)) FILTER NOT EXISTS { ?o a ?c } }"))
        sco = [(c, d) for c, ds in self.super_classes.items() for d in ds]
        if sco:
            out.append(("sub-class", f"CONSTRUCT {{ ?x a ?d }} WHERE {{ VALUES (?c ?d) {{ {values(sco)} }} {new('?x a ?c')} "
                                     "FILTER NOT EXISTS { ?x a ?d } }"))
        return out


@dataclass
class Run:
    """What one materialisation did: rounds, triples added, seconds."""

    rounds: int = 0
    added: int = 0
    seconds: float = 0.0
    per_rule: dict[str, int] = field(default_factory=dict)


def saturate(store: ox.Store, rules: RuleSet, target: ox.NamedNode | ox.DefaultGraph, union: bool,
             multi_only_seed: bool = False) -> tuple[Run, list[ox.Triple]]:
    """Apply the rules to the store's default graph (the union of its graphs with ``union``)
    until nothing new appears; put the new triples into ``target`` and return them.

    Semi-naive: the first pass runs every rule on everything (only the two-premise rules with
    ``multi_only_seed``); later passes fire a rule only on a premise new in the pass before."""
    started = time.perf_counter()
    run = Run()
    options = {"use_default_graph_as_union": True} if union else {}
    deltas = ["urn:policykg:delta:a", "urn:policykg:delta:b"]
    delta: str | None = None
    added: list[ox.Triple] = []
    while True:
        run.rounds += 1
        fresh = ox.NamedNode(deltas[run.rounds % 2])
        store.update(f"DROP SILENT GRAPH <{fresh.value}>")
        new = 0
        for name, q in rules.queries(delta, multi_only=multi_only_seed and delta is None):
            triples = set(store.query(q, **options))  # type: ignore[arg-type]
            if triples:
                store.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples for g in (target, fresh))
                added.extend(triples)
                new += len(triples)
                run.per_rule[name] = run.per_rule.get(name, 0) + len(triples)
        run.added += new
        if delta is not None:
            store.update(f"DROP SILENT GRAPH <{delta}>")
        delta = fresh.value
        if new == 0:
            break
    store.update(f"DROP SILENT GRAPH <{delta}>")
    run.seconds = time.perf_counter() - started
    return run, added


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


def local_units(store: ox.Store) -> dict[str, str]:
    """Each graph whose entailments are kept on their own: asserted graph → its inferred graph."""
    units = {iris.doc_graph(k): doc_inferred_graph(k) for k in document_keys(store)}
    units[iris.ontology_graph()] = f"{inferred_prefix()}ontology"
    units[f"{iris.base()}graph/vocab"] = f"{inferred_prefix()}vocab"
    return units


def refresh(store: ox.Store, keys: list[str] | None = None, rules: RuleSet | None = None, count: bool = True) -> dict[str, Run]:
    """Recompute the entailments of the documents ``keys`` (every graph when None) from their own
    triples, then the closure across graphs (seeded by the two-premise rules, which alone can
    join triples of different graphs, and propagated semi-naively). Returns what each step did."""
    rules = rules or _rules()
    runs: dict[str, Run] = {}
    units = local_units(store)
    present = set(_graphs(store))
    if keys is None:
        stale = [g for g in present if g.startswith(inferred_prefix())]
        if stale:
            store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in stale))
        todo = list(units)
    else:
        todo = [iris.doc_graph(k) for k in keys if iris.doc_graph(k) in units]
        todo += [g for g, t in units.items() if not g.startswith(iris.doc_graph("")) and t not in present]
    todo = [t for t in todo if t in present or keys is None]
    if todo:
        started = time.perf_counter()
        if keys is not None:
            store.update(" ;\n".join(f"DROP SILENT GRAPH <{units[source]}>" for source in todo))
        for _, update in rules.local_updates(None if keys is None else todo):
            store.update(update)
        seconds = time.perf_counter() - started
        runs["local"] = Run(rounds=1, added=_count(store, [units[s] for s in todo]) if count else -1, seconds=seconds)
    _drop(store, closure_graph())
    runs["closure"], _ = saturate(store, rules, ox.NamedNode(closure_graph()), union=True, multi_only_seed=True)
    return runs


def _inferred_of(asserted: str) -> str:
    if asserted.startswith(iris.doc_graph("")):
        return doc_inferred_graph(asserted[len(iris.doc_graph("")):])
    return f"{inferred_prefix()}{'vocab' if asserted.endswith('/graph/vocab') else 'ontology'}"


def _count(store: ox.Store, graphs: list[str]) -> int:
    if not graphs:
        return 0
    values = " ".join(f"<{g}>" for g in graphs)
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)  # type: ignore[index]


def forget(store: ox.Store, key: str) -> None:
    """Drop a removed document's entailments (the closure is recomputed by the next refresh)."""
    _drop(store, doc_inferred_graph(key))
