"""Policy diffusion over HTTP: ``GET /api/diffusion/{table}?document=…&level=…[&years=…]`` with
``table`` = adoption (each division of the level, its first plan deriving from the document, the
date and the lag), curve (adoptions per year, cumulative, share) or history (the event-history
table: a row per division and year at risk, adopted 0/1, covariates), as JSON or CSV
(``queries.diffusion``, from the ``adoption`` canned query run through the gate)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from policykg import queries
from policykg.api.admission import Gate
from policykg.api.tables import table_format, table_response
from policykg.errors import ParameterError
from policykg.graph.executor import Reader
from policykg.graph.resolve import Resolver
from policykg.queries.diffusion import TABLES, table


def router(resolver: Resolver, gate: Gate) -> APIRouter:
    r = APIRouter(tags=["diffusion"])

    @r.get("/api/diffusion/{name}", summary="How a document spread down a level: adoption, adoption curve, event-history table")
    async def diffusion(request: Request, name: str, document: str = Query(..., description="The parent document: IRI, 文号 or title"),
                        level: str = Query(..., description="The adopting divisions' level: provincial | prefectural | county"),
                        years: str | None = Query(None, description="history: the years at risk (2016-2020)"),
                        format: str = Query("json", description="json | csv")) -> Response:
        if name not in TABLES:
            raise ParameterError(f"no diffusion table {name!r}; one of {', '.join(TABLES)}", param="table")
        table_format(format)
        return await gate.run(request, rows_of, name, document, level, years, format)  # type: ignore[no-any-return]

    def rows_of(reader: Reader, name: str, document: str, level: str, years: str | None, fmt: str) -> Response:
        q = queries.named("adoption")

        def adoption(at: str) -> list[dict[str, object]]:
            return list(reader.select(q.executable(q.bind({"document": document, "level": at}, resolver), reader.lateral)))

        rows = table(name, adoption, level, years)
        return table_response(reader, rows, fmt, f"diffusion-{name}", {"table": name, "document": document, "level": level},
                              "ask for a higher level, or build it from the store (policykg diffusion …)")

    return r
