"""The SPARQL 1.1 service at ``/sparql``: the Protocol, the Service Description, SPARQL Update
behind a token, and CORS. The Graph Store Protocol is ``api.gsp``; queries are run, within the
limits the server enforces, by ``graph.executor``; formats are negotiated by ``policykg.negotiation``.

Protocol
    Query by GET, POST form (``application/x-www-form-urlencoded``) and POST direct
    (``application/sparql-query``). Results by ``Accept`` or ``format=``: SPARQL JSON, XML, CSV
    and TSV for SELECT and ASK; Turtle, N-Triples, N-Quads, TriG, JSON-LD and RDF/XML for
    CONSTRUCT and DESCRIBE (a graph: N-Quads and TriG write it as the default graph). No
    ``Accept``, an unreadable one or ``*/*`` get SPARQL JSON or Turtle; an ``Accept`` naming only
    formats we cannot write gets 406. ``default-graph-uri``/``named-graph-uri`` (URL or form)
    replace the query's dataset; without them the default graph is the union of all named
    graphs. Our prefixes (``lg:``, ``eli:``, ``prov:`` …) are predeclared and relative IRIs
    resolve against ``base_iri``. ``GET /sparql`` without a query answers the Service
    Description (Turtle, or any graph format by Accept); a browser (an Accept that prefers
    ``text/html``) is sent to the SPARQL editor, ``/ui/sparql`` (303). SERVICE (and LOAD in updates) may
    fetch only from the hosts of ``service_hosts`` (none by default: the server would fetch
    whatever URL a request names); this is decided on the parsed text, its ``\\u`` escapes
    expanded (``graph.sparql_policy``), and a text that mentions either and does not parse is
    refused. The text Oxigraph runs is the one that was checked.

Errors (the JSON error body of the app): 400 a malformed request or query (syntax errors name
the line and column), 401 a missing or wrong token, 403 an update while the service is
read-only, SERVICE or LOAD to a host not allowed, or an update that writes a derived graph,
405 a method /sparql does not take, 406 no acceptable format, 413 a query or payload over the
size limit, 415 a content type or charset we do not read, 429 a client with
``per_client_queries`` queries under way, 503 a query stopped at the time or memory limit, or
every worker busy and ``query_queue`` requests waiting (429 and 503 busy with ``Retry-After``).

Updates
    Read-only unless the setting ``update_token`` is set; then SPARQL Update by POST form
    (``update=``) or POST direct (``application/sparql-update``), with
    ``using-graph-uri``/``using-named-graph-uri``, is accepted from requests that send
    ``Authorization: Bearer <token>``. Writes run one at a time in this process on the store;
    each update is one transaction. Afterwards the inferences of the documents whose graphs the
    update writes (all of them after ALL or NAMED) and the closure across graphs are
    recomputed, so the materialised entailments stay consistent. An update may not write the
    derived graphs (the inferred ones, the ontology and vocabulary, the store's own
    bookkeeping: ``graph.sparql_policy.protected_graph``, as for the Graph Store), nor a graph
    named by a variable (403); DROP/CLEAR ALL and NAMED apply to the other graphs only.

Limits
    Read from the settings once, when the app is created (``Limits``). A query that runs past
    ``query_timeout`` seconds, or needs more than ``query_memory_mb``, is stopped and answered
    503; the next request is served normally. At most ``max_rows`` solutions or triples are
    returned; a cut result says so in the headers ``X-Policykg-Truncated: true`` and
    ``X-Policykg-Row-Limit``, and SPARQL JSON also in ``head.link``. How queries are run in
    worker processes over a snapshot of the store, and what that costs, is told in
    ``graph.executor``; how a query waits for a worker without holding a thread of the server
    (``query_queue``, ``per_client_queries``), in ``api.admission``. The canned queries, the
    linked-data pages and the UI views run their queries the same way.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS
from starlette.concurrency import run_in_threadpool

from policykg import iris, settings
from policykg.api.admission import Gate
from policykg.errors import (
    MethodNotAllowed,
    PayloadTooLarge,
    PolicyKGError,
    ProtocolError,
    QueryError,
    Unauthorized,
    UnsupportedMediaType,
    UpdatesDisabled,
)
from policykg.graph.executor import Task, service, syntax_message
from policykg.graph.remote import RemoteStore
from policykg.graph.sparql_policy import check_query, check_update, may_fetch, parse_hosts, prepare
from policykg.graph.sparql_text import is_update, with_using
from policykg.graph.store import Store
from policykg.namespaces import PREFIXES
from policykg.negotiation import FORMAT_NAMES, GRAPH_FORMATS, RESULT_FORMATS, W3C_FORMATS, FormatTable, chosen, media_type, negotiate

# --- error responses ----------------------------------------------------------------------------


def error_response(exc: PolicyKGError) -> JSONResponse:
    """The app's JSON error body, with the headers the status calls for."""
    headers = {}
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="policykg"'
    elif isinstance(exc, MethodNotAllowed):
        headers["Allow"] = str(exc.context.get("allow", "GET, POST"))
    headers.update(exc.headers())  # Retry-After: 429 and 503 ServiceBusy
    return JSONResponse({k: v for k, v in exc.to_dict().items() if k != "context"}, status_code=exc.status, headers=headers)


