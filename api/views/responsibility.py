"""The responsibility view (``/ui/responsibility``): agencies ↔ measures, with the table rows and
the filter options."""

from __future__ import annotations

import re
from typing import Any, cast

from policykg import queries
from policykg.api.resources import local
from policykg.api.views.common import LG, SPLIT, agency_labels, concept_labels, division_labels, number_key, short, term, url, values
from policykg.errors import ParameterError
from policykg.graph.executor import Reader
from policykg.graph.lineage import measure_cascade
from policykg.graph.resolve import Resolver

_MEASURE_INFO = """SELECT ?measure ?number ?text ?shortTitle ?document ?title ?area ?deadline ?isDefault ?taskArea WHERE {{
  {values}
  ?measure lg:number ?number ; lg:text ?text ; lg:document ?document .
  OPTIONAL {{ ?measure lg:shortTitle ?shortTitle }}
  ?document dcterms:title ?title .
  OPTIONAL {{ ?document lg:issuingArea ?area }}
  OPTIONAL {{ ?measure lg:deadline/time:inXSDDate ?deadline }}
  OPTIONAL {{ ?measure lg:deadlineIsDefault ?isDefault }}
  OPTIONAL {{ ?measure lg:taskArea ?taskArea }}
}}"""
_ASSIGNMENTS = """SELECT DISTINCT ?measure ?role ?agency ?agencyLabel ?collective WHERE {{
  {values}
  ?measure lg:assignment ?assignment .
  ?assignment prov:agent ?agency ; prov:hadRole/skos:notation ?role .
  ?agency rdfs:label ?agencyLabel .
  BIND(EXISTS {{ ?agency a lg:Collective }} AS ?collective)
}}"""
_MEASURES_UNDER = """SELECT DISTINCT ?measure WHERE {{
  {values}
  ?document lg:inCorpus true ; lg:issuingArea ?area .
  ?area skos:broader* ?jurisdiction .
  ?measure a lg:Measure ; lg:document ?document .
}}"""
_AREAS_UNDER = "SELECT DISTINCT ?area WHERE {{ {values} ?area skos:broader* ?jurisdiction }}"
_AGENCY_KINDS = """SELECT ?agency ?type ?jurisdiction ?government WHERE {{
  {values}
  OPTIONAL {{ VALUES ?type {{ lg:Government lg:PartyBody lg:BranchOffice lg:LeadingGroup lg:Collective }} ?agency a ?type }}
  OPTIONAL {{ ?agency lg:jurisdiction ?jurisdiction }}
  OPTIONAL {{ ?agency org:subOrganizationOf ?government . ?government a lg:Government }}
}}"""

# The kinds agencies are grouped by in the graph (``agency_kind`` of a node), in this order, with
# the group's name in Chinese and English: the ontology's classes of lg:Party, a department being
# an lg:Agency that is org:subOrganizationOf a government.
AGENCY_KINDS: dict[str, tuple[str, str]] = {
    "government": ("人民政府", "Governments"),
    "party": ("党委机构", "Party bodies"),
    "department": ("政府部门", "Government departments"),
    "branch": ("派出分局", "Branch offices"),
    "leading-group": ("领导小组", "Leading groups"),
    "other": ("其他机关", "Other bodies"),
    "collective": ("单位集合", "Collectives"),
}
_TYPE_KIND = {"Government": "government", "PartyBody": "party", "BranchOffice": "branch", "LeadingGroup": "leading-group",
              "Collective": "collective"}
PAGE = 100  # rows of the table on a page, unless ``limit`` says otherwise


def canned(reader: Reader, resolver: Resolver, name: str, values: dict[str, str]) -> list[dict[str, Any]]:
    """The rows of a canned query, its parameters bound."""
    q = queries.get(name)
    return reader.select(q.executable(q.bind(values, resolver), reader.lateral))


