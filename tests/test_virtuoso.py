"""Every canned query answers the same on a real SPARQL server as on the embedded store: the seed
store is dumped as N-Quads, bulk-loaded into Virtuoso (Debian's virtuoso-opensource, on loopback
in a temporary folder: tests/virtuoso.py), and each query's example is run on both.

Rows are compared as sorted lists, a GROUP_CONCAT's value as the sorted set of its parts (its
order is not defined), numbers to nine significant digits; a value's type counts (``1`` is not
``true``). Where Virtuoso 7.2.5 departs from SPARQL 1.1, the case is an expected failure
(``deviations``) that fails only with that deviation: the rows must agree once it is undone, and
a Virtuoso without it makes the case pass, which strict xfail reports. The canned queries are
written in standard forms that Virtuoso answers as SPARQL 1.1 says wherever one was found (their
comments say which); the deviations are kept for the rest and for new queries."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox
import pytest

from policykg.graph.resolve import Resolver
from policykg.namespaces import sparql_prefixes
from policykg.queries import CannedQuery, all_queries
from tests import virtuoso

Row = dict[str, object]
QUERIES = sorted(all_queries())


class VirtuosoDeviation(AssertionError):
    """The answers differ only by a documented departure of Virtuoso from SPARQL 1.1."""


@dataclass(frozen=True)
class Deviation:
    reason: str
    # Virtuoso's rows (of the query, whose text is given) as SPARQL 1.1 would give them
    undo: Callable[[CannedQuery, str, list[Row], pytest.FixtureRequest], list[Row]]


def _exists_columns(q: CannedQuery) -> set[str]:
    """The columns bound to ``EXISTS { … }``: ``BIND(EXISTS {…} AS ?x)``."""
    return set(re.findall(r"BIND\s*\(\s*EXISTS\s*\{[^{}]*\}\s+AS\s+\?(\w+)\s*\)", q.sparql, re.I))


def _booleans(q: CannedQuery, text: str, rows: list[Row], request: pytest.FixtureRequest) -> list[Row]:
    columns = _exists_columns(q)
    return [{k: (bool(v) if k in columns and type(v) is int and v in (0, 1) else v) for k, v in row.items()} for row in rows]


_CONCAT = re.compile(r'GROUP_CONCAT\s*\(\s*(?:DISTINCT\s+)?\?\w+\s*(?:;\s*separator\s*=\s*"([^"]*)")?\s*\)\s*AS\s+\?(\w+)', re.I)
# a GROUP_CONCAT's column with its separator replaced, bound to another: BIND(… REPLACE(?list, "\u001F", "、") … AS ?shown)
_REPLACED = re.compile(r'BIND\s*\([^\n]*?REPLACE\s*\(\s*\?(\w+)\s*,\s*"([^"]*)"\s*,\s*"([^"]*)"\s*\)[^\n]*?\s+AS\s+\?(\w+)\s*\)', re.I)


def _unescaped(text: str) -> str:
    """A SPARQL string's \\uXXXX escapes read."""
    return re.sub(r"\\u([0-9A-Fa-f]{4})", lambda m: chr(int(m.group(1), 16)), text)


def _concat_separators(q: CannedQuery) -> dict[str, str]:
    """GROUP_CONCAT's columns → the separators written in it."""
    return {column: _unescaped(separator) if separator else " " for separator, column in _CONCAT.findall(q.sparql)}


def _concat_columns(q: CannedQuery) -> dict[str, str]:
    """The columns holding a GROUP_CONCAT's value → the separator between its parts: the one written
    in it, or the one that a REPLACE of that separator puts in a column bound to the value."""
    columns = _concat_separators(q)
    for column, old, new, shown in _REPLACED.findall(q.sparql):
        if columns.get(column) == _unescaped(old):
            columns[shown] = _unescaped(new)
    return columns


def _narrowed(separator: str) -> str:
    return "".join(c if c.isascii() else "?" for c in separator)


def _separators(q: CannedQuery, text: str, rows: list[Row], request: pytest.FixtureRequest) -> list[Row]:
    wide = {column: sep for column, sep in _concat_separators(q).items() if sep != _narrowed(sep)}
    return [{k: (v.replace(_narrowed(wide[k]), wide[k]) if k in wide and isinstance(v, str) else v) for k, v in row.items()}
            for row in rows]


