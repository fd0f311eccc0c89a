"""The web UI: a SPARQL editor (YASGUI) with the canned queries as example tabs, the lineage and
responsibility views (cytoscape.js laid out by dagre) and a faceted search, in Chinese or English.

Every page keeps its state in the query string, so its URL can be shared, and has a JSON twin at
the same path + ``.json`` holding the data the page is drawn from. Browser libraries come from the
npm registry through ``web/package-lock.json`` (``npm ci --prefix web``); the build step of
``policykg.api.assets`` copies the allow-listed files (``ASSETS``) with their locked versions into
the package (``api/static/vendor``), from where they are served under a versioned path; our own
small scripts and styles are in ``api/static``. Nothing is loaded from a CDN."""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

import networkx as nx
import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from policykg import queries
from policykg.api.admission import Gate
from policykg.api.assets import ASSETS, VERSIONS, Asset  # noqa: F401 (Asset: the allow-list's type)
from policykg.api.pages import TEMPLATES
from policykg.api.resources import local
from policykg.errors import ConfigError, ParameterError, PolicyKGError, ResourceNotFound
from policykg.graph.executor import Reader
from policykg.graph.lineage import lineage_graph, measure_cascade
from policykg.graph.resolve import Resolver
from policykg.graph.store import Store
from policykg.namespaces import PREFIXES

# package data, read through importlib.resources (a pathlib.Path for regular and editable installs)
STATIC = cast(Path, files("policykg.api")) / "static"  # a Path: the package is installed as files
VENDOR = STATIC / "vendor"  # the allow-listed npm files and versions.json, put there by api/assets.py
LG = PREFIXES["lg"]


# -- assets -------------------------------------------------------------------------------------

MEDIA = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@lru_cache(maxsize=4)
def _locked(stamp: float) -> dict[str, str]:
    """Package → version as pinned by web/package-lock.json, as the build step recorded it."""
    versions: dict[str, str] = json.loads((VENDOR / VERSIONS).read_text(encoding="utf-8"))
    return versions


def locked_versions() -> dict[str, str]:
    versions = VENDOR / VERSIONS
    return _locked(versions.stat().st_mtime) if versions.is_file() else {}


def asset_path(name: str) -> str:
    """The URL of an allow-listed asset: ``/assets/{package}/{locked version}/{file name}``."""
    for a in ASSETS:
        if a.name == name:
            return f"/assets/{a.package}/{locked_versions().get(a.package, 'unlocked')}/{a.name}"
    raise KeyError(name)


def asset_file(url_path: str) -> Path:
    """The file in the package behind an asset URL path (allow-listed, at its locked version)."""
    versions = locked_versions()
    if not versions:
        raise ConfigError("the web UI's browser assets are not in the package: run `make install` "
                          "(npm ci --prefix web, then python api/assets.py) and reinstall")
    for a in ASSETS:
        if url_path == f"{a.package}/{versions.get(a.package)}/{a.name}":
            path = VENDOR / a.name
            if not path.is_file():
                raise ConfigError(f"{a.name} of {a.package} is not in the package: run `make install` and reinstall")
            return path
    raise ResourceNotFound(f"no asset {url_path!r}; the pages load: " + ", ".join(asset_path(a.name) for a in ASSETS))


