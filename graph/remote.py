"""A SPARQL 1.1 server as the graph to read: the same canned queries, parameter resolution, API
and web pages as on the embedded store, over the SPARQL Protocol through SPARQLWrapper, for a
graph that has outgrown one machine and lives in a server (Virtuoso, Fuseki, GraphDB …) loaded
from our dump (``policykg export --format nq``, named graphs and materialised entailments included).

Queries go as their standard text (``CannedQuery.render``: no engine-specific rewriting) over the
union of all graphs (no FROM: the server's default graph, which these servers make the union of
their graphs). Credentials come from the environment (``endpoint_user``, ``endpoint_password``).
``RemoteService`` is the server's routes' way to it (``policykg serve --endpoint URL``): each
query is sent there with the time limit as the HTTP timeout, and its answer, read back into
RDF terms (``term``: Virtuoso's spellings made standard), is capped and written in the format
asked for by the same code as the embedded store's (``executor.answer``). Writes through this
server are refused (403): the graph is written where it lives, by ``policykg publish``
(``graph.publish``: the embedded store's changed graphs sent over the Graph Store Protocol or
SPARQL Update).
"""

from __future__ import annotations

import contextlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pyoxigraph as ox

from policykg import iris, settings
from policykg.errors import PolicyKGError, QueryError, QueryTimeout, StoreError, Unsupported, UpdatesDisabled
from policykg.graph.executor import Outcome, Service, Task, answer
from policykg.graph.store import to_python
from policykg.namespaces import sparql_prefixes

XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
T = TypeVar("T")
ASSERTED_GRAPHS_TTL = 60.0  # seconds a RemoteService keeps the list of the server's asserted graphs
# how a server's answer to a CONSTRUCT or DESCRIBE is read, by the media type it says it sent
_GRAPH_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
                "application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
                "application/rdf+xml": ox.RdfFormat.RDF_XML, "text/n3": ox.RdfFormat.N3, "text/rdf+n3": ox.RdfFormat.N3}


