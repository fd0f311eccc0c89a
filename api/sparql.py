"""The SPARQL 1.1 Protocol endpoint as a mountable router: query by GET, POST form and POST
direct; results as SPARQL JSON/XML/CSV/TSV, graphs as Turtle/N-Triples/JSON-LD/RDF-XML, by
Accept. Read-only: updates are refused."""

from __future__ import annotations

import re

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import Graph

from policykg import settings
from policykg.errors import QueryError
from policykg.graph.store import Store
from policykg.namespaces import sparql_prefixes

RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "text/plain": "nt",
}
_UPDATE = re.compile(r"^\s*(?:(?:PREFIX|BASE)\s+[^\n]*\n\s*)*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)


def _accepted(accept: str, offered: dict[str, object], default: str) -> str:
    """The best offered media type for an Accept header (q-values honoured, */* and type/* too)."""
    best, best_q = None, 0.0
    for part in (accept or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        mime = fields[0].lower()
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if not mime:
            continue
        if mime in offered:
            cand = mime
        elif mime in {"*/*", "application/*", "text/*"}:
            cand = default
        else:
            continue
        if q > best_q:
            best, best_q = cand, q
    return best or default


def router(store: Store) -> APIRouter:
    r = APIRouter(tags=["SPARQL"])

    def run(request: Request, query: str | None, default_graphs: list[str], named_graphs: list[str]) -> Response:
        if not query or not query.strip():
            raise QueryError("no SPARQL query given: pass it as ?query=… or in the body (application/sparql-query)")
        limit = int(settings.get("max_query_bytes"))  # type: ignore[arg-type]
        if len(query.encode("utf-8")) > limit:
            raise QueryError(f"the query is {len(query.encode()):,} bytes, more than the limit of {limit:,}")
        if _UPDATE.match(query):
            raise QueryError("this endpoint is read-only: SPARQL Update is not accepted")
        kwargs: dict[str, object] = {}
        if default_graphs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
            kwargs["union"] = False
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        # Our prefixes are prepended only when the query does not declare them itself.
        declared = set(re.findall(r"PREFIX\s+(\w*):", query, re.I))
        prefixed = "".join(line for line in sparql_prefixes().splitlines(keepends=True) if line.split()[1][:-1] not in declared)
        try:
            result = store.query(prefixed + query, prefixes=False, **kwargs)
        except (ValueError, OSError, RuntimeError) as exc:
            raise QueryError(f"the query could not be evaluated: {exc}") from None
        accept = request.headers.get("accept", "")
        if isinstance(result, ox.QueryTriples):
            mime = _accepted(accept, GRAPH_TYPES, "text/turtle")
            fmt = GRAPH_TYPES[mime]
            if fmt in {"turtle", "nt"}:
                body = result.serialize(format=ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.N_TRIPLES)
            else:
                g = Graph()
                g.parse(data=result.serialize(format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
                body = g.serialize(format=fmt).encode("utf-8")
            return Response(body, media_type=mime if mime != "text/plain" else "application/n-triples")
        mime = _accepted(accept, RESULT_TYPES, "application/sparql-results+json")
        body = result.serialize(format=RESULT_TYPES[mime])  # type: ignore[union-attr]
        media = {"application/json": "application/sparql-results+json", "application/xml": "application/sparql-results+xml"}.get(mime, mime)
        if media.startswith("text/"):
            media += "; charset=utf-8"
        return Response(body, media_type=media)

    @r.get("/sparql", summary="SPARQL 1.1 query (GET)")
    def sparql_get(request: Request, query: str | None = None) -> Response:
        params = request.query_params
        return run(request, query, params.getlist("default-graph-uri"), params.getlist("named-graph-uri"))

    @r.post("/sparql", summary="SPARQL 1.1 query (POST form or POST direct)")
    async def sparql_post(request: Request) -> Response:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        params = request.query_params
        defaults, named = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
        if ctype == "application/x-www-form-urlencoded":
            form = await request.form()
            if "update" in form:
                raise QueryError("this endpoint is read-only: SPARQL Update is not accepted")
            query = form.get("query")
            defaults = defaults + [str(v) for v in form.getlist("default-graph-uri")]
            named = named + [str(v) for v in form.getlist("named-graph-uri")]
            return run(request, str(query) if query is not None else None, defaults, named)
        if ctype == "application/sparql-query":
            body = await request.body()
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise QueryError("the query body is not UTF-8") from None
            return run(request, text, defaults, named)
        if ctype == "application/sparql-update":
            raise QueryError("this endpoint is read-only: SPARQL Update is not accepted")
        raise QueryError(
            f"unsupported content type {ctype or '(none)'!r}: use application/x-www-form-urlencoded or application/sparql-query"
        )

    return r