def static_path(name: str) -> str:
    """The URL of one of our own files in api/static, with a content hash so it can be cached."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]
    return f"/static/{name}?v={digest}"


# -- language -----------------------------------------------------------------------------------

LANGS = ("zh", "en")
# UI strings: key → (中文, English)
_STRINGS: dict[str, tuple[str, str]] = {
    "sparql": ("SPARQL 查询", "SPARQL"),
    "lineage": ("文件谱系", "Lineage"),
    "responsibility": ("责任分工", "Responsibility"),
    "search": ("检索", "Search"),
    "json_twin": ("本页数据 (JSON)", "this page as JSON"),
    "api": ("接口", "API"),
    "share": ("本视图链接可直接分享", "the URL of this view can be shared"),
    "document": ("文件", "Document"),
    "title": ("标题", "Title"),
    "level": ("层级", "Level"),
    "depth": ("层次", "Depth"),
    "relation": ("关系", "Relation"),
    "based_on": ("依据", "based on"),
    "implements": ("贯彻落实", "implements"),
    "evidence": ("原文", "Evidence"),
    "confidence": ("置信度", "Confidence"),
    "not_in_corpus": ("原文不在语料中", "text not in the corpus"),
    "in_corpus": ("原文在语料中", "text in the corpus"),
    "click_node": ("点击节点查看该文件的谱系。", "Click a node to open its lineage."),
    "choose_document": ("选择文件", "Choose a document"),
    "show": ("显示", "Show"),
    "measure": ("措施", "Measure"),
    "agency": ("机构", "Agency"),
    "jurisdiction": ("行政区划", "Jurisdiction"),
    "task_area": ("任务领域", "Task area"),
    "deadline": ("完成时限", "Deadline"),
    "due_by": ("到期不晚于", "Due by"),
    "role": ("角色", "Role"),
    "all": ("全部", "all"),
    "measure_id": ("措施 (文件/编号)", "Measure (DOCUMENT/NUMBER)"),
    "agency_name": ("机构 (含行政区划)", "Agency (name with jurisdiction)"),
    "no_rows": ("没有符合条件的记录。", "Nothing matches."),
    "click_resp": ("点击措施查看其落实链条，点击机构查看其全部职责。", "Click a measure to see who carries it down the levels, an agency to see all its duties."),
    "collective": ("集合主体", "collective"),
    "held_today": ("现由", "held today by"),
    "lead": ("牵头", "lead"),
    "responsible": ("负责", "responsible"),
    "cooperating": ("配合", "cooperating"),
    "implements_measure": ("落实上级措施", "implements"),
    "query": ("检索词", "Words"),
    "kind": ("类别", "Kind"),
    "genre": ("文种", "Genre"),
    "year": ("年份", "Year"),
    "results": ("条结果", "results"),
    "previous": ("上一页", "previous"),
    "next": ("下一页", "next"),
    "kind_document": ("文件", "document"),
    "kind_measure": ("措施", "measure"),
    "kind_activity": ("报告所列工作", "reported activity"),
    "kind_planned": ("报告所列计划", "planned measure"),
    "clear": ("清除", "clear"),
    "examples": ("示例查询", "Example queries"),
    "skipped": ("未能生成示例的查询", "Canned queries without a runnable example"),
    "endpoint": ("端点", "Endpoint"),
    "prefixes": ("前缀", "Prefixes"),
    "run_hint": ("每个预置查询都是一个标签页，已代入示例参数；按 ▶ 运行。", "Each canned query is a tab with its example values filled in; press ▶ to run it."),
    "error": ("出错了", "Error"),
    "year_note": ("报告按所报告年度，其他文件按成文年份", "reports: the year reported on; other documents: the year issued"),
    "national": ("中央", "National"),
    "provincial": ("省级", "Provincial"),
    "prefectural": ("地级", "Prefectural"),
    "county": ("县级", "County"),
    "township": ("乡级", "Township"),
    "unknown": ("未知", "unknown"),
}
TEXT = {lang: {key: pair[i] for key, pair in _STRINGS.items()} for i, lang in enumerate(LANGS)}
LEVELS = {"1": "national", "2": "provincial", "3": "prefectural", "4": "county", "5": "township"}


def language(request: Request) -> str:
    """``lang`` from the query string, else the ``lang`` cookie, else Chinese."""
    for value in (request.query_params.get("lang"), request.cookies.get("lang")):
        if value in LANGS:
            return value
    return "zh"


def url(path: str, params: dict[str, Any]) -> str:
    """``path`` with the non-empty parameters as its query string."""
    kept = [(k, str(v)) for k, v in params.items() if v not in (None, "")]
    return path + ("?" + urlencode(kept) if kept else "")


def page(request: Request, template: str, twin: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    params = dict(request.query_params)
    html = TEMPLATES.get_template(template).render(
        t=TEXT[lang], lang=lang, json_url=twin, asset=asset_path, static=static_path,
        lang_links={code: url(request.url.path, {**params, "lang": code}) for code in LANGS}, **context)
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("lang", request.query_params["lang"], max_age=365 * 86400, samesite="lax")
    return response


def embedded(data: Any) -> str:
    """JSON that can sit inside <script type="application/json"> (no "</script>" can close it)."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def term(iri: str) -> str:
    """An IRI read from the store, as SPARQL (validated by the RDF library)."""
    return str(ox.NamedNode(iri))