# --- the HTTP layer -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """The settings the endpoints read, once, when the app is created."""

    timeout: float
    max_rows: int
    max_query_bytes: int
    max_upload_bytes: int
    update_token: str
    service_hosts: frozenset[str]  # hosts SERVICE and LOAD may fetch from

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(timeout=float(settings.get("query_timeout")),
                   max_rows=int(settings.get("max_rows")),
                   max_query_bytes=int(settings.get("max_query_bytes")),
                   max_upload_bytes=int(settings.get("max_upload_bytes")),
                   update_token=str(settings.get("update_token") or ""),
                   service_hosts=parse_hosts(settings.get("service_hosts")))

    def authorize(self, request: Request) -> None:
        """Writes need the update token: 403 while none is configured, 401 without the right one."""
        if not self.update_token:
            raise UpdatesDisabled("this service is read-only: SPARQL Update and Graph Store writes are enabled only when "
                                  "the server runs with the setting update_token (POLICYKG_UPDATE_TOKEN)")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), self.update_token.encode()):
            raise Unauthorized("a write needs the header Authorization: Bearer <update_token>; it was "
                               + ("missing" if not scheme else "not the configured token"))


def content_type(request: Request) -> tuple[str, str | None]:
    """The media type of the request body (lower case) and its charset, if stated."""
    mime, *params = (request.headers.get("content-type") or "").split(";")
    charset = None
    for p in params:
        name, _, value = p.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return mime.strip().lower(), charset


def require_utf8(charset: str | None, what: str) -> None:
    if charset not in (None, "utf-8", "utf8"):
        raise UnsupportedMediaType(f"{what} must be UTF-8; the request says charset={charset}")


async def read_body(request: Request, limit: int, what: str = "the request body") -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"{what} is {int(declared):,} bytes, more than the limit of {limit:,}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"{what} is more than the limit of {limit:,} bytes")
    return bytes(body)


def endpoint_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}{request.url.path}"


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"{what} is not UTF-8 (byte {exc.start})") from None


def _graph_iris(values: list[str], param: str) -> tuple[str, ...]:
    for v in values:
        try:
            ox.NamedNode(v)
        except ValueError as exc:
            raise ProtocolError(f"{param}={v!r} is not an absolute IRI: {exc}") from None
    return tuple(values)


@dataclass
class Operation:
    """A request read: a query, an update, or neither (the service description)."""

    kind: str  # "query", "update" or "describe"
    text: str = ""
    graphs: list[str] = field(default_factory=list)  # default-graph-uri / using-graph-uri
    named: list[str] = field(default_factory=list)  # named-graph-uri / using-named-graph-uri
    dataset_given: bool = False


def _operation(fields: dict[str, list[str]]) -> Operation:
    queries, updates = fields.get("query", []), fields.get("update", [])
    if queries and updates:
        raise ProtocolError("the request has both query= and update=; send one operation")
    for name, values in (("query", queries), ("update", updates)):
        if len(values) > 1:
            raise ProtocolError(f"the request has {len(values)} {name}= parameters; send exactly one")
    if updates:
        return Operation("update", updates[0], fields.get("using-graph-uri", []), fields.get("using-named-graph-uri", []))
    if queries:
        graphs, named = fields.get("default-graph-uri", []), fields.get("named-graph-uri", [])
        return Operation("query", queries[0], graphs, named, bool(graphs or named))
    return Operation("describe")


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return out


