"""The faceted search (``/ui/search``): documents, measures, reported activities and planned
measures, with the count of each facet value. The words are matched and ranked by
``policykg.queries.search`` (Traditional/Simplified, width and case folded; spaces as AND; pinyin
with or without tones; ranking by where and how whole the hits are)."""

from __future__ import annotations

import re
from typing import Any

from policykg.api.resources import local
from policykg.api.views.common import LANGS, LEVELS, TEXT, concept_labels, division_labels, number_key, short, url, values
from policykg.graph.executor import Reader
from policykg.graph.resolve import Resolver
from policykg.queries.search import Field, division_tree, fold, found_in, heading, phrase, plan, prefilter, score

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
_ISSUERS = """SELECT DISTINCT ?doc ?name WHERE { ?doc lg:inCorpus true ; lg:issuedBy/rdfs:label ?name }"""
# the bodies measures are assigned to, by name; then the items assigned to those a word matches
_AGENCIES = """SELECT DISTINCT ?agency ?name WHERE {{
  {{ SELECT DISTINCT ?agency WHERE {{ ?item lg:assignment/prov:agent ?agency }} }}
  ?agency rdfs:label ?name .
  {filter}
}}"""
_ASSIGNED = """SELECT DISTINCT ?item ?agency WHERE {{ {values} ?item lg:assignment/prov:agent ?agency }}"""
_ITEMS = """SELECT ?item ?kind ?doc ?number ?text ?taskArea ?deadline WHERE {{
  VALUES (?class ?kind) {{ (lg:Measure "measure") (lg:ReportedActivity "activity") (lg:PlannedMeasure "planned") }}
  ?item a ?class ; lg:document ?doc ; lg:text ?text .
  ?doc lg:inCorpus true .
  {filter}
  OPTIONAL {{ ?item lg:number ?number }}
  OPTIONAL {{ ?item lg:taskArea ?taskArea }}
  OPTIONAL {{ ?item lg:deadline/time:inXSDDate ?deadline }}
}}"""
# The queries read the union of the store's graphs: the materialised entailments add nothing to what
# they read (no sub-class or sub-property of these classes and properties; broader* is a closure
# already), and naming the asserted graphs one by one as the default graph (inferred=False) made each
# of them some 100 times slower at a few hundred documents (300 generated: the documents 11.8 s
# against 0.05 s, every item 1.6 s)
_UNION = True
FACETS = ("kind", "jurisdiction", "level", "genre", "year", "task_area")
KINDS = ("document", "measure", "activity", "planned")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


MATCHES = ("phrase", "all")  # the words side by side when some results have them so (else anywhere); anywhere


