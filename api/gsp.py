"""The SPARQL 1.1 Graph Store HTTP Protocol at ``/rdf-graphs/service``, with indirect graph
identification: ``?graph=IRI`` names a graph of the store, ``?default`` its default graph (the
store's own default graph, not the union that SPARQL queries see).

GET and HEAD read a graph (Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML by Accept) and
are open to all. PUT replaces a graph, POST merges into it (or, sent to the service itself
without ``graph``/``default``, creates a graph and answers 201 with its IRI in ``Location``),
DELETE drops it; these need the update token (``api.sparql.Limits.authorize``). A payload is
an RDF document in one of those formats, or ``multipart/form-data`` with one per part. Each
write is one transaction; then the written document's inferences and the closure across graphs
are recomputed. The derived graphs (the inferred ``graph/inferred/…``, the ontology and
vocabulary, the store's own ``graph/meta``) cannot be written (403), as by SPARQL Update.

Statuses: 200 read or written, 201 a graph created, 400 a malformed request or payload, 401/403
as for updates, 404 no such graph, 406, 413 and 415 as for queries.
"""

from __future__ import annotations

import uuid
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from policykg import iris
from policykg.api.sparql import Limits, content_type, error_response, read_body, require_utf8
from policykg.errors import (
    NotAcceptable,
    PolicyKGError,
    ProtocolError,
    ResourceNotFound,
    UnsupportedMediaType,
)
from policykg.graph import shared
from policykg.graph.executor import Service
from policykg.graph.remote import RemoteStore
from policykg.graph.sparql_policy import check_writable
from policykg.graph.store import Store
from policykg.namespaces import PREFIXES
from policykg.negotiation import GRAPH_FORMATS, WITH_PREFIXES, media_type, negotiate

PATH = "/rdf-graphs/service"
INPUT_FORMATS = {mime: fmt for main, fmt, _, aliases in GRAPH_FORMATS.values() for mime in (main, *aliases)}
_BY_EXTENSION = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG,
                 ".jsonld": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML, ".owl": ox.RdfFormat.RDF_XML, ".n3": ox.RdfFormat.N3}

Target = ox.NamedNode | ox.DefaultGraph


def _target(request: Request) -> Target | None:
    """The graph a request names, or None for the service itself."""
    params = request.query_params
    graphs = params.getlist("graph")
    if len(graphs) > 1 or (graphs and "default" in params):
        raise ProtocolError("name one graph: either ?graph=IRI or ?default")
    if "default" in params:
        return ox.DefaultGraph()
    if graphs:
        try:
            return ox.NamedNode(graphs[0])
        except ValueError as exc:
            raise ProtocolError(f"graph={graphs[0]!r} is not an absolute IRI: {exc}") from None
    return None


def _exists(store: Store | RemoteStore, target: Target) -> bool:
    return isinstance(target, ox.DefaultGraph) or store.contains_named_graph(target)


def _document_key(target: Target) -> str | None:
    prefix = iris.doc_graph("")
    if isinstance(target, ox.NamedNode) and target.value.startswith(prefix) and len(target.value) > len(prefix):
        return target.value[len(prefix):]
    return None


def _reasoned(target: Target) -> list[str]:
    """The documents to re-reason after writing ``target``: its own when it is a document's graph
    (any write is followed by the closure across graphs)."""
    key = _document_key(target)
    return [key] if key else []


def _writable(target: Target) -> None:
    """The rule SPARQL Update follows too: no derived graph (inferences, ontology, vocabulary,
    the store's own) is written."""
    if isinstance(target, ox.NamedNode):
        check_writable(target.value)


def _parse(data: bytes, fmt: Any, base: str, what: str) -> list[ox.Triple]:
    try:
        return [q.triple for q in ox.parse(data, format=fmt, base_iri=base, without_named_graphs=True, rename_blank_nodes=True)]
    except (SyntaxError, ValueError) as exc:
        raise ProtocolError(f"{what} does not parse: {exc}") from None


