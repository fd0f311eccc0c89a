"""What the views of the web UI share: the URLs of the files the pages load (the locked npm assets
and our own static files, served by ``policykg.api.ui``), the language and the UI strings, URLs
with their query string, the rendering of a page around the data of its JSON twin, SPARQL terms and
``VALUES``, the labels of concepts and divisions, and the short forms of texts and numbers."""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse

from policykg.api.assets import ASSETS, VERSIONS
from policykg.api.pages import TEMPLATES
from policykg.graph.executor import Reader
from policykg.ingest.model import short_title
from policykg.namespaces import PREFIXES

# package data, read through importlib.resources (a pathlib.Path for regular and editable installs)
STATIC = cast(Path, files("policykg.api")) / "static"  # a Path: the package is installed as files
VENDOR = STATIC / "vendor"  # the allow-listed npm files and versions.json, put there by api/assets.py
LG = PREFIXES["lg"]


# -- asset URLs ---------------------------------------------------------------------------------

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
# the views' groups: one of more members than this, spread over several divisions (or documents) a
# level down, has a group for each (the responsibility and lineage views)
SPLIT = 24
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


# The label functions read the union of the store's graphs (inferred=True), like the search view:
# naming the asserted graphs one by one as the default graph (inferred=False) costs a lookup per
# graph for every triple pattern, and with two graphs per document the division labels of a search
# took 131 s at 1,000 generated documents against 0.2 s. The entailments add no label these read:
# each is chosen by its language tag (zh, en, zh-Latn-pinyin), and no sub-property of rdfs:label or
# skos:prefLabel holds one (tests/test_search.py compares both ways on the seed corpus).
LABELS_INFERRED = True


def concept_labels(reader: Reader) -> dict[str, dict[str, str]]:
    """zh and en labels, notation and scheme (level, role, genre, task-area) of our concepts, by IRI."""
    rows = reader.select("""SELECT ?c ?scheme ?n ?zh ?en WHERE {
      VALUES ?scheme { lg:LevelScheme lg:RoleScheme lg:GenreScheme lg:TaskAreaScheme }
      ?c skos:inScheme ?scheme .
      OPTIONAL { ?c skos:notation ?n }
      OPTIONAL { ?c skos:prefLabel ?zh FILTER(lang(?zh) = "zh") }
      OPTIONAL { ?c skos:prefLabel ?en FILTER(lang(?en) = "en") } }""", inferred=LABELS_INFERRED)
    schemes = {"LevelScheme": "level", "RoleScheme": "role", "GenreScheme": "genre", "TaskAreaScheme": "task_area"}
    return {str(r["c"]): {"zh": str(r["zh"] or r["en"] or r["c"]), "en": str(r["en"] or r["zh"] or r["c"]),
                          "notation": str(r["n"] or ""), "scheme": schemes[str(r["scheme"]).removeprefix(LG)]} for r in rows}


def division_labels(reader: Reader, iris: set[str]) -> dict[str, dict[str, str]]:
    """Names of divisions: zh, en (the official English name of the vocabulary, else the pinyin,
    else the Chinese name), pinyin (toned, word by word) and code."""
    if not iris:
        return {}
    rows = reader.select(f"""SELECT ?d ?zh ?en ?py ?code WHERE {{ {values('d', sorted(iris))}
      ?d rdfs:label ?zh FILTER(lang(?zh) = "zh" || lang(?zh) = "") OPTIONAL {{ ?d skos:notation ?code }}
      OPTIONAL {{ ?d skos:prefLabel ?en FILTER(lang(?en) = "en") }}
      OPTIONAL {{ ?d skos:prefLabel ?py FILTER(langMatches(lang(?py), "zh-Latn-pinyin")) }} }}""", inferred=LABELS_INFERRED)
    return {str(r["d"]): {"zh": str(r["zh"]), "en": str(r["en"] or r["py"] or r["zh"]), "pinyin": str(r["py"] or ""),
                          "code": str(r["code"] or "")} for r in rows}


def agency_labels(reader: Reader, iris: set[str]) -> dict[str, dict[str, str]]:
    """Labels of agencies and collectives by IRI: zh (rdfs:label, 钦南区司法局) and en (the English
    label of the curated agency kinds, Justice Bureau of Qinnan District, else the zh label)."""
    if not iris:
        return {}
    rows = reader.select(f"""SELECT ?a ?zh ?en WHERE {{ {values('a', sorted(iris))}
      OPTIONAL {{ ?a rdfs:label ?zh FILTER(lang(?zh) = "zh" || lang(?zh) = "") }}
      OPTIONAL {{ ?a skos:prefLabel ?en FILTER(lang(?en) = "en") }} }}""", inferred=LABELS_INFERRED)
    out: dict[str, dict[str, str]] = {}
    for r in rows:
        zh = str(r["zh"] or r["a"])
        entry = out.setdefault(str(r["a"]), {"zh": zh, "en": str(r["en"] or zh)})
        if r["en"]:
            entry["en"] = str(r["en"])
    return out


def in_language(labels: dict[str, str], lang: str) -> str:
    """The label of ``labels`` ({"zh": …, "en": …}) for the page's language, zh when no other."""
    return labels.get(lang) or labels.get("zh") or ""


# -- short forms --------------------------------------------------------------------------------

def short(text: str, n: int = 26) -> str:
    """A text's lead phrase for a label or a list: up to its first 。, ； or ：, a longer first
    clause cut at a comma (``ingest.model.short_title`` with ``n`` as the limit), never in the
    middle of a word."""
    return short_title(text, n)


def number_key(number: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", number)) or (0,)