def responsibility_view(reader: Reader, resolver: Resolver, measure: str | None = None, agency: str | None = None,
                        jurisdiction: str | None = None, task_area: str | None = None, due_by: str | None = None,
                        limit: int = PAGE, offset: int = 0) -> dict[str, Any]:
    """Agencies ↔ measures: the bodies of a measure and of the lower-plan measures carrying it
    (``measure``), the duties of an agency with the bodies that share them (``agency``), or every
    measure of the plans of a jurisdiction (``jurisdiction`` alone); then kept to the measures of
    plans in ``jurisdiction``, in ``task_area`` (notation or Chinese name) and due by ``due_by``.
    The graph holds them all; the table's rows come a page at a time, ``limit`` rows after the first
    ``offset`` of their order (an agency's own duties first), with ``count`` (the rows of every
    page, ``own_rows`` of them the agency's own) and the URLs of the ``previous`` and ``next`` page."""
    if due_by and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", due_by):
        raise ParameterError(f"due_by must be a date YYYY-MM-DD, got {due_by!r}", param="due_by")
    labels = concept_labels(reader)
    focus: dict[str, Any] = {}
    edges: list[dict[str, Any]] = []
    today: dict[str, tuple[str, str]] = {}
    if measure:
        iri = resolver.measure(measure)
        found = reader.select(f"SELECT ?d ?n WHERE {{ {term(iri)} lg:document ?d ; lg:number ?n }} LIMIT 1")
        rows = canned(reader, resolver, "cascade-implementers", {"document": str(found[0]["d"]), "measure": str(found[0]["n"]).split("-")[0]})
        carriers = measure_cascade(rows, iri)
        measures = [str(c["measure"]) for c in carriers]
        depth = {str(c["measure"]): c["depth"] for c in carriers}
        for c in carriers:
            for i in cast("list[dict[str, Any]]", c["implementers"]):
                edges.append({"source": str(i["agency"]), "target": str(c["measure"]), "kind": "assignment", "role": i["role"],
                              "label": str(i["agencyLabel"]), "collective": bool(i["collective"])})
                if i["today"]:
                    today[str(i["agency"])] = (str(i["today"]), str(i["todayLabel"]))
            for step in c["path"][-1:]:  # type: ignore[index]
                edges.append({"source": str(step["parent"]), "target": str(step["child"]), "kind": "implements",
                              "score": step.get("score"), "alignment": step.get("kind")})
        focus = {"kind": "measure", "id": iri}
    elif agency or jurisdiction:
        if agency:
            iri = resolver.agency(agency)
            measures = sorted({str(r["measure"]) for r in canned(reader, resolver, "obligations", {"agency": iri})})
            focus = {"kind": "agency", "id": iri}
        else:
            j = resolver.jurisdiction(jurisdiction or "")
            measures = sorted({str(r["measure"]) for r in reader.select(_MEASURES_UNDER.format(values=values("jurisdiction", [j])))})
            focus = {"kind": "jurisdiction", "id": j}
        depth = {m: 0 for m in measures}
        if measures:
            for r in reader.select(_ASSIGNMENTS.format(values=values("measure", measures))):
                edges.append({"source": str(r["agency"]), "target": str(r["measure"]), "kind": "assignment", "role": r["role"],
                              "label": str(r["agencyLabel"]), "collective": bool(r["collective"])})
    else:
        return {"ok": True, "focus": None, "nodes": [], "edges": [], "rows": [], "options": {}, "filters": {}}

    info: dict[str, dict[str, Any]] = {}
    if measures:
        for r in reader.select(_MEASURE_INFO.format(values=values("measure", measures))):
            entry = info.setdefault(str(r["measure"]), {**r, "task_areas": set()})
            if r["taskArea"]:
                entry["task_areas"].add(str(r["taskArea"]))
    areas = division_labels(reader, {str(m["area"]) for m in info.values() if m["area"]})

    # filter options over the focus set, then the filters
    options = {"task_area": _count(labels, (a for m in info.values() for a in m["task_areas"])),
               "jurisdiction": sorted(({"value": v["code"] or k, "zh": v["zh"], "en": v["en"],
                                        "count": sum(1 for m in info.values() if m["area"] == k)} for k, v in areas.items()),
                                      key=lambda o: -cast(int, o["count"]))}
    keep = set(info)
    if jurisdiction and focus["kind"] != "jurisdiction":
        under = {str(r["area"]) for r in reader.select(_AREAS_UNDER.format(values=values("jurisdiction", [resolver.jurisdiction(jurisdiction)])))}
        keep = {m for m in keep if str(info[m]["area"]) in under}
    if task_area:
        wanted = {c for c, v in labels.items() if v["scheme"] == "task_area" and task_area in (v["notation"], v["zh"], v["en"])}
        if not wanted:
            raise ParameterError(f"no task area {task_area!r}; use a notation such as enforcement or its Chinese name", param="task_area")
        keep = {m for m in keep if info[m]["task_areas"] & wanted}
    if due_by:
        keep = {m for m in keep if info[m]["deadline"] and str(info[m]["deadline"]) <= due_by}
    if focus["kind"] == "measure":
        keep.add(focus["id"])  # the measure asked for stays, whatever the filters say of it
    edges = [e for e in edges if e["target"] in keep and (e["kind"] == "assignment" or e["source"] in keep)]

    # agencies in English (the curated kinds: Justice Bureau of Qinnan District), else as in Chinese
    english = {a: v["en"] for a, v in agency_labels(reader, {e["source"] for e in edges if e["kind"] == "assignment"}
                                                     | {held for held, _ in today.values()}).items()}
    for e in edges:
        if e["kind"] == "assignment":
            e["label_en"] = english.get(e["source"], e["label"])
    nodes: dict[str, dict[str, Any]] = {}
    for m in sorted(keep, key=lambda m: (depth.get(m, 0), str(info[m]["title"]), number_key(str(info[m]["number"])))):
        i = info[m]
        area = areas.get(str(i["area"]), {})
        title = str(i["shortTitle"] or short(str(i["text"]), 30))  # its lead phrase, never cut in the middle of a word
        nodes[m] = {"id": m, "kind": "measure", "label": f"{i['number']}) {title}", "short_title": title, "number": str(i["number"]),
                    "text": i["text"], "document": i["document"], "document_title": i["title"], "jurisdiction_zh": area.get("zh"),
                    "jurisdiction_en": area.get("en"), "deadline": i["deadline"], "deadline_is_default": i["isDefault"],
                    "task_areas": [concept(labels, a) for a in sorted(i["task_areas"])], "depth": depth.get(m, 0),
                    "focus": focus["kind"] == "measure" and focus["id"] == m,
                    "view": url("/ui/responsibility", {"measure": m}), "resource": local(m)}
    for e in edges:
        if e["kind"] == "assignment" and e["source"] not in nodes:
            held = today.get(e["source"])
            nodes[e["source"]] = {"id": e["source"], "kind": "collective" if e["collective"] else "agency", "label": e["label"],
                                  "label_en": e["label_en"], "focus": focus["kind"] == "agency" and focus["id"] == e["source"],
                                  "today": held[0] if held else None, "today_label": held[1] if held else None,
                                  "today_label_en": english.get(held[0], held[1]) if held else None,
                                  "view": url("/ui/responsibility", {"agency": e["source"]}), "resource": local(e["source"])}
    groups = _group(reader, nodes, focus)
    own = focus["id"] if focus["kind"] == "agency" else None
    order = {"lead": 0, "joint-lead": 1, "responsible": 2}
    rows = sorted(({"measure": e["target"], "number": nodes[e["target"]]["number"], "measure_label": nodes[e["target"]]["label"],
                    "document_title": nodes[e["target"]]["document_title"], "role": e["role"], "agency": e["source"],
                    "agency_label": e["label"], "agency_label_en": e["label_en"], "collective": e["collective"],
                    "deadline": nodes[e["target"]]["deadline"],
                    "jurisdiction_zh": nodes[e["target"]]["jurisdiction_zh"], "jurisdiction_en": nodes[e["target"]]["jurisdiction_en"],
                    "today_label": nodes[e["source"]]["today_label"], "today_label_en": nodes[e["source"]]["today_label_en"],
                    "own": e["source"] == own}
                   for e in edges if e["kind"] == "assignment"),
                  # the agency's own duties first (``own``), then the rows of the bodies sharing them
                  key=lambda r: (not r["own"], r["document_title"], number_key(r["number"]), order.get(r["role"], 3), r["agency_label"]))
    for e in edges:
        e["id"] = f"{e['source']}|{e['kind']}|{e.get('role', '')}|{e['target']}"
    roles = {v["notation"]: {"zh": v["zh"], "en": v["en"]} for v in labels.values() if v["scheme"] == "role"}
    api = {"measure": [f"/api/measures/{focus['id']}/implementers", f"/api/measures/{focus['id']}/cascade"],
           "agency": [f"/api/agencies/{focus['id']}/obligations"],
           "jurisdiction": [url("/api/queries/agency-load", {"jurisdiction": focus["id"]})]}[focus["kind"]]
    chosen = {"measure": measure, "agency": agency, "jurisdiction": jurisdiction, "task_area": task_area, "due_by": due_by}

    def page_url(at: int) -> str:
        return url("/ui/responsibility", {**chosen, "offset": at or None, "limit": None if limit == PAGE else limit})

    return {"ok": True, "focus": focus, "filters": {"jurisdiction": jurisdiction, "task_area": task_area, "due_by": due_by},
            "options": options, "roles": roles, "nodes": list(nodes.values()), "edges": edges,
            "rows": rows[offset:offset + limit], "count": len(rows), "offset": offset, "limit": limit,
            "previous": page_url(max(0, offset - limit)) if offset else None,
            "next": page_url(offset + limit) if offset + limit < len(rows) else None,
            "own_rows": sum(1 for r in rows if r["own"]), "groups": groups, "api": api}