async def _payload(request: Request, limits: Limits, base: str) -> list[ox.Triple]:
    """The triples a PUT or POST sends: one RDF document, or one per part of a multipart form."""
    ctype, charset = content_type(request)
    if ctype == "multipart/form-data":
        body_size = request.headers.get("content-length")
        if body_size and body_size.isdigit() and int(body_size) > limits.max_upload_bytes:
            await read_body(request, limits.max_upload_bytes, "the payload")  # raises 413
        form = await request.form(max_part_size=limits.max_upload_bytes)
        triples: list[ox.Triple] = []
        for name, part in form.multi_items():
            if not isinstance(part, UploadFile):
                raise UnsupportedMediaType(f"the form part {name!r} is not a file with a Content-Type")
            part_type = (part.content_type or "").split(";")[0].strip().lower()
            fmt = INPUT_FORMATS.get(part_type) or next((f for ext, f in _BY_EXTENSION.items() if (part.filename or "").endswith(ext)), None)
            if fmt is None:
                raise UnsupportedMediaType(f"the form part {name!r} is {part_type or 'of no type'}; send {', '.join(f[0] for f in GRAPH_FORMATS.values())}")
            data = await part.read()
            triples += await run_in_threadpool(_parse, data, fmt, base, f"the form part {name!r}")
        return triples
    fmt = INPUT_FORMATS.get(ctype)
    if fmt is None:
        raise UnsupportedMediaType(f"the payload is {ctype or 'of no stated type'}; send one of "
                                   f"{', '.join(f[0] for f in GRAPH_FORMATS.values())} or multipart/form-data")
    if fmt != ox.RdfFormat.RDF_XML:
        require_utf8(charset, "the payload")
    data = await read_body(request, limits.max_upload_bytes, "the payload")
    return await run_in_threadpool(_parse, data, fmt, base, f"the {ctype} payload")


def _write(store: Store, target: Target, triples: list[ox.Triple], replace: bool) -> bool:
    """Replace or extend a graph in one transaction; True when the graph was new."""
    created = not _exists(store, target)
    serialized = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert serialized is not None  # without an output, the bytes
    data = serialized.decode("utf-8")
    if isinstance(target, ox.DefaultGraph):
        steps = (["CLEAR SILENT DEFAULT"] if replace else []) + ([f"INSERT DATA {{\n{data}\n}}"] if triples else [])
    else:
        g = f"<{target.value}>"
        steps = ([f"DROP SILENT GRAPH {g}"] if replace else []) + [f"CREATE SILENT GRAPH {g}"]
        steps += [f"INSERT DATA {{ GRAPH {g} {{\n{data}\n}} }}"] if triples else []
        key = _document_key(target)
        if replace and key is not None:  # what the document said of shared nodes goes with its old graph
            steps.append(shared.replaced_ops(key))
    if steps:
        store.ox.update(" ;\n".join(steps))
    return created


def _delete(store: Store, target: Target) -> None:
    key = _document_key(target)
    if key is not None:  # drops its inferences too, and re-aligns its children's measures
        store.remove_document(key, derive=False)  # the unit of work (Store.write) derives
    elif isinstance(target, ox.DefaultGraph):
        store.ox.update("CLEAR SILENT DEFAULT")
    else:
        store.ox.update(f"DROP SILENT GRAPH <{target.value}>")


_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_PARAMS = [
    {"name": "graph", "in": "query", "required": False, "schema": {"type": "string"}, "description": "The IRI of the graph"},
    {"name": "default", "in": "query", "required": False, "allowEmptyValue": True, "schema": {"type": "string"},
     "description": "Present (no value needed): the store's default graph"},
]
_PAYLOAD = {"required": True, "content": {**{f[0]: {"schema": {"type": "string"}} for f in GRAPH_FORMATS.values()},
                                          "multipart/form-data": {"schema": {"type": "object"}}}}
_WRITTEN = {"description": "Written", "content": {"application/json": {}}}
_WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A malformed request or payload", **_ERROR},
    401: {"description": "Without the right Authorization: Bearer token", **_ERROR},
    403: {"description": "The service is read-only (no update_token), or the graph is an inferred one", **_ERROR},
    413: {"description": "The payload is larger than max_upload_bytes", **_ERROR},
    415: {"description": "A payload in a format we do not read", **_ERROR},
}