def _unbound_concat(q: CannedQuery, text: str, rows: list[Row], request: pytest.FixtureRequest) -> list[Row]:
    columns = _concat_columns(q)
    return [{k: (None if k in columns and v == "" else v) for k, v in row.items()} for row in rows]


def _unvectored(q: CannedQuery, text: str, rows: list[Row], request: pytest.FixtureRequest) -> list[Row]:
    return virtuoso.select(request.getfixturevalue("unvectored_server"), sparql_prefixes() + text)


EXISTS_AS_INTEGER = Deviation(
    "Virtuoso 7.2.5 gives the value of EXISTS { … } (BIND(EXISTS {…} AS ?x)) as "
    '"0"/"1"^^xsd:integer, where SPARQL 1.1 (§17.4.1.4) gives xsd:boolean false/true: the column reads 0/1', _booleans)
NARROW_SEPARATOR = Deviation(
    'Virtuoso 7.2.5 writes each non-ASCII character of a GROUP_CONCAT separator as "?" '
    '(separator="、" joins "钦" and "南" as "钦?南"; CONCAT("a", "、", "b") is right)', _separators)
VECTORED_TRANSITIVE = Deviation(
    "Virtuoso 7.2.5's vectored execution answers wrong rows for two transitive paths in one group "
    "(documents: ?j skos:broader* <area> . OPTIONAL { ?j skos:broader* ?p … } loses every row, though an OPTIONAL "
    "cannot remove one; OPTIONAL { ?j skos:broader* ?p … } OPTIONAL { ?j skos:broader* ?c … } gives every row "
    "one row's ?p); with VectorSize = 1 (no vectoring) it answers as SPARQL 1.1 says, which the case checks", _unvectored)
# successor, inherited-duties and documents met it too (other bodies' reforms, lost rows): they read the closures
# the reasoner materialises (lg:succeededBy's, skos:broaderTransitive) instead of a path. No standard form of
# documents' three skos:broader* paths had avoided it (a subquery, FILTER EXISTS, UNION of the zero step and +,
# nested or reversed paths). No canned query meets it now; the deviation stays documented and checkable here.
VECTORED_TRANSITIVE_QUERIES: set[str] = set()
UNBOUND_IN_GROUP_CONCAT = Deviation(
    "Virtuoso 7.2.5 leaves unbound values out of GROUP_CONCAT: a group whose values are all unbound (an "
    'OPTIONAL that matched nothing) gives "", where in SPARQL 1.1 (§18.5.1: GroupConcat is CONCAT over the '
    "values, and only Count removes errors) an unbound value makes the aggregate an error, i.e. unbound, as "
    "on the embedded store", _unbound_concat)
# the queries whose example has such a group: none now, as each canned query counts the values it joins and binds
# its column only when there is one (due-by, measures-search: measures without a lead; task-area: items without
# an assignment; unled-measures: measures naming no party)
UNBOUND_IN_GROUP_CONCAT_QUERIES: set[str] = set()


def deviations(q: CannedQuery) -> list[Deviation]:
    """The departures of Virtuoso 7.2.5 from SPARQL 1.1 that this query meets, in the order they are undone."""
    found = [VECTORED_TRANSITIVE] if q.name in VECTORED_TRANSITIVE_QUERIES else []
    if _exists_columns(q):
        found.append(EXISTS_AS_INTEGER)
    if any(sep != _narrowed(sep) for sep in _concat_separators(q).values()):
        found.append(NARROW_SEPARATOR)
    if q.name in UNBOUND_IN_GROUP_CONCAT_QUERIES:
        found.append(UNBOUND_IN_GROUP_CONCAT)
    return found


@pytest.fixture(scope="module")
def server(store, tmp_path_factory):
    """Virtuoso with the seed store (conftest's ``store``) bulk-loaded from its N-Quads dump."""
    with virtuoso.for_test(tmp_path_factory.mktemp("virtuoso"), store) as v:
        yield v


@pytest.fixture(scope="module")
def unvectored_server(server, tmp_path_factory):
    """A second Virtuoso, with vectored execution off (VectorSize = 1) and the same data: started
    only for the queries that meet VECTORED_TRANSITIVE, to check that bug is all that differs."""
    folder = tmp_path_factory.mktemp("virtuoso-unvectored")
    with virtuoso.start(folder / "db", settings={"VectorSize": 1}) as v:
        virtuoso.bulk_load(v, server.loaded[0])
        yield v