_ERROR_SCHEMA = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_ALL_TYPES = [f[0] for f in RESULT_FORMATS.values()] + [f[0] for f in GRAPH_FORMATS.values()]
SPARQL_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Query results (SELECT, ASK) or a graph (CONSTRUCT, DESCRIBE, the service description) "
                         "in the negotiated format; X-Policykg-Truncated: true when the row cap cut it",
          "content": {m: {} for m in _ALL_TYPES}},
    400: {"description": "Malformed request or query; the message names the problem", **_ERROR_SCHEMA},
    401: {"description": "A write without the right Authorization: Bearer token", **_ERROR_SCHEMA},
    403: {"description": "A write while the service is read-only (no update_token configured), SERVICE or LOAD to a host "
                         "not in service_hosts, or an update that writes a derived graph", **_ERROR_SCHEMA},
    406: {"description": "No format in Accept can be written for this result", **_ERROR_SCHEMA},
    413: {"description": "The query or update is larger than the limit", **_ERROR_SCHEMA},
    415: {"description": "A body in a media type or charset the endpoint does not read", **_ERROR_SCHEMA},
    429: {"description": "This client already has per_client_queries queries running or waiting (Retry-After)", **_ERROR_SCHEMA},
    503: {"description": "The query ran past the time or memory limit and was stopped, or every worker was busy and the queue full (Retry-After)", **_ERROR_SCHEMA},
}
_FORMAT_PARAM = {"name": "format", "in": "query", "required": False, "description": "A format instead of Accept",
                 "schema": {"type": "string", "enum": list(FORMAT_NAMES)}}
_GRAPH_PARAMS = [
    {"name": name, "in": "query", "required": False, "style": "form", "explode": True, "description": text,
     "schema": {"type": "array", "items": {"type": "string"}}}
    for name, text in (("default-graph-uri", "A graph of the query's default graph (replaces FROM)"),
                       ("named-graph-uri", "A named graph of the query's dataset (replaces FROM NAMED)"),
                       ("using-graph-uri", "For an update: a graph of the WHERE clause's default graph"),
                       ("using-named-graph-uri", "For an update: a named graph of the WHERE clause's dataset"))
]
_GET_PARAMS = [{"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
                "description": "The SPARQL query; without one the service description is returned"},
               _FORMAT_PARAM, *_GRAPH_PARAMS[:2]]
_FORM_SCHEMA = {"type": "object", "properties": {
    "query": {"type": "string"}, "update": {"type": "string"},
    **{p["name"]: {"type": "array", "items": {"type": "string"}} for p in _GRAPH_PARAMS}}}
_POST_BODY = {"required": True, "content": {
    "application/x-www-form-urlencoded": {"schema": _FORM_SCHEMA},
    "application/sparql-query": {"schema": {"type": "string"}},
    "application/sparql-update": {"schema": {"type": "string"}}}}


# a browser opening /sparql (no query; Accept prefers HTML to every graph format of the service
# description) is sent to the SPARQL editor; SPARQL clients, which ask for results or graphs, are not
_EDITOR_REDIRECT = {"description": "A browser (Accept preferring text/html) without a query: see the SPARQL editor at /ui/sparql"}
_PAGE_OR_GRAPH: FormatTable = {"html": ("text/html", None, "", ("application/xhtml+xml",)), **GRAPH_FORMATS}


def wants_html(accept: str | None) -> bool:
    """Whether an Accept header prefers a web page to the service description's graph formats."""
    return negotiate(accept, _PAGE_OR_GRAPH, "ttl") == "html"