def search_view(reader: Reader, resolver: Resolver, q: str, chosen: dict[str, str], limit: int, offset: int,
                match: str = "phrase") -> dict[str, Any]:
    """Documents and the measures, reported activities and planned measures of the corpus that
    match every word of ``q`` (everything when it is empty; ``policykg.queries.search``: a document
    by its title, division and issuers, an item by its text, its document's division and the
    agencies assigned to it),
    best first, kept to the chosen facet values, with the count of each value of each facet over
    the results (datasette's habit: counts of what is shown). At most eight queries read the rows,
    however many results there are (the words reach SPARQL only as literals the RDF library
    escapes, in a pre-filter that keeps the items that can match); matching and ranking are done
    here, over the rows read. Several words: with ``match`` "phrase", when some results have the
    words side by side as typed, only those (``matched``: "phrase"; ``apart``: how many more have
    them apart, and the URL that shows them too); with "all", every result that has them all."""
    labels = concept_labels(reader)
    docs: dict[str, dict[str, Any]] = {}
    for r in reader.select(_DOCS, inferred=_UNION):
        d = docs.setdefault(str(r["doc"]), {"title": r["title"], "genre": None, "level": None, "year": None, "area": None})
        for k in ("genre", "level", "area"):
            d[k] = d[k] or (str(r[k]) if r[k] else None)
        d["year"] = d["year"] or (str(r["reportYear"]) if r["reportYear"] else str(r["date"])[:4] if r["date"] else None)
    chain: dict[str, set[str]] = {}
    area_level: dict[str, str] = {}
    for r in reader.select(_AREA_CHAIN, inferred=_UNION):
        chain.setdefault(str(r["area"]), set()).add(str(r["up"]))
        area_level[str(r["up"])] = str(r["upLevel"] or "")
    divisions = division_labels(reader, {d for ups in chain.values() for d in ups})

    found = plan(q, [])
    issuers: dict[str, list[str]] = {}
    agencies: dict[str, str] = {}  # an agency a word matches → its name
    assigned: dict[str, set[str]] = {}  # item → those of its agencies
    by_agency: dict[str, list[str]] = {}  # word → the items assigned to an agency whose name it matches
    if found:  # the names are only matched against
        for r in reader.select(_ISSUERS, inferred=_UNION):
            issuers.setdefault(str(r["doc"]), []).append(str(r["name"]))
        # the names that can match a word (the same pre-filter, any word), then matched here
        names = {str(r["agency"]): str(r["name"]) for r in reader.select(
            _AGENCIES.format(filter=prefilter(found, "name", regex=reader.cjk_regex, any_term=True)), inferred=_UNION)}
        matched = {t.text: {a for a, name in names.items() if found_in(t, [fold(name)])} for t in found}
        agencies = {a: names[a] for hits in matched.values() for a in hits}
        if agencies:
            for r in reader.select(_ASSIGNED.format(values=values("agency", sorted(agencies))), inferred=_UNION):
                assigned.setdefault(str(r["item"]), set()).add(str(r["agency"]))
        by_agency = {t: [item for item, bodies in assigned.items() if bodies & hits] for t, hits in matched.items()}

    def place(iri: str) -> list[Field]:
        """A document's division, the name an item is found by besides its own text (钦南区 执法公示)."""
        name = divisions.get(str(docs[iri]["area"]), {}).get("zh")
        return [("name", fold(name))] if name else []

    # the words reach SPARQL only as literals escaped by the RDF library (as CannedQuery.executable
    # writes a parameter's value), in a filter that keeps every item that can match them: its text
    # has them, or the division of its document (found here, over the documents read)
    by_place = {t.text: [iri for iri in docs if found_in(t, (text for _, text in place(iri)))] for t in found}
    items: dict[str, dict[str, Any]] = {}
    for r in reader.select(_ITEMS.format(filter=prefilter(found, "text", {"doc": by_place, "item": by_agency}, regex=reader.cjk_regex)),
                           inferred=_UNION):
        it = items.setdefault(str(r["item"]), {"kind": r["kind"], "doc": str(r["doc"]), "number": r["number"], "text": r["text"],
                                               "task_areas": set(), "deadline": r["deadline"]})
        if r["taskArea"]:
            it["task_areas"].add(str(r["taskArea"]))

    def fields(r: dict[str, Any]) -> list[Field]:
        """What a result is found by: a document by its title, division and issuers; an item by its
        heading (the lead sentence, as a title), the rest of its text, its document's division and
        the names of the agencies it is assigned to (those a word matches)."""
        if r["kind"] == "document":
            names = [("name", fold(n)) for n in sorted(issuers.get(r["doc"], []))]
            return [("title", fold(str(docs[r["doc"]]["title"]))), *place(r["doc"]), *names]
        head, rest = heading(fold(str(items[r["id"]]["text"])))
        bodies = sorted(fold(agencies[a]) for a in assigned.get(r["id"], ()))
        return [("title", head), ("text", rest), *place(r["doc"]), *(("name", n) for n in bodies)]

    results: list[dict[str, Any]] = [{"id": iri, "kind": "document", "doc": iri, "label": d["title"], "task_areas": set()}
                                     for iri, d in docs.items()]
    results += [{"id": iri, "kind": it["kind"], "doc": it["doc"], "number": it["number"], "text": it["text"],
                 "label": (f"{it['number']}) " if it["number"] else "") + short(str(it["text"]), 60),
                 "task_areas": it["task_areas"], "deadline": it["deadline"]} for iri, it in items.items()]
    matched_as, apart = "words", 0
    if found:
        # a Latin word is pinyin unless the rows read contain it as it is written
        texts = [text for r in results for _, text in fields(r)]
        found, together = plan(q, texts), phrase(q, texts)
        for r in results:
            r["score"] = score(found, fields(r))
        results = [r for r in results if r["score"] is not None]
        if together and match == "phrase":
            for r in results:  # ranked as the phrase is (执法 公示 as 执法公示)
                r["phrase"] = score(together, fields(r))
            side_by_side = [{**r, "score": r["phrase"]} for r in results if r["phrase"] is not None]
            if side_by_side:
                matched_as, apart, results = "phrase", len(results) - len(side_by_side), side_by_side

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

    here = {"q": q, **{k: v for k, v in chosen.items() if v}, "match": None if match == "phrase" else match}
    # a division's value: its GB/T 2260 code, or the key of its IRI (a development zone: 411500-gxq)
    codes = {key: divisions.get(key, {}).get("code") or key.rstrip("/").rsplit("/", 1)[-1] for ups in chain.values() for key in ups}
    paths, parents = division_tree(chain, area_level, codes)
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
            value = codes[key] if name == "jurisdiction" else key
            selected = wanted.get(name) == key
            entry = {"value": value, **label_of(name, key), "count": n, "selected": selected,
                     "url": url("/ui/search", {**here, name: None if selected else value}),
                     "rank": area_level.get(key, "") if name == "jurisdiction" else ""}
            if name == "jurisdiction":  # a tree: each division right under its parent (None: the top)
                parent = parents.get(key)
                entry["parent"] = codes[parent] if parent in counts else None
                entry["path"] = paths[key]
            entries.append(entry)
        order = {"year": lambda e: (-int(e["value"]) if e["value"].isdigit() else 0,),
                 "jurisdiction": lambda e: (e["path"],)}.get(name, lambda e: (-e["count"], e["value"]))
        facets[name] = sorted(entries, key=order)
        for e in facets[name]:
            e.pop("path", None)

    # best first (ties, and everything when there are no words: documents, measures, activities,
    # planned measures, by document title and number)
    rank = {k: i for i, k in enumerate(KINDS)}
    kept.sort(key=lambda r: (-r.get("score", 0.0), rank[r["kind"]], str(docs[r["doc"]]["title"]),
                             number_key(str(r.get("number") or "")), r["id"]))
    rows = []
    for r in kept[offset: offset + limit]:
        d = docs[r["doc"]]
        area = divisions.get(str(d["area"]), {})
        view = (url("/ui/responsibility", {"measure": r["id"]}) if r["kind"] == "measure" else url("/ui/lineage", {"document": r["doc"]}))
        rows.append({"id": r["id"], "kind": r["kind"], "label": r["label"], "text": r.get("text"), "document": r["doc"],
                     "document_title": d["title"], "jurisdiction_zh": area.get("zh"), "jurisdiction_en": area.get("en"),
                     "year": d["year"], "deadline": r.get("deadline"), "view": view, "resource": local(r["id"]),
                     "score": r.get("score"),
                     "task_areas": [label_of("task_area", labels[a]["notation"]) for a in sorted(r["task_areas"]) if a in labels]})

    def page_url(at: int) -> str:
        return url("/ui/search", {**here, "offset": at or None, "limit": None if limit == 50 else limit})

    return {"ok": True, "q": q, "filters": {k: v for k, v in chosen.items() if v}, "match": match, "matched": matched_as,
            "apart": apart, "apart_url": url("/ui/search", {**here, "match": "all"}) if apart else None,
            "count": len(kept), "offset": offset,
            "limit": limit, "facets": facets, "rows": rows,
            "previous": page_url(max(0, offset - limit)) if offset else None,
            "next": page_url(offset + limit) if offset + limit < len(kept) else None}
