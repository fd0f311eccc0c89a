"""The lineage view (``/ui/lineage``): the documents above and below a document and the lineage
edges between them."""

from __future__ import annotations

from typing import Any

import networkx as nx

from policykg.api.resources import local
from policykg.api.views.common import LEVELS, concept_labels, term, url
from policykg.graph.executor import Reader
from policykg.graph.lineage import lineage_graph


def lineage_view(reader: Reader, iri: str) -> dict[str, Any]:
    """The lineage DAG around a document: the document, every ancestor and every descendant
    (``policykg.graph.lineage``), and every lineage edge between them (the most confident
    citation per pair and relation), each edge drawn parent → child."""
    g = lineage_graph(reader)
    labels = concept_labels(reader)
    in_corpus = set(reader.documents())
    if iri not in g:
        titled = reader.select(f"SELECT ?t WHERE {{ {term(iri)} dcterms:title ?t }} LIMIT 1")
        g.add_node(iri, title=titled[0]["t"] if titled else iri, level=None, date=None)
    up = nx.descendants(g, iri)  # edges run child → parent, so the lineage's ancestors
    down = nx.ancestors(g, iri)
    depth_up = nx.single_source_shortest_path_length(g, iri)
    depth_down = nx.single_source_shortest_path_length(g.reverse(copy=False), iri)
    level_names = {v["notation"]: v for v in labels.values() if v["scheme"] == "level"}
    nodes = []
    for n in [iri, *sorted(up, key=lambda x: (depth_up[x], str(g.nodes[x].get("title")))),
              *sorted(down, key=lambda x: (depth_down[x], str(g.nodes[x].get("title"))))]:
        data = g.nodes[n]
        level = str(data.get("level") or "")
        nodes.append({"id": n, "title": data.get("title") or n, "level": level, "level_key": LEVELS.get(level, "unknown"),
                      "level_zh": level_names.get(level, {}).get("zh", ""), "level_en": level_names.get(level, {}).get("en", ""),
                      "date": data.get("date"), "in_corpus": n in in_corpus,
                      "role": "self" if n == iri else "ancestor" if n in up else "descendant",
                      "depth": 0 if n == iri else depth_up[n] if n in up else -depth_down[n],
                      "view": url("/ui/lineage", {"document": n}), "resource": local(n)})
    best: dict[tuple[str, str, str], Any] = {}
    for child, parent, data in g.subgraph({iri} | up | down).edges(data=True):
        e = data["edge"]
        key = (parent, child, e.relation)
        if key not in best or e.confidence > best[key].confidence:
            best[key] = e
    edges = []
    for (parent, child, relation), e in sorted(best.items()):
        edges.append({"id": e.citation, "source": parent, "target": child, "relation": relation,
                      "confidence": e.confidence, "method": e.method, "quote": e.quote, "start": e.start, "end": e.end})
    title = next(n["title"] for n in nodes if n["id"] == iri)
    return {"ok": True, "document": iri, "title": title, "nodes": nodes, "edges": edges,
            "api": f"/api/documents/{iri}/lineage"}