def _graph_counts(rows: list[Row]) -> dict[str, int]:
    return {str(r["g"]): int(r["n"]) for r in rows}  # type: ignore[call-overload]


COUNT_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def test_every_quad_is_in_virtuoso_in_its_graph(server, store):
    ours = _graph_counts(store.select(COUNT_PER_GRAPH))
    theirs = _graph_counts(virtuoso.select(server, COUNT_PER_GRAPH))
    assert sum(ours.values()) == len(store.ox) > 100_000
    assert {g: theirs.get(g, 0) for g in ours} == ours
    assert sum(theirs[g] for g in ours) == len(store.ox)


def test_the_default_graph_is_the_union_of_all_graphs(server, store):
    """No FROM: Virtuoso matches patterns in every graph (its own system graphs too), as the
    embedded store does with its default graph as the union: a triple in two graphs counts twice
    in both, and the counts differ by exactly the quads of Virtuoso's own graphs."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    ours = _graph_counts(store.select(COUNT_PER_GRAPH))
    theirs = _graph_counts(virtuoso.select(server, COUNT_PER_GRAPH))
    system = sum(n for g, n in theirs.items() if g not in ours)
    assert virtuoso.select(server, count)[0]["n"] == store.select(count)[0]["n"] + system
    # and a pattern over graphs of different kinds (documents, vocabulary) joins across them
    join = ("SELECT (COUNT(*) AS ?n) WHERE { ?d lg:inCorpus true ; lg:issuingArea ?a . ?a rdfs:label ?l }")
    n = store.select(join)[0]["n"]
    assert isinstance(n, int) and n > 0
    assert virtuoso.select(server, sparql_prefixes() + join)[0]["n"] == n


def test_select_gives_python_values_as_the_store_does(server, store):
    """Integers, decimals, booleans (Virtuoso writes xsd:boolean as 0/1), dates, language-tagged
    strings, IRIs and unbound values come back as ``Store.select`` gives them, typed alike."""
    queries = [
        """SELECT ?doc ?inCorpus ?date ?title ?none WHERE {
             ?doc lg:inCorpus ?inCorpus ; dcterms:title ?title . OPTIONAL { ?doc lg:dateSigned ?date }
             OPTIONAL { ?doc <https://w3id.org/policykg/ontology#noSuchProperty> ?none } }""",
        "SELECT ?confidence (COUNT(*) AS ?n) WHERE { ?x lg:confidence ?confidence } GROUP BY ?confidence",
        "SELECT ?corrected (COUNT(*) AS ?n) WHERE { ?x lg:corrected ?corrected } GROUP BY ?corrected",
        'SELECT ?level ?label WHERE { ?level skos:inScheme lg:LevelScheme ; skos:prefLabel ?label FILTER(lang(?label) = "en") }',
    ]
    kinds: set[type] = set()
    for query in queries:
        ours = store.select(query)
        theirs = virtuoso.select(server, sparql_prefixes() + query)
        assert ours and _typed(theirs) == _typed(ours), _difference(_typed(ours), _typed(theirs))
        kinds |= {type(v) for row in theirs for v in row.values()}
    assert kinds == {str, int, float, bool, type(None)}


def _typed(rows: list[Row]) -> list[tuple[tuple[str, str, object], ...]]:
    return sorted(tuple((k, type(v).__name__, v) for k, v in sorted(row.items())) for row in rows)


# --- the canned queries -----------------------------------------------------------------------

def _comparable(q: CannedQuery, rows: list[Row]) -> list[tuple[tuple[str, object], ...]]:
    """Rows as sorted tuples of (column, value): a GROUP_CONCAT's value the sorted tuple of its
    parts, a number rounded to nine significant digits, each value tagged with its type."""
    concat = _concat_columns(q)

    def value(column: str, v: object) -> object:
        if isinstance(v, str) and column in concat:
            return ("concat", tuple(sorted(set(v.split(concat[column])))))
        if isinstance(v, float):
            return ("number", float(f"{v:.9g}"))
        return (type(v).__name__, v)

    return sorted(tuple((k, value(k, v)) for k, v in sorted(row.items())) for row in rows)


def _difference(ours: list, theirs: list) -> str:
    only_ours = [r for r in ours if r not in theirs]
    only_theirs = [r for r in theirs if r not in ours]
    return (f"{len(ours)} rows embedded, {len(theirs)} on Virtuoso; only embedded (first 3): {only_ours[:3]}; "
            f"only Virtuoso (first 3): {only_theirs[:3]}")


def _case(name: str):
    found = deviations(all_queries()[name])
    if not found:
        return name
    reason = " AND ".join(d.reason for d in found)
    return pytest.param(name, marks=pytest.mark.xfail(strict=True, raises=VirtuosoDeviation, reason=reason))


@pytest.mark.parametrize("name", [_case(n) for n in QUERIES])
def test_canned_query_answers_the_same_on_virtuoso(name, server, store, request):
    q = all_queries()[name]
    bound = q.bind({k: str(v) for k, v in q.example.items()}, Resolver(store))
    text = q.render(bound)  # the standard SPARQL 1.1 text, parameters written in
    ours = store.select(text)
    assert ours, f"{name}: its example answers no row on the seeds, so the comparison would show nothing"
    theirs = virtuoso.select(server, sparql_prefixes() + text)
    expected, got = _comparable(q, ours), _comparable(q, theirs)
    if theirs:
        assert list(theirs[0]) == list(ours[0]), "the columns differ"
    found = deviations(q)
    if found:  # everything else must agree, and each deviation must show: only they may fail the case

        def undone(skip: Deviation | None = None) -> list:
            rows = theirs
            for deviation in found:
                if deviation is not skip:
                    rows = deviation.undo(q, text, rows, request)
            return _comparable(q, rows)

        assert undone() == expected, f"{name}, beyond Virtuoso's known deviations: " + _difference(expected, undone())
        for deviation in found:
            assert undone(skip=deviation) != expected, f"{name} no longer meets this deviation: {deviation.reason}"
        raise VirtuosoDeviation(f"{name}: " + _difference(expected, got))
    assert got == expected, f"{name}: " + _difference(expected, got)


@pytest.mark.parametrize("name, values, rows", [
    ("due-by", {"date": "2019-12-31"}, 65),  # every measure of 004, the plan's default date included
    ("due-by", {"date": "2016-12-31"}, 0),
])
def test_other_parameters_answer_the_same_on_virtuoso(name, values, rows, server, store):
    """Beyond each query's example (a jurisdiction parameter on due-by and task-area was tried and
    dropped: Virtuoso 7.2.5 answered 1 of 17 and 0 of 35 rows)."""
    q = all_queries()[name]
    text = q.render(q.bind(values, Resolver(store)))
    ours = store.select(text)
    assert len(ours) == rows
    assert _comparable(q, virtuoso.select(server, sparql_prefixes() + text)) == _comparable(q, ours)


# --- the server as the graph: policykg query --endpoint ----------------------------------------

def test_a_remote_store_resolves_parameters_and_reads_patterns_as_the_store_does(server, store):
    from policykg.graph.remote import RemoteStore

    remote = RemoteStore(server.endpoint)
    for q in (all_queries()[n] for n in ("obligations", "citing", "agency-load", "coverage", "inherited-duties")):
        values = {k: str(v) for k, v in q.example.items()}
        assert q.bind(values, Resolver(remote)) == q.bind(values, Resolver(store)), q.name
    plan = Resolver(store).document("钦州市钦南区法治政府建设实施方案(2016-2020年)")
    pattern = (ox.NamedNode(plan), ox.NamedNode("http://purl.org/dc/terms/title"), None)
    assert sorted(map(str, remote.quads_for_pattern(*pattern))) == sorted(map(str, store.quads_for_pattern(*pattern)))


def test_policykg_query_with_endpoint_answers_as_with_the_store(server, store):
    from click.testing import CliRunner

    from policykg.cli import cli

    q = all_queries()["obligations"]
    result = CliRunner().invoke(cli, ["query", "obligations", "-p", "agency=钦南区法制办", "--format", "json",
                                      "--endpoint", server.endpoint])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    ours = store.select(q.executable(q.bind({"agency": "钦南区法制办"}, Resolver(store))))
    assert len(rows) > 5 and _comparable(q, rows) == _comparable(q, ours)


def test_an_endpoint_that_does_not_answer_is_a_clear_error():
    from click.testing import CliRunner

    from policykg.cli import cli

    result = CliRunner().invoke(cli, ["query", "lineage", "-p", "document=x", "--endpoint", "http://127.0.0.1:9/sparql"])
    assert result.exit_code == 1
    assert "cannot reach the SPARQL server at http://127.0.0.1:9/sparql" in result.output