def router(store: Store | RemoteStore, svc: Service, limits: Limits) -> APIRouter:
    r = APIRouter(tags=["Graph Store"])

    def named(request: Request) -> Target:
        target = _target(request)
        if target is None:
            raise ProtocolError("name the graph: ?graph=IRI, or ?default for the default graph")
        return target

    read: dict[str, Any] = {"response_class": Response, "openapi_extra": {"parameters": _PARAMS},
            "responses": {200: {"description": "The graph", "content": {f[0]: {} for f in GRAPH_FORMATS.values()}},
                          400: {"description": "No graph named, or not an IRI", **_ERROR},
                          404: {"description": "No such graph", **_ERROR},
                          406: {"description": "No format in Accept can be written", **_ERROR}}}

    @r.head(PATH, summary="Graph Store Protocol: whether a graph exists, with the headers of its GET", **read)
    def head_graph(request: Request) -> Response:
        return read_graph(request)

    @r.get(PATH, summary="Graph Store Protocol: read a graph (?graph=IRI or ?default)", **read)
    def read_graph(request: Request) -> Response:
        try:
            target = named(request)
            if not _exists(store, target):
                raise ResourceNotFound(f"the store has no graph {target.value}")  # type: ignore[union-attr]
            key = negotiate(request.headers.get("accept"), GRAPH_FORMATS, "ttl")
            if key is None:
                raise NotAcceptable(f"none of the formats in Accept: {request.headers.get('accept')} can be written for a graph")
            triples = [q.triple for q in store.quads_for_pattern(None, None, None, target)]
            body = ox.serialize(triples, format=GRAPH_FORMATS[key][1], prefixes=PREFIXES if key in WITH_PREFIXES else None)
        except PolicyKGError as exc:
            return error_response(exc)
        return Response(body, media_type=media_type(key), headers={"Vary": "Accept"})

    async def write(request: Request, replace: bool) -> Response:
        try:
            limits.authorize(request)
            target = _target(request)
            location = None
            if target is None:
                if replace:
                    raise ProtocolError("PUT needs the graph it replaces: ?graph=IRI or ?default")
                location = f"{iris.base()}graph/posted/{uuid.uuid4().hex}"
                target = ox.NamedNode(location)
            _writable(target)
            triples = await _payload(request, limits, target.value if isinstance(target, ox.NamedNode) else iris.base())
            created, seconds = await run_in_threadpool(
                svc.write, lambda s: _write(s, target, triples, replace), _reasoned(target))
        except PolicyKGError as exc:
            return error_response(exc)
        body = {"ok": True, "graph": target.value if isinstance(target, ox.NamedNode) else "default",
                "triples": len(triples), "created": created, "inferences_seconds": round(seconds, 3)}
        return JSONResponse(body, status_code=201 if created else 200, headers={"Location": location} if location else None)

    @r.put(PATH, summary="Graph Store Protocol: replace a graph (needs the update token)", response_class=Response,
           openapi_extra={"parameters": _PARAMS, "requestBody": _PAYLOAD},
           responses={200: _WRITTEN, 201: {"description": "Created", "content": {"application/json": {}}}, **_WRITE_ERRORS})
    async def put_graph(request: Request) -> Response:
        return await write(request, replace=True)

    @r.post(PATH, summary="Graph Store Protocol: add to a graph, or create one when no graph is named (needs the update token)",
            response_class=Response, openapi_extra={"parameters": _PARAMS, "requestBody": _PAYLOAD},
            responses={200: _WRITTEN, 201: {"description": "Created; Location names a new graph", "content": {"application/json": {}}},
                       **_WRITE_ERRORS})
    async def post_graph(request: Request) -> Response:
        return await write(request, replace=False)

    @r.delete(PATH, summary="Graph Store Protocol: drop a graph (needs the update token)", response_class=Response,
              openapi_extra={"parameters": _PARAMS},
              responses={200: _WRITTEN, 404: {"description": "No such graph", **_ERROR},
                         **{k: v for k, v in _WRITE_ERRORS.items() if k not in (413, 415)}})
    async def delete_graph(request: Request) -> Response:
        try:
            limits.authorize(request)
            target = named(request)
            _writable(target)
            if not _exists(store, target):
                raise ResourceNotFound(f"the store has no graph {target.value}")  # type: ignore[union-attr]
            key = _document_key(target)
            affected = [key, *store.dependants(key)] if key is not None and isinstance(store, Store) else []  # its children lose their alignments, its siblings their links
            _, seconds = await run_in_threadpool(svc.write, lambda s: _delete(s, target), affected)
        except PolicyKGError as exc:
            return error_response(exc)
        return JSONResponse({"ok": True, "graph": target.value if isinstance(target, ox.NamedNode) else "default",
                             "deleted": True, "inferences_seconds": round(seconds, 3)})

    return r
