"""A SPARQL 1.1 server as the graph to read: the same canned queries and parameter resolution as
on the embedded store, over the SPARQL Protocol through SPARQLWrapper, for a graph that has
outgrown one machine and lives in a server (Virtuoso, Fuseki, GraphDB …) loaded from our dump
(``policykg export --format nq``, named graphs and materialised entailments included).

Queries go as their standard text (``CannedQuery.render``: no engine-specific rewriting) over the
union of all graphs (no FROM: the server's default graph, which these servers make the union of
their graphs). Credentials come from the environment (``endpoint_user``, ``endpoint_password``).
Reading only: writing through SPARQL Update and the Graph Store Protocol is still to come.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from policykg import settings
from policykg.errors import QueryError, StoreError
from policykg.graph.store import to_python
from policykg.namespaces import sparql_prefixes

XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


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


class RemoteStore:
    """The graph held by the SPARQL server at ``endpoint`` (read-only)."""

    def __init__(self, endpoint: str, timeout: float | None = None) -> None:
        if not endpoint.startswith(("http://", "https://")):
            raise StoreError(f"{endpoint!r} is not the URL of a SPARQL endpoint (http:// or https://)")
        self.endpoint = endpoint
        self.timeout = float(settings.get("query_timeout")) if timeout is None else timeout

    def _results(self, sparql: str) -> dict[str, Any]:
        from SPARQLWrapper import JSON, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setReturnFormat(JSON)
        client.setTimeout(max(1, int(self.timeout)))
        user = str(settings.get("endpoint_user"))
        if user:
            client.setCredentials(user, str(settings.get("endpoint_password")))
        client.setQuery(sparql_prefixes() + sparql)
        try:
            data = client.query().convert()
        except SPARQLWrapperException as exc:
            raise QueryError(f"the SPARQL server at {self.endpoint} refused the query: {exc}") from None
        except OSError as exc:  # URLError, timeouts, refused connections
            raise StoreError(f"cannot reach the SPARQL server at {self.endpoint}: {exc}") from None
        if not isinstance(data, dict) or "results" not in data:
            raise QueryError(f"the SPARQL server at {self.endpoint} did not answer with SPARQL JSON results")
        return data

    def solutions(self, sparql: str) -> Iterator[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | None]]:
        data = self._results(sparql)
        names = data["head"]["vars"]
        for row in data["results"]["bindings"]:
            yield {name: term(row[name]) if name in row else None for name in names}

    def select(self, sparql: str, substitutions: None = None, inferred: bool = True) -> list[dict[str, object]]:
        """Rows of a SELECT as ``Store.select`` gives them (str, int, float, bool; None when
        unbound). Entailments are in the server's graphs as loaded, so ``inferred`` is kept."""
        return [{k: to_python(v) for k, v in row.items()} for row in self.solutions(sparql)]

    def quads_for_pattern(self, subject: ox.NamedNode | ox.BlankNode | None, predicate: ox.NamedNode | None,
                          object: ox.NamedNode | ox.BlankNode | ox.Literal | None,
                          graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        """The quads matching a pattern (None: any), as ``pyoxigraph.Store.quads_for_pattern``."""
        s, p, o = (str(t) if t is not None else f"?{v}" for t, v in ((subject, "s"), (predicate, "p"), (object, "o")))
        g = str(graph) if graph is not None else "?g"
        for row in self.solutions(f"SELECT * WHERE {{ GRAPH {g} {{ {s} {p} {o} }} }}"):
            found: list[Any] = [row.get(v) if t is None else t for t, v in ((subject, "s"), (predicate, "p"), (object, "o"), (graph, "g"))]
            yield ox.Quad(*found)