def term(binding: dict[str, str]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An RDF term from a binding of SPARQL 1.1 Query Results JSON."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":  # Virtuoso labels one nodeID://b1234
        return ox.BlankNode(value.removeprefix("nodeID://"))
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in binding:
            return ox.Literal(value, language=binding["xml:lang"])
        datatype = binding.get("datatype", XSD_STRING)
        if datatype == XSD_BOOLEAN:  # Virtuoso writes "1"/"0", lexical forms of xsd:boolean too
            value = {"1": "true", "0": "false"}.get(value, value)
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    raise QueryError(f"the SPARQL server answered a term of unknown type {kind!r}")


def _standard(binding: dict[str, str]) -> dict[str, str]:
    """A binding of SPARQL JSON results as the standard writes it (Virtuoso's own spellings read)."""
    t = term(binding)
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if t.language:
        return {"type": "literal", "value": t.value, "xml:lang": t.language}
    return {"type": "literal", "value": t.value, "datatype": t.datatype.value}


class RemoteStore:
    """The graph held by the SPARQL server at ``endpoint``: read like a Store, written whole
    graphs at a time (``update``, ``put_graph``) by ``graph.publish``."""

    def __init__(self, endpoint: str, timeout: float | None = None) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise StoreError(f"{endpoint!r} is not the URL of a SPARQL endpoint (http:// or https://)")
        self.endpoint = endpoint
        self.timeout = float(settings.get("query_timeout")) if timeout is None else timeout

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    def service(self) -> RemoteService:
        """How the server's routes query this store (``executor.service`` asks for it)."""
        return RemoteService(self)

    def result(self, sparql: str, timeout: float | None = None, base_iri: str | None = None,
               default_graphs: tuple[str, ...] | None = None,
               named_graphs: tuple[str, ...] | None = None) -> tuple[ox.QueryBoolean | ox.QuerySolutions | list[ox.Triple], bool]:
        """The server's answer to a query (our prefixes predeclared), read back as the embedded
        engine gives it: a boolean, solutions, or the triples of a CONSTRUCT or DESCRIBE; and
        whether the server says it cut the answer at its own row limit (Virtuoso's
        ``X-SPARQL-MaxRows``). An answer the server gives in part (Virtuoso's "anytime" queries,
        ``X-SQL-State``) is an error, never taken for the whole."""
        from SPARQLWrapper import ASK, JSON, POST, SELECT, TURTLE, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import EndPointNotFound, SPARQLWrapperException, Unauthorized

        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setTimeout(max(1, round(self.timeout if timeout is None else timeout)))
        user = str(settings.get("endpoint_user"))
        if user:
            client.setCredentials(user, str(settings.get("endpoint_password")))
        for g in default_graphs or ():
            client.addDefaultGraph(g)
        for g in named_graphs or ():
            client.addNamedGraph(g)
        client.setQuery((f"BASE <{base_iri}>\n" if base_iri else "") + sparql_prefixes() + sparql)
        tabular = client.queryType in (SELECT, ASK)
        client.setReturnFormat(JSON if tabular else TURTLE)
        try:
            response = client.query()
            with response.response:  # closed once read: no socket left for the collector
                body = response.response.read()
        except (EndPointNotFound, Unauthorized) as exc:
            raise StoreError(f"the SPARQL server at {self.endpoint} refused the request: {exc}") from None
        except SPARQLWrapperException as exc:
            raise QueryError(f"the SPARQL server at {self.endpoint} refused the query: {exc}") from None
        except TimeoutError:
            raise QueryTimeout(f"the SPARQL server at {self.endpoint} did not answer within the time limit") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise QueryTimeout(f"the SPARQL server at {self.endpoint} did not answer within the time limit") from None
            raise StoreError(f"cannot reach the SPARQL server at {self.endpoint}: {exc.reason}") from None
        except OSError as exc:  # refused or reset connections
            raise StoreError(f"cannot reach the SPARQL server at {self.endpoint}: {exc}") from None
        headers = {k.lower(): v for k, v in response.response.headers.items()}
        if "x-sql-state" in headers:
            raise QueryTimeout(f"the SPARQL server at {self.endpoint} answered only in part ({headers['x-sql-state']} "
                               f"{headers.get('x-sql-message', '')}): it ran past its own time limit")
        cut = "x-sparql-maxrows" in headers
        if not tabular:
            kind = response.response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            try:
                return [q.triple for q in ox.parse(body, format=_GRAPH_TYPES.get(kind, ox.RdfFormat.TURTLE))], cut
            except (SyntaxError, ValueError) as exc:
                raise QueryError(f"the SPARQL server at {self.endpoint} answered an unreadable graph ({kind}): {exc}") from None
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not ("results" in data or "boolean" in data):
            raise QueryError(f"the SPARQL server at {self.endpoint} did not answer with SPARQL JSON results")
        if "boolean" in data:  # Virtuoso may write it as a number
            data = {"head": {}, "boolean": bool(data["boolean"])}
        else:
            data = {"head": {"vars": data["head"]["vars"]},
                    "results": {"bindings": [{k: _standard(v) for k, v in row.items()} for row in data["results"]["bindings"]]}}
        return ox.parse_query_results(json.dumps(data).encode(), format=ox.QueryResultsFormat.JSON), cut

    def solutions(self, sparql: str) -> Iterator[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | None]]:
        result, cut = self.result(sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("this is not a SELECT query")
        if cut:
            raise QueryError(f"the SPARQL server at {self.endpoint} cut the answer at its row limit: raise it, or ask for less")
        names = [v.value for v in result.variables]
        for solution in result:
            yield {name: solution[name] for name in names}

    def select(self, sparql: str, substitutions: None = None, inferred: bool = True) -> list[dict[str, object]]:
        """Rows of a SELECT as ``Store.select`` gives them (str, int, float, bool; None when
        unbound). Entailments are in the server's graphs as loaded, so ``inferred`` is kept."""
        return [{k: to_python(v) for k, v in row.items()} for row in self.solutions(sparql)]

    def quads_for_pattern(self, subject: ox.NamedNode | ox.BlankNode | None, predicate: ox.NamedNode | None,
                          object: ox.NamedNode | ox.BlankNode | ox.Literal | None,
                          graph: ox.NamedNode | ox.DefaultGraph | None = None) -> Iterator[ox.Quad]:
        """The quads matching a pattern (None: any), as ``pyoxigraph.Store.quads_for_pattern``.
        The default graph has none: our dump keeps every quad in a named graph, and these servers
        make their default graph the union of the named ones."""
        if isinstance(graph, ox.DefaultGraph):
            return
        s, p, o = (str(t) if t is not None else f"?{v}" for t, v in ((subject, "s"), (predicate, "p"), (object, "o")))
        g = str(graph) if graph is not None else "?g"
        for row in self.solutions(f"SELECT * WHERE {{ GRAPH {g} {{ {s} {p} {o} }} }}"):
            found: list[Any] = [row.get(v) if t is None else t for t, v in ((subject, "s"), (predicate, "p"), (object, "o"), (graph, "g"))]
            yield ox.Quad(*found)

    def _ours(self) -> str:
        """A FILTER keeping our graphs (``{base}graph/…``) of the ones the server holds (Virtuoso
        keeps its own, e.g. ``http://www.openlinksw.com/schemas/virtrdf#``)."""
        return f'FILTER(STRSTARTS(STR(?g), "{iris.base()}graph/"))'

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        """Our named graphs on the server (as ``pyoxigraph.Store.named_graphs``)."""
        for row in self.solutions(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._ours()} }}"):
            if isinstance(row["g"], ox.NamedNode):
                yield row["g"]

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        result, _ = self.result(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        return bool(result) if isinstance(result, ox.QueryBoolean) else False

    # --- writing (policykg publish: graph.publish) ----------------------------------------------

    def update(self, text: str, timeout: float = 600.0) -> None:
        """Run a SPARQL 1.1 Update on the server's update service (``endpoint_update``, else the
        endpoint), with our prefixes predeclared."""
        from SPARQLWrapper import POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        client = SPARQLWrapper(self.endpoint, updateEndpoint=str(settings.get("endpoint_update")) or self.endpoint)
        client.setMethod(POST)
        client.setTimeout(int(timeout))
        user = str(settings.get("endpoint_user"))
        if user:
            client.setCredentials(user, str(settings.get("endpoint_password")))
        client.setQuery(sparql_prefixes() + text)
        try:
            with client.query().response as answer:
                answer.read()
        except SPARQLWrapperException as exc:
            raise StoreError(f"the SPARQL server at {self.endpoint} refused the update: {str(exc)[:1000]}") from None
        except urllib.error.URLError as exc:
            raise StoreError(f"cannot reach the SPARQL server at {self.endpoint}: {exc.reason}") from None
        except OSError as exc:
            raise StoreError(f"cannot reach the SPARQL server at {self.endpoint}: {exc}") from None

    def put_graph(self, graph_store: str, graph: str, ntriples: bytes, timeout: float = 600.0) -> None:
        """Replace ``graph`` with ``ntriples`` by one Graph Store Protocol PUT to ``graph_store``
        (HTTP basic or digest authentication with the endpoint's credentials)."""
        url = f"{graph_store}{'&' if '?' in graph_store else '?'}{urllib.parse.urlencode({'graph': graph})}"
        # sent as Turtle, of which N-Triples is a subset: Virtuoso 7.2 refuses to replace a graph with
        # application/n-triples ("unsupported type text/plain")
        request = urllib.request.Request(url, data=ntriples, method="PUT", headers={"Content-Type": "text/turtle; charset=utf-8"})
        handlers: list[urllib.request.BaseHandler] = []
        user = str(settings.get("endpoint_user"))
        if user:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, graph_store, user, str(settings.get("endpoint_password")))
            handlers = [urllib.request.HTTPBasicAuthHandler(passwords), urllib.request.HTTPDigestAuthHandler(passwords)]
        try:
            with urllib.request.build_opener(*handlers).open(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise StoreError(f"the Graph Store at {graph_store} refused to replace {graph}: HTTP {exc.code} "
                             f"{exc.read()[:500].decode('utf-8', 'replace')}") from None
        except urllib.error.URLError as exc:
            raise StoreError(f"cannot reach the Graph Store at {graph_store}: {exc.reason}") from None
        except OSError as exc:
            raise StoreError(f"cannot reach the Graph Store at {graph_store}: {exc}") from None

    def __len__(self) -> int:
        """The quads in our named graphs on the server."""
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._ours()} }}")
        return int(rows[0]["n"]) if rows else 0  # type: ignore[call-overload]