def router(store: Store | RemoteStore, gate: Gate | None = None) -> APIRouter:
    """``/sparql``, reading the settings now (the app adds ``api.gsp``'s ``/rdf-graphs/service`` beside it)."""
    limits = Limits.from_settings()
    svc = service(store)
    gate = gate or Gate(store)  # queries wait their turn for a worker there, holding no thread
    r = APIRouter(tags=["SPARQL"])

    async def answer(request: Request, op: Operation, fmt: str | None) -> Response:
        accept = request.headers.get("accept")
        if fmt and "/" in fmt:  # media types in format= (SPARQLWrapper sends its Accept list there) act as Accept
            accept, fmt = fmt, None
        try:
            if fmt and fmt.lower() not in FORMAT_NAMES:
                raise ProtocolError(f"format={fmt} is not one we write; use one of {', '.join(FORMAT_NAMES)}, or media types")
            if op.kind == "describe":
                return describe(accept, endpoint_url(request), store, limits, fmt)
            if op.kind == "update":
                return await update(request, op)
            return await query(request, op, accept, fmt)
        except PolicyKGError as exc:
            return error_response(exc)

    async def query(request: Request, op: Operation, accept: str | None, fmt: str | None) -> Response:
        text = op.text
        if not text.strip():
            raise ProtocolError("the query is empty: pass it as query=… or as an application/sparql-query body")
        size = len(text.encode("utf-8"))
        if size > limits.max_query_bytes:
            raise PayloadTooLarge(f"the query is {size:,} bytes, more than the limit of {limits.max_query_bytes:,} (max_query_bytes)")
        text = prepare(text)  # the \u escapes expanded: the text checked is the text run
        if is_update(text):
            raise ProtocolError("this is a SPARQL Update, not a query: POST it as update=… or as an application/sparql-update "
                                "body (updates need the update token)")
        if may_fetch(text):
            await run_in_threadpool(check_query, text, iris.base(), PREFIXES, limits.service_hosts)
        task = Task(text, iris.base(),
                    _graph_iris(op.graphs, "default-graph-uri") if op.dataset_given else None,
                    _graph_iris(op.named, "named-graph-uri") if op.dataset_given else None,
                    accept, fmt, limits.max_rows)
        outcome = await gate.call(request, svc.query, task, limits.timeout)
        outcome.raise_for_error()
        headers = {"Vary": "Accept", "X-Policykg-Rows": str(outcome.rows)}
        if outcome.truncated:
            headers |= {"X-Policykg-Truncated": "true", "X-Policykg-Row-Limit": str(limits.max_rows)}
        return Response(outcome.body, media_type=outcome.media_type, headers=headers)

    async def update(request: Request, op: Operation) -> Response:
        limits.authorize(request)
        size = len(op.text.encode("utf-8"))
        if size > limits.max_upload_bytes:
            raise PayloadTooLarge(f"the update is {size:,} bytes, more than the limit of {limits.max_upload_bytes:,} (max_upload_bytes)")
        if not op.text.strip():
            raise ProtocolError("the update is empty")
        text = with_using(prepare(op.text), list(_graph_iris(op.graphs, "using-graph-uri")), list(_graph_iris(op.named, "using-named-graph-uri")))
        plan = await run_in_threadpool(check_update, text, iris.base(), PREFIXES, limits.service_hosts)
        documents = plan.documents

        def change(s: Store) -> None:  # ALL and NAMED spelt out over the graphs there are now
            final = plan.final(g.value for g in s.ox.named_graphs() if isinstance(g, ox.NamedNode))
            s.ox.update(final, base_iri=iris.base(), prefixes=PREFIXES)

        try:
            _, seconds = await run_in_threadpool(svc.write, change, documents)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL Update syntax error: {syntax_message(exc)}") from None
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"the update failed and changed nothing: {exc}") from None
        return JSONResponse({"ok": True, "message": "update applied",
                             "inferences": {"documents": documents if documents is not None else "all", "seconds": round(seconds, 3)}})

    @r.get("/sparql", summary="SPARQL 1.1 query by GET; without a query, the service description (a browser is sent to the editor)",
           response_class=Response, responses={**SPARQL_RESPONSES, 303: _EDITOR_REDIRECT}, openapi_extra={"parameters": _GET_PARAMS})
    async def sparql_get(request: Request) -> Response:
        params = request.query_params
        try:
            if "update" in params:
                raise ProtocolError("SPARQL Update is sent by POST (update=… in a form, or an application/sparql-update body), never by GET")
            op = _operation(_multi(list(params.multi_items())))
        except PolicyKGError as exc:
            return error_response(exc)
        if op.kind == "describe" and "format" not in params and wants_html(request.headers.get("accept")):
            lang = params.get("lang")
            return RedirectResponse("/ui/sparql" + (f"?lang={lang}" if lang in ("zh", "en") else ""), status_code=303,
                                    headers={"Vary": "Accept"})  # a cache must not give it to a SPARQL client
        return await answer(request, op, params.get("format"))

    @r.post("/sparql", summary="SPARQL 1.1 query or update by POST (form, or a direct query or update body)",
            response_class=Response, responses=SPARQL_RESPONSES,
            openapi_extra={"parameters": [_FORMAT_PARAM, *_GRAPH_PARAMS], "requestBody": _POST_BODY})
    async def sparql_post(request: Request) -> Response:
        try:
            op = await post_operation(request)
        except PolicyKGError as exc:
            return error_response(exc)
        return await answer(request, op, request.query_params.get("format"))

    async def post_operation(request: Request) -> Operation:
        ctype, charset = content_type(request)
        url = _multi(list(request.query_params.multi_items()))
        url.pop("format", None)
        if ctype not in ("application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update"):
            raise UnsupportedMediaType(
                f"a POST to /sparql needs Content-Type application/x-www-form-urlencoded (query= or update=), "
                f"application/sparql-query or application/sparql-update; this one has {ctype or 'none'}")
        require_utf8(charset, "the body")
        body = await read_body(request, max(limits.max_query_bytes, limits.max_upload_bytes))
        if ctype == "application/x-www-form-urlencoded":
            try:
                pairs = parse_qsl(_decode(body, "the form"), keep_blank_values=True, encoding="utf-8", errors="strict")
            except UnicodeDecodeError:
                raise ProtocolError("a percent-encoded value of the form is not UTF-8") from None
            fields = _multi(pairs)
            for k, v in url.items():
                fields.setdefault(k, []).extend(v)
            op = _operation(fields)
            if op.kind == "describe":
                raise ProtocolError("the form has neither query= nor update=")
            return op
        if "query" in url or "update" in url:
            raise ProtocolError("the operation is in the body; do not also send query= or update= in the URL")
        text = _decode(body, "the body")
        if ctype == "application/sparql-query":
            graphs, named = url.get("default-graph-uri", []), url.get("named-graph-uri", [])
            return Operation("query", text, graphs, named, bool(graphs or named))
        return Operation("update", text, url.get("using-graph-uri", []), url.get("using-named-graph-uri", []))

    @r.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
    async def sparql_other(request: Request) -> Response:
        return error_response(MethodNotAllowed(f"/sparql takes GET and POST, not {request.method}", allow="GET, POST"))

    return r


