"""Materialised entailments: equal to owlrl's OWL 2 RL closure restricted to the rules'
predicates and classes, on the seeds and on the layout fixtures; recomputed incrementally when a
document is replaced; left out of queries on request."""

from __future__ import annotations

import owlrl
import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph

from policykg import iris
from policykg.graph import reasoning
from policykg.graph.store import Store
from policykg.ingest import extract
from policykg.ontology import ontology_graph
from tests.conftest import LAYOUTS, PLAN, SEEDS


def _store(folder):
    s = Store(None)
    s.ensure_vocabularies()
    for f in sorted(folder.iterdir()):
        if f.suffix != ".src":
            s.put_document(extract(f))
    return s


def _graph(store, names):
    g = Graph()
    for name in names:
        g.parse(data=store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name)), format="nt")
    return g


def _inferred(store):
    return _graph(store, [g for g in reasoning._graphs(store.ox) if g.startswith(reasoning.inferred_prefix())])


@pytest.mark.parametrize("folder", [SEEDS, LAYOUTS], ids=["seeds", "layout-fixtures"])
def test_materialisation_equals_the_owlrl_closure_restricted_to_the_rules(folder):
    store = _store(folder)
    store.refresh_inferences()
    rules = reasoning.RuleSet.from_ontology(ontology_graph())
    data = _graph(store, [g for g in reasoning.asserted_graphs(store.ox) if g != iris.ontology_graph()])
    onto = ontology_graph()
    closure = Graph()
    closure += onto
    closure += data
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)

    def kept(t):
        return str(t[1]) in rules.predicates or (t[1] == RDF.type and str(t[2]) in rules.classes)

    asserted = set(onto) | set(data)
    expected = {t for t in closure if kept(t)} - asserted
    ours = set(_inferred(store)) - asserted  # a document's own pass may restate a type the vocabulary asserts
    assert ours == expected, (sorted(expected - ours)[:5], sorted(ours - expected)[:5])
    assert len(ours) > 3000  # sub-properties, types, chains, transitive closures: not a trivial set


def test_replacing_a_document_recomputes_only_what_changed_and_agrees_with_a_rebuild():
    store = _store(LAYOUTS)
    store.refresh_inferences()
    ex = extract(LAYOUTS / "qinzhou_labelled_fields.txt")
    ex.measures = ex.measures[:3]
    store.put_document(ex)
    store.refresh_inferences([ex.key])
    incremental = set(_inferred(store))
    store.refresh_inferences()
    assert set(_inferred(store)) == incremental


def test_transitive_lineage_is_inferred_and_can_be_left_out():
    store = _store(LAYOUTS)
    store.refresh_inferences()
    key_points = extract(LAYOUTS / "qinnan_labelled_lines.txt").iri
    ask = f"ASK {{ <{key_points}> lg:derivesFrom <{iris.document('central-outline-2015-2020')}> }}"
    # 钦南区 key points → 钦州市 plan → 广西 plan → the central outline: only the inferred graph says so
    assert store.query(ask).__bool__()
    assert not store.query(ask, inferred=False).__bool__()
    rows = store.select(f"SELECT ?d WHERE {{ <{iris.document('central-outline-2015-2020')}> lg:hasDescendant ?d }}")
    assert key_points in {r["d"] for r in rows}


def test_lead_rolls_up_to_assigned_and_agencies_get_their_measures(store):
    store.refresh_inferences()
    law_office = iris.agency("450702", "人民政府法制办公室")
    measures = {r["m"] for r in store.select(f"SELECT DISTINCT ?m WHERE {{ <{law_office}> lg:assignedMeasure ?m }}")}
    lead = {r["m"] for r in store.select(f"SELECT DISTINCT ?m WHERE {{ ?m lg:leadAgency <{law_office}> }}")}
    assert lead and lead <= measures
    assert not store.select(f"SELECT ?m WHERE {{ <{law_office}> lg:assignedMeasure ?m }}", inferred=False)
    assert PLAN.exists()
