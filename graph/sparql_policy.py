"""What a SPARQL query or update may do on this service, decided on the parsed text.

Two rules, enforced before Oxigraph sees a request:

- **No fetching unless allowed.** SERVICE (queries and the WHERE clauses of updates) and LOAD
  make the server open a URL. Both are refused unless the endpoint is an http(s) IRI whose host
  is in ``service_hosts``; ``SERVICE ?var`` is always refused (``FetchRefused``, 403).
- **Derived graphs are not written.** An update may write document graphs
  (``graph/doc/KEY``), graphs the Graph Store created (``graph/posted/…``), the default graph
  and graphs outside ``{base}graph/``; never the inferred graphs, the ontology and vocabulary
  graphs, the shared descriptions rebuilt from the documents (``graph/agencies`` …) or the
  store's own bookkeeping (``graph/meta``) (``protected_graph``; the Graph Store Protocol applies
  the same rule). An update that writes a graph named by a variable is refused, since it could
  reach one of them. ``DROP/CLEAR ALL`` and ``DROP/CLEAR NAMED`` are taken to mean every graph
  an update may write: they become one ``DROP/CLEAR SILENT GRAPH`` per such graph, listed when
  the update runs (``Update.final``), and the inferences are recomputed afterwards.

How the text is read (``prepare``): the SPARQL codepoint escapes ``\\uXXXX`` and
``\\UXXXXXXXX`` are expanded over the whole text before anything reads it, as the SPARQL
grammar says (Oxigraph on its own expands them only inside IRIs and strings, so a text whose
escapes hide a quote, a ``#`` or a line break would read differently to it and to a checker);
line ends become ``\\n`` (Oxigraph ends a comment at a lone CR, rdflib does not). That prepared
text is both what is checked and what Oxigraph runs, so the two parsers read the same
characters; an escape that expands to another escape (``\\u005Cu…``) is refused. A query whose
prepared text contains neither ``service`` nor ``load`` (in any case) cannot use either, and is
not parsed here; any other is parsed by rdflib (``parseQuery``/``parseUpdate``), and refused
with a 400 if rdflib cannot read it: the check fails closed. Updates are always parsed, for the
graphs they write. Graph names and endpoints are taken from rdflib's parse tree and resolved as
Oxigraph resolves them (``Names``: BASE carried across an update's operations, escaped local
names, relative IRIs by Oxigraph's own resolver), not by rdflib's algebra, which reads some of
them differently. Cost: about 13 µs per byte of an update (a 1 MB INSERT DATA takes some 13 s
to check; bulk data is better sent with the Graph Store Protocol).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from policykg import iris
from policykg.errors import ComputedGraph, FetchRefused, QueryError
from policykg.graph import reasoning
from policykg.graph.sparql_text import _body, _operations, tokens

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# what rdflib's parser would still expand (its pattern is case-insensitive and takes \u with 4 digits)
_LEFTOVER = re.compile(r"\\[uU][0-9A-Fa-f]{4}")
_FETCHING = re.compile(r"service|load", re.IGNORECASE)
DEFAULT = "DEFAULT"  # the default graph, among the graphs an update writes
_NO_GRAPH = "urn:policykg:no-graph"


def prepare(text: str) -> str:
    """The text with its codepoint escapes expanded and its line ends as ``\\n``: the one text
    that is checked and run."""
    def expand(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryError(f"the escape {m.group()} is not a Unicode character (a surrogate, or past U+10FFFF)")
        return chr(code)

    out = _ESCAPE.sub(expand, text)
    left = _LEFTOVER.search(out)
    if left:
        raise QueryError(f"after its \\u escapes are expanded the text still has one ({left.group()}, made by an escaped "
                         "backslash); write the character itself")
    return out.replace("\r\n", "\n").replace("\r", "\n")


def may_fetch(prepared: str) -> bool:
    """False when the text cannot hold SERVICE or LOAD (neither word in it, in any case)."""
    return _FETCHING.search(prepared) is not None


def parse_hosts(value: object) -> frozenset[str]:
    """The setting ``service_hosts``: comma-separated host names, compared lower case."""
    return frozenset(h.strip().lower().strip("[]") for h in str(value or "").split(",") if h.strip())


# --- the graphs an update may write -------------------------------------------------------------


def protected_graph(iri: str) -> str | None:
    """Why a graph cannot be written by SPARQL Update or the Graph Store, or None when it can."""
    from policykg.graph.shared import shared_graphs
    from policykg.graph.store import vocab_graph_iri

    root = f"{iris.base()}graph/"
    if not iri.startswith(root):
        return None
    if iri.startswith(reasoning.inferred_prefix()):
        return "holds inferences computed from the asserted graphs; write the asserted graph instead"
    if iri in (iris.ontology_graph(), vocab_graph_iri()):
        return "holds the ontology or the vocabulary, which the store loads from the package"
    if iri in shared_graphs():
        return ("holds what documents say of shared nodes (cited documents, agencies, reforms), rebuilt from the "
                "document graphs; write a document graph instead")
    for writable in (iris.doc_graph(""), f"{root}posted/"):
        if iri.startswith(writable) and len(iri) > len(writable):
            return None
    return (f"is one of the store's own graphs; under {root} only document graphs ({iris.doc_graph('KEY')}) "
            f"and graphs created by the Graph Store ({root}posted/…) can be written")


def check_writable(graph: str) -> None:
    reason = protected_graph(graph)
    if reason:
        raise ComputedGraph(f"{graph} {reason}", graph=graph)


def writable_graphs(names: Iterable[str]) -> list[str]:
    """Of these graph names, those an update may write, sorted."""
    return sorted(g for g in names if protected_graph(g) is None)


# --- reading with rdflib ------------------------------------------------------------------------


def _parse(text: str, update: bool, base: str, prefixes: dict[str, str]) -> Iterator[tuple[Names, Any]]:
    """The operations of an update (or the query), each with the names in force for it, as
    rdflib's parse tree (the algebra is not built: rdflib's translation of an update takes time
    quadratic in its size, and the parse tree names every graph and endpoint)."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    what = "update" if update else "query"
    try:
        parsed = parseUpdate(text) if update else parseQuery(text)
    except RecursionError:
        raise QueryError(f"the {what} is nested too deeply to be checked for SERVICE and LOAD (a SERVICE inside a "
                         "SERVICE cannot be checked either); flatten it") from None
    except ParseBaseException as exc:
        raise QueryError(f"{'SPARQL Update' if update else 'SPARQL'} syntax error: error at {exc.lineno}:{exc.col}: {exc.msg}" + (
            "" if update else " (a query that mentions SERVICE or LOAD must parse before it runs, so that what it "
                              "fetches can be checked)")) from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds; any of them means: not checked
        raise QueryError(f"the {what} could not be checked for SERVICE, LOAD and the graphs it writes, so it is not run: "
                         f"{type(exc).__name__}: {exc}") from None
    names = Names(base, prefixes)
    for declared, part in (zip(parsed.prologue, parsed.request) if update else [(parsed[0], parsed[1])]):
        names.declare(declared)
        yield names, part


