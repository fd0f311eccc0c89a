"""The HTTP application: the SPARQL endpoint, the JSON API over the canned queries and the
resources, the ontology (Turtle and HTML) and a home page. Domain errors become JSON error
bodies here: ``{"ok": false, "error": …, "message": …, "status": …}``."""

from __future__ import annotations

import html
from typing import Any

import pyoxigraph as ox
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from policykg import __version__, iris, queries, settings
from policykg.api import canned, resources, ui
from policykg.api.sparql import add_cors, router as sparql_router
from policykg.errors import PolicyKGError, ResourceNotFound
from policykg.graph.lineage import lineage as document_lineage
from policykg.graph.lineage import measure_cascade
from policykg.graph.resolve import Resolver
from policykg.graph.store import Store
from policykg.namespaces import ONTOLOGY_FILE

TEMPLATES = Environment(loader=PackageLoader("policykg.api", "templates"), autoescape=select_autoescape())


def create_app(store: Store) -> FastAPI:
    app = FastAPI(
        title="policykg",
        version=__version__,
        description="A knowledge graph of Chinese government policy documents (法治政府建设), the agencies they "
        "name and the obligations they assign. SPARQL 1.1 at /sparql; canned queries under /api/queries.",
        docs_url=None,
        redoc_url=None,
    )
    resolver = Resolver(store)

    @app.exception_handler(PolicyKGError)
    async def domain_error(request: Request, exc: PolicyKGError) -> JSONResponse:
        return JSONResponse(exc.to_dict(), status_code=exc.status)

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

    app.include_router(sparql_router(store))  # /sparql and the Graph Store Protocol at /rdf-graphs/service
    add_cors(app)  # CORS for every route (setting cors_origins)
    app.include_router(ui.router(store, resolver))  # web UI: /ui/…, /assets/… (npm, locked), /static/…
    app.include_router(canned.router(store, resolver))
    app.include_router(resources.router(store, resolver))

    def openapi() -> dict[str, Any]:
        """FastAPI's document plus one operation per canned query, read from the query files now."""
        from fastapi.openapi.utils import get_openapi

        spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        spec["paths"].update(canned.openapi_paths())
        spec.setdefault("components", {}).setdefault("schemas", {}).update(canned.COMPONENTS)
        # our errors: validation answers 400 (not FastAPI's 422), a name that resolves to nothing
        # 404, a store or time-limit failure 503; all with the JSON error body
        error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for item in spec["paths"].values():
            for op in item.values():
                responses = op.setdefault("responses", {})
                responses.pop("422", None)
                for code, text in (("400", "A parameter is missing or malformed"), ("404", "Not found"), ("503", "The store is unavailable or the query ran too long")):
                    responses.setdefault(code, {"description": text, **error})
        return spec

    app.openapi = openapi  # type: ignore[method-assign]

    def run_canned(name: str, values: dict[str, str], inferred: bool = True) -> list[dict[str, Any]]:
        q = queries.get(name)
        return store.select(q.render(q.bind(values, resolver)), inferred=inferred)

    def page(rows: list[dict[str, Any]], limit: int, offset: int) -> dict[str, Any]:
        return {"ok": True, "count": len(rows), "offset": offset, "limit": limit, "rows": rows[offset: offset + limit]}

    def measure_info(measure_iri: str) -> dict[str, Any]:
        rows = store.select(
            f"SELECT ?document ?title ?number ?text WHERE {{ <{measure_iri}> lg:document ?document ; lg:number ?number ; lg:text ?text . ?document dcterms:title ?title }} LIMIT 1"
        )
        if not rows:
            raise ResourceNotFound(f"no measure {measure_iri}")
        return rows[0]

    @app.get("/api/measures/{measure_id:path}/implementers", tags=["resources"],
             summary="Which bodies implement a measure (id: measure IRI, or DOCUMENT/NUMBER with the document's IRI key, 文号 or title)")
    def implementers(measure_id: str) -> dict[str, Any]:
        iri = resolver.measure(measure_id)
        info = measure_info(iri)
        rows = [r for r in run_canned("implementers", {"document": str(info["document"]), "measure": str(info["number"])})
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
    def search_measures(q: str = Query(min_length=1, max_length=200), limit: int = Query(default=50, ge=1, le=1000), offset: int = Query(default=0, ge=0)) -> dict[str, Any]:
        return page(run_canned("measures-search", {"phrase": q}), limit, offset)

    @app.get("/api/measures/{measure_id:path}/cascade", tags=["resources"],
             summary="Who carries a measure down the levels: the measure's implementers and those of the lower-plan measures that implement it, each with the path of aligned measures, scores and kinds")
    def cascade(measure_id: str) -> dict[str, Any]:
        iri = resolver.measure(measure_id)
        info = measure_info(iri)
        rows = run_canned("cascade-implementers", {"document": str(info["document"]), "measure": str(info["number"])})
        return {"ok": True, "measure": iri, "document": info["document"], "document_title": info["title"],
                "text": info["text"], "carriers": measure_cascade(rows, iri)}

    @app.get("/api/documents/{document_id:path}/lineage", tags=["resources"],
             summary="The lineage of a document (id: IRI, IRI key, 文号 or title): ancestors by level, and ancestors and descendants with depth and paths (each edge with its relation, evidence and confidence)")
    def lineage(document_id: str) -> dict[str, Any]:
        iri = resolver.document(document_id)
        rows = run_canned("lineage", {"document": iri})
        title = store.select(f"SELECT ?t WHERE {{ <{iri}> dcterms:title ?t }} LIMIT 1")
        paths = document_lineage(store, iri)
        return {"ok": True, "document": iri, "title": title[0]["t"] if title else None, "lineage": rows,
                "chain": [r["title"] for r in rows], **paths}

    @app.get("/api/documents/{document_id:path}/coverage", tags=["resources"],
             summary="Which divisions below a document's area have a document implementing it (at any depth), with the lag in days")
    def coverage(document_id: str) -> dict[str, Any]:
        iri = resolver.document(document_id)
        rows = run_canned("coverage", {"document": iri})
        divisions: dict[str, dict[str, Any]] = {}
        for r in rows:
            d = divisions.setdefault(str(r["division"]), {"division": r["division"], "name": r["divisionName"], "documents": []})
            if r["child"]:
                d["documents"].append({"document": r["child"], "title": r["childTitle"], "date": r["childDate"], "lag": r["lag"]})
        listed = list(divisions.values())
        return {"ok": True, "document": iri, "covered": [d for d in listed if d["documents"]],
                "not_covered": [d for d in listed if not d["documents"]]}

    @app.get("/api/agencies/{agency_id:path}/obligations", tags=["resources"],
             summary="What an agency is responsible for, in which role, by when (id: IRI or name with jurisdiction)")
    def obligations(agency_id: str) -> dict[str, Any]:
        iri = resolver.agency(agency_id)
        label = store.select(f"SELECT ?l ?n WHERE {{ <{iri}> rdfs:label ?l . OPTIONAL {{ <{iri}> skos:prefLabel ?n }} }} LIMIT 1")
        rows = run_canned("obligations", {"agency": iri})
        inherited = run_canned("inherited-duties", {"agency": iri})
        return {"ok": True, "agency": iri, "label": label[0]["l"] if label else None,
                "name": label[0]["n"] if label else None, "count": len(rows), "obligations": rows,
                # duties of the bodies this one succeeded, each saying which reform it came through
                "inherited": [{**{k: r[k] for k in ("measure", "document", "documentTitle", "number", "role", "deadline", "openAtReform", "text")},
                               "through": {k: r[k] for k in ("predecessor", "predecessorLabel", "event", "eventLabel", "reformDate", "qualifier", "confidence")}}
                              for r in inherited],
                "succession": succession_steps(run_canned("successor", {"agency": iri}))}

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
    def successor(agency_id: str) -> dict[str, Any]:
        iri = resolver.agency(agency_id)
        found = succession_steps(run_canned("successor", {"agency": iri}))
        return {"ok": True, "agency": iri, "succeeded": found is not None,
                "today": found["today"] if found else iri, "succession": found}

    @app.get("/api/stats", tags=["service"], summary="Counts of what the graph holds")
    def stats() -> dict[str, Any]:
        return {"ok": True, **store.stats().to_dict()}

    @app.get("/api/settings", tags=["service"], summary="The settings table with current values")
    def get_settings() -> dict[str, Any]:
        return {"ok": True, "settings": [{"name": s.name, "env": s.env, "default": s.default, "value": s.shown(), "help": s.help} for s in settings.SETTINGS]}

    @app.get("/ontology", tags=["ontology"], summary="The ontology: HTML for browsers, Turtle otherwise", response_class=Response,
             responses={200: {"content": {"text/turtle": {}, "text/html": {}}, "description": "Turtle or HTML"}})
    def ontology(request: Request) -> Response:
        accept = request.headers.get("accept", "")
        if "text/html" in accept:
            return HTMLResponse(ontology_page())
        return Response(ONTOLOGY_FILE.read_bytes(), media_type="text/turtle; charset=utf-8")

    @app.get("/ontology.ttl", tags=["ontology"], summary="The ontology as Turtle", response_class=Response,
             responses={200: {"content": {"text/turtle": {}}, "description": "Turtle"}})
    def ontology_ttl() -> Response:
        return Response(ONTOLOGY_FILE.read_bytes(), media_type="text/turtle; charset=utf-8")

    @app.get("/ontology.html", tags=["ontology"], summary="The ontology as a readable page", response_class=HTMLResponse)
    def ontology_html() -> HTMLResponse:
        return HTMLResponse(ontology_page())

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(TEMPLATES.get_template("docs.html").render(spec=app.openapi()))

    @app.get("/", include_in_schema=False)
    def home() -> HTMLResponse:
        return HTMLResponse(TEMPLATES.get_template("home.html").render(
            stats=store.stats().to_dict(), queries=queries.all_queries().values(), version=__version__))

    return app


def ontology_page() -> str:
    """The ontology rendered as HTML: classes, properties and concept schemes with labels and definitions."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import OWL, RDF, RDFS, SKOS

    g = Graph().parse(ONTOLOGY_FILE, format="turtle")

    def text(s: URIRef, p: URIRef, lang: str) -> str:
        for o in g.objects(s, p):
            if getattr(o, "language", None) == lang:
                return str(o)
        return ""

    def entry(s: URIRef) -> dict[str, Any]:
        label_p = SKOS.prefLabel if (s, SKOS.prefLabel, None) in g else RDFS.label
        return {
            "name": "lg:" + str(s)[len(iris.ONTOLOGY):], "iri": str(s),
            "zh": text(s, label_p, "zh"), "en": text(s, label_p, "en"),
            "definition": text(s, SKOS.definition, "en") or text(s, RDFS.comment, "en"),
            "parents": [g.qname(o) for o in list(g.objects(s, RDFS.subClassOf)) + list(g.objects(s, RDFS.subPropertyOf)) if isinstance(o, URIRef)],
        }

    def ours(kind: URIRef) -> list[dict[str, Any]]:
        return sorted((entry(s) for s in set(g.subjects(RDF.type, kind)) if isinstance(s, URIRef) and str(s).startswith(iris.ONTOLOGY)), key=lambda e: e["name"])

    sections = [
        ("Classes 类", ours(OWL.Class)),
        ("Object properties 对象属性", ours(OWL.ObjectProperty)),
        ("Datatype properties 数据属性", ours(OWL.DatatypeProperty)),
        ("Concept schemes 概念体系", ours(SKOS.ConceptScheme)),
        ("Concepts 概念", ours(SKOS.Concept)),
    ]
    return TEMPLATES.get_template("ontology.html").render(sections=sections, escape=html.escape)
