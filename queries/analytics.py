"""Analytics over the projections (``queries.projections``), as tables (lists of dicts: a pandas
DataFrame, a CSV, a JSON page): who carries the load, who works with whom, how deep and how wide
lineage runs per level, which measures name no lead. Each takes the networkx graph of its
projection, so the same numbers come from the command line, the API and a notebook.

- ``load``: per agency, the measures it leads, is responsible for and cooperates on, its degree
  and betweenness centrality in the co-responsibility network and its community there.
- ``communities``: groups of agencies that share measures more with each other than with the rest
  (greedy modularity on the co-responsibility network, weighted by shared measures).
- ``lineage``: per document, how many steps of lineage lie above it (depth: the longest chain of
  documents it is based on or implements) and how many documents build on it directly (fan-out);
  ``lineage_by_level`` sums them per level.
- ``unled``: measures that are assigned to somebody but to no lead (牵头) body.
- ``similar-measures``: the pairs of measures of sibling jurisdictions' plans found to carry the
  same work, most similar first (from the ``similarity`` projection).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import networkx as nx

from policykg.errors import ParameterError
from policykg.queries.projections import co_responsibility_of

ANALYSES = ("load", "communities", "lineage", "lineage-by-level", "unled", "similar-measures")


def _communities(co: nx.Graph[str]) -> list[set[str]]:
    if co.number_of_edges() == 0:
        return [{n} for n in co]
    found = nx.community.greedy_modularity_communities(co, weight="weight")
    return sorted((set(c) for c in found), key=lambda c: (-len(c), min(c)))


def load(responsibility: nx.DiGraph[str], co: nx.Graph[str]) -> list[dict[str, Any]]:
    """Per agency of the responsibility network, most leads first."""
    degree = nx.degree_centrality(co) if len(co) > 1 else {}
    between = nx.betweenness_centrality(co, weight=None) if len(co) > 2 else {}
    community = {a: i for i, c in enumerate(_communities(co)) for a in c}
    rows = []
    for a, d in responsibility.nodes(data=True):
        if d.get("kind") != "agency":
            continue
        rows.append({"agency": a, "label": d.get("label"), "division": d.get("division"), "collective": d.get("collective", False),
                     "measures": d.get("measures", 0), "lead": d.get("lead", 0), "responsible": d.get("responsible", 0),
                     "cooperating": d.get("cooperating", 0), "partners": co.degree(a) if a in co else 0,
                     "degree_centrality": round(degree.get(a, 0.0), 4), "betweenness": round(between.get(a, 0.0), 4),
                     "community": community.get(a)})
    return sorted(rows, key=lambda r: (-r["lead"], -r["measures"], str(r["label"])))


def communities(co: nx.Graph[str]) -> list[dict[str, Any]]:
    """One row per agency: its community (0: the largest), the community's size, and how many of
    the community's shared measures run inside it."""
    rows = []
    for i, c in enumerate(_communities(co)):
        inside = sum(w for _, _, w in co.subgraph(c).edges(data="weight", default=1))
        for a in sorted(c, key=lambda a: str(co.nodes[a].get("label"))):
            rows.append({"community": i, "size": len(c), "shared_inside": inside, "agency": a, "label": co.nodes[a].get("label"),
                         "division": co.nodes[a].get("division"), "measures": co.nodes[a].get("measures", 0)})
    return rows


def lineage(g: nx.DiGraph[str]) -> list[dict[str, Any]]:
    """Per document of the lineage network (edges child → parent): its depth (the longest chain of
    documents above it within the network: a filtered network counts the steps inside it) and its
    fan-out. Documents that cite each other in a circle (a citation read wrong, two texts naming
    each other) share one depth, and ``in_cycle`` says so."""
    condensed = nx.condensation(g)  # each strongly connected set of documents as one node: a DAG
    member = condensed.graph["mapping"]
    depth: dict[int, int] = {}
    for c in reversed(list(nx.topological_sort(condensed))):  # parents before children
        depth[c] = max((depth[p] + 1 for p in condensed.successors(c)), default=0)
    rows = [{"document": n, "label": d.get("label"), "level": d.get("level"), "division": d.get("division"),
             "in_corpus": d.get("in_corpus", False), "depth": depth[member[n]], "fan_out": g.in_degree(n),
             "in_cycle": len(condensed.nodes[member[n]]["members"]) > 1}
            for n, d in g.nodes(data=True)]
    return sorted(rows, key=lambda r: (-r["fan_out"], -r["depth"], str(r["label"])))


