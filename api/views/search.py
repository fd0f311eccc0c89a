"""The faceted search (``/ui/search``): documents, measures, reported activities and planned
measures, with the count of each facet value. The words are matched and ranked by
``policykg.queries.search`` (Traditional/Simplified, width and case folded; spaces as AND; pinyin
with or without tones; ranking by where and how whole the hits are)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from policykg.api.resources import local
from policykg.api.views.common import LANGS, LEVELS, TEXT, concept_labels, division_labels, number_key, short, term, url, values
from policykg.graph.executor import Reader
from policykg.graph.resolve import Resolver
from policykg.queries.search import Field, Term, division_tree, fold, found_in, heading, phrase, plan, prefilter, score

_DOCS = """SELECT ?doc ?title ?genre ?level ?date ?reportYear ?area WHERE {
  ?doc lg:inCorpus true ; dcterms:title ?title .
  OPTIONAL { ?doc lg:genre ?genre }
  OPTIONAL { ?doc lg:level/skos:notation ?level }
  OPTIONAL { ?doc lg:dateSigned ?date }
  OPTIONAL { ?doc lg:reportYear ?reportYear }
  OPTIONAL { ?doc lg:issuingArea ?area }
}"""
# the divisions of the documents first (at 10,000 generated documents 0.9 s, against 2.0 s)
_AREA_CHAIN = """SELECT DISTINCT ?area ?up ?upLevel WHERE {
  { SELECT DISTINCT ?area WHERE { ?doc lg:inCorpus true ; lg:issuingArea ?area } }
  ?area skos:broader* ?up .
  OPTIONAL { ?up lg:areaLevel/skos:notation ?upLevel }
}"""
# the issuers a word can match, by name
_ISSUERS = """SELECT DISTINCT ?doc ?name WHERE {{ ?doc lg:inCorpus true ; lg:issuedBy/rdfs:label ?name . {filter} }}"""
# the bodies measures are assigned to, by name; then the items assigned to those a word matches
# (by their classes: at 10,000 generated documents 2 s, against 7 s for the distinct agents of every assignment)
_AGENCIES = """SELECT DISTINCT ?agency ?name WHERE {{
  VALUES ?type {{ lg:Agency lg:Collective lg:PartyBody }}
  ?agency a ?type ; rdfs:label ?name .
  {filter}
}}"""
_ASSIGNED = """SELECT DISTINCT ?item ?agency WHERE {{ {values} ?item lg:assignment/prov:agent ?agency }}"""
_CLASSES = """VALUES (?class ?kind) {{ {classes} }}"""
_ITEM_CLASSES = {"measure": "lg:Measure", "activity": "lg:ReportedActivity", "planned": "lg:PlannedMeasure"}
# the items whose text can match, first (at 10,000 generated documents 2.5 s, against 18 s starting
# from the classes), or the items of the documents listed
_ITEMS = """SELECT ?item ?kind ?doc ?number ?text ?taskArea ?deadline WHERE {{
  {first}
  {classes}
  ?item a ?class .
  ?doc lg:inCorpus true .
  {task_area}
  OPTIONAL {{ ?item lg:number ?number }}
  OPTIONAL {{ ?item lg:taskArea ?taskArea }}
  OPTIONAL {{ ?item lg:deadline/time:inXSDDate ?deadline }}
}}"""
_MATCHING = """{{ SELECT ?item ?doc ?text WHERE {{ ?item lg:text ?text ; lg:document ?doc . {filter} }} }}"""
_OF = """{docs} ?item lg:document ?doc ; lg:text ?text ."""
# without words: how many items of each kind each document has (with a chosen task area, of it),
# and how many of the items of the documents kept have each task area
_PER_DOCUMENT = """SELECT ?doc ?kind (COUNT(?item) AS ?n) WHERE {{
  {docs}
  {classes}
  ?item lg:document ?doc ; a ?class .
  ?doc lg:inCorpus true .
  {task_area}
}} GROUP BY ?doc ?kind"""
_PER_TASK_AREA = """SELECT ?taskArea (COUNT(DISTINCT ?item) AS ?n) WHERE {{
  {classes}
  {docs}
  ?item a ?class ; lg:document ?doc ; lg:taskArea ?taskArea .
  ?doc lg:inCorpus true .
  {task_area}
}} GROUP BY ?taskArea"""
# The queries read the union of the store's graphs: the materialised entailments add nothing to what
# they read (no sub-class or sub-property of these classes and properties; broader* is a closure
# already), and naming the asserted graphs one by one as the default graph (inferred=False) made each
# of them some 100 times slower at a few hundred documents (300 generated: the documents 11.8 s
# against 0.05 s, every item 1.6 s)
_UNION = True
FACETS = ("kind", "jurisdiction", "level", "genre", "year", "task_area")
KINDS = ("document", "measure", "activity", "planned")
MAX_ITEM_ROWS = 50_000  # rows of items a search reads at most (a word found everywhere: 法)
MATCHES = ("phrase", "all")  # the words side by side when some results have them so (else anywhere); anywhere


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def search_view(reader: Reader, resolver: Resolver, q: str, chosen: dict[str, str], limit: int, offset: int,
                match: str = "phrase") -> dict[str, Any]:
    """Documents and the measures, reported activities and planned measures of the corpus that
    match every word of ``q`` (``policykg.queries.search``: a document by its title, division and
    issuers, an item by its text, its document's division and the agencies assigned to it), best
    first, kept to the chosen facet values, with the count of each value of each facet over the
    results (datasette's habit: counts of what is shown). The words reach SPARQL only as literals
    the RDF library escapes, in pre-filters that keep the rows that can match; matching and ranking
    are done here, over the rows read. Several words: with ``match`` "phrase", when some results
    have the words side by side as typed, only those (``matched``: "phrase"; ``apart``: how many
    more have them apart, and the URL that shows them too); with "all", every result that has them
    all. Without words, everything, counted in SPARQL (items per document and kind, items per task
    area) and only the page's items read, so a national corpus is browsed without reading its
    hundreds of thousands of items. A table longer than the row cap (the documents of a national
    corpus) is read whole (``Reader.select_all``)."""
    labels = concept_labels(reader)
    docs: dict[str, dict[str, Any]] = {}
    for r in reader.select_all(_DOCS, inferred=_UNION):
        d = docs.setdefault(str(r["doc"]), {"title": r["title"], "genre": None, "level": None, "year": None, "area": None})
        for k in ("genre", "level", "area"):
            d[k] = d[k] or (str(r[k]) if r[k] else None)
        d["year"] = d["year"] or (str(r["reportYear"]) if r["reportYear"] else str(r["date"])[:4] if r["date"] else None)
    chain: dict[str, set[str]] = {}
    area_level: dict[str, str] = {}
    for r in reader.select_all(_AREA_CHAIN, inferred=_UNION):
        chain.setdefault(str(r["area"]), set()).add(str(r["up"]))
        area_level[str(r["up"])] = str(r["upLevel"] or "")
    divisions = division_labels(reader, {d for ups in chain.values() for d in ups})
    facet = _Facets(labels, resolver, divisions, chain, area_level)
    wanted = {name: facet.key_of(name, value) for name, value in chosen.items() if value}
    here = {"q": q, **{k: v for k, v in chosen.items() if v}, "match": None if match == "phrase" else match}

    def doc_keys(doc: str) -> dict[str, set[str]]:
        d = docs[doc]
        return {"jurisdiction": chain.get(str(d["area"]), set()),
                "level": {LEVELS[d["level"]]} if d["level"] in LEVELS else set(),
                "genre": {_slug(labels[d["genre"]]["en"])} if d["genre"] in labels else set(),
                "year": {d["year"]} if d["year"] else set()}

    keys = {doc: doc_keys(doc) for doc in docs}
    found = plan(q, [])
    if found:
        # a document is found by the names of its division and of the divisions above it (广西 finds 钦南区's plan)
        places = {area: sorted({fold(divisions[d]["zh"]) for d in ups if d in divisions}) for area, ups in chain.items()}
        kept, matched_as, apart = _matches(reader, q, found, match, docs, keys, places, labels, wanted)
        counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        for r in kept:
            for name in FACETS:
                for key in r["keys"][name]:
                    counts[name][key] = counts[name].get(key, 0) + 1
        total, shown = len(kept), kept[offset: offset + limit]
    else:
        counts, total, shown = _browse(reader, docs, keys, wanted, labels, limit, offset)
        matched_as, apart = "words", 0

    rows = []
    for r in shown:
        d = docs[r["doc"]]
        area = divisions.get(str(d["area"]), {})
        view = (url("/ui/responsibility", {"measure": r["id"]}) if r["kind"] == "measure" else url("/ui/lineage", {"document": r["doc"]}))
        rows.append({"id": r["id"], "kind": r["kind"], "label": r["label"], "text": r.get("text"), "document": r["doc"],
                     "document_title": d["title"], "jurisdiction_zh": area.get("zh"), "jurisdiction_en": area.get("en"),
                     "year": d["year"], "deadline": r.get("deadline"), "view": view, "resource": local(r["id"]),
                     "score": r.get("score"),
                     "task_areas": [facet.label_of("task_area", labels[a]["notation"]) for a in sorted(r["task_areas"]) if a in labels]})

    def page_url(at: int) -> str:
        return url("/ui/search", {**here, "offset": at or None, "limit": None if limit == 50 else limit})

    return {"ok": True, "q": q, "filters": {k: v for k, v in chosen.items() if v}, "match": match, "matched": matched_as,
            "apart": apart, "apart_url": url("/ui/search", {**here, "match": "all"}) if apart else None,
            "count": total, "offset": offset, "limit": limit, "facets": facet.entries(counts, wanted, here), "rows": rows,
            "previous": page_url(max(0, offset - limit)) if offset else None,
            "next": page_url(offset + limit) if offset + limit < total else None}


def _item(iri: str, it: dict[str, Any]) -> dict[str, Any]:
    """An item read (``_ITEMS``) as a result."""
    return {"id": iri, "kind": it["kind"], "doc": it["doc"], "number": it["number"], "text": it["text"],
            "label": (f"{it['number']}) " if it["number"] else "") + short(str(it["text"]), 60),
            "task_areas": it["task_areas"], "deadline": it["deadline"]}


def _read_items(reader: Reader, classes: str, first: str, task_area: str = "") -> dict[str, dict[str, Any]]:
    """The items of these classes (``first``: those whose text passes a filter, or those of the
    documents listed; of a task area) by IRI; at most ``MAX_ITEM_ROWS`` rows read (past them, the
    Reader says ``truncated``)."""
    items: dict[str, dict[str, Any]] = {}
    sparql = _ITEMS.format(first=first, classes=classes, task_area=task_area)
    for r in reader.select_all(sparql, inferred=_UNION, most=MAX_ITEM_ROWS):
        it = items.setdefault(str(r["item"]), {"kind": r["kind"], "doc": str(r["doc"]), "number": r["number"], "text": r["text"],
                                               "task_areas": set(), "deadline": r["deadline"]})
        if r["taskArea"]:
            it["task_areas"].add(str(r["taskArea"]))
    return items


def _classes(kinds: Iterable[str]) -> str:
    return _CLASSES.format(classes=" ".join(f'({_ITEM_CLASSES[k]} "{k}")' for k in kinds))


def _order(docs: dict[str, dict[str, Any]]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """Results best first; ties (and everything without words): documents, measures, activities,
    planned measures, by document title, document, number."""
    rank = {k: i for i, k in enumerate(KINDS)}
    return lambda r: (-r.get("score", 0.0), rank[r["kind"]], str(docs[r["doc"]]["title"]), r["doc"],
                      number_key(str(r.get("number") or "")), r["id"])


def _matches(reader: Reader, q: str, found: list[Term], match: str, docs: dict[str, dict[str, Any]],
             keys: dict[str, dict[str, set[str]]], places: dict[str, list[str]], labels: dict[str, dict[str, str]],
             wanted: dict[str, str]) -> tuple[list[dict[str, Any]], str, int]:
    """The results that match the words, kept to the chosen facet values, best first, each with
    its facet ``keys``; what was matched ("phrase" or "words") and how many more have the words apart."""
    regex = reader.cjk_regex
    issuers: dict[str, list[str]] = {}
    for r in reader.select_all(_ISSUERS.format(filter=prefilter(found, "name", regex=regex, any_term=True)), inferred=_UNION):
        issuers.setdefault(str(r["doc"]), []).append(str(r["name"]))
    # the names that can match a word (the same pre-filter, any word), then matched here
    names = {str(r["agency"]): str(r["name"]) for r in reader.select_all(
        _AGENCIES.format(filter=prefilter(found, "name", regex=regex, any_term=True)), inferred=_UNION)}
    matched = {t.text: {a for a, name in names.items() if found_in(t, [fold(name)])} for t in found}
    agencies = {a: names[a] for hits in matched.values() for a in hits}
    assigned: dict[str, set[str]] = {}  # item → those of its agencies a word matches
    if agencies:
        for r in reader.select_all(_ASSIGNED.format(values=values("agency", sorted(agencies))), inferred=_UNION):
            assigned.setdefault(str(r["item"]), set()).add(str(r["agency"]))
    by_agency = {t: [item for item, bodies in assigned.items() if bodies & hits] for t, hits in matched.items()}

    def place(iri: str) -> list[Field]:
        """The names a document is found by besides its title (钦南区, 钦州市, 广西壮族自治区 …): those
        of its division and the divisions above it; an item's too (钦南区 执法公示)."""
        return [("name", name) for name in places.get(str(docs[iri]["area"]), ())]

    # a filter that keeps every item that can match the words: its text has them, or the division
    # of its document or one above it (matched here, once per name), or an agency assigned to it
    named = {t.text: {area for area, names in places.items() if found_in(t, names)} for t in found}
    by_place = {t.text: [iri for iri, d in docs.items() if str(d["area"]) in named[t.text]] for t in found}
    where = prefilter(found, "text", {"doc": by_place, "item": by_agency}, regex=regex)
    items = _read_items(reader, _classes(_ITEM_CLASSES), _MATCHING.format(filter=where))

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
    results += [_item(iri, it) for iri, it in items.items() if it["doc"] in docs]
    # a Latin word is pinyin unless the rows read contain it as it is written
    texts = [text for r in results for _, text in fields(r)]
    found, together = plan(q, texts), phrase(q, texts)
    for r in results:
        r["score"] = score(found, fields(r))
    results = [r for r in results if r["score"] is not None]
    matched_as, apart = "words", 0
    if together and match == "phrase":
        for r in results:  # ranked as the phrase is (执法 公示 as 执法公示)
            r["phrase"] = score(together, fields(r))
        side_by_side = [{**r, "score": r["phrase"]} for r in results if r["phrase"] is not None]
        if side_by_side:
            matched_as, apart, results = "phrase", len(results) - len(side_by_side), side_by_side
    kept = []
    for r in results:
        r["keys"] = {"kind": {r["kind"]}, **keys[r["doc"]],
                     "task_area": {labels[a]["notation"] for a in r["task_areas"] if a in labels}}
        if all(key in r["keys"][name] for name, key in wanted.items()):
            kept.append(r)
    return sorted(kept, key=_order(docs)), matched_as, apart


def _browse(reader: Reader, docs: dict[str, dict[str, Any]], keys: dict[str, dict[str, set[str]]], wanted: dict[str, str],
            labels: dict[str, dict[str, str]], limit: int, offset: int) -> tuple[dict[str, dict[str, int]], int, list[dict[str, Any]]]:
    """Everything (no words), kept to the chosen facet values: the count of each facet value, the
    number of results and the page's results, in the order of ``_order``. Counted in SPARQL: the
    items of each kind of each document (with a chosen task area, those of it), and of the items
    of the documents kept, how many have each task area; only the page's items are read."""
    concept = {v["notation"]: iri for iri, v in labels.items() if v["scheme"] == "task_area"}
    task_area = f"?item lg:taskArea {term(concept[wanted['task_area']])} ." if wanted.get("task_area") in concept else ""
    if "task_area" in wanted and not task_area:
        return {name: {} for name in FACETS}, 0, []  # a task area that is not one: nothing
    doc_wanted = {name: key for name, key in wanted.items() if name in ("jurisdiction", "level", "genre", "year")}
    kept_docs = [doc for doc in docs if all(key in keys[doc][name] for name, key in doc_wanted.items())]
    kinds = [k for k in KINDS[1:] if wanted.get("kind") in (None, k)]
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}

    def add(doc: str, kind: str, n: int) -> None:
        for name, values_ in ({"kind": {kind}, **keys[doc]}).items():
            for key in values_:
                counts[name][key] = counts[name].get(key, 0) + n

    groups: list[tuple[str, str, int]] = []  # (kind, document, results) in the order shown
    if wanted.get("kind") in (None, "document") and not task_area:
        groups += [("document", doc, 1) for doc in kept_docs]
    per: dict[tuple[str, str], int] = {}
    if kinds:
        kept = set(kept_docs)
        # the documents kept, listed when the facets narrowed them (a province of a national corpus)
        restrict = "" if len(kept) == len(docs) else values("doc", sorted(kept))
        for r in reader.select_all(_PER_DOCUMENT.format(docs=restrict, classes=_classes(kinds), task_area=task_area),
                                   inferred=_UNION) if kept else []:
            per[(str(r["kind"]), str(r["doc"]))] = int(r["n"])
        groups += [(kind, doc, n) for (kind, doc), n in per.items() if doc in kept]
        for r in reader.select(_PER_TASK_AREA.format(classes=_classes(kinds), docs=restrict, task_area=task_area),
                               inferred=_UNION) if kept else []:
            if (notation := labels.get(str(r["taskArea"]), {}).get("notation")):
                counts["task_area"][notation] = int(r["n"])
    for kind, doc, n in groups:
        add(doc, kind, n)
    rank = {k: i for i, k in enumerate(KINDS)}
    groups.sort(key=lambda g: (rank[g[0]], str(docs[g[1]]["title"]), g[1]))
    total = sum(n for _, _, n in groups)

    # the groups the page falls in, and of them the items read
    shown: list[dict[str, Any]] = []
    at, wanted_items = 0, []
    for kind, doc, n in groups:
        if at + n > offset and at < offset + limit:
            wanted_items.append((kind, doc, at))
        at += n
    by_kind: dict[str, list[str]] = {}
    for kind, doc, _ in wanted_items:
        if kind != "document":
            by_kind.setdefault(kind, []).append(doc)
    items: dict[str, dict[str, Any]] = {}
    for kind, in_docs in by_kind.items():
        items.update(_read_items(reader, _classes([kind]), _OF.format(docs=values("doc", sorted(set(in_docs)))), task_area))
    for kind, doc, start in wanted_items:
        if kind == "document":
            results = [{"id": doc, "kind": "document", "doc": doc, "label": docs[doc]["title"], "task_areas": set()}]
        else:
            results = sorted((_item(iri, it) for iri, it in items.items() if it["doc"] == doc and it["kind"] == kind), key=_order(docs))
        for i, r in enumerate(results):
            if offset <= start + i < offset + limit:
                shown.append(r)
    return counts, total, shown


class _Facets:
    """The facet values: their keys from the values given in a URL, their labels, and the entries
    of each facet (a tree for the divisions) with their counts."""

    def __init__(self, labels: dict[str, dict[str, str]], resolver: Resolver, divisions: dict[str, dict[str, str]],
                 chain: dict[str, set[str]], area_level: dict[str, str]) -> None:
        self.labels, self.resolver, self.divisions, self.chain, self.area_level = labels, resolver, divisions, chain, area_level

    def key_of(self, name: str, value: str) -> str:
        """The key of a value given in the URL: a division by code, name or IRI; a concept also by its label."""
        if name == "jurisdiction":
            return self.resolver.jurisdiction(value)
        for v in self.labels.values():
            if v["scheme"] == name and value in (v["zh"], v["en"], v["notation"], _slug(v["en"])):
                return LEVELS.get(v["notation"], "") if name == "level" else v["notation"] if name == "task_area" else _slug(v["en"])
        return value

    def label_of(self, name: str, key: str) -> dict[str, str]:
        if name == "jurisdiction":
            return {"zh": self.divisions.get(key, {}).get("zh", key), "en": self.divisions.get(key, {}).get("en", key)}
        if name in ("level", "kind"):
            return {lang: TEXT[lang].get(key if name == "level" else "kind_" + key, key) for lang in LANGS}
        for v in self.labels.values():
            if v["scheme"] == name and key in (v["notation"], _slug(v["en"])):
                return {"zh": v["zh"], "en": v["en"]}
        return {"zh": key, "en": key}

    def entries(self, counts: dict[str, dict[str, int]], wanted: dict[str, str], here: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        """Each facet's values with their counts and the URL that chooses (or clears) them."""
        # a division's value: its GB/T 2260 code, or the key of its IRI (a development zone: 411500-gxq)
        codes = {key: self.divisions.get(key, {}).get("code") or key.rstrip("/").rsplit("/", 1)[-1]
                 for ups in self.chain.values() for key in ups}
        paths, parents = division_tree(self.chain, self.area_level, codes)
        facets: dict[str, list[dict[str, Any]]] = {}
        for name in FACETS:
            entries = []
            for key, n in counts[name].items():
                if name == "jurisdiction" and self.area_level.get(key) in ("", "1"):
                    continue  # the nation holds everything; a development zone is counted under its host
                value = codes[key] if name == "jurisdiction" else key
                selected = wanted.get(name) == key
                entry = {"value": value, **self.label_of(name, key), "count": n, "selected": selected,
                         "url": url("/ui/search", {**here, name: None if selected else value}),
                         "rank": self.area_level.get(key, "") if name == "jurisdiction" else ""}
                if name == "jurisdiction":  # a tree: each division right under its parent (None: the top)
                    parent = parents.get(key)
                    entry["parent"] = codes[parent] if parent in counts[name] and self.area_level.get(parent) not in ("", "1") else None
                    entry["path"] = paths[key]
                entries.append(entry)
            order = {"year": lambda e: (-int(e["value"]) if e["value"].isdigit() else 0,),
                     "jurisdiction": lambda e: (e["path"],)}.get(name, lambda e: (-e["count"], e["value"]))
            facets[name] = sorted(entries, key=order)
            for e in facets[name]:
                e.pop("path", None)
        return facets