# --- the service description --------------------------------------------------------------------

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")


def service_description(endpoint: str, store: Store | RemoteStore, limits: Limits) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint: languages, result and input formats,
    features, the default dataset with its named graphs, and the limits in words."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("format", Namespace(W3C_FORMATS))
    s = URIRef(endpoint + "#service")
    g.add((s, RDF.type, SD.Service))
    g.add((s, SD.endpoint, URIRef(endpoint)))
    g.add((s, SD.supportedLanguage, SD.SPARQL11Query))
    if limits.update_token:
        g.add((s, SD.supportedLanguage, SD.SPARQL11Update))
        for key in GRAPH_FORMATS:
            g.add((s, SD.inputFormat, URIRef(GRAPH_FORMATS[key][2])))
    for _, _, iri, _ in [*RESULT_FORMATS.values(), *GRAPH_FORMATS.values()]:
        g.add((s, SD.resultFormat, URIRef(iri)))
    g.add((s, SD.feature, SD.UnionDefaultGraph))
    g.add((s, SD.feature, SD.EmptyGraphs))
    if limits.service_hosts:
        g.add((s, SD.feature, SD.BasicFederatedQuery))
    g.add((s, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    gsp_url = endpoint.rsplit("/sparql", 1)[0] + "/rdf-graphs/service"
    g.add((s, RDFS.seeAlso, URIRef(gsp_url)))
    g.add((s, RDFS.label, Literal("policykg SPARQL endpoint", lang="en")))
    writes = ("SPARQL Update and Graph Store writes need Authorization: Bearer <update_token>."
              if limits.update_token else "Read-only: no SPARQL Update, Graph Store reads only.")
    g.add((s, RDFS.comment, Literal(
        f"Chinese government policy documents (法治政府建设), the agencies they name and the obligations they assign. "
        f"Without FROM, GRAPH or default-graph-uri the default graph is the union of all named graphs. "
        f"Prefixes lg:, eli:, org:, prov:, dcterms:, skos:, time:, rdf:, rdfs:, owl:, xsd: are predeclared; relative IRIs "
        f"resolve against {iris.base()}. Each query runs at most {limits.timeout:g} s and returns at most {limits.max_rows:,} "
        f"rows or triples (X-Policykg-Truncated: true when cut). {writes} Graph Store Protocol: {gsp_url}?graph=IRI or ?default.",
        lang="en")))
    dataset, default = BNode(), BNode()
    g.add((s, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDFS.comment, Literal("The union of all named graphs.", lang="en")))
    for name in sorted(n.value for n in store.named_graphs()):
        named, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
    return g


_RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld", "rdfxml": "xml"}


def describe(accept: str | None, endpoint: str, store: Store | RemoteStore, limits: Limits, fmt: str | None) -> Response:
    key = chosen(accept, fmt, GRAPH_FORMATS, "ttl", "the service description")
    g = service_description(endpoint, store, limits)
    if _RDFLIB_FORMATS[key] in {"nquads", "trig"}:  # dataset formats: the description as the default graph
        from rdflib import Dataset

        ds = Dataset()
        ds.default_graph += g
        for prefix, ns in g.namespaces():
            ds.bind(prefix, ns)
        g = ds
    return Response(g.serialize(format=_RDFLIB_FORMATS[key], encoding="utf-8"), media_type=media_type(key), headers={"Vary": "Accept"})
