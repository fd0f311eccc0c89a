"""The faceted search (``/ui/search``): documents, measures, reported activities and planned
measures, with the count of each facet value."""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

from policykg.api.resources import local
from policykg.api.views.common import LANGS, LEVELS, TEXT, concept_labels, division_labels, number_key, short, url
from policykg.graph.executor import Reader
from policykg.graph.resolve import Resolver

_DOCS = """SELECT ?doc ?title ?genre ?level ?date ?reportYear ?area WHERE {
  ?doc lg:inCorpus true ; dcterms:title ?title .
  OPTIONAL { ?doc lg:genre ?genre }
  OPTIONAL { ?doc lg:level/skos:notation ?level }
  OPTIONAL { ?doc lg:dateSigned ?date }
  OPTIONAL { ?doc lg:reportYear ?reportYear }
  OPTIONAL { ?doc lg:issuingArea ?area }
}"""
_AREA_CHAIN = """SELECT DISTINCT ?area ?up ?upLevel WHERE {
  ?doc lg:inCorpus true ; lg:issuingArea ?area .
  ?area skos:broader* ?up .
  OPTIONAL { ?up lg:areaLevel/skos:notation ?upLevel }
}"""
_ITEMS = """SELECT ?item ?kind ?doc ?number ?text ?taskArea ?deadline WHERE {{
  VALUES (?class ?kind) {{ (lg:Measure "measure") (lg:ReportedActivity "activity") (lg:PlannedMeasure "planned") }}
  ?item a ?class ; lg:document ?doc ; lg:text ?text .
  ?doc lg:inCorpus true .
  {filter}
  OPTIONAL {{ ?item lg:number ?number }}
  OPTIONAL {{ ?item lg:taskArea ?taskArea }}
  OPTIONAL {{ ?item lg:deadline/time:inXSDDate ?deadline }}
}}"""
FACETS = ("kind", "jurisdiction", "level", "genre", "year", "task_area")
KINDS = ("document", "measure", "activity", "planned")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def search_view(reader: Reader, resolver: Resolver, q: str, chosen: dict[str, str], limit: int, offset: int) -> dict[str, Any]:
    """Documents whose title and measures, reported activities and planned measures whose text
    contain ``q`` (everything when it is empty), kept to the chosen facet values, with the count
    of each value of each facet over the results (datasette's habit: counts of what is shown)."""
    labels = concept_labels(reader)
    docs: dict[str, dict[str, Any]] = {}
    for r in reader.select(_DOCS, inferred=False):
        d = docs.setdefault(str(r["doc"]), {"title": r["title"], "genre": None, "level": None, "year": None, "area": None})
        for k in ("genre", "level", "area"):
            d[k] = d[k] or (str(r[k]) if r[k] else None)
        d["year"] = d["year"] or (str(r["reportYear"]) if r["reportYear"] else str(r["date"])[:4] if r["date"] else None)
    chain: dict[str, set[str]] = {}
    area_level: dict[str, str] = {}
    for r in reader.select(_AREA_CHAIN, inferred=False):
        chain.setdefault(str(r["area"]), set()).add(str(r["up"]))
        area_level[str(r["up"])] = str(r["upLevel"] or "")
    divisions = division_labels(reader, {d for ups in chain.values() for d in ups})

    items: dict[str, dict[str, Any]] = {}
    # the words reach SPARQL only as one literal, escaped by the RDF library (as CannedQuery.executable
    # writes a parameter's value)
    items_query = _ITEMS.format(filter=f"FILTER(CONTAINS(STR(?text), {ox.Literal(q)}))" if q else "")
    for r in reader.select(items_query, inferred=False):
        it = items.setdefault(str(r["item"]), {"kind": r["kind"], "doc": str(r["doc"]), "number": r["number"], "text": r["text"],
                                               "task_areas": set(), "deadline": r["deadline"]})
        if r["taskArea"]:
            it["task_areas"].add(str(r["taskArea"]))
    results = [{"id": iri, "kind": "document", "doc": iri, "label": d["title"], "task_areas": set()}
               for iri, d in docs.items() if not q or q in str(d["title"])]
    results += [{"id": iri, "kind": it["kind"], "doc": it["doc"], "number": it["number"], "text": it["text"],
                 "label": (f"{it['number']}) " if it["number"] else "") + short(str(it["text"]), 60),
                 "task_areas": it["task_areas"], "deadline": it["deadline"]} for iri, it in items.items()]

    # every facet value is a string key: kind, division IRI, level key, genre slug, year, task-area notation
    def keys(r: dict[str, Any]) -> dict[str, set[str]]:
        d = docs[r["doc"]]
        return {"kind": {r["kind"]}, "jurisdiction": chain.get(str(d["area"]), set()),
                "level": {LEVELS[d["level"]]} if d["level"] in LEVELS else set(),
                "genre": {_slug(labels[d["genre"]]["en"])} if d["genre"] in labels else set(),
                "year": {d["year"]} if d["year"] else set(),
                "task_area": {labels[a]["notation"] for a in r["task_areas"] if a in labels}}

    def key_of(name: str, value: str) -> str:
        """The key of a value given in the URL: a division by code, name or IRI; a concept also by its label."""
        if name == "jurisdiction":
            return resolver.jurisdiction(value)
        for v in labels.values():
            if v["scheme"] == name and value in (v["zh"], v["en"], v["notation"], _slug(v["en"])):
                return LEVELS.get(v["notation"], "") if name == "level" else v["notation"] if name == "task_area" else _slug(v["en"])
        return value

    def label_of(name: str, key: str) -> dict[str, str]:
        if name == "jurisdiction":
            return {"zh": divisions.get(key, {}).get("zh", key), "en": divisions.get(key, {}).get("en", key)}
        if name in ("level", "kind"):
            return {lang: TEXT[lang].get(key if name == "level" else "kind_" + key, key) for lang in LANGS}
        for v in labels.values():
            if v["scheme"] == name and key in (v["notation"], _slug(v["en"])):
                return {"zh": v["zh"], "en": v["en"]}
        return {"zh": key, "en": key}

    wanted = {name: key_of(name, value) for name, value in chosen.items() if value}
    kept = []
    for r in results:
        r["keys"] = keys(r)
        if all(key in r["keys"][name] for name, key in wanted.items()):
            kept.append(r)

    here = {"q": q, **{k: v for k, v in chosen.items() if v}}
    facets: dict[str, list[dict[str, Any]]] = {}
    for name in FACETS:
        counts: dict[str, int] = {}
        for r in kept:
            for key in r["keys"][name]:
                if name == "jurisdiction" and area_level.get(key) in ("", "1"):
                    continue  # the nation holds everything; a development zone is counted under its host
                counts[key] = counts.get(key, 0) + 1
        entries = []
        for key, n in counts.items():
            value = divisions.get(key, {}).get("code") or key if name == "jurisdiction" else key
            selected = wanted.get(name) == key
            entries.append({"value": value, **label_of(name, key), "count": n, "selected": selected,
                            "url": url("/ui/search", {**here, name: None if selected else value}),
                            "rank": area_level.get(key, "") if name == "jurisdiction" else ""})
        order = {"year": lambda e: (-int(e["value"]) if e["value"].isdigit() else 0,),
                 "jurisdiction": lambda e: (e["value"],)}.get(name, lambda e: (-e["count"], e["value"]))  # codes nest: a tree
        facets[name] = sorted(entries, key=order)

    rank = {k: i for i, k in enumerate(KINDS)}
    kept.sort(key=lambda r: (rank[r["kind"]], str(docs[r["doc"]]["title"]), number_key(str(r.get("number") or ""))))
    rows = []
    for r in kept[offset: offset + limit]:
        d = docs[r["doc"]]
        area = divisions.get(str(d["area"]), {})
        view = (url("/ui/responsibility", {"measure": r["id"]}) if r["kind"] == "measure" else url("/ui/lineage", {"document": r["doc"]}))
        rows.append({"id": r["id"], "kind": r["kind"], "label": r["label"], "text": r.get("text"), "document": r["doc"],
                     "document_title": d["title"], "jurisdiction_zh": area.get("zh"), "jurisdiction_en": area.get("en"),
                     "year": d["year"], "deadline": r.get("deadline"), "view": view, "resource": local(r["id"]),
                     "task_areas": [label_of("task_area", labels[a]["notation"]) for a in sorted(r["task_areas"]) if a in labels]})

    def page_url(at: int) -> str:
        return url("/ui/search", {**here, "offset": at or None, "limit": None if limit == 50 else limit})

    return {"ok": True, "q": q, "filters": {k: v for k, v in chosen.items() if v}, "count": len(kept), "offset": offset,
            "limit": limit, "facets": facets, "rows": rows,
            "previous": page_url(max(0, offset - limit)) if offset else None,
            "next": page_url(offset + limit) if offset + limit < len(kept) else None}
