"""The union default graph has set semantics: each triple lives in exactly one named graph, the
descriptions documents share (cited documents, agencies, reforms) in graphs of their own, and
COUNT(*) over the union counts distinct rows; it stays so as documents are replaced and removed."""

from __future__ import annotations

from collections import defaultdict

from policykg import iris
from policykg.graph.shared import graph_of
from tests.conftest import LAYOUTS, PLAN, small_store


def _graphs_of_each_triple(store) -> dict[tuple, set[str]]:
    where: dict[tuple, set[str]] = defaultdict(set)
    for q in store.ox:
        where[(q.subject, q.predicate, q.object)].add(q.graph_name.value)
    return where


def assert_set_semantics(store) -> None:
    where = _graphs_of_each_triple(store)
    twice = {t: g for t, g in where.items() if len(g) > 1}
    assert not twice, f"{len(twice)} triples in two graphs, e.g. {next(iter(twice.items()))}"
    rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]
    distinct = store.select("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")[0]["n"]
    assert rows == distinct == len(where)


def test_the_seed_store_holds_each_triple_once(store):
    assert_set_semantics(store)


def test_a_cited_outline_is_described_once_and_counted_once(store):
    """Four seeds cite the 2015 纲要: its title is stated once, in the graph of cited documents."""
    outline = iris.document("central-outline-2015-2020")
    graphs = {r["g"] for r in store.select(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{outline}> <http://purl.org/dc/terms/title> ?t }} }}")}
    assert graphs == {graph_of(outline)} == {f"{iris.base()}graph/cited"}
    citing = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?d lg:citation ?c . ?c lg:citedDocument <{outline}> }}")[0]["n"]
    described = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ <{outline}> a ?class . ?class rdfs:subClassOf* lg:Document }}")[0]["n"]
    assert citing >= 3
    assert described == len({r["class"] for r in store.select(f"SELECT DISTINCT ?class WHERE {{ <{outline}> a ?class . ?class rdfs:subClassOf* lg:Document }}")})


def test_replacing_and_removing_documents_keeps_set_semantics_and_shared_descriptions_exact():
    from policykg.ingest import extract

    city, plan = extract(LAYOUTS / "qinzhou_labelled_fields.txt"), extract(PLAN)
    store = small_store([city, plan])
    store.recover()
    assert_set_semantics(store)
    agencies = f"{iris.base()}graph/agencies"
    named = {str(r["a"]) for r in store.select(f"SELECT DISTINCT ?a WHERE {{ GRAPH <{agencies}> {{ ?a a ?c }} }}")}
    # the 钦南区 plan alone names 区法制办: once it is removed, that agency's description goes too
    fazhiban = iris.agency("450702", "法制办公室")
    assert any(a.startswith(iris.agency("450702", "")) for a in named)
    store.remove_document(plan.key)
    assert_set_semantics(store)
    left = {str(r["a"]) for r in store.select(f"SELECT DISTINCT ?a WHERE {{ GRAPH <{agencies}> {{ ?a a ?c }} }}")}
    assert not any(a.startswith(iris.agency("450702", "")) for a in left), fazhiban
    assert left and left < named
    store.put_document(plan)  # and back, as a rebuild from scratch has it
    assert_set_semantics(store)
    incremental = {t: frozenset(g) for t, g in _graphs_of_each_triple(store).items()}
    store.derive(None)
    assert {t: frozenset(g) for t, g in _graphs_of_each_triple(store).items()} == incremental
