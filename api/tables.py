"""Tables over HTTP: every operation that answers with rows also answers ``format=csv`` (the JSON
body's main table, nested values flattened into columns), so a spreadsheet or ``pd.read_csv(url)``
reads what the JSON gives; CSV cells are written as everywhere (``policykg.tables``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response

from policykg.errors import ParameterError, PayloadTooLarge
from policykg.graph.executor import Reader
from policykg.tables import csv_text

CSV = "text/csv; charset=utf-8"


def table_format(fmt: str) -> None:
    if fmt not in ("json", "csv"):
        raise ParameterError(f"format must be json or csv, got {fmt!r}", param="format")


def table_response(reader: Reader, rows: list[dict[str, Any]], fmt: str, name: str, about: dict[str, Any], narrower: str) -> Response:
    """Rows as our JSON (``about`` and ``count`` beside them) or as CSV in their own column order;
    refused (413) when the row cap cut a query they were computed from."""
    if reader.truncated:
        raise PayloadTooLarge(f"the {name} table needs more than {reader.max_rows:,} rows of one query (max_rows): {narrower}")
    if fmt == "csv":
        return Response(csv_text(rows, list(rows[0]) if rows else []).encode("utf-8"), media_type=CSV,
                        headers={"Content-Disposition": f'attachment; filename="policykg-{name}.csv"'})
    return JSONResponse({"ok": True, **about, "count": len(rows), "rows": rows})


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A row with nested objects as dotted columns (``held_today_by.label``) and lists joined by
    "; "."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        if isinstance(v, dict):
            out |= _flat(v, f"{prefix}{k}.")
        elif isinstance(v, list):
            out[f"{prefix}{k}"] = "; ".join(str(x) for x in v)
        else:
            out[f"{prefix}{k}"] = v
    return out


def tabular(body: dict[str, Any], rows: list[dict[str, Any]], fmt: str, name: str, columns: list[str] | None = None) -> Response:
    """``body`` as JSON, or (``format=csv``) its table ``rows`` as CSV: the ``columns`` first (the
    header of an empty table), then any others the rows have."""
    table_format(fmt)
    if fmt == "csv":
        flat = [_flat(r) for r in jsonable_encoder(rows)]
        columns = list(dict.fromkeys([*(columns or []), *(k for r in flat for k in r)]))
        return Response(csv_text(flat, columns).encode("utf-8"), media_type=CSV,
                        headers={"Content-Disposition": f'inline; filename="policykg-{name}.csv"'})
    return JSONResponse(jsonable_encoder(body))


def tabulated(build: Callable[..., dict[str, Any]], fmt: str, name: str, table: Callable[[dict[str, Any]], list[dict[str, Any]]],
              columns: list[str] | None = None,
              headers: Callable[[dict[str, Any]], dict[str, str]] | None = None) -> Callable[..., Response]:
    """A job for ``Gate.run`` that builds a body with the request's reader and answers it as JSON
    or as the CSV of its ``table``, saying (as the gate does for a body) when the row cap cut a
    query it read: ``truncated`` in the JSON; the gate adds the headers."""
    def job(reader: Reader, *args: Any) -> Response:
        body = build(reader, *args)
        if reader.truncated:
            body = {**body, "truncated": True, "row_limit": reader.max_rows}
        response = tabular(body, table(body), fmt, name, columns)
        if headers is not None:
            response.headers.update(headers(body))
        return response
    return job