def values(var: str, iris: list[str]) -> str:
    return f"VALUES ?{var} {{ {' '.join(term(i) for i in iris)} }}"


def concept_labels(reader: Reader) -> dict[str, dict[str, str]]:
    """zh and en labels, notation and scheme (level, role, genre, task-area) of our concepts, by IRI."""
    rows = reader.select("""SELECT ?c ?scheme ?n ?zh ?en WHERE {
      VALUES ?scheme { lg:LevelScheme lg:RoleScheme lg:GenreScheme lg:TaskAreaScheme }
      ?c skos:inScheme ?scheme .
      OPTIONAL { ?c skos:notation ?n }
      OPTIONAL { ?c skos:prefLabel ?zh FILTER(lang(?zh) = "zh") }
      OPTIONAL { ?c skos:prefLabel ?en FILTER(lang(?en) = "en") } }""", inferred=False)
    schemes = {"LevelScheme": "level", "RoleScheme": "role", "GenreScheme": "genre", "TaskAreaScheme": "task_area"}
    return {str(r["c"]): {"zh": str(r["zh"] or r["en"] or r["c"]), "en": str(r["en"] or r["zh"] or r["c"]),
                          "notation": str(r["n"] or ""), "scheme": schemes[str(r["scheme"]).removeprefix(LG)]} for r in rows}


def division_labels(reader: Reader, iris: set[str]) -> dict[str, dict[str, str]]:
    """zh name and pinyin of divisions."""
    if not iris:
        return {}
    rows = reader.select(f"""SELECT ?d ?zh ?py ?code WHERE {{ {values('d', sorted(iris))}
      ?d rdfs:label ?zh . OPTIONAL {{ ?d skos:notation ?code }}
      OPTIONAL {{ ?d skos:prefLabel ?py FILTER(langMatches(lang(?py), "zh-Latn-pinyin")) }} }}""", inferred=False)
    return {str(r["d"]): {"zh": str(r["zh"]), "en": str(r["py"] or r["zh"]), "code": str(r["code"] or "")} for r in rows}


# -- SPARQL editor ------------------------------------------------------------------------------

def sparql_tabs(resolver: Resolver) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """One YASGUI tab per canned query with its example values substituted (and the prefixes it
    uses declared, so the text runs on any SPARQL 1.1 endpoint); the queries whose example cannot
    be bound are returned apart with the reason."""
    tabs, skipped = [], []
    for q in queries.all_queries().values():
        try:
            text = q.render(q.bind(q.example, resolver))  # type: ignore[arg-type]
        except PolicyKGError as exc:
            skipped.append({"name": q.name, "reason": exc.message})
            continue
        used = [f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items() if re.search(rf"(?<![\w:<]){p}:", text)]
        example = "&".join(f"{k}={v}" for k, v in q.example.items())
        header = [f"# {q.name}: {q.summary}", f"# the example as API: /api/queries/{q.name}" + (f"?{example}" if example else "")]
        tabs.append({"name": q.name, "summary": q.summary, "query": "\n".join(header + used) + "\n\n" + text.strip() + "\n"})
    return tabs, skipped


