"""The canned queries as API operations: every ``.rq`` file in ``queries/`` is ``GET
/api/queries/{name}``, its parameters typed and validated from the file's front matter, paged,
and negotiated like ``/sparql`` (our JSON envelope by default; SPARQL JSON, XML, CSV and TSV by
Accept or ``format``). The OpenAPI document describes each query from its file when it is
requested, so adding or changing a query file needs no code change. Parameter values reach
SPARQL only as RDF terms serialised by the RDF library (``queries.CannedQuery.prepare``); a page
and the count of the whole answer are read out of one evaluation on the store (``Reader.page``),
asked of a SPARQL server with LIMIT, OFFSET and a COUNT; each query runs in a worker within the limits of
``/sparql``, after waiting its turn in ``api.admission``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from policykg import queries, settings
from policykg.api.admission import Gate
from policykg.errors import ParameterError
from policykg.graph.executor import Reader
from policykg.graph.remote import RemoteStore
from policykg.graph.resolve import Resolver
from policykg.graph.store import Store
from policykg.negotiation import FormatTable, negotiate

FORMATS = {  # format=… or Accept → (media type, Oxigraph results format); None: our JSON envelope
    "json": ("application/json", None),
    "sparql-json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "csv": ("text/csv; charset=utf-8", ox.QueryResultsFormat.CSV),
    "tsv": ("text/tab-separated-values; charset=utf-8", ox.QueryResultsFormat.TSV),
}
# the same formats by Accept (media types without parameters; application/xml also asks for SPARQL XML)
_BY_ACCEPT: FormatTable = {key: (media.split(";")[0], fmt, "", ("application/xml",) if key == "xml" else ())
                           for key, (media, fmt) in FORMATS.items()}
CONTROL = ("limit", "offset", "inferred", "format")


def _format(request: Request) -> str:
    asked = request.query_params.get("format")
    if asked:
        if asked not in FORMATS:
            raise ParameterError(f"format must be one of {', '.join(FORMATS)}, got {asked!r}", param="format")
        return asked
    return negotiate(request.headers.get("accept"), _BY_ACCEPT, "json") or "json"


def page(reader: Reader, q: queries.CannedQuery, values: dict[str, str], resolver: Resolver, limit: int, offset: int,
         inferred: bool = True) -> dict[str, Any]:
    """A page of a canned query's rows (``Reader.page``: the worker returns the page, never the
    whole result), at most ``max_rows`` of them (then the answer says ``truncated``). ``count``:
    the rows of the whole result. ``more``: rows follow this page."""
    text = q.executable(q.bind(values, resolver), reader.lateral)
    rows, count = reader.page(text, limit, offset, inferred)
    return {"count": count, "offset": offset, "limit": limit, "rows": list(rows), "more": rows.truncated}


def page_headers(total: int, following: str | None) -> dict[str, str]:
    """``X-Total-Count`` (the rows of the whole answer) and, when more rows follow, ``Link`` to
    the next page (RFC 8288), so a client reading CSV (``pd.read_csv(url)``) can tell it has a
    page, not the answer."""
    return {"X-Total-Count": str(total), **({"Link": f'<{following}>; rel="next"'} if following else {})}


def router(store: Store | RemoteStore, resolver: Resolver, gate: Gate) -> APIRouter:
    r = APIRouter(tags=["queries"])

    @r.get("/api/queries", summary="The canned queries and their parameters")
    def list_queries() -> dict[str, Any]:
        return {"ok": True, "queries": [
            {"name": q.name, "summary": q.summary, "description": q.description,
             "params": [{"name": p.name, "type": p.type, "description": p.description, "required": p.required,
                         "schema": p.schema()} for p in q.params],
             "example": q.example, "sparql": q.sparql, "path": f"/api/queries/{q.name}"}
            for q in queries.all_queries().values()]}

    # described per query by openapi_paths(); one handler serves them all
    @r.get("/api/queries/{name}", include_in_schema=False)
    async def run_query(name: str, request: Request, limit: int = Query(default=int(settings.get("page_size")), ge=1, le=10000),
                        offset: int = Query(default=0, ge=0), inferred: bool = Query(default=True)) -> Response:
        q = queries.named(name)  # never a file path: only the queries of queries/
        params = request.query_params
        values = {k: ",".join(params.getlist(k)) for k in params if k not in CONTROL}
        fmt = _format(request)
        return await gate.run(request, answer, q, values, fmt, limit, offset, inferred)  # type: ignore[no-any-return]

    def answer(reader: Reader, q: queries.CannedQuery, values: dict[str, str], fmt: str, limit: int, offset: int,
               inferred: bool) -> Response:
        media, results_format = FORMATS[fmt]
        control = {"limit": limit, **({"inferred": "false"} if not inferred else {}), **({"format": fmt} if fmt != "json" else {})}
        if results_format is not None:  # SPARQL results: the page as the format has it, its total and next page in the headers
            outcome, total = reader.paged(q.executable(q.bind(values, resolver), reader.lateral), limit, offset, inferred, fmt)
            following = f"/api/queries/{q.name}?{urlencode({**values, **control, 'offset': offset + outcome.rows})}"
            return Response(outcome.body, media_type=media, headers=page_headers(total, following if outcome.truncated else None))
        found = page(reader, q, values, resolver, limit, offset, inferred)
        body: dict[str, Any] = {"ok": True, "query": q.name, "params": values, "count": found["count"], "offset": offset,
                                "limit": limit, "rows": found["rows"]}
        if found["more"]:
            body["next"] = f"/api/queries/{q.name}?{urlencode({**values, **control, 'offset': offset + len(found['rows'])})}"
        if reader.truncated:
            body |= {"truncated": True, "row_limit": reader.max_rows}
        return JSONResponse(body, headers=page_headers(found["count"], body.get("next")))

    return r


def openapi_paths() -> dict[str, Any]:
    """An OpenAPI path item per canned query, read from the query files now."""
    error = {"$ref": "#/components/schemas/Error"}
    paths: dict[str, Any] = {}
    for q in queries.all_queries().values():
        parameters = [
            {"name": p.name, "in": "query", "required": p.required, "description": p.description, "schema": p.schema(),
             **({"style": "form", "explode": False} if p.type == "list" else {})}
            for p in q.params
        ]
        parameters += [
            {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": settings.get("page_size")}},
            {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0, "default": 0}},
            {"name": "inferred", "in": "query", "required": False, "description": "Include the materialised entailments", "schema": {"type": "boolean", "default": True}},
            {"name": "format", "in": "query", "required": False, "description": "Instead of Accept", "schema": {"type": "string", "enum": list(FORMATS)}},
        ]
        paths[f"/api/queries/{q.name}"] = {"get": {
            "tags": ["queries"], "operationId": f"query_{q.name.replace('-', '_')}", "summary": q.summary,
            "description": f"{q.description}\n\nExample: `{q.example}`\n\n```sparql\n{q.sparql}```",
            "parameters": parameters,
            "responses": {
                "200": {"description": "The rows (a page of them)", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/QueryPage"}},
                    **{media.split(";")[0]: {} for media, fmt in FORMATS.values() if fmt is not None}}},
                "400": {"description": "A parameter is missing or malformed", "content": {"application/json": {"schema": error}}},
                "404": {"description": "A named document, agency or jurisdiction does not exist", "content": {"application/json": {"schema": error}}},
            },
        }}
    return paths


COMPONENTS = {
    "Error": {"type": "object", "required": ["ok", "error", "message", "status"], "properties": {
        "ok": {"type": "boolean", "enum": [False]}, "error": {"type": "string"}, "message": {"type": "string"},
        "status": {"type": "integer"}, "context": {"type": "object"}}},
    "QueryPage": {"type": "object", "required": ["ok", "query", "count", "offset", "limit", "rows"], "properties": {
        "ok": {"type": "boolean"}, "query": {"type": "string"}, "params": {"type": "object"}, "count": {"type": "integer"},
        "offset": {"type": "integer"}, "limit": {"type": "integer"}, "next": {"type": "string"},
        "rows": {"type": "array", "items": {"type": "object"}}}},
}
