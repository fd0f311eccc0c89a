"""The lineage view (``/ui/lineage``): the documents above and below a document and the lineage
edges between them, its descendants in groups by division (``_group``: those of each division one
level under the document's own, a group of more than SPLIT members split one level further), which
the graph shows closed, with their counts, until they are clicked (as the responsibility view's)."""

from __future__ import annotations

from typing import Any

import networkx as nx

from policykg.api.resources import local
from policykg.api.views.common import LEVELS, SPLIT, concept_labels, division_labels, term, url, values
from policykg.graph.executor import Reader
from policykg.graph.lineage import lineage_graph

_AREAS = """SELECT DISTINCT ?doc ?area ?up ?upper WHERE {{
  {values}
  ?doc lg:issuingArea ?area .
  ?area skos:broader* ?up .
  OPTIONAL {{ ?up skos:broader ?upper }}
}}"""


def lineage_view(reader: Reader, iri: str) -> dict[str, Any]:
    """The lineage DAG around a document: the document, every ancestor and every descendant
    (``policykg.graph.lineage``), and every lineage edge between them (the most confident
    citation per pair and relation), each edge drawn parent → child."""
    g = lineage_graph(reader, around=iri)
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
    groups = _group(reader, iri, nodes)
    return {"ok": True, "document": iri, "title": title, "nodes": nodes, "edges": edges, "groups": groups,
            "api": f"/api/documents/{iri}/lineage"}


def _group(reader: Reader, iri: str, nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Put the descendants of ``iri`` in groups by where they were issued, so that the graph can
    show a large fan-out (the 纲要 over every plan of the country) as a few groups, and a group's
    members when it is opened: a group for each division one level under the document's own
    (``lg:issuingArea``; of the 纲要, a province), holding the documents issued there or below it;
    of more than SPLIT members spread over several divisions one level further down, with a group
    for each of those (a prefecture), the documents of the division itself staying in it.
    Descendants of the document's own division are in a group of their own, those without a
    division in a group "division unknown"; a group of one document is not made (the document
    stays where the group would be). A document issued in several divisions (its own graph and the
    description a citing document wrote of it) is placed by the most local. Sets each node's
    ``group`` (the innermost group holding it; None for the document and its ancestors) and returns
    the groups (``id``, ``parent``, ``of``: document, ``key``: the division's code, ``label``,
    ``label_en``, ``count``: the documents in it), parents before their children, each level by
    code."""
    for n in nodes:
        n["group"] = None
    below = [n for n in nodes if n["role"] == "descendant"]
    if not below:
        return []
    areas: dict[str, set[str]] = {}
    broader: dict[str, set[str]] = {}
    for r in reader.select(_AREAS.format(values=values("doc", sorted({iri} | {n["id"] for n in below})))):
        areas.setdefault(str(r["doc"]), set()).add(str(r["area"]))
        if r["upper"]:
            broader.setdefault(str(r["up"]), set()).add(str(r["upper"]))

    def chain(area: str) -> list[str]:  # the division and those above it, up to the country
        out = [area]
        while ups := sorted(broader.get(out[-1], set()) - set(out)):
            out.append(ups[0])
        return out

    def where(doc: str) -> list[str]:  # the chain of the most local of a document's divisions
        return max((chain(a) for a in sorted(areas.get(doc, ()))), key=len, default=[])

    home = next(iter(where(iri)), None)
    # each descendant's divisions below the document's own, outermost first: [province, prefecture, …]
    paths: dict[str, list[str]] = {}
    for n in below:
        c = where(n["id"])
        paths[n["id"]] = list(reversed(c[:c.index(home)] if home in c else c[:-1]))
    places = division_labels(reader, {d for p in paths.values() for d in p} | {c[0] for n in below if (c := where(n["id"]))})
    groups: dict[str, dict[str, Any]] = {}

    def place(members: list[dict[str, Any]], depth: int, parent: str | None) -> None:
        """Group ``members`` (which share their first ``depth`` divisions) by the next one; those
        with no next one stay in ``parent``."""
        by: dict[str, list[dict[str, Any]]] = {}
        for n in members:
            p = paths[n["id"]]
            if len(p) > depth:
                by.setdefault(p[depth], []).append(n)
            elif depth == 0:  # of the document's own division (or the country's), or of no known division
                by.setdefault((where(n["id"]) or [""])[0], []).append(n)
            else:
                n["group"] = parent
        for key, sub in sorted(by.items(), key=lambda kv: places.get(kv[0], {}).get("code") or kv[0] or "~"):
            if len(sub) == 1:
                sub[0]["group"] = parent
                continue
            name = places.get(key, {})
            gid = f"{parent or 'group:document'}:{name.get('code') or key or 'unknown'}"
            groups[gid] = {"id": gid, "parent": parent, "of": "document", "key": name.get("code") or key,
                           "label": name.get("zh") or ("地区不明" if not key else key),
                           "label_en": name.get("en") or ("Division unknown" if not key else key), "count": 0}
            further = {paths[n["id"]][depth + 1] for n in sub if len(paths[n["id"]]) > depth + 1}
            if key and len(sub) > SPLIT and len(further) >= 2:
                place(sub, depth + 1, gid)
            else:
                for n in sub:
                    n["group"] = gid

    place(below, 0, None)
    for n in nodes:
        g = n["group"]
        while g:
            groups[g]["count"] += 1
            g = groups[g]["parent"]
    return list(groups.values())
