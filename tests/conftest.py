"""Shared fixtures: the seed corpus ingested once into an in-memory store, an in-process HTTP
client, a real uvicorn server on loopback for client-library tests, and owlrl's closures of the
small samples that together exercise every axiom of the ontology (computed once per session)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, BNode, Graph, URIRef
from rdflib.collection import Collection

from policykg.graph.store import Store
from policykg.ingest import extract

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus" / "seeds"
LAYOUTS = ROOT / "tests" / "fixtures" / "layouts"
GOLD = Path(__file__).resolve().parent / "gold"
PLAN = SEEDS / "004_8a0f2a3241cfe731.txt"
PLAN_TITLE = "钦州市钦南区法治政府建设实施方案(2016-2020年)"
# district → city → province → central outline, each document citing only its parent
CHAIN = {
    "district.txt": "钦州市钦南区法治政府建设工作要点\n根据《钦州市法治政府建设实施方案(2016—2020年)》,制定本要点。\n",
    "city.txt": "钦州市法治政府建设实施方案(2016—2020年)\n根据《广西壮族自治区法治政府建设实施方案(2016—2020年)》,制定本方案。\n",
    "province.txt": "广西壮族自治区法治政府建设实施方案(2016—2020年)\n为贯彻落实《法治政府建设实施纲要(2015—2020年)》,制定本方案。\n",
}


def small_store(extractions, around=None) -> Store:
    """An in-memory store with these documents and, of the ~6,700 divisions, only those around
    the jurisdictions of the documents ``around`` (default: these; so owlrl, at ~1,000 triples a
    second, can close it)."""
    from policykg.ingest.divisions import load, neighbourhood

    divisions = load()
    near = extractions if around is None else around
    codes = {ex.jurisdiction_code for ex in near} | {p.jurisdiction for ex in near for p in ex.issuer_parties}
    codes |= {a.party.jurisdiction for ex in near for m in ex.measures for a in m.assignments if a.party}
    s = Store(None)
    s.ensure_vocabularies(neighbourhood(divisions, {c for c in codes if c}))
    for ex in extractions:
        s.put_document(ex, derive=False)
    return s


# --- owlrl on small samples -----------------------------------------------------------------
# owlrl closes ~1,000 triples a second: it runs on these samples (each with only the divisions
# around its documents), not on the whole store. Together they make every OWL 2 RL axiom of the
# ontology fire, which tests/test_ontology.py asserts (owl_axioms, axioms_fired), so shrinking a
# sample cannot silently lose coverage.

OWLRL_CORPORA = ("seeds", "layout-fixtures", "three-level-chain")


@dataclass
class OwlSample:
    store: Store  # the documents, their alignments and materialised entailments
    data: Graph  # its asserted triples, ontology aside (export.union_graph)
    problems: list[str]  # ontology.owl_inconsistencies(data)
    closure: Graph  # owlrl's closure of ontology + data, as owl_inconsistencies computed it


def _owl_sample(folder: Path) -> OwlSample:
    import owlrl

    from policykg import ontology
    from policykg.graph.export import union_graph

    s = small_store([extract(f) for f in sorted(folder.iterdir()) if f.suffix != ".src"])
    s.recover()  # as ingest does: alignments and entailments
    s.refresh_inferences()  # and every entailment recomputed from scratch (what test_reasoning compares)
    data = union_graph(s)
    closures: list[Graph] = []

    class Recording(owlrl.DeductiveClosure):  # keeps the closure owl_inconsistencies computes
        def expand(self, graph, destination=None):  # type: ignore[no-untyped-def]
            super().expand(graph, destination)
            closures.append(graph if destination is None else destination)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(owlrl, "DeductiveClosure", Recording)
        problems = ontology.owl_inconsistencies(data)
    (closure,) = closures
    return OwlSample(s, data, problems, closure)


@pytest.fixture(scope="session")
def owlrl_sample(tmp_path_factory):
    """corpus (one of OWLRL_CORPORA) → its OwlSample, built on first use and kept for the
    session: the owlrl consistency check and the materialisation comparison share each closure."""
    built: dict[str, OwlSample] = {}

    def get(corpus: str) -> OwlSample:
        if corpus not in built:
            if corpus == "three-level-chain":
                folder = tmp_path_factory.mktemp("chain")
                for name, text in CHAIN.items():
                    (folder / name).write_text(text, encoding="utf-8")
            else:
                folder = {"seeds": SEEDS, "layout-fixtures": LAYOUTS}[corpus]
            built[corpus] = _owl_sample(folder)
        return built[corpus]

    return get


def _class_name(onto: Graph, c: object) -> str:
    """A class IRI, or ``unionOf(A B …)`` for an anonymous union."""
    if isinstance(c, BNode):
        for members in onto.objects(c, OWL.unionOf):
            return "unionOf(" + " ".join(sorted(str(m) for m in Collection(onto, members))) + ")"
    return str(c)


def owl_axioms(onto: Graph) -> set[tuple[str, ...]]:
    """The axioms of the ontology that OWL 2 RL rules act on, one tuple each: ("sub-property", p,
    q), ("inverse", p, q), ("transitive", p), ("chain", head, first, second), ("domain", p, C),
    ("range", p, C), ("sub-class", C, D), ("union", U, C) for each member C of a union U, and
    ("disjoint", A, B). Fails on a construct it does not know, so that one cannot go unchecked."""
    unknown = {OWL.equivalentClass, OWL.equivalentProperty, OWL.propertyDisjointWith, OWL.hasKey, OWL.someValuesFrom,
               OWL.allValuesFrom, OWL.hasValue, OWL.maxCardinality, OWL.maxQualifiedCardinality, OWL.intersectionOf,
               OWL.complementOf, OWL.oneOf, OWL.members, OWL.sameAs, OWL.differentFrom, OWL.disjointUnionOf}
    unknown_types = {OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.SymmetricProperty, OWL.AsymmetricProperty,
                     OWL.IrreflexiveProperty, OWL.AllDisjointClasses, OWL.AllDisjointProperties, OWL.AllDifferent}
    used = {p for p in onto.predicates() if p in unknown} | {t for t in onto.objects(None, RDF.type) if t in unknown_types}
    assert not used, f"owl_axioms does not cover {sorted(used)}: teach it (and axioms_fired) these"
    out: set[tuple[str, ...]] = set()
    out |= {("sub-property", str(p), str(q)) for p, q in onto.subject_objects(RDFS.subPropertyOf)}
    out |= {("inverse", str(p), str(q)) for p, q in onto.subject_objects(OWL.inverseOf)}
    out |= {("transitive", str(p)) for p in onto.subjects(RDF.type, OWL.TransitiveProperty)}
    out |= {("chain", str(h), *(str(x) for x in Collection(onto, c))) for h, c in onto.subject_objects(OWL.propertyChainAxiom)}
    assert all(len(a) == 4 for a in out if a[0] == "chain"), "only chains of two properties are checked"
    out |= {("domain", str(p), _class_name(onto, c)) for p, c in onto.subject_objects(RDFS.domain)}
    out |= {("range", str(p), _class_name(onto, c)) for p, c in onto.subject_objects(RDFS.range)}
    out |= {("sub-class", _class_name(onto, c), _class_name(onto, d)) for c, d in onto.subject_objects(RDFS.subClassOf)}
    out |= {("union", _class_name(onto, u), str(m)) for u, ms in onto.subject_objects(OWL.unionOf) for m in Collection(onto, ms)}
    out |= {("disjoint", str(a), str(b)) for a, b in onto.subject_objects(OWL.disjointWith)}
    return out


def axioms_fired(axioms: set[tuple[str, ...]], closed: Graph | object) -> set[tuple[str, ...]]:
    """The axioms whose rule fires in a closed graph (an rdflib Graph, or a pyoxigraph Store with
    its entailments materialised): the premises are there. Sub-property, domain, range: a triple
    of the property; inverse: a triple of either property; transitive: two triples x p y, y p z;
    chain: x first y, y second z; sub-class, union member: a member of the class; disjoint: members
    of both classes (so the disjointness check has something to examine)."""
    import pyoxigraph as ox

    if isinstance(closed, Graph):
        def pairs(p: str) -> list[tuple[str, str]]:
            return [(str(s), str(o)) for s, o in closed.subject_objects(URIRef(p))]

        def members(c: str) -> bool:
            return next(closed.subjects(RDF.type, URIRef(c)), None) is not None
    else:
        def pairs(p: str) -> list[tuple[str, str]]:
            return [(str(q.subject.value), str(q.object.value)) for q in closed.quads_for_pattern(None, ox.NamedNode(p), None, None)]

        def members(c: str) -> bool:
            return next(iter(closed.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), ox.NamedNode(c), None)), None) is not None

    def typed(c: str) -> bool:  # an anonymous union has the members of its classes (cls-uni)
        return any(typed(m) for m in c[len("unionOf("):-1].split()) if c.startswith("unionOf(") else members(c)

    def joined(first: str, second: str) -> bool:
        starts = {s for s, _ in pairs(second)}
        return any(o in starts for _, o in pairs(first))

    def fires(axiom: tuple[str, ...]) -> bool:
        kind, *args = axiom
        if kind in ("sub-property", "domain", "range"):
            return bool(pairs(args[0]))
        if kind == "inverse":
            return bool(pairs(args[0]) or pairs(args[1]))
        if kind == "transitive":
            return joined(args[0], args[0])
        if kind == "chain":
            return joined(args[1], args[2])
        if kind in ("sub-class", "union"):
            return typed(args[-1] if kind == "union" else args[0])
        if kind == "disjoint":
            return typed(args[0]) and typed(args[1])
        raise ValueError(kind)

    return {a for a in axioms if fires(a)}


@pytest.fixture(scope="session")
def vocabulary_store(tmp_path_factory) -> Path:
    """An on-disk store holding the current vocabulary (every division) and nothing else, built
    once: command-line tests start from a copy of it (``new_store``) instead of building the
    vocabulary again (tests/test_crash.py and tests/test_wheel.py build theirs from nothing)."""
    path = tmp_path_factory.mktemp("vocabulary") / "store"
    s = Store(path)
    s.ensure_vocabularies()
    del s
    return path


@pytest.fixture
def new_store(vocabulary_store, tmp_path) -> Path:
    """A store of this test's own, with the vocabulary and no documents."""
    import shutil

    return Path(shutil.copytree(vocabulary_store, tmp_path / "store"))