def _group(reader: Reader, nodes: dict[str, dict[str, Any]], focus: dict[str, Any]) -> list[dict[str, Any]]:
    """Put every node but the focus in a group, so the graph can show a large view as a few
    groups and a group's members when it is opened: agencies by kind (``agency_kind``: the keys
    of AGENCY_KINDS), measures by task area (their first; for a measure's cascade, by how many
    levels down they carry it); a group of more than SPLIT members spread over several
    jurisdictions (agencies) or documents (measures) holds a group for each. Sets each node's
    ``group`` (the innermost group holding it, None for the focus) and returns the groups
    (``id``, ``parent``, ``of``: agency or measure, ``key``, ``label``, ``label_en``, ``count``:
    the nodes in it), parents before their children."""
    bodies = [n for n in nodes.values() if n["kind"] != "measure"]
    found: dict[str, set[str]] = {}
    where: dict[str, str] = {}
    if bodies:
        for r in reader.select(_AGENCY_KINDS.format(values=values("agency", sorted(n["id"] for n in bodies)))):
            a = str(r["agency"])
            if r["jurisdiction"]:
                where[a] = str(r["jurisdiction"])
            found.setdefault(a, set()).add(_TYPE_KIND.get(str(r["type"] or "").removeprefix(LG)) or ("department" if r["government"] else "other"))
    places = division_labels(reader, set(where.values()))
    for n in bodies:
        kinds = found.get(n["id"], set()) | ({"collective"} if n["kind"] == "collective" else set())
        n["agency_kind"] = next((k for k in AGENCY_KINDS if k in kinds), "other")  # the first in AGENCY_KINDS' order
        n["jurisdiction"] = where.get(n["id"])
    groups: dict[str, dict[str, Any]] = {}

    def add(gid: str, parent: str | None, of: str, key: str, zh: str, en: str) -> str:
        groups.setdefault(gid, {"id": gid, "parent": parent, "of": of, "key": key, "label": zh, "label_en": en, "count": 0})
        return gid

    members: dict[str, list[dict[str, Any]]] = {}
    for n in nodes.values():
        n["group"] = None
        if n.get("focus"):
            continue
        if n["kind"] != "measure":
            zh, en = AGENCY_KINDS[n["agency_kind"]]
            gid = add(f"group:agency:{n['agency_kind']}", None, "agency", n["agency_kind"], zh, en)
        elif focus["kind"] == "measure":
            d = int(n["depth"])
            gid = add(f"group:measure:depth:{d}", None, "measure", f"depth-{d}", f"下{d}级落实措施", f"Carried {d} level{'s' if d > 1 else ''} down")
        else:
            area = n["task_areas"][0] if n["task_areas"] else {"notation": "none", "zh": "未标注任务领域", "en": "No task area"}
            gid = add(f"group:measure:{area['notation']}", None, "measure", area["notation"], area["zh"], area["en"])
        members.setdefault(gid, []).append(n)
    for gid, ns in list(members.items()):
        by = "jurisdiction" if groups[gid]["of"] == "agency" else "document"
        split: dict[str, list[dict[str, Any]]] = {}
        for n in ns:
            split.setdefault(str(n.get(by) or ""), []).append(n)
        if len(ns) <= SPLIT or len(split) < 2:
            for n in ns:
                n["group"] = gid
            continue
        for key, sub in sorted(split.items()):
            if by == "jurisdiction":
                place = places.get(key, {})
                zh, en = place.get("zh") or "其他", place.get("en") or "elsewhere"
            else:
                zh, en = str(sub[0].get("jurisdiction_zh") or sub[0]["document_title"]), str(sub[0].get("jurisdiction_en") or sub[0]["document_title"])
                if sum(1 for s in split.values() if s[0].get("jurisdiction_zh") == sub[0].get("jurisdiction_zh")) > 1:
                    zh = en = str(sub[0]["document_title"])  # two documents of one jurisdiction: by title
            child = add(f"{gid}:{key}", gid, groups[gid]["of"], key, zh, en)
            for n in sub:
                n["group"] = child
    for n in nodes.values():
        g = n["group"]
        while g:
            groups[g]["count"] += 1
            g = groups[g]["parent"]
    # the kinds of agencies in AGENCY_KINDS' order, the task areas largest first; within a group,
    # its jurisdictions by code (a province before its prefectures), its documents by name
    order = {f"group:agency:{k}": i for i, k in enumerate(AGENCY_KINDS)}
    return sorted(groups.values(), key=lambda g: (g["parent"] is not None, g["of"], order.get(g["id"], len(order)),
                                                  0 if g["parent"] else -g["count"], g["key"] if g["of"] == "agency" else g["label"]))


def concept(labels: dict[str, dict[str, str]], iri: str) -> dict[str, str]:
    """A concept's zh and en labels and notation (its IRI when it has none)."""
    v = labels.get(iri, {})
    return {"zh": v.get("zh", iri), "en": v.get("en", iri), "notation": v.get("notation") or iri}


def _count(labels: dict[str, dict[str, str]], concepts: Any) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for c in concepts:
        counts[c] = counts.get(c, 0) + 1
    options = ({"value": concept(labels, c)["notation"], **concept(labels, c), "count": n} for c, n in counts.items())
    return sorted(options, key=lambda o: (-o["count"], o["value"]))
