"""The HTTP application: the SPARQL endpoint, the JSON API over the canned queries and the
resources, the ontology (Turtle and HTML) and a home page. Domain errors become JSON error
bodies here: ``{"ok": false, "error": …, "message": …, "status": …}``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from policykg import queries, settings
from policykg.api import canned, diffusion, dumps, gsp, networks, openapi_zh, resources, ui, uploads
from policykg.api.admission import Gate
from policykg.api.security import add_cors, add_security_headers
from policykg.api.sparql import Limits, error_response, router as sparql_router
from policykg.api.tables import table_format, tabular, tabulated
from policykg.api.views.common import language, page, url
from policykg.errors import PolicyKGError, ResourceNotFound
from policykg.graph.executor import Reader, service
from policykg.graph.lineage import lineage as document_lineage, measure_cascade
from policykg.graph.remote import RemoteStore
from policykg.graph.resolve import Resolver
from policykg.graph.store import Store
from policykg.namespaces import ONTOLOGY_FILE
from policykg.version import __version__


def create_app(store: Store | RemoteStore) -> FastAPI:
    app = FastAPI(
        title="policykg",
        version=__version__,
        description="A knowledge graph of Chinese government policy documents (法治政府建设), the agencies they "
        "name and the obligations they assign. SPARQL 1.1 at /sparql; canned queries under /api/queries.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # /openapi.json is served below: English, or Chinese with ?lang=zh
    )
    resolver = Resolver(store)
    gate = Gate(store)  # every route that queries the store goes through it (limits, admission)

    @app.exception_handler(PolicyKGError)
    async def domain_error(request: Request, exc: PolicyKGError) -> JSONResponse:
        return error_response(exc)  # the one error body, as every route writes it

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """Routing errors (no such path, method not allowed) in our error body too."""
        name = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "HTTPError")
        message = f"no such path: {request.url.path}" if exc.status_code == 404 else str(exc.detail)
        return JSONResponse({"ok": False, "error": name, "message": message, "status": exc.status_code},
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        message = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return JSONResponse({"ok": False, "error": "ParameterError", "message": message, "status": 400}, status_code=400)

    app.include_router(sparql_router(store, gate))  # /sparql
    app.include_router(gsp.router(store, service(store), Limits.from_settings()))  # the Graph Store Protocol at /rdf-graphs/service
    app.include_router(uploads.router(service(store), Limits.from_settings()))  # POST /api/documents: ingest through the server
    add_cors(app)  # CORS for every route (settings cors_origins, write_origins)
    add_security_headers(app)  # nosniff, X-Frame-Options, CSP on pages: outermost, so on every response
    app.include_router(ui.router(store, resolver, gate))  # web UI: /ui/…, /assets/… (npm, locked), /static/…
    app.include_router(canned.router(store, resolver, gate))
    app.include_router(resources.router(store, resolver, gate))
    app.include_router(networks.router(resolver, gate))  # /api/projections/…: networks for Gephi, Cytoscape, pandas
    app.include_router(dumps.router(gate.svc))  # /api/dump and its manifest
    app.include_router(diffusion.router(resolver, gate))  # /api/diffusion/{adoption,curve,history}

    def openapi() -> dict[str, Any]:
        """FastAPI's document plus one operation per canned query, read from the query files now."""
        from fastapi.openapi.utils import get_openapi

        spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        spec["paths"].update(canned.openapi_paths())
        spec.setdefault("components", {}).setdefault("schemas", {}).update(canned.COMPONENTS)
        # our errors: validation answers 400 (not FastAPI's 422), a name that resolves to nothing
        # 404, a client with too many queries under way 429, a store or time-limit failure or a
        # full queue 503; all with the JSON error body
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for item in spec["paths"].values():
            for op in item.values():
                responses = op.setdefault("responses", {})
                responses.pop("422", None)
                for code, text in (("400", "A parameter is missing or malformed"), ("404", "Not found"),
                                   ("429", "This client has per_client_queries queries under way (Retry-After)"),
                                   ("503", "The store is unavailable, the query ran too long, or the query workers are busy and their queue full (Retry-After)")):
                    responses.setdefault(code, {"description": text, **error})
        return spec

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_json(request: Request, lang: str = Query("en", pattern="^(en|zh)$")) -> JSONResponse:
        """The OpenAPI document, in English; with ?lang=zh its Chinese texts (api/openapi_zh.py), which
        /docs shows in Chinese. Only the parameter, never the lang cookie, asks for Chinese: clients and
        tools get the English document. A root path is listed as the server, as FastAPI's route does."""
        spec = openapi_zh.translate(app.openapi()) if lang == "zh" else app.openapi()
        root_path = request.scope.get("root_path", "").rstrip("/")
        if root_path and root_path not in {s.get("url") for s in spec.get("servers", [])}:
            spec["servers"] = [{"url": root_path}, *spec.get("servers", [])]
        return JSONResponse(spec)

    def run_canned(reader: Reader, name: str, values: dict[str, str], inferred: bool = True) -> list[dict[str, Any]]:
        q = queries.get(name)
        return reader.select(q.executable(q.bind(values, resolver), reader.lateral), None, inferred)

    def measure_info(reader: Reader, measure_iri: str) -> dict[str, Any]:
        rows = reader.select(
            f"SELECT ?document ?title ?number ?text WHERE {{ <{measure_iri}> lg:document ?document ; lg:number ?number ; lg:text ?text . ?document dcterms:title ?title }} LIMIT 1"
        )
        if not rows:
            raise ResourceNotFound(f"no measure {measure_iri}")
        return rows[0]

    # the routes below read the store: each hands its work to the gate (api.admission), which
    # runs it once admitted, every query in a worker within the limits of /sparql

    @app.get("/api/measures/{measure_id:path}/implementers", tags=["resources"],
             summary="Which bodies implement a measure (id: measure IRI, or DOCUMENT/NUMBER with the document's IRI key, 文号 or title)")
    async def implementers(measure_id: str, request: Request, format: str = Query("json", description="json | csv (the main table)")) -> Response:
        table_format(format)
        return await gate.run(request, tabulated(_implementers, format, "implementers", lambda b: b["implementers"]), measure_id)  # type: ignore[no-any-return]

    def _implementers(reader: Reader, measure_id: str) -> dict[str, Any]:
        iri = resolver.measure(measure_id)
        info = measure_info(reader, iri)
        rows = [r for r in run_canned(reader, "implementers", {"document": str(info["document"]), "measure": str(info["number"])})
                if str(r["measureIri"]) == iri]  # a plan whose numbering restarts has several measures 1
        deadline = rows[0]["deadline"] if rows else None
        is_default = rows[0]["deadlineIsDefault"] if rows else None
        return {
            "ok": True,
            "measure": iri,
            "document": info["document"],
            "document_title": info["title"],
            "number": int(str(info["number"])),
            "id": iri.rsplit("/", 1)[-1],  # the number, or 1-2 for the second measure numbered 1
            "text": info["text"],
            "deadline": deadline,
            "deadline_is_default": is_default,
            "implementers": [
                {**{k: r[k] for k in ("role", "agency", "agencyLabel", "agencyName", "surfaceForm", "collective", "evidence")},
                 # after an institutional reform: the body that holds the duty today
                 "held_today_by": {"agency": r["today"], "label": r["todayLabel"]} if r["today"] else None} for r in rows
            ],
        }

    @app.get("/api/measures", tags=["resources"], summary="Search measures by text")
    async def search_measures(request: Request, q: str = Query(min_length=1, max_length=200), limit: int = Query(default=50, ge=1, le=1000),
                              offset: int = Query(default=0, ge=0), format: str = Query("json", description="json | csv (the main table)")) -> Response:
        table_format(format)

        def search(reader: Reader) -> dict[str, Any]:
            found = canned.page(reader, queries.get("measures-search"), {"phrase": q}, resolver, limit, offset)
            more = found.pop("more")
            control = {"limit": limit, **({"format": format} if format != "json" else {})}
            return {"ok": True, **found,
                    **({"next": f"/api/measures?{urlencode({'q': q, **control, 'offset': offset + len(found['rows'])})}"} if more else {})}
        def page_of(body: dict[str, Any]) -> list[dict[str, Any]]:
            return body["rows"]  # type: ignore[no-any-return]

        response: Response = await gate.run(request, tabulated(search, format, "measures", page_of,
                                                               headers=lambda b: canned.page_headers(b["count"], b.get("next"))))
        return response

    @app.get("/api/measures/{measure_id:path}/cascade", tags=["resources"],
             summary="Who carries a measure down the levels: the measure's implementers and those of the lower-plan measures that implement it, each with the path of aligned measures, scores and kinds")
    async def cascade(measure_id: str, request: Request, format: str = Query("json", description="json | csv (the main table)")) -> Response:
        table_format(format)

        def carriers(reader: Reader) -> dict[str, Any]:
            iri = resolver.measure(measure_id)
            info = measure_info(reader, iri)
            rows = run_canned(reader, "cascade-implementers", {"document": str(info["document"]), "measure": str(info["number"])})
            return {"ok": True, "measure": iri, "document": info["document"], "document_title": info["title"],
                    "text": info["text"], "carriers": measure_cascade(rows, iri)}
        return await gate.run(request, tabulated(carriers, format, "cascade", lambda b: b["carriers"]))  # type: ignore[no-any-return]

    @app.get("/api/documents/{document_id:path}/lineage", tags=["resources"],
             summary="The lineage of a document (id: IRI, IRI key, 文号 or title): ancestors by level, and ancestors and descendants with depth and paths (each edge with its relation, evidence and confidence)")
    async def lineage(document_id: str, request: Request, format: str = Query("json", description="json | csv (the main table)")) -> Response:
        table_format(format)

        def read(reader: Reader) -> dict[str, Any]:
            iri = resolver.document(document_id)
            rows = run_canned(reader, "lineage", {"document": iri})
            title = reader.select(f"SELECT ?t WHERE {{ <{iri}> dcterms:title ?t }} LIMIT 1")
            paths = document_lineage(reader, iri)
            return {"ok": True, "document": iri, "title": title[0]["t"] if title else None, "lineage": rows,
                    "chain": [r["title"] for r in rows], **paths}
        return await gate.run(request, tabulated(read, format, "lineage", lambda b: b["lineage"]))  # type: ignore[no-any-return]

    @app.get("/api/documents/{document_id:path}/coverage", tags=["resources"],
             summary="Which divisions below a document's area have a document implementing it (at any depth), with the lag in days")
    async def coverage(document_id: str, request: Request, format: str = Query("json", description="json | csv (the main table)")) -> Response:
        table_format(format)

        def read(reader: Reader) -> dict[str, Any]:
            iri = resolver.document(document_id)
            rows = run_canned(reader, "coverage", {"document": iri})
            divisions: dict[str, dict[str, Any]] = {}
            for r in rows:
                d = divisions.setdefault(str(r["division"]), {"division": r["division"], "name": r["divisionName"], "documents": []})
                if r["child"]:
                    d["documents"].append({"document": r["child"], "title": r["childTitle"], "date": r["childDate"], "lag": r["lag"]})
            listed = list(divisions.values())
            return {"ok": True, "document": iri, "covered": [d for d in listed if d["documents"]],
                    "not_covered": [d for d in listed if not d["documents"]]}
        def rows(body: dict[str, Any]) -> list[dict[str, Any]]:  # one row per division and document
            return [{"division": d["division"], "name": d["name"], "covered": bool(d["documents"]),
                     **{f"document.{k}": v for k, v in doc.items()}}
                    for d in body["covered"] + body["not_covered"] for doc in d["documents"] or [{}]]
        return await gate.run(request, tabulated(read, format, "coverage", rows,  # type: ignore[no-any-return]
                                                 ["division", "name", "covered", "document.document", "document.title",
                                                  "document.date", "document.lag"]))

    @app.get("/api/agencies/{agency_id:path}/obligations", tags=["resources"],
             summary="What an agency is responsible for, in which role, by when (id: IRI or name with jurisdiction)")
    async def obligations(agency_id: str, request: Request, format: str = Query("json", description="json | csv (the main table)")) -> Response:
        table_format(format)

        def read(reader: Reader) -> dict[str, Any]:
            iri = resolver.agency(agency_id)
            label = reader.select(f"SELECT ?l ?n WHERE {{ <{iri}> rdfs:label ?l . OPTIONAL {{ <{iri}> skos:prefLabel ?n FILTER(lang(?n) != 'en') }} }} LIMIT 1")
            rows = run_canned(reader, "obligations", {"agency": iri})
            inherited = run_canned(reader, "inherited-duties", {"agency": iri})
            return {"ok": True, "agency": iri, "label": label[0]["l"] if label else None,
                    "name": label[0]["n"] if label else None, "count": len(rows), "obligations": rows,
                    # duties of the bodies this one succeeded, each saying which reform it came through
                    "inherited": [{**{k: r[k] for k in ("measure", "document", "documentTitle", "number", "role", "deadline", "openAtReform", "text")},
                                   "through": {k: r[k] for k in ("predecessor", "predecessorLabel", "event", "eventLabel", "reformDate", "qualifier", "confidence")}}
                                  for r in inherited],
                    "succession": succession_steps(run_canned(reader, "successor", {"agency": iri}))}
        return await gate.run(request, tabulated(read, format, "obligations", lambda b: b["obligations"]))  # type: ignore[no-any-return]

    def succession_steps(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The successor rows grouped by step (one row per source), with today's holder."""
        if not rows:
            return None
        steps: dict[str, dict[str, Any]] = {}
        for r in rows:
            step = steps.setdefault(str(r["event"]) + str(r["from"]), {
                **{k: r[k] for k in ("from", "fromLabel", "to", "toLabel", "event", "eventLabel", "kind", "date", "qualifier", "confidence", "quote")},
                "sources": []})
            step["sources"].append({"source": r["source"], "title": r["sourceTitle"], "issuer": r["sourceIssuer"], "date": r["sourceDate"]})
        return {"today": rows[0]["today"], "todayLabel": rows[0]["todayLabel"], "todayName": rows[0]["todayName"], "steps": list(steps.values())}

    @app.get("/api/agencies/{agency_id:path}/successor", tags=["resources"],
             summary="Who holds a body's duties today after institutional reforms, with each reform step, its date and sources")
    async def successor(agency_id: str, request: Request, format: str = Query("json", description="json | csv (the main table)")) -> Response:
        table_format(format)

        def read(reader: Reader) -> dict[str, Any]:
            iri = resolver.agency(agency_id)
            found = succession_steps(run_canned(reader, "successor", {"agency": iri}))
            return {"ok": True, "agency": iri, "succeeded": found is not None,
                    "today": found["today"] if found else iri, "succession": found}
        return await gate.run(request, tabulated(read, format, "successor",  # type: ignore[no-any-return]
                                                 lambda b: b["succession"]["steps"] if b["succession"] else []))

    counted: dict[str, Any] = {}  # the counts of /api/stats and the home page, for one generation of the store

    async def store_stats(request: Request) -> dict[str, int]:
        """What the graph holds (``Store.stats``, its queries run through the gate), computed once
        per generation of writes: answered from this cache it costs no query."""
        generation = gate.svc.generation
        if counted.get("generation") != generation:
            counted.update(generation=generation, stats=await gate.run(request, lambda reader: Store.stats(_ReadThrough(store, reader)).to_dict()))  # type: ignore[arg-type]
        return counted["stats"]  # type: ignore[no-any-return]

    @app.get("/api/stats", tags=["service"], summary="Counts of what the graph holds")
    async def stats(request: Request, format: str = Query("json", description="json | csv (the main table)")) -> Response:
        table_format(format)
        counts = await store_stats(request)
        return tabular({"ok": True, **counts}, [{"count": k, "value": v} for k, v in counts.items()], format, "stats")

    @app.get("/api/settings", tags=["service"], summary="The settings table with current values")
    def get_settings() -> dict[str, Any]:
        return {"ok": True, "settings": [{"name": s.name, "env": s.env, "default": s.default, "value": s.shown(), "help": s.help} for s in settings.SETTINGS]}

    @app.get("/ontology", tags=["ontology"], summary="The ontology: HTML for browsers, Turtle otherwise", response_class=Response,
             responses={200: {"content": {"text/turtle": {}, "text/html": {}}, "description": "Turtle or HTML"}})
    def ontology(request: Request) -> Response:
        accept = request.headers.get("accept", "")
        if "text/html" in accept:
            return ontology_page(request)
        return Response(ONTOLOGY_FILE.read_bytes(), media_type="text/turtle; charset=utf-8")

    @app.get("/ontology.ttl", tags=["ontology"], summary="The ontology as Turtle", response_class=Response,
             responses={200: {"content": {"text/turtle": {}}, "description": "Turtle"}})
    def ontology_ttl() -> Response:
        return Response(ONTOLOGY_FILE.read_bytes(), media_type="text/turtle; charset=utf-8")

    @app.get("/ontology.html", tags=["ontology"], summary="The ontology as a readable page", response_class=HTMLResponse)
    def ontology_html(request: Request) -> HTMLResponse:
        return ontology_page(request)

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        """Swagger UI (npm, served from /assets) on /openapi.json, and the operations as a plain list;
        a Chinese page on the Chinese document, /openapi.json?lang=zh."""
        if language(request) == "zh":
            return page(request, "docs.html", "/openapi.json?lang=zh", spec=openapi_zh.translate(app.openapi()))
        return page(request, "docs.html", "/openapi.json", spec=app.openapi())

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> HTMLResponse:
        """The front door: what this is, a search box, where to start, and the counts of /api/stats (its JSON twin)."""
        return page(request, "home.html", "/api/stats", stats=await store_stats(request), start=start_here(),
                    queries=queries.all_queries().values(), version=__version__)

    return app


# questions of the home page opened in the SPARQL editor: canned query → (中文, English), with its example values
QUESTIONS = {
    "implementers": ("《{document}》第 {measure} 项措施由哪些机构落实、何时完成？",
                     "Which bodies carry out measure {measure} of {document}, and by when?"),
    "agency-load": ("{jurisdiction}哪些机构牵头的措施最多？", "Which bodies of {jurisdiction} lead the most measures?"),
    "due-by": ("哪些措施在 {date} 前到期，由谁牵头？", "Which measures fall due by {date}, and who leads them?"),
    "in-force": ("{date} {area}有哪些方案有效？", "Which plans were in force in {area} on {date}?"),
}


def start_here() -> dict[str, Any]:
    """The home page's "start here" links, to what the canned queries' examples name (the 钦南区
    plan of the seed corpus): its lineage, who carries out one of its measures, an agency's
    duties, and a few questions as tabs of the SPARQL editor."""
    available = queries.all_queries()
    lineage, implementers, obligations = (available[n].example for n in ("lineage", "implementers", "obligations"))
    measure = f"{implementers['document']}/{implementers['measure']}"
    questions = []
    for name, texts in QUESTIONS.items():
        try:
            words = {lang: text.format(**available[name].example) for lang, text in zip(("zh", "en"), texts)}
        except KeyError:  # the query was renamed or its example changed: the question is left out, not the page broken
            continue
        questions.append({"tab": name, "href": url("/ui/sparql", {"tab": name}), **words})
    return {
        "lineage": {**lineage, "href": url("/ui/lineage", {"document": lineage["document"]})},
        "measure": {**implementers, "href": url("/ui/responsibility", {"measure": measure})},
        "agency": {**obligations, "href": url("/ui/responsibility", {"agency": obligations["agency"]})},
        "questions": questions,
    }


def ontology_page(request: Request) -> HTMLResponse:
    """The ontology as a readable page: the core as a diagram, a runnable example per key class,
    then every class, property and concept (``api.views.ontology``)."""
    from policykg.api.views import ontology as view

    return page(request, "ontology.html", "/ontology.ttl", sections=view.sections(), diagram=view.diagram(), examples=view.examples())


class _ReadThrough:
    """A Store for ``Store.stats`` whose queries go through a Reader (its ``ox`` is the store's,
    for the quad and graph counts, which are not queries)."""

    def __init__(self, store: Store | RemoteStore, reader: Reader) -> None:
        self.ox = store.ox if isinstance(store, Store) else store  # a server counts its quads and graphs by queries
        self.select = reader.select