def lineage_by_level(g: nx.DiGraph[str]) -> list[dict[str, Any]]:
    """Per level: the documents, their mean and greatest depth, and the mean and greatest fan-out."""
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in lineage(g):
        by[str(r["level"] or "unknown")].append(r)
    order = ["national", "provincial", "prefectural", "county", "township", "unknown"]
    return [{"level": level, "documents": len(rs), "mean_depth": round(sum(r["depth"] for r in rs) / len(rs), 3),
             "max_depth": max(r["depth"] for r in rs), "mean_fan_out": round(sum(r["fan_out"] for r in rs) / len(rs), 3),
             "max_fan_out": max(r["fan_out"] for r in rs)}
            for level, rs in sorted(by.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))]


def unled(responsibility: nx.DiGraph[str]) -> list[dict[str, Any]]:
    """Measures with bodies assigned and none of them as lead, with the bodies that are named."""
    rows = []
    for m, d in responsibility.nodes(data=True):
        if d.get("kind") != "measure":
            continue
        edges = list(responsibility.in_edges(m, data=True))
        if any("lead" in str(e["role"]).split("; ") for _, _, e in edges):
            continue
        rows.append({"measure": m, "document_title": d.get("document_title"), "number": d.get("number"),
                     "deadline": d.get("deadline"), "label": d.get("label"),
                     "bodies": "、".join(sorted(f"{responsibility.nodes[a].get('label')}({e['role']})" for a, _, e in edges))})
    return sorted(rows, key=lambda r: (str(r["document_title"]), int(r["number"]) if str(r["number"]).isdigit() else 0))


def similar_measures(similarity: nx.DiGraph[str]) -> list[dict[str, Any]]:
    """One row per pair of sibling measures (written both ways in the graph, so kept once, with
    the higher score), most similar first."""
    best: dict[tuple[str, str], float] = {}
    for a, b, d in similarity.edges(data=True):
        if d.get("relation") == "sibling":
            pair = (min(a, b), max(a, b))
            best[pair] = max(best.get(pair, 0.0), float(d["score"]))
    rows = []
    for (a, b), score in best.items():
        row: dict[str, Any] = {"score": score, "same_task_area": bool(similarity.edges[a, b].get("same_task_area"))
                               if similarity.has_edge(a, b) else bool(similarity.edges[b, a].get("same_task_area"))}
        for side, m in (("a", a), ("b", b)):
            d = similarity.nodes[m]
            row.update({f"{side}_measure": m, f"{side}_division": d.get("division_zh"), f"{side}_document_title": d.get("document_title"),
                        f"{side}_number": d.get("number"), f"{side}_label": d.get("label")})
        rows.append(row)
    return sorted(rows, key=lambda r: (-r["score"], str(r["a_document_title"]), str(r["a_number"]), str(r["b_number"])))


def analyse(name: str, network: Callable[[str], Any]) -> list[dict[str, Any]]:
    """The analysis ``name`` (one of ``ANALYSES``) of the projections ``network(projection)`` builds."""
    if name == "load":
        resp = network("responsibility")
        return load(resp, co_responsibility_of(resp))
    if name == "communities":
        return communities(network("co-responsibility"))
    if name == "lineage":
        return lineage(network("lineage"))
    if name == "lineage-by-level":
        return lineage_by_level(network("lineage"))
    if name == "unled":
        return unled(network("responsibility"))
    if name == "similar-measures":
        return similar_measures(network("similarity"))
    raise ParameterError(f"no analysis {name!r}; one of {', '.join(ANALYSES)}", param="analysis")
