"""The ontology loads, every term is bilingual and defined, owlrl's OWL 2 RL closure of ontology +
sample graphs is consistent (samples on which every axiom fires), and pySHACL finds the sample graph
conforming (and catches errors)."""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, SKOS

from policykg import iris, ontology
from policykg.graph.export import union_graph
from policykg.namespaces import LG
from tests.conftest import OWLRL_CORPORA, axioms_fired, owl_axioms


def test_ontology_loads_and_every_term_has_zh_and_en_labels_and_a_definition():
    g = ontology.ontology_graph()
    terms = {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(iris.ONTOLOGY)}
    assert len(terms) > 100
    for t in terms:
        labels = list(g.objects(t, RDFS.label)) + list(g.objects(t, SKOS.prefLabel))
        langs = {getattr(label, "language", None) for label in labels}
        assert {"zh", "en"} <= langs, t
        assert any(getattr(d, "language", None) == "en" for d in g.objects(t, SKOS.definition)), t


def test_lg_namespace_is_closed_over_the_ontology():
    assert str(LG.Measure) == iris.ONTOLOGY + "Measure"
    with pytest.raises(AttributeError):
        LG.NoSuchTerm  # noqa: B018


def test_alignment_is_one_way_without_imports_or_external_equivalences():
    g = ontology.ontology_graph()
    owl = "http://www.w3.org/2002/07/owl#"
    assert not list(g.triples((None, URIRef(owl + "imports"), None)))
    for p in ("equivalentClass", "equivalentProperty"):
        for s, _, o in g.triples((None, URIRef(owl + p), None)):
            assert str(o).startswith(iris.ONTOLOGY), (s, o)


@pytest.fixture(scope="module")
def sample(store) -> Graph:
    return union_graph(store)


# The axioms no data policykg writes can make fire in the samples: lg:reportsOn and the links of
# a report's activities to the measures of its jurisdiction's plans need a report and a plan of the
# same place, which no sample has (tests/test_implementation.py shows they fire there); the links of
# a measure to those of a sibling plan need two plans of sibling divisions with a common parent
# plan, which no sample has (tests/test_similarity.py shows they fire there); a department is
# a sub-organisation of its government only, which is part of nothing (no two-step path for the
# transitive rule); a successor agency is not itself succeeded (Parties.reform: reforms=False).
NOT_EXERCISED = {
    ("domain", str(LG.reportsOn), str(LG.Report)),
    ("sub-property", str(LG.reportsOn), str(DCTERMS.references)),
    ("domain", str(LG.reportsOnMeasure), str(LG.ReportedActivity)),
    ("range", str(LG.reportsOnMeasure), str(LG.Measure)),
    ("domain", str(LG.implementationMatch), str(LG.ReportedActivity)),
    ("range", str(LG.implementationMatch), str(LG.ImplementationMatch)),
    ("domain", str(LG.similarMeasure), str(LG.Measure)),
    ("range", str(LG.similarMeasure), str(LG.Measure)),
    ("domain", str(LG.similarity), str(LG.Measure)),
    ("range", str(LG.similarity), str(LG.MeasureSimilarity)),
    ("transitive", str(ORG.transitiveSubOrganizationOf)),
    ("transitive", str(LG.succeededBy)),
    # editions (a mirror, an excerpt kept beside a stored document) arise only when a second text
    # of a document is ingested, which no sample corpus does: tests/test_identity.py covers them
    ("domain", str(LG.editionOf), str(LG.Document)),
    ("range", str(LG.editionOf), str(LG.Document)),
    ("sub-property", str(LG.editionOf), str(DCTERMS.isVersionOf)),
    ("domain", str(LG.editionKind), str(LG.Document)),
    ("range", str(LG.editionKind), str(XSD.string)),
}


def test_owlrl_closure_of_ontology_and_sample_graph_is_consistent(owlrl_sample, store):
    """owlrl (~1,000 triples a second) closes small samples rather than the whole store: the seeds,
    the layout fixtures and a three-level citation chain, each with its alignments and only the
    divisions around its documents (the closures are shared with tests/test_reasoning.py). Every
    axiom of the ontology must fire on them, and everything the whole seed store (all divisions)
    exercises too: a smaller sample cannot silently lose coverage."""
    samples = {corpus: owlrl_sample(corpus) for corpus in OWLRL_CORPORA}
    for corpus, s in samples.items():
        assert s.problems == [], corpus  # ontology.owl_inconsistencies(s.data)
    axioms = owl_axioms(ontology.ontology_graph())
    assert len(axioms) > 250
    fired = set().union(*(axioms_fired(axioms, s.closure) for s in samples.values()))
    assert axioms - fired == NOT_EXERCISED, sorted((axioms - fired) ^ NOT_EXERCISED)
    assert axioms_fired(axioms, store.ox) - fired == set()


def test_owlrl_detects_an_inconsistency_planted_in_the_sample():
    bad = Graph()
    x = URIRef("https://example.org/x")
    bad.add((x, RDF.type, LG.Agency))
    bad.add((x, RDF.type, LG.Collective))  # Agency and Collective are disjoint
    assert ontology.owl_inconsistencies(bad)


def test_shacl_conforms_on_the_sample_graph(sample):
    report = ontology.validate(sample)
    assert report.conforms, report.text[:2000]


def test_shacl_reports_a_measure_without_its_document(sample):
    g = Graph()
    m = URIRef("https://example.org/measure/1")
    g.add((m, RDF.type, LG.Measure))
    g.add((m, LG.number, Literal("1")))
    report = ontology.validate(g)
    assert not report.conforms and report.violations >= 2


def test_shacl_reports_an_observation_without_value_or_evidence():
    g = Graph()
    o = URIRef("https://example.org/observation/1")
    g.add((o, RDF.type, LG.Observation))
    g.add((o, LG.indicator, URIRef("https://w3id.org/policykg/id/indicator/enforcement-staff")))
    g.add((o, LG.unit, Literal("名")))
    g.add((o, LG.value, Literal("869")))  # a plain string, not an xsd:decimal
    report = ontology.validate(g)
    assert not report.conforms
    assert "lg:value" in report.text and "lg:evidence" in report.text


def test_every_activity_and_measure_with_a_task_area_has_its_evidence(sample):
    rows = sample.query("""
        SELECT ?item WHERE {
            ?item lg:taskArea ?area FILTER NOT EXISTS { ?item a lg:Classification }
            FILTER NOT EXISTS { ?item lg:classification/lg:evidence ?e } }""",
        initNs={"lg": LG})
    assert list(rows) == []
    assert len(list(sample.query("SELECT ?c WHERE { ?c a lg:Classification }", initNs={"lg": LG}))) > 100