@pytest.fixture(scope="session")
def extractions():
    return {p.name[:3]: extract(p) for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="session")
def store(extractions) -> Store:
    s = Store(None)
    s.ensure_vocabularies()
    for ex in extractions.values():
        s.put_document(ex, derive=False)
    s.recover()  # as ingest does: the batch's alignments and entailments
    return s


@pytest.fixture(autouse=True)
def _session_client_keeps_no_cookie(request):
    """A page opened with ?lang=en sets the lang cookie, and pages follow it: the session's client
    forgets it after each test, so no test sees the language another one chose."""
    yield
    if "client" in request.fixturenames:
        request.getfixturevalue("client").cookies.clear()


@pytest.fixture(scope="session")
def client(store):
    from fastapi.testclient import TestClient

    from policykg.api.app import create_app

    return TestClient(create_app(store))


CHROMIUM = Path("/usr/bin/chromium")  # the Debian package (`make system` installs it); Playwright drives it


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for the browser tests of one module."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: install the Debian package chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield b
        b.close()


@pytest.fixture
def visit(browser, server, tmp_path):
    """A page of the seed server in its own browser context (tests/test_browser.py's ``Visit``;
    that module keeps its screenshots under tests/artifacts with a fixture of its own)."""
    from tests.test_browser import Visit

    v = Visit(browser, server, tmp_path)
    yield v
    v.context.close()


@pytest.fixture(scope="session")
def server(store):
    """A real uvicorn server in a thread on a free loopback port; yields its base URL."""
    from policykg.api.app import create_app
    from tests.w3c.harness import serve

    with serve(create_app(store)) as url:
        yield url


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """List the browser tests' screenshots at the end of the run, so they come with its output."""
    folder = ROOT / "tests" / "artifacts"
    started = getattr(config, "_policykg_started", None)
    shots = sorted(p for p in folder.glob("*.png") if started is None or p.stat().st_mtime >= started) if folder.exists() else []
    if shots:
        terminalreporter.write_sep("-", f"browser screenshots ({len(shots)}) in {folder}")
        for p in shots:
            terminalreporter.write_line(f"{p.name}  {p.stat().st_size:,} bytes")


def pytest_configure(config):
    config._policykg_started = time.time()
