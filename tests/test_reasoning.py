"""Materialised entailments: equal to owlrl's OWL 2 RL closure restricted to the rules'
predicates and classes, on the seeds and on the layout fixtures; recomputed incrementally when a
document is replaced; left out of queries on request."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph

from policykg import iris
from policykg.graph import reasoning
from policykg.graph.store import Store
from policykg.ingest import extract
from policykg.ontology import ontology_graph
from tests.conftest import CHAIN, LAYOUTS, OWLRL_CORPORA, PLAN, ROOT, SEEDS, small_store


def _store(folder):
    return small_store([extract(f) for f in sorted(folder.iterdir()) if f.suffix != ".src"])


def _graph(store, names):
    g = Graph()
    for name in names:
        g.parse(data=store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name)), format="nt")
    return g


def _inferred(store):
    return _graph(store, [g for g in reasoning._graphs(store.ox) if g.startswith(reasoning.inferred_prefix())])


@pytest.mark.parametrize("corpus", OWLRL_CORPORA)
def test_materialisation_equals_the_owlrl_closure_restricted_to_the_rules(corpus, owlrl_sample):
    """The store (its documents, their alignments, every entailment refreshed) and owlrl's closure
    come from the session fixture (tests/conftest.py), which test_ontology's consistency check
    shares and where every axiom is shown to fire on these samples."""
    sample = owlrl_sample(corpus)
    store = sample.store
    rules = reasoning.RuleSet.from_ontology(ontology_graph())
    data = _graph(store, [g for g in reasoning.asserted_graphs(store.ox) if g != iris.ontology_graph()])
    assert set(data) == set(sample.data)  # the closure is owlrl's of ontology + exactly these triples
    onto = ontology_graph()
    closure = sample.closure

    def kept(t):
        return str(t[1]) in rules.predicates or (t[1] == RDF.type and str(t[2]) in rules.classes)

    asserted = set(onto) | set(data)
    expected = {t for t in closure if kept(t)} - asserted
    ours = set(_inferred(store)) - asserted  # a document's own pass may restate a type the vocabulary asserts
    assert ours == expected, (sorted(expected - ours)[:5], sorted(ours - expected)[:5])
    assert len(ours) > (3000 if corpus != "three-level-chain" else 20)  # not a trivial set


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


def test_a_documents_inferred_graph_follows_from_its_own_triples_and_restates_nothing():
    """The attribution contract: graph/inferred/doc/K is what graph/doc/K entails on its own
    (the same in a store holding nothing else), without what K asserts; the closure holds only
    what no other graph holds."""
    store = _store(LAYOUTS)
    store.refresh_inferences()
    quads = lambda s, g: set(s.quads_for_pattern(None, None, None, ox.NamedNode(g)))  # noqa: E731
    keys = reasoning.document_keys(store.ox)
    assert len(keys) > 3
    for key in keys:
        alone = ox.Store()
        alone.extend(quads(store.ox, iris.doc_graph(key)))
        reasoning.refresh(alone)
        mine = {(q.subject, q.predicate, q.object) for q in quads(store.ox, reasoning.doc_inferred_graph(key))}
        assert mine and mine == {(q.subject, q.predicate, q.object) for q in quads(alone, reasoning.doc_inferred_graph(key))}
        assert not mine & {(q.subject, q.predicate, q.object) for q in quads(store.ox, iris.doc_graph(key))}
    closure = quads(store.ox, reasoning.closure_graph())
    assert closure
    assert all(len(set(store.ox.quads_for_pattern(q.subject, q.predicate, q.object, None))) == 1 for q in closure)


def test_transitive_lineage_is_inferred_and_can_be_left_out():
    """district → city → province → central outline, each document citing only its parent."""
    from policykg.ingest import extract_text

    docs = {name: extract_text(text, name) for name, text in CHAIN.items()}
    store = small_store(list(docs.values()))  # the divisions around the documents
    store.recover()
    district, outline = docs["district.txt"].iri, iris.document("central-outline-2015-2020")
    ask = f"ASK {{ <{district}> lg:derivesFrom <{outline}> }}"
    assert bool(store.query(ask))
    assert not bool(store.query(ask, inferred=False))
    rows = store.select(f"SELECT ?d WHERE {{ <{outline}> lg:hasDescendant ?d }}")
    assert {r["d"] for r in rows} == {d.iri for d in docs.values()}


def test_lead_rolls_up_to_assigned_and_agencies_get_their_measures(store):
    store.refresh_inferences()
    law_office = iris.agency("450702", "人民政府法制办公室")
    measures = {r["m"] for r in store.select(f"SELECT DISTINCT ?m WHERE {{ <{law_office}> lg:assignedMeasure ?m }}")}
    lead = {r["m"] for r in store.select(f"SELECT DISTINCT ?m WHERE {{ ?m lg:leadAgency <{law_office}> }}")}
    assert lead and lead <= measures
    assert not store.select(f"SELECT ?m WHERE {{ <{law_office}> lg:assignedMeasure ?m }}", inferred=False)
    assert PLAN.exists()


def test_ingest_keeps_inferences_current_and_reason_rebuilds_them(new_store):
    from click.testing import CliRunner

    from policykg.cli import cli

    store_dir = new_store
    assert CliRunner().invoke(cli, ["ingest", str(LAYOUTS), "--store", str(store_dir)]).exit_code == 0
    law_office = iris.agency("450700", "人民政府法制办公室")
    ask = f"ASK {{ <{law_office}> lg:assignedMeasure ?m }}"  # an inverse, only in the inferred graphs
    assert bool(Store(store_dir, read_only=True).query(ask))
    result = CliRunner().invoke(cli, ["reason", "--store", str(store_dir), "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = __import__("json").loads(result.output)
    assert summary["documents"] == 7 and summary["added"] > 4000 and summary["steps"]["closure"]["rounds"] >= 2


def test_lineage_paths_with_relations_evidence_and_depth_and_safe_on_cycles():
    from policykg.graph.lineage import lineage
    from policykg.ingest import extract_text

    store = Store(None)
    store.ensure_vocabularies()
    docs = {name: extract_text(text, name) for name, text in CHAIN.items()}
    # a city plan that also cites the district document back makes a cycle
    docs["city.txt"] = extract_text(CHAIN["city.txt"] + "落实《钦州市钦南区法治政府建设工作要点》。\n", "city.txt")
    for ex in docs.values():
        store.put_document(ex)
    result = lineage(store, docs["district.txt"].iri)
    ancestors = {a["title"]: a for a in result["ancestors"]}
    assert [a["depth"] for a in result["ancestors"]] == [1, 2, 3]
    outline = ancestors["法治政府建设实施纲要(2015—2020年)"]
    assert [e["relation"] for e in outline["path"]] == ["based_on", "based_on", "implements"]
    assert outline["path"][0]["evidence"]["quote"] == "《钦州市法治政府建设实施方案(2016—2020年)》"
    assert outline["path"][2]["from"] == docs["province.txt"].iri
    assert all(0 < e["confidence"] <= 1 for e in outline["path"])
    below = lineage(store, iris.document("central-outline-2015-2020"))["descendants"]
    assert [(d["title"], d["depth"]) for d in below][0] == ("广西壮族自治区法治政府建设实施方案(2016—2020年)", 1)
    assert {d["depth"] for d in below} == {1, 2, 3}


def test_coverage_lists_the_divisions_below_with_their_implementing_documents_and_lag():
    from policykg import queries
    from policykg.graph.resolve import Resolver
    from policykg.ingest import extract_text

    store = Store(None)
    store.ensure_vocabularies()
    city = extract_text("钦州市法治政府建设实施方案(2016—2020年)\n根据《广西壮族自治区法治政府建设实施方案(2016—2020年)》,制定本方案。\n"
                        "钦州市人民政府\n2016年3月1日\n", "city.txt")
    district = extract_text("钦州市钦南区法治政府建设实施方案(2016—2020年)\n根据《钦州市法治政府建设实施方案(2016—2020年)》,制定本方案。\n"
                            "钦州市钦南区人民政府\n2016年6月30日\n", "district.txt")
    for ex in (city, district):
        store.put_document(ex)
    store.refresh_inferences()
    q = queries.get("coverage")
    rows = store.select(q.render(q.bind({"document": city.iri}, Resolver(store))))
    # GB/T 2260: the four county-level divisions of 钦州市; only 钦南区 has an implementing plan
    assert sorted((r["divisionName"], r["child"], r["childDate"], r["lag"]) for r in rows) == sorted([
        ("钦南区", district.iri, "2016-06-30", "P121D"), ("钦北区", None, None, None), ("灵山县", None, None, None),
        ("浦北县", None, None, None)])
    province = store.select(q.render(q.bind({"document": "广西壮族自治区法治政府建设实施方案(2016—2020年)"}, Resolver(store))))
    covered = {(r["divisionName"], r["child"], r["own"]) for r in province if r["child"]}
    assert covered == {("钦州市", city.iri, True), ("钦州市", district.iri, False)}  # 钦州市 covered, at depth 1 and 2
    # a report is no implementing plan: a district's report on the city plan leaves 钦北区 uncovered
    report = extract_text("钦州市钦北区2017年法治政府建设情况报告\n2017年,我区深入贯彻落实《钦州市法治政府建设实施方案(2016—2020年)》。\n"
                          "钦州市钦北区人民政府\n2018年1月10日\n", "report.txt")
    store.put_document(report)
    store.refresh_inferences()
    rows = store.select(q.render(q.bind({"document": city.iri}, Resolver(store))))
    assert {r["divisionName"] for r in rows if r["child"]} == {"钦南区"}
    assert len({r["divisionName"] for r in province}) == 14  # 广西's 14 prefecture-level cities


def _quads_by_graph(store):
    """Each graph's triples; a blank node (the ontology's axioms, labelled anew by each parse)
    written as ``_:b``, with the number of triples so written; the journal and the times of extraction left out."""
    from policykg.graph.store import ADDED, PENDING

    out = {}
    for q in store.ox.quads_for_pattern(None, None, None, None):
        if q.predicate.value in (ADDED, PENDING):  # the journal
            continue
        t = tuple("_:b" if isinstance(x, ox.BlankNode) else x for x in (q.subject, q.predicate, q.object))
        if q.predicate.value == "http://www.w3.org/ns/prov#endedAtTime":  # when the document was extracted
            t = (t[0], t[1], "a time")
        graph = out.setdefault(q.graph_name.value, {})
        graph[t] = graph.get(t, 0) + 1
    return out


def _differences(got, expected):
    return {g: (sorted(map(str, set(got.get(g, {})) - set(expected.get(g, {}))))[:3],
                sorted(map(str, set(expected.get(g, {})) - set(got.get(g, {}))))[:3])
            for g in set(got) | set(expected) if got.get(g) != expected.get(g)}


@pytest.mark.parametrize("written", ["whole", "split by a worker"])
@pytest.mark.parametrize("order", ["as listed", "reversed"])
def test_documents_added_one_by_one_extend_the_closure_to_what_a_full_derive_gives(order, written, monkeypatch):
    """Documents added to a store (each a new one: the store only grows) extend the closure from
    what they changed (``reasoning.grow``), never from the whole store; after every addition each
    graph holds exactly what deriving everything from scratch gives. The documents cite one
    another across levels (the three-level chain, the seeds' plan and reports, the layout
    fixtures' city and district plans), so parents arrive after children and children after
    parents, and shared descriptions (agencies, cited documents) move as their documents arrive;
    reports of the 钦南区 plan arrive before and after it (graph.implementation links them).
    Written whole, the store splits a document's graph itself; split by a worker (as a batch
    writes), its own triples and its contribution are written as they are kept."""
    from policykg.graph.rdf import document_ntriples
    from policykg.graph.shared import split
    from policykg.ingest import extract_text

    docs = [extract(f) for f in sorted(SEEDS.iterdir()) if f.suffix == ".txt"]
    docs += [extract(f) for f in sorted(LAYOUTS.iterdir()) if f.suffix != ".src"]
    docs += [extract_text(text, name) for name, text in CHAIN.items()]
    # reports of the 钦南区 plan's district (and of its neighbour): linked to its measures when both are in
    docs += [extract(f) for f in sorted((ROOT / "tests" / "fixtures" / "implementation").glob("*.txt"))]
    docs = list({ex.key: ex for ex in reversed(docs)}.values())[::-1]  # two layouts of one document: the first
    if order == "reversed":
        docs.reverse()
    grown = small_store([], around=docs)  # the vocabulary only; documents come one by one
    grown.derive()

    def whole_store(*args, **kwargs):
        raise AssertionError("the closure was made from scratch")

    assert len(docs) > 10
    for i, ex in enumerate(docs, 1):
        if written == "whole":
            grown.put_document(ex, derive=False)
        else:
            ntriples = document_ntriples(ex)
            grown.put_document(ex, derive=False, ntriples=ntriples, split=split(ex.key, ntriples))
            assert set(grown._splits) == {ex.key}
        assert grown._added() == {ex.key}
        with monkeypatch.context() as m:
            m.setattr(reasoning, "closure_pass", whole_store)
            m.setattr(reasoning, "foreign_types", whole_store)
            grown.recover()
        assert not grown.pending() and not grown._added() and not grown._splits
        expected = small_store(docs[:i], around=docs)
        expected.derive()
        assert not _differences(_quads_by_graph(grown), _quads_by_graph(expected)), f"after {i} documents ({ex.key})"
    assert grown.select("SELECT ?activity WHERE { ?activity lg:reportsOnMeasure ?measure } LIMIT 1")  # the reports were linked