class RemoteService(Service):
    """A ``Service`` whose queries are answered by the SPARQL server of a ``RemoteStore``, within
    the time limit (the HTTP timeout: a query past it is answered 503) and the row cap, in the
    format asked for. The asserted graphs only (``inferred=False``) are sent as the request's
    default graphs: the server's named graphs but the inferred ones. Writes are refused."""

    lateral = False  # the standard text: no engine-specific rewriting for a server
    cjk_regex = False  # Virtuoso 7.2's REGEX finds nothing with Han characters in a character class
    one_pass_pages = False  # a page is asked for with LIMIT and OFFSET, not read out of the whole answer

    def __init__(self, store: RemoteStore) -> None:
        super().__init__(store)  # type: ignore[arg-type]
        self.workers = max(1, self.workers)  # requests the server may have at once from us
        self._asserted: tuple[float, tuple[str, ...]] | None = None

    @property
    def remote(self) -> RemoteStore:
        return self.store  # type: ignore[return-value]

    @property
    def generation(self) -> int:
        """The graph changes on the server by publication, not through this service: what is kept
        per generation (the home page's counts) is taken again each ``ASSERTED_GRAPHS_TTL``."""
        return int(time.monotonic() // ASSERTED_GRAPHS_TTL)

    @generation.setter
    def generation(self, value: int) -> None:  # the count of writes through the service: there are none
        pass

    def _asserted_graphs(self) -> tuple[str, ...]:
        from policykg.graph.reasoning import asserted_graphs

        # a publication may add graphs at any time: the list is read again after a minute
        if self._asserted is None or time.monotonic() - self._asserted[0] > ASSERTED_GRAPHS_TTL:
            graphs = tuple(sorted(asserted_graphs(self.remote)))  # type: ignore[arg-type]
            self._asserted = (time.monotonic(), graphs)
        return self._asserted[1]

    def query(self, task: Task, timeout: float) -> Outcome:
        deadline = time.monotonic() + timeout
        try:
            if task.substitutions:
                raise QueryError("a SPARQL server cannot bind variables as substitutions: write the values into the query")
            default, named = task.default_graphs, task.named_graphs
            if default is None and named is None and not task.inferred:
                default = self._asserted_graphs()
            result, cut = self.remote.result(task.text, timeout, task.base_iri or iris.base(), default, named)
            outcome = answer(result, task, deadline)
            outcome.truncated = outcome.truncated or cut
            return outcome
        except PolicyKGError as exc:
            return Outcome.failure(exc)

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[tuple[str, ox.Store]]:
        raise Unsupported(f"this server reads the graph from the SPARQL server at {self.remote.endpoint}: "
                          "take a dump from that server (or `policykg export --format dump` of the store published to it)")
        yield  # a generator, as Service.snapshot is

    def write(self, change: Callable[[Any], T], documents: list[str] | None) -> tuple[T, float]:
        raise UpdatesDisabled(f"this server reads the graph from the SPARQL server at {self.remote.endpoint}: "
                              "ingest into a store and publish it there (policykg publish)")

    def close(self) -> None:
        pass
