"""The projections (``queries.projections``) as files the research tools open: GraphML and GEXF
(Gephi, networkx, igraph; attributes typed), Cytoscape.js JSON, and CSV node and edge lists
(pandas, R, spreadsheets). Written by networkx's own writers; the graph's provenance (projection,
filters, generator, date) goes along as graph attributes where the format has them."""

from __future__ import annotations

import io
import json
from typing import Any

import networkx as nx

from policykg.errors import ParameterError
from policykg.tables import csv_text

FORMATS = {  # name → media type
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "cytoscape": "application/json",
    "csv": "text/csv; charset=utf-8",
}
TABLES = ("edges", "nodes")
SUFFIXES = {"graphml": ".graphml", "gexf": ".gexf", "cytoscape": ".cyjs", "csv": ".csv"}
# the columns a CSV starts with, in this order (then the others, sorted)
_FIRST = ("id", "source", "target", "key", "kind", "label", "role", "relation", "weight")


def check(fmt: str, table: str = "edges") -> None:
    if fmt not in FORMATS:
        raise ParameterError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}", param="format")
    if table not in TABLES:
        raise ParameterError(f"table must be one of {', '.join(TABLES)}, got {table!r}", param="table")


def write(g: nx.Graph[str], fmt: str, table: str = "edges") -> bytes:
    """``g`` in format ``fmt``; for CSV, its ``table`` (edges or nodes)."""
    check(fmt, table)
    if fmt == "graphml":
        out = io.BytesIO()
        nx.write_graphml(g, out, encoding="utf-8", named_key_ids=True)
        return out.getvalue()
    if fmt == "gexf":
        out = io.BytesIO()
        nx.write_gexf(g, out, encoding="utf-8")
        return out.getvalue()
    if fmt == "cytoscape":
        return json.dumps(nx.cytoscape_data(g), ensure_ascii=False).encode()
    return csv_table(_node_rows(g) if table == "nodes" else _edge_rows(g))


def _node_rows(g: nx.Graph[str]) -> list[dict[str, Any]]:
    return [{"id": n, **attrs} for n, attrs in g.nodes(data=True)]


def _edge_rows(g: nx.Graph[str]) -> list[dict[str, Any]]:
    if isinstance(g, nx.MultiGraph):
        return [{"source": u, "target": v, "key": k, **attrs} for u, v, k, attrs in g.edges(keys=True, data=True)]
    return [{"source": u, "target": v, **attrs} for u, v, attrs in g.edges(data=True)]


def csv_table(rows: list[dict[str, Any]], columns: list[str] | None = None) -> bytes:
    """Rows as CSV in these ``columns``; by default the known ones first (id, source, target …),
    then the others sorted (a network's nodes and edges have attributes of their own)."""
    names = {name for row in rows for name in row}
    columns = columns if columns is not None else [c for c in _FIRST if c in names] + sorted(names - set(_FIRST))
    return csv_text(rows, columns).encode("utf-8")