# -- lineage ------------------------------------------------------------------------------------

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


# -- responsibility -----------------------------------------------------------------------------

_MEASURE_INFO = """SELECT ?measure ?number ?text ?document ?title ?area ?deadline ?isDefault ?taskArea WHERE {{
  {values}
  ?measure lg:number ?number ; lg:text ?text ; lg:document ?document .
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


def canned(reader: Reader, resolver: Resolver, name: str, values: dict[str, str]) -> list[dict[str, Any]]:
    """The rows of a canned query, its parameters substituted."""
    q = queries.get(name)
    prepared = q.prepare(q.bind(values, resolver))
    return reader.select(prepared.text, prepared.substitutions, hidden=prepared.hidden)


def _short(text: str, n: int = 26) -> str:
    first = re.split(r"[。;；]", text, maxsplit=1)[0]
    return first if len(first) <= n else first[: n - 1] + "…"


def responsibility_view(reader: Reader, resolver: Resolver, measure: str | None = None, agency: str | None = None,
                        jurisdiction: str | None = None, task_area: str | None = None, due_by: str | None = None) -> dict[str, Any]:
    """Agencies ↔ measures: the bodies of a measure and of the lower-plan measures carrying it
    (``measure``), the duties of an agency with the bodies that share them (``agency``), or every
    measure of the plans of a jurisdiction (``jurisdiction`` alone); then kept to the measures of
    plans in ``jurisdiction``, in ``task_area`` (notation or Chinese name) and due by ``due_by``."""
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

    nodes: dict[str, dict[str, Any]] = {}
    for m in sorted(keep, key=lambda m: (depth.get(m, 0), str(info[m]["title"]), _number_key(str(info[m]["number"])))):
        i = info[m]
        area = areas.get(str(i["area"]), {})
        nodes[m] = {"id": m, "kind": "measure", "label": f"{i['number']}) {_short(str(i['text']))}", "number": str(i["number"]),
                    "text": i["text"], "document": i["document"], "document_title": i["title"], "jurisdiction_zh": area.get("zh"),
                    "jurisdiction_en": area.get("en"), "deadline": i["deadline"], "deadline_is_default": i["isDefault"],
                    "task_areas": [concept(labels, a) for a in sorted(i["task_areas"])], "depth": depth.get(m, 0),
                    "focus": focus["kind"] == "measure" and focus["id"] == m,
                    "view": url("/ui/responsibility", {"measure": m}), "resource": local(m)}
    for e in edges:
        if e["kind"] == "assignment" and e["source"] not in nodes:
            held = today.get(e["source"])
            nodes[e["source"]] = {"id": e["source"], "kind": "collective" if e["collective"] else "agency", "label": e["label"],
                                  "focus": focus["kind"] == "agency" and focus["id"] == e["source"],
                                  "today": held[0] if held else None, "today_label": held[1] if held else None,
                                  "view": url("/ui/responsibility", {"agency": e["source"]}), "resource": local(e["source"])}
    order = {"lead": 0, "joint-lead": 1, "responsible": 2}
    rows = sorted(({"measure": e["target"], "number": nodes[e["target"]]["number"], "measure_label": nodes[e["target"]]["label"],
                    "document_title": nodes[e["target"]]["document_title"], "role": e["role"], "agency": e["source"],
                    "agency_label": e["label"], "collective": e["collective"], "deadline": nodes[e["target"]]["deadline"],
                    "jurisdiction_zh": nodes[e["target"]]["jurisdiction_zh"], "jurisdiction_en": nodes[e["target"]]["jurisdiction_en"],
                    "today_label": nodes[e["source"]]["today_label"]}
                   for e in edges if e["kind"] == "assignment"),
                  key=lambda r: (r["document_title"], _number_key(r["number"]), order.get(r["role"], 3), r["agency_label"]))
    for e in edges:
        e["id"] = f"{e['source']}|{e['kind']}|{e.get('role', '')}|{e['target']}"
    roles = {v["notation"]: {"zh": v["zh"], "en": v["en"]} for v in labels.values() if v["scheme"] == "role"}
    api = {"measure": [f"/api/measures/{focus['id']}/implementers", f"/api/measures/{focus['id']}/cascade"],
           "agency": [f"/api/agencies/{focus['id']}/obligations"],
           "jurisdiction": [url("/api/queries/agency-load", {"jurisdiction": focus["id"]})]}[focus["kind"]]
    return {"ok": True, "focus": focus, "filters": {"jurisdiction": jurisdiction, "task_area": task_area, "due_by": due_by},
            "options": options, "roles": roles, "nodes": list(nodes.values()), "edges": edges, "rows": rows, "api": api}


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", number)) or (0,)


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


# -- search -------------------------------------------------------------------------------------

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
    # the words reach SPARQL only as a literal substituted by Oxigraph
    items_query = _ITEMS.format(filter="FILTER(CONTAINS(STR(?text), ?q))" if q else "")
    words: dict[str, ox.NamedNode | ox.Literal] = {"q": ox.Literal(q)} if q else {}
    for r in reader.select(queries.project(items_query, tuple(words)), words, inferred=False, hidden=tuple(words)):
        it = items.setdefault(str(r["item"]), {"kind": r["kind"], "doc": str(r["doc"]), "number": r["number"], "text": r["text"],
                                               "task_areas": set(), "deadline": r["deadline"]})
        if r["taskArea"]:
            it["task_areas"].add(str(r["taskArea"]))
    results = [{"id": iri, "kind": "document", "doc": iri, "label": d["title"], "task_areas": set()}
               for iri, d in docs.items() if not q or q in str(d["title"])]
    results += [{"id": iri, "kind": it["kind"], "doc": it["doc"], "number": it["number"], "text": it["text"],
                 "label": (f"{it['number']}) " if it["number"] else "") + _short(str(it["text"]), 60),
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
    kept.sort(key=lambda r: (rank[r["kind"]], str(docs[r["doc"]]["title"]), _number_key(str(r.get("number") or ""))))
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


# -- routes -------------------------------------------------------------------------------------

def router(store: Store, resolver: Resolver, gate: Gate) -> APIRouter:
    r = APIRouter(tags=["web UI"])

    def view(path: str, summary: str) -> Any:
        """Serve a handler at PATH (the page) and at PATH.json (its twin, in the OpenAPI document)."""
        def register(handler: Any) -> Any:
            r.get(path + ".json", response_class=JSONResponse, summary=summary)(handler)
            r.get(path, include_in_schema=False)(handler)
            return handler
        return register

    def respond(request: Request, build: Any, template: str, reader: Reader | None = None, **context: Any) -> Response:
        """The JSON twin (errors as our JSON error bodies), or the page drawn from the same data
        (errors shown on it). A twin whose data the row cap cut says ``truncated``."""
        if request.url.path.endswith(".json"):
            data = build()
            if reader is not None and reader.truncated:
                data = {**data, "truncated": True, "row_limit": reader.max_rows}
            return JSONResponse(data)
        twin = url(request.url.path + ".json", {k: v for k, v in request.query_params.items() if k != "lang"})
        try:
            data, status = build(), 200
        except PolicyKGError as exc:
            data, status = {"ok": False, "error": exc.message}, exc.status
        return page(request, template, twin, status=status, data=data, data_json=embedded(data), **context)

    @r.get("/assets/{path:path}", include_in_schema=False)
    def assets(path: str) -> FileResponse:
        return FileResponse(asset_file(path), media_type=MEDIA.get(Path(path).suffix, "application/octet-stream"),
                            headers={"Cache-Control": "public, max-age=31536000, immutable"})

    @r.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        path = STATIC / name
        if "/" in name or path.suffix not in MEDIA or not path.is_file():
            raise ResourceNotFound(f"no static file {name!r}")
        return FileResponse(path, media_type=MEDIA[path.suffix], headers={"Cache-Control": "public, max-age=86400"})

    @view("/ui/sparql", "The SPARQL editor (YASGUI): endpoint, prefixes and the canned queries as runnable example tabs")
    def sparql(request: Request, tab: str = Query("implementers", max_length=100, description="The canned query whose tab is open")) -> Response:
        def build() -> dict[str, Any]:
            tabs, skipped = sparql_tabs(resolver)
            return {"ok": True, "endpoint": "/sparql", "prefixes": PREFIXES, "tabs": tabs, "skipped": skipped}
        return respond(request, build, "ui_sparql.html", tab=tab)

    @view("/ui/lineage", "The lineage view: documents (with level) above and below a document, and the lineage edges between them (relation, evidence)")
    async def lineage(request: Request, document: str | None = Query(None, max_length=500, description="IRI, IRI key, 文号 or title")) -> Response:
        def job(reader: Reader) -> Response:
            def build() -> dict[str, Any]:
                if not document:
                    return {"ok": True, "document": None, "nodes": [], "edges": [], "corpus": corpus(reader)}
                return lineage_view(reader, resolver.document(document))
            return respond(request, build, "ui_lineage.html", reader, document=document or "", corpus=corpus(reader))
        return await gate.run(request, job)  # type: ignore[no-any-return]

    def corpus(reader: Reader) -> list[dict[str, Any]]:
        return reader.select("SELECT ?document ?title WHERE { ?document lg:inCorpus true ; dcterms:title ?title } ORDER BY ?title")

    @view("/ui/responsibility", "The responsibility view: agency and measure nodes, role edges, table rows and filter options")
    async def responsibility(request: Request,
                       measure: str | None = Query(None, max_length=500, description="Measure IRI or DOCUMENT/NUMBER"),
                       agency: str | None = Query(None, max_length=200, description="Agency IRI or name with its jurisdiction (钦南区法制办)"),
                       jurisdiction: str | None = Query(None, max_length=200, description="Division (code, name or IRI): alone, all its measures; else a filter"),
                       task_area: str | None = Query(None, max_length=100, description="Task-area notation (enforcement) or name"),
                       due_by: str | None = Query(None, max_length=10, description="Keep measures due by this date (YYYY-MM-DD)")) -> Response:
        chosen = {"measure": measure, "agency": agency, "jurisdiction": jurisdiction, "task_area": task_area, "due_by": due_by}
        return await gate.run(request, lambda reader: respond(  # type: ignore[no-any-return]
            request, lambda: responsibility_view(reader, resolver, **chosen), "ui_responsibility.html", reader, chosen=chosen))

    @view("/ui/search", "The search: documents, measures and reported activities, and the count of each facet value")
    async def search(request: Request, q: str = Query("", max_length=200, description="Words the title or text contains"),
               kind: str = Query("", max_length=20, description="document | measure | activity | planned"),
               jurisdiction: str = Query("", max_length=200, description="A division (code, name or IRI): documents of it or below it"),
               level: str = Query("", max_length=50, description="national | provincial | prefectural | county | township (or 省级 …)"),
               genre: str = Query("", max_length=50, description="e.g. implementation-plan, progress-report, or 实施方案"),
               year: str = Query("", max_length=4, description="Year reported on (reports) or issued"),
               task_area: str = Query("", max_length=100, description="Task-area notation (enforcement) or name"),
               limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)) -> Response:
        chosen = {k: v.strip() for k, v in zip(FACETS, (kind, jurisdiction, level, genre, year, task_area))}
        return await gate.run(request, lambda reader: respond(  # type: ignore[no-any-return]
            request, lambda: search_view(reader, resolver, q.strip(), chosen, limit, offset), "ui_search.html", reader, q=q))

    return r
