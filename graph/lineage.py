"""Document lineage as paths: the ordered chain from a document to each of its ancestors (and
from each descendant to it), every edge with its relation (based on / implements plan), the
sentence it was read from and the confidence of the citation match. Built with networkx from
the asserted citation records, so it is independent of the inferred graphs and safe on cycles
(a plan and its parent citing each other never loop).

The lineage of one document reads only the documents linked to it (``lineage_graph`` with
``around``): those a property path up or down the lineage relations reaches, then their titles
and citation records. Every triple pattern of those reads names its graph (``GRAPH ?g``, the
inferred graphs filtered out), which is the asserted graphs' answer without naming them one by one
as the default graph: that dataset made the read of the whole lineage some 200 times slower (300
generated documents: 22 s against 0.1 s for the citation records)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

import networkx as nx
import pyoxigraph as ox

from policykg.graph.reasoning import asserted_pattern
from policykg.graph.store import Store

if TYPE_CHECKING:
    from policykg.graph.executor import Reader

LINEAGE_RELATIONS = ("basedOn", "implementsPlan")

_PATH = "(lg:basedOn|lg:implementsPlan)"


def _around_query(start: str) -> str:
    """The documents linked to ``start`` (an IRI) up or down the lineage relations: a superset of
    those its asserted citation records link it to (the union of the graphs is read, and a lineage
    triple needs no citation record here), which ``lineage_graph`` narrows down by building the
    graph of them."""
    node = ox.NamedNode(start)
    return f"SELECT DISTINCT ?doc WHERE {{ {{ {node} {_PATH}* ?doc }} UNION {{ ?doc {_PATH}* {node} }} }}"


def _asserted(i: int, pattern: str) -> str:
    """A triple pattern matched in the asserted graphs only (its own graph variable ``?g{i}``)."""
    return asserted_pattern(pattern, f"g{i}")


def _edges_query(values: str) -> str:
    a = _asserted
    return f"""SELECT DISTINCT ?doc ?target ?relation ?quote ?start ?end ?confidence ?method ?citation WHERE {{
  {values}
  VALUES ?relation {{ lg:basedOn lg:implementsPlan }}
  {a(0, "?doc lg:citation ?citation")} {a(1, "?doc ?relation ?target")}
  {a(2, "?citation lg:citedDocument ?target")} {a(3, "?citation lg:relation ?relation")}
  {a(4, "?citation lg:confidence ?confidence")} {a(5, "?citation lg:evidence ?span")}
  {a(6, "?span lg:quote ?quote")} {a(7, "?span lg:startOffset ?start")} {a(8, "?span lg:endOffset ?end")}
  OPTIONAL {{ {a(9, "?citation lg:method ?method")} }}
}}"""


def _nodes_query(values: str) -> str:
    a = _asserted
    return f"""SELECT DISTINCT ?doc ?title ?levelName ?date WHERE {{
  {values}
  {a(0, "?doc dcterms:title ?title")}
  OPTIONAL {{ {a(1, "?doc lg:level ?levelConcept")} {a(2, "?levelConcept skos:notation ?levelName")} }}
  OPTIONAL {{ {a(3, "?doc lg:dateSigned ?date")} }}
}}"""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    relation: str  # based_on | implements
    quote: str
    start: int
    end: int
    confidence: float
    method: str | None
    citation: str

    def to_dict(self) -> dict[str, object]:
        return {"from": self.source, "to": self.target, "relation": self.relation, "confidence": self.confidence,
                "method": self.method, "citation": self.citation,
                "evidence": {"quote": self.quote, "start": self.start, "end": self.end}}


def lineage_graph(store: Store | Reader, around: str | None = None) -> nx.MultiDiGraph[str]:
    """Documents as nodes (title, level, date), lineage citations as edges child → parent (read
    from a Store, or through a Reader within the server's limits): every document, or with
    ``around`` only ``around`` and the documents the lineage relations link it to, which holds all
    of its ancestors and descendants and every lineage edge between them. A document with several
    titles, levels or dates (one in its own graph, another in the description a citing document
    wrote of it) has the last in order of the values: the most local level."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    nodes, edges = "", ""
    if around is not None:
        linked = sorted({around} | {str(r["doc"]) for r in store.select(_around_query(around))})
        listed = " ".join(str(ox.NamedNode(d)) for d in linked)
        nodes = f"VALUES ?doc {{ {listed} }}"
        edges = f"{nodes} VALUES ?target {{ {listed} }}"
    rows = store.select(_nodes_query(nodes))
    for row in sorted(rows, key=lambda r: tuple(str(r[k] or "") for k in ("doc", "levelName", "date", "title"))):
        g.add_node(str(row["doc"]), title=row["title"], level=row["levelName"], date=row["date"])
    for row in store.select(_edges_query(edges)):
        relation = "based_on" if str(row["relation"]).endswith("basedOn") else "implements"
        edge = Edge(str(row["doc"]), str(row["target"]), relation, str(row["quote"]), int(row["start"]),  # type: ignore[arg-type]
                    int(row["end"]), float(row["confidence"]), row["method"], str(row["citation"]))  # type: ignore[arg-type]
        g.add_edge(edge.source, edge.target, key=edge.citation, edge=edge)
    return g


def _paths(g: nx.MultiDiGraph[str], start: str, reverse: bool) -> list[dict[str, object]]:
    """Every document reachable from ``start`` (up the lineage, or down with ``reverse``) with its
    depth and one shortest path of edges; each edge is the most confident citation between the
    two documents."""
    view = g.reverse(copy=False) if reverse else g
    if start not in view:
        return []
    found = nx.single_source_shortest_path(view, start)
    out = []
    for node, nodes in found.items():
        if node == start:
            continue
        edges = []
        for a, b in zip(nodes, nodes[1:]):
            src, dst = (b, a) if reverse else (a, b)
            best = max((d["edge"] for d in g.get_edge_data(src, dst).values()), key=lambda e: e.confidence)
            edges.append(best.to_dict())
        data = g.nodes[node]
        out.append({"document": node, "title": data.get("title"), "level": data.get("level"), "date": data.get("date"),
                    "depth": len(nodes) - 1, "path": edges})
    return sorted(out, key=lambda r: (r["depth"], str(r["title"])))


def lineage(store: Store | Reader, document: str) -> dict[str, list[dict[str, object]]]:
    """Ancestors and descendants of ``document`` with depth and paths."""
    g = lineage_graph(store, around=document)
    return {"ancestors": _paths(g, document, reverse=False), "descendants": _paths(g, document, reverse=True)}


def measure_cascade(rows: list[dict[str, object]], top: str) -> list[dict[str, object]]:
    """The rows of the cascade-implementers query grouped by carrying measure, each with its
    depth and the shortest path of aligned measures down from ``top`` to it (every step with its
    alignment score and kind); ordered by depth, then document. Safe on cycles."""
    g: nx.DiGraph[str] = nx.DiGraph()
    carriers: dict[str, dict[str, object]] = {}
    for r in rows:
        m = str(r["carrier"])
        c = carriers.setdefault(m, {
            "measure": m, "number": r["carrierNumber"], "text": r["carrierText"], "document": r["carrierDocument"], "title": r["carrierTitle"],
            "jurisdiction": r["jurisdiction"], "deadline": r["deadline"], "implementers": []})
        if r.get("via"):
            g.add_edge(m, str(r["via"]), score=r["score"], kind=r["kind"])
        if r.get("agency"):
            who = {k: r[k] for k in ("role", "agency", "agencyLabel", "collective", "evidence", "today", "todayLabel")}
            implementers = cast("list[dict[str, object]]", c["implementers"])
            if who not in implementers:
                implementers.append(who)
    out = []
    for m, c in carriers.items():
        try:
            nodes = nx.shortest_path(g, m, top) if m != top else [top]
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            continue
        c["depth"] = len(nodes) - 1
        c["path"] = [{"parent": b, "child": a, **g.edges[a, b]} for a, b in reversed(list(zip(nodes, nodes[1:])))]
        out.append(c)
    return sorted(out, key=lambda c: (c["depth"], str(c["document"]), str(c["measure"])))
