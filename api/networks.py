"""The network projections and the analyses over them over HTTP: ``GET /api/projections/{projection}``
and ``GET /api/analytics/{analysis}`` (``queries.analytics``), with the filters of
``policykg export --projection`` (``area``, ``level``, ``years``, ``task_area``) and
``format`` = cytoscape (Cytoscape.js JSON, the default), graphml, gexf or csv (``table`` = edges
or nodes). The projection's SELECTs run through the gate like every query; a projection that needs
more rows than ``max_rows`` is refused (413) rather than sent incomplete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from policykg.api.admission import Gate
from policykg.api.tables import table_format, table_response
from policykg.errors import ParameterError, PayloadTooLarge
from policykg.graph.executor import Reader
from policykg.graph.resolve import Resolver
from policykg.queries import network_formats
from policykg.queries.analytics import ANALYSES, analyse
from policykg.queries.projections import PROJECTIONS, Filters, project


def router(resolver: Resolver, gate: Gate) -> APIRouter:
    r = APIRouter(tags=["networks"])

    @r.get("/api/projections", summary="The network projections and their filters")
    def list_projections() -> dict[str, Any]:
        return {"ok": True, "projections": [{"name": name, "path": f"/api/projections/{name}"} for name in PROJECTIONS],
                "formats": {name: media for name, media in network_formats.FORMATS.items()},
                "filters": {"area": "a division (GB/T 2260 code or name): its documents and those below it",
                            "level": "national | provincial | prefectural | county | township",
                            "years": "the years the documents were signed or published: 2016-2020, or 2021",
                            "task_area": "the measures of one task area (notation, e.g. enforcement, or Chinese name)"}}

    @r.get("/api/projections/{projection}", summary="A network projection as Cytoscape.js JSON, GraphML, GEXF or CSV",
           description="lineage (documents → what they are based on or implement), responsibility (agency → measure, with "
                       "roles), co-responsibility (agencies weighted by shared measures), citations (every citation, with its "
                       "evidence) or jurisdictions (the division tree with document counts); nodes and edges carry zh/en "
                       "labels, level, division code, genre, dates, role, deadline, task area, confidence and evidence.")
    async def projection(request: Request, projection: str,
                         format: str = Query("cytoscape", description="cytoscape | graphml | gexf | csv"),
                         table: str = Query("edges", description="With format=csv: edges or nodes"),
                         area: str | None = None, level: str | None = None, years: str | None = None,
                         task_area: str | None = None) -> Response:
        network_formats.check(format, table)
        filters = Filters(area=area, level=level, years=years, task_area=task_area)
        return await gate.run(request, build, projection, filters, format, table)  # type: ignore[no-any-return]

    def build(reader: Reader, projection: str, filters: Filters, fmt: str, table: str) -> Response:
        g = project(projection, reader.select, resolver, filters)
        if reader.truncated:
            raise PayloadTooLarge(
                f"the {projection} projection needs more than {reader.max_rows:,} rows of one query (max_rows): narrow it "
                "with area, level, years or task_area, or build it from the store (policykg export --projection …, or "
                "policykg.open(store).network(…))")
        body = network_formats.write(g, fmt, table)
        name = f"policykg-{projection}{'-' + table if fmt == 'csv' else ''}{network_formats.SUFFIXES[fmt]}"
        disposition = "inline" if fmt == "cytoscape" else "attachment"
        return Response(body, media_type=network_formats.FORMATS[fmt],
                        headers={"Content-Disposition": f'{disposition}; filename="{name}"',
                                 "X-Policykg-Nodes": str(g.number_of_nodes()), "X-Policykg-Edges": str(g.number_of_edges())})

    @r.get("/api/analytics/{analysis}", summary="Agency load and centrality, communities, lineage depth and fan-out, unled measures, similar measures",
           description="load: per agency, measures led / responsible / cooperating, partners, degree and betweenness centrality, "
                       "community; communities: agencies that share measures, by community; lineage and lineage-by-level: the "
                       "depth of lineage above each document (or level) and its fan-out; unled: measures assigned to bodies but "
                       "to no lead; similar-measures: pairs of measures of sibling jurisdictions' plans that carry the same work, most "
                       "similar first. Filters as for the projections; format json (default) or csv.")
    async def analytics(request: Request, analysis: str, format: str = Query("json", description="json | csv"),
                        area: str | None = None, level: str | None = None, years: str | None = None,
                        task_area: str | None = None) -> Response:
        table_format(format)
        if analysis not in ANALYSES:
            raise ParameterError(f"no analysis {analysis!r}; one of {', '.join(ANALYSES)}", param="analysis")
        filters = Filters(area=area, level=level, years=years, task_area=task_area)
        return await gate.run(request, analyse_rows, analysis, filters, format)  # type: ignore[no-any-return]

    def analyse_rows(reader: Reader, analysis: str, filters: Filters, fmt: str) -> Response:
        rows = analyse(analysis, lambda projection: project(projection, reader.select, resolver, filters))
        return table_response(reader, rows, fmt, analysis, {"analysis": analysis, "filters": filters.as_dict()},
                              "narrow it with area, level, years or task_area, or run it on the store (policykg analyse …)")

    return r
