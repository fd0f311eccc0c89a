"""The web UI: a SPARQL editor (YASGUI) with the canned queries as example tabs, the lineage and
responsibility views (cytoscape.js laid out by dagre) and a faceted search, in Chinese or English.

Every page keeps its state in the query string, so its URL can be shared, and has a JSON twin at
the same path + ``.json`` holding the data the page is drawn from. Browser libraries come from the
npm registry through ``web/package-lock.json`` (``npm ci --prefix web``); the build step of
``policykg.api.assets`` copies the allow-listed files (``ASSETS``) with their locked versions into
the package (``api/static/vendor``), from where they are served under a versioned path; our own
small scripts and styles are in ``api/static``. Nothing is loaded from a CDN.

The view models are in ``policykg.api.views``, one module per view (``editor``, ``lineage``,
``responsibility``, ``search``) and what they share (``common``: language, URLs, page rendering,
labels); this module holds the routes and serves the assets and static files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from policykg.api.admission import Gate
from policykg.api.assets import ASSETS, Asset  # noqa: F401 (Asset: the allow-list's type)
from policykg.api.views.common import STATIC, VENDOR, asset_path, embedded, locked_versions, page, url
from policykg.api.views.editor import sparql_tabs, vocabulary
from policykg.api.views.lineage import lineage_view
from policykg.api.views.responsibility import PAGE as RESPONSIBILITY_PAGE, responsibility_view
from policykg.api.views.search import FACETS, MATCHES, search_view
from policykg.errors import ConfigError, PolicyKGError, ResourceNotFound
from policykg.graph.executor import Reader
from policykg.graph.remote import RemoteStore
from policykg.graph.resolve import Resolver
from policykg.graph.store import Store
from policykg.namespaces import PREFIXES

# -- assets -------------------------------------------------------------------------------------

MEDIA = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def asset_file(url_path: str) -> Path:
    """The file in the package behind an asset URL path (allow-listed, at its locked version)."""
    versions = locked_versions()
    if not versions:
        raise ConfigError("the web UI's browser assets are not in the package: run `make install` "
                          "(npm ci --prefix web, then python api/assets.py) and reinstall")
    for a in ASSETS:
        if url_path == f"{a.package}/{versions.get(a.package)}/{a.name}":
            path = VENDOR / a.name
            if not path.is_file():
                raise ConfigError(f"{a.name} of {a.package} is not in the package: run `make install` and reinstall")
            return path
    raise ResourceNotFound(f"no asset {url_path!r}; the pages load: " + ", ".join(asset_path(a.name) for a in ASSETS))


# -- routes -------------------------------------------------------------------------------------

def router(store: Store | RemoteStore, resolver: Resolver, gate: Gate) -> APIRouter:
    r = APIRouter(tags=["web UI"])

    def view(path: str, summary: str) -> Any:
        """Serve a handler at PATH (the page) and at PATH.json (its twin, in the OpenAPI document)."""
        def register(handler: Any) -> Any:
            r.get(path + ".json", response_class=JSONResponse, summary=summary)(handler)
            r.get(path, include_in_schema=False)(handler)
            return handler
        return register

    def respond(request: Request, build: Any, template: str, reader: Reader | None = None, **context: Any) -> Response:
        """The JSON twin (errors as our JSON error bodies), or the page drawn from the same data
        (errors shown on it). A twin whose data the row cap cut says ``truncated``."""
        if request.url.path.endswith(".json"):
            data = build()
            if reader is not None and reader.truncated:
                data = {**data, "truncated": True, "row_limit": reader.max_rows}
            return JSONResponse(data)
        twin = url(request.url.path + ".json", {k: v for k, v in request.query_params.items() if k != "lang"})
        try:
            data, status = build(), 200
        except PolicyKGError as exc:
            data, status = {"ok": False, "error": exc.message}, exc.status
        return page(request, template, twin, status=status, data=data, data_json=embedded(data), **context)

    @r.get("/assets/{path:path}", include_in_schema=False)
    def assets(path: str) -> FileResponse:
        return FileResponse(asset_file(path), media_type=MEDIA.get(Path(path).suffix, "application/octet-stream"),
                            headers={"Cache-Control": "public, max-age=31536000, immutable"})

    @r.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        path = STATIC / name
        if "/" in name or path.suffix not in MEDIA or not path.is_file():
            raise ResourceNotFound(f"no static file {name!r}")
        return FileResponse(path, media_type=MEDIA[path.suffix], headers={"Cache-Control": "public, max-age=86400"})

    @view("/ui/sparql", "The SPARQL editor (YASGUI): endpoint, prefixes and the canned queries as runnable example tabs")
    def sparql(request: Request, tab: str = Query("implementers", max_length=100, description="The canned query whose tab is open")) -> Response:
        def build() -> dict[str, Any]:
            tabs, skipped = sparql_tabs(resolver)
            return {"ok": True, "endpoint": "/sparql", "prefixes": PREFIXES, "tabs": tabs, "skipped": skipped, **vocabulary()}
        return respond(request, build, "ui_sparql.html", tab=tab)

    @view("/ui/lineage", "The lineage view: documents (with level) above and below a document, and the lineage edges between them (relation, evidence)")
    async def lineage(request: Request, document: str | None = Query(None, max_length=500, description="IRI, IRI key, 文号 or title")) -> Response:
        def job(reader: Reader) -> Response:
            def build() -> dict[str, Any]:
                if not document:
                    return {"ok": True, "document": None, "nodes": [], "edges": [], "corpus": corpus(reader)}
                return lineage_view(reader, resolver.document(document))
            return respond(request, build, "ui_lineage.html", reader, document=document or "", corpus=corpus(reader))
        return await gate.run(request, job)  # type: ignore[no-any-return]

    def corpus(reader: Reader) -> list[dict[str, Any]]:
        return reader.select("SELECT ?document ?title WHERE { ?document lg:inCorpus true ; dcterms:title ?title } ORDER BY ?title")

    @view("/ui/responsibility", "The responsibility view: agency and measure nodes, role edges, table rows and filter options")
    async def responsibility(request: Request,
                       measure: str | None = Query(None, max_length=500, description="Measure IRI or DOCUMENT/NUMBER"),
                       agency: str | None = Query(None, max_length=200, description="Agency IRI or name with its jurisdiction (钦南区法制办)"),
                       jurisdiction: str | None = Query(None, max_length=200, description="Division (code, name or IRI): alone, all its measures; else a filter"),
                       task_area: str | None = Query(None, max_length=100, description="Task-area notation (enforcement) or name"),
                       due_by: str | None = Query(None, max_length=10, description="Keep measures due by this date (YYYY-MM-DD)"),
                       limit: int = Query(RESPONSIBILITY_PAGE, ge=1, le=1000, description="Rows of the table on a page"),
                       offset: int = Query(0, ge=0, description="Rows of the table before the page")) -> Response:
        chosen = {"measure": measure, "agency": agency, "jurisdiction": jurisdiction, "task_area": task_area, "due_by": due_by}
        return await gate.run(request, lambda reader: respond(  # type: ignore[no-any-return]
            request, lambda: responsibility_view(reader, resolver, **chosen, limit=limit, offset=offset), "ui_responsibility.html",
            reader, chosen=chosen))

    @view("/ui/search", "The search: documents, measures and reported activities, and the count of each facet value")
    async def search(request: Request, q: str = Query("", max_length=200, description="Words the title or text contains"),
               kind: str = Query("", max_length=20, description="document | measure | activity | planned"),
               jurisdiction: str = Query("", max_length=200, description="A division (code, name or IRI): documents of it or below it"),
               level: str = Query("", max_length=50, description="national | provincial | prefectural | county | township (or 省级 …)"),
               genre: str = Query("", max_length=50, description="e.g. implementation-plan, progress-report, or 实施方案"),
               year: str = Query("", max_length=4, description="Year reported on (reports) or issued"),
               task_area: str = Query("", max_length=100, description="Task-area notation (enforcement) or name"),
               match: str = Query("phrase", pattern=f"^({'|'.join(MATCHES)})$",
                                  description="Several words: phrase (side by side as typed, when some results have them so; "
                                              "else anywhere) or all (anywhere)"),
               limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)) -> Response:
        chosen = {k: v.strip() for k, v in zip(FACETS, (kind, jurisdiction, level, genre, year, task_area))}
        return await gate.run(request, lambda reader: respond(  # type: ignore[no-any-return]
            request, lambda: search_view(reader, resolver, q.strip(), chosen, limit, offset, match), "ui_search.html", reader, q=q))

    return r