class Names:
    """Prefixes and base as Oxigraph reads them, not as rdflib's algebra does (which sets the base
    anew for each operation of an update, keeps the backslashes of escaped local names, and
    leaves a relative IRI with a colon unresolved): the predeclared ones, then each BASE and
    PREFIX in order, in force for the rest of the request; a relative IRI is resolved by
    Oxigraph's own resolver (RFC 3986), an absolute one is taken as written."""

    def __init__(self, base: str, prefixes: dict[str, str]) -> None:
        self.base, self.prefixes = base, dict(prefixes)

    def declare(self, declarations: Iterable[Any]) -> None:
        for d in declarations:
            if d.name == "Base":
                self.base = self.resolve(str(_get(d, "iri")))
            elif d.name == "PrefixDecl":
                self.prefixes[_get(d, "prefix") or ""] = self.resolve(str(_get(d, "iri")))

    def resolve(self, iri: str) -> str:
        import pyoxigraph as ox

        try:
            triple = next(iter(ox.parse(f"<{iri}> <urn:x:p> <urn:x:o> .".encode(), format=ox.RdfFormat.TURTLE, base_iri=self.base)))
        except (SyntaxError, ValueError, StopIteration) as exc:
            raise QueryError(f"<{iri}> is not an IRI (against the base <{self.base}>): {exc}") from None
        return str(triple.subject.value)

    def term(self, term: object) -> object:
        """A graph name or endpoint as an IRI (a plain str), or the term itself (a variable)."""
        from rdflib import URIRef
        from rdflib.plugins.sparql.parserutils import CompValue

        if isinstance(term, CompValue) and term.name == "pname":
            prefix = _get(term, "prefix") or ""
            if prefix not in self.prefixes:
                raise QueryError(f"the prefix {prefix}: is not declared")
            return self.prefixes[prefix] + re.sub(r"\\(.)", r"\1", _get(term, "localname") or "")  # ex:a\/b is ex:a/b
        if isinstance(term, URIRef):
            return self.resolve(str(term))
        return term


def _nodes(root: object, names: set[str]) -> Iterator[Any]:
    """Every CompValue named in ``names`` anywhere under ``root`` (algebra, expressions, and the
    parse trees rdflib keeps inside them, e.g. a SERVICE's pattern)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        if isinstance(node, CompValue):
            seen.add(id(node))
            if node.name in names:
                yield node
            stack.extend(node.values())
        elif isinstance(node, dict):
            seen.add(id(node))
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, set, frozenset, ParseResults)):
            seen.add(id(node))
            stack.extend(node)


def _get(node: Any, key: str) -> Any:
    """A part of an rdflib CompValue, or None (its own ``get`` answers a missing key with the key)."""
    return dict.get(node, key)


def check_endpoint(term: object, hosts: frozenset[str], what: str) -> None:
    """Refuse a SERVICE or LOAD unless its IRI (resolved: ``Names.term``) is an http(s) URL of
    an allowed host."""
    setting = "the setting service_hosts (POLICYKG_SERVICE_HOSTS)"
    if type(term) is not str:  # a variable (rdflib's terms are str subclasses; an IRI resolved here is a str)
        raise FetchRefused(f"{what} {getattr(term, 'n3', lambda: str(term))()}: an endpoint named by a variable is refused, "
                           "since the server would fetch whatever URL the data gives; name the endpoint")
    url = term
    if not hosts:
        raise FetchRefused(f"{what} <{url}> is refused: this server fetches from no other host ({setting} is empty)",
                           endpoint=url)
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        scheme, netloc = parts.scheme.lower(), parts.netloc
    except ValueError:
        scheme, netloc, host = "", "", ""
    if scheme not in ("http", "https") or "@" in netloc or host not in hosts:
        raise FetchRefused(f"{what} <{url}> is refused: only http(s) URLs of the hosts in {setting} are fetched "
                           f"({', '.join(sorted(hosts))})", endpoint=url)


def _services(names: Names, part: object, hosts: frozenset[str]) -> None:
    for node in _nodes(part, {"ServiceGraphPattern"}):
        check_endpoint(names.term(_get(node, "term")), hosts, "SERVICE")


def check_query(prepared: str, base: str, prefixes: dict[str, str], hosts: frozenset[str]) -> None:
    """Raise unless the prepared query fetches only from ``hosts``."""
    if not may_fetch(prepared):
        return
    for names, query in _parse(prepared, False, base, prefixes):
        _services(names, query, hosts)


# --- updates ------------------------------------------------------------------------------------


@dataclass
class Update:
    """A checked update: the graphs it writes, and its text as it will run."""

    text: str
    graphs: set[str] = field(default_factory=set)  # IRIs, and DEFAULT
    wide: list[tuple[str, str]] = field(default_factory=list)  # (DROP|CLEAR, ALL|NAMED) operations, in order
    base: str = ""
    prefixes: dict[str, str] = field(default_factory=dict)
    hosts: frozenset[str] = frozenset()

    @property
    def documents(self) -> list[str] | None:
        """The keys of the document graphs it writes, whose derived data is recomputed after it
        (None: every document, for ALL and NAMED)."""
        if self.wide:
            return None
        prefix = iris.doc_graph("")
        return sorted({g[len(prefix):] for g in self.graphs if g.startswith(prefix) and len(g) > len(prefix)})

    def final(self, graphs: Iterable[str]) -> str:
        """The text to run on a store with these named graphs: each ALL or NAMED operation spelt
        out over the graphs an update may write (checked again, as a whole)."""
        if not self.wide:
            return self.text
        names = writable_graphs(graphs)
        spans: list[tuple[int, int, tuple[str, str]]] = []
        for op in _operations(tokens(self.text)):
            body = _body(op)
            words = [t.word for t in body]
            if len(words) in (2, 3) and words[0] in {"DROP", "CLEAR"} and words[-1] in {"ALL", "NAMED"} \
                    and (len(words) == 2 or words[1] == "SILENT"):
                end = body[-1].start + len(body[-1].value)
                spans.append((body[0].start, end, (words[0], words[-1])))
        if [scope for _, _, scope in spans] != self.wide:
            raise QueryError("the update's ALL or NAMED operations could not be located in its text; send them as an "
                             "update of their own")
        text = self.text
        for start, end, (verb, scope) in sorted(spans, reverse=True):
            text = text[:start] + self._spelt(verb, scope, names) + text[end:]
        again = check_update(text, self.base, self.prefixes, self.hosts)
        if again.wide or not again.graphs <= {*self.graphs, *names, DEFAULT, _NO_GRAPH}:
            raise QueryError("the update's ALL or NAMED operations could not be spelt out; send them as an update of their own")
        return text

    @staticmethod
    def _spelt(verb: str, scope: str, names: list[str]) -> str:
        ops = [f"{verb} SILENT GRAPH <{g}>" for g in names] + ([f"{verb} DEFAULT"] if scope == "ALL" else [])
        return " ;\n".join(ops) if ops else f"{verb} SILENT GRAPH <{_NO_GRAPH}>"  # NAMED with no graph: nothing to do


def _keyword(term: object, *words: str) -> bool:
    """Whether rdflib read a keyword (DEFAULT, ALL, NAMED: a plain str), not an IRI like <DEFAULT>."""
    return type(term) is str and term in words


def _graph_of(names: Names, term: object, what: str) -> str:
    if term is None or _keyword(term, DEFAULT):
        return DEFAULT
    resolved = names.term(term)
    if type(resolved) is str:
        return resolved
    raise ComputedGraph(f"{what} writes a graph named by a variable ({getattr(term, 'n3', lambda: str(term))()}), which could "
                        "be a derived graph (inferences, ontology, vocabulary); name the graphs it writes")


def _written(names: Names, quads: object, default: object, what: str) -> Iterator[str]:
    """The graphs of a Quads part (INSERT DATA's data, a DELETE or INSERT template): ``default``
    for its triples outside GRAPH, and each GRAPH's name."""
    if quads is None:
        return
    if _get(quads, "triples"):
        yield _graph_of(names, default, what)
    for block in _nodes(quads, {"QuadsNotTriples"}):
        yield _graph_of(names, _get(block, "term"), what)


_OPERATIONS = {"InsertData": "INSERT DATA", "DeleteData": "DELETE DATA", "DeleteWhere": "DELETE WHERE"}


def check_update(prepared: str, base: str, prefixes: dict[str, str], hosts: frozenset[str]) -> Update:
    """Parse the prepared update, refuse SERVICE and LOAD outside ``hosts`` and writes to
    protected graphs, and return the graphs it writes."""
    plan = Update(prepared, base=base, prefixes=prefixes, hosts=hosts)
    for names, op in _parse(prepared, True, base, prefixes):
        _services(names, op, hosts)  # in its WHERE clause
        name = op.name
        if name == "Load":
            check_endpoint(names.term(_get(op, "iri")), hosts, "LOAD")
            plan.graphs.add(_graph_of(names, _get(op, "graphiri"), "LOAD"))
        elif name in _OPERATIONS:
            plan.graphs.update(_written(names, _get(op, "quads"), None, _OPERATIONS[name]))
        elif name == "Modify":
            for clause in (_get(op, "delete"), _get(op, "insert")):
                if clause is not None:
                    plan.graphs.update(_written(names, _get(clause, "quads"), _get(op, "withClause"), "DELETE/INSERT"))
        elif name in ("Clear", "Drop", "Create"):
            target = _get(op, "graphiri")
            if _keyword(target, "ALL", "NAMED"):
                plan.wide.append((name.upper(), str(target)))
            else:
                plan.graphs.add(_graph_of(names, target, name.upper()))
        elif name in ("Add", "Copy", "Move"):
            source, target = _get(op, "graph")
            plan.graphs.add(_graph_of(names, target, name.upper()))
            if name == "Move":  # the source is emptied
                plan.graphs.add(_graph_of(names, source, name.upper()))
        else:
            raise QueryError(f"the update has an operation this service cannot check ({name}), so it is not run")
    for g in sorted(plan.graphs - {DEFAULT}):
        check_writable(g)
    return plan
