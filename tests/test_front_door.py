"""The front door (issue 14): ``/`` says what this is in two sentences, offers a search box, links
to a real lineage, responsibility views and questions in the SPARQL editor, and counts that mean
what they say (documents with text apart from documents only cited; agencies named in the
documents apart from the governments of the division vocabulary), with /api/stats as its JSON
twin. Every HTML page has the same navigation and zh/en switch; ``/sparql`` opened in a browser
goes to the editor; ``/docs`` runs Swagger UI from our own assets."""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import GOLD, PLAN_TITLE, ROOT, SEEDS

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"  # Chromium's Accept
SECTIONS = ["/", "/ui/search", "/ui/lineage", "/ui/responsibility", "/ui/sparql", "/ontology.html", "/docs"]
NAV_EN = {"/ui/search": "Search", "/ui/lineage": "Lineage", "/ui/responsibility": "Responsibility", "/ontology.html": "Ontology", "/docs": "API"}
NAV_ZH = {"/ui/search": "检索", "/ui/lineage": "文件谱系", "/ui/responsibility": "责任分工", "/ontology.html": "本体", "/docs": "接口"}


class Page(HTMLParser):
    """What the tests read of a page: the links (href, attributes, text) in the navigation and
    elsewhere, the text of elements with an id, and the forms."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.lang = ""
        self.nav: list[dict[str, str]] = []
        self.links: list[dict[str, str]] = []
        self.forms: list[dict[str, object]] = []
        self.text: dict[str, str] = {}
        self.rows: dict[str, list[str]] = {}  # <tr data-stat=KEY>: its cells
        self._open: list[tuple[str, dict[str, str]]] = []
        self._link: dict[str, str] | None = None
        self._ids: list[tuple[str, str]] = []
        self._row: str | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "a":
            self._link = {**a, "text": "", "in_nav": "nav" in [t for t, _ in self._open]}  # type: ignore[dict-item]
        if tag == "form":
            self.forms.append({**a, "inputs": []})
        if tag in ("input", "button") and self.forms:
            self.forms[-1]["inputs"].append({"tag": tag, **a})  # type: ignore[union-attr]
        if tag == "tr" and "data-stat" in a:
            self._row = a["data-stat"]
            self.rows[self._row] = []
        if tag == "td" and self._row:
            self._cell = []
        if "id" in a:
            self._ids.append((tag, a["id"]))
            self.text.setdefault(a["id"], "")
        if tag not in ("input", "meta", "link", "br", "img"):
            self._open.append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            (self.nav if self._link.pop("in_nav") else self.links).append(self._link)
            self._link = None
        if tag == "td" and self._cell is not None and self._row:
            self.rows[self._row].append("".join(self._cell).strip())
            self._cell = None
        if tag == "tr":
            self._row = None
        while self._open:
            t, a = self._open.pop()
            if "id" in a:
                self._ids.remove((t, a["id"]))
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link["text"] += data
        if self._cell is not None:
            self._cell.append(data)
        for _, i in self._ids:
            self.text[i] += data


@pytest.fixture
def web(client):
    """The session's client; a test that switches the language leaves no lang cookie behind."""
    yield client
    client.cookies.clear()


def html_of(web, path: str, **params: str) -> Page:
    r = web.get(path, params=params, headers={"accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), (path, r.status_code, r.text[:300])
    return Page(r.text)


# -- what it is, a search box, where to start -----------------------------------------------------

def test_home_says_in_two_sentences_what_this_is_in_either_language(web):
    zh = html_of(web, "/")
    assert zh.lang == "zh"
    sentences = [s for s in re.split(r"(?<=。)", zh.text["what"] + zh.text["how"]) if s.strip()]
    assert len(sentences) == 2, sentences
    assert "知识图谱" in sentences[0] and "法治政府建设" in sentences[0] and "原文" in sentences[0]
    assert "谱系" in sentences[1] and "责任分工" in sentences[1] and "SPARQL" in sentences[1]
    en = html_of(web, "/", lang="en")
    assert en.lang == "en"
    sentences = [s for s in re.split(r"(?<=\.)\s", en.text["what"] + " " + en.text["how"]) if s.strip()]
    assert len(sentences) == 2, sentences
    assert "knowledge graph" in sentences[0] and "obligations" in sentences[0] and "sentence" in sentences[0]
    assert "lineage" in sentences[1] and "responsibility" in sentences[1] and "SPARQL" in sentences[1]
    assert not re.search(r"[\u4e00-\u9fff]{4,}", en.text["how"])  # English, not Chinese with English beside it


def test_home_has_a_search_box_that_gets_the_search_page(web):
    home = html_of(web, "/")
    (form,) = [f for f in home.forms if f.get("action") == "/ui/search"]
    assert form.get("method", "get").lower() == "get"
    assert [i["name"] for i in form["inputs"] if i.get("type") == "search"] == ["q"]  # type: ignore[union-attr,index]
    r = web.get("/ui/search", params={"q": "行政执法公示"})
    assert r.status_code == 200 and "全面推行行政执法公示制度" in r.text


def test_start_here_links_open_a_real_lineage_responsibility_views_and_questions_in_yasgui(web):
    from policykg import queries

    home = html_of(web, "/")
    start = [a for a in home.links if a.get("data-start")]
    kinds = {a["data-start"] for a in start}
    assert {"lineage", "measure", "agency", "sparql"} <= kinds
    for a in start:
        r = web.get(unescape(a["href"]), headers={"accept": BROWSER})
        assert r.status_code == 200, (a["href"], r.text[:300])
        assert a["text"].strip(), a
    # the lineage of the 钦南区 plan: the three levels above it, as nodes
    (lineage,) = [a for a in start if a["data-start"] == "lineage"]
    url = urlsplit(unescape(lineage["href"]))
    assert url.path == "/ui/lineage" and parse_qs(url.query) == {"document": [PLAN_TITLE]}
    assert PLAN_TITLE in lineage["text"]
    twin = web.get("/ui/lineage.json", params=parse_qs(url.query)).json()
    assert {n["title"] for n in twin["nodes"]} >= {PLAN_TITLE, "钦州市法治政府建设实施方案(2016—2020年)",
                                                   "广西壮族自治区法治政府建设实施方案(2016—2020年)", "法治政府建设实施纲要(2015—2020年)"}
    # who carries out measure 37 of it (the README's example), and all the duties of an agency
    (measure,) = [a for a in start if a["data-start"] == "measure"]
    url = urlsplit(unescape(measure["href"]))
    assert url.path == "/ui/responsibility" and parse_qs(url.query) == {"measure": [f"{PLAN_TITLE}/37"]}
    rows = web.get("/ui/responsibility.json", params=parse_qs(url.query)).json()["rows"]
    assert {r["agency_label"] for r in rows if r["role"] == "lead"} == {"钦南区政务服务管理办", "钦南区法制办"}
    (agency,) = [a for a in start if a["data-start"] == "agency"]
    url = urlsplit(unescape(agency["href"]))
    assert url.path == "/ui/responsibility" and parse_qs(url.query) == {"agency": ["钦南区法制办"]}
    duties = web.get("/api/agencies/钦南区法制办/obligations").json()["obligations"]
    view = web.get("/ui/responsibility.json", params=parse_qs(url.query)).json()
    assert duties and {n["id"] for n in view["nodes"] if n["kind"] == "measure"} == {o["measure"] for o in duties}
    # questions: tabs of the editor that exist and have their example bound
    asked = [parse_qs(urlsplit(unescape(a["href"])).query)["tab"][0] for a in start if a["data-start"] == "sparql"]
    assert len(asked) >= 3 and "implementers" in asked
    tabs = {t["name"] for t in web.get("/ui/sparql.json").json()["tabs"]}
    assert set(asked) <= tabs and set(asked) <= set(queries.all_queries())
    assert all(urlsplit(unescape(a["href"])).path == "/ui/sparql" for a in start if a["data-start"] == "sparql")


# -- counts that mean what they say ----------------------------------------------------------------

def expected_counts() -> dict[str, int]:
    """The counts read from the seeds and their gold annotations (tests/gold, written by reading
    the documents), not from the store."""
    from policykg.ingest.divisions import load

    documents = json.loads((GOLD / "documents.json").read_text(encoding="utf-8"))
    plan = json.loads((GOLD / "004_measures.json").read_text(encoding="utf-8"))
    assert sorted(documents) == sorted(p.name for p in SEEDS.glob("*.txt"))
    titles = {d["title"] for d in documents.values()}
    cited = {c["target"] for d in documents.values() for c in d["citations"]}
    assignees = {a["agency"] for m in plan["measures"] for a in m["assignments"] if not a["collective"]}
    issuers = {name for d in documents.values() for name in d["issuers"]}
    # the plan's issuer, 钦南区人民政府办公室, is also one of its assignees, 区政府办公室: one body
    assert "钦南区人民政府办公室" in issuers and "区政府办公室" in assignees
    return {
        "documents_in_corpus": len(documents),  # the five seed texts
        "documents_cited_only": len(cited - titles),  # the distinct documents they cite, none of them a seed
        "measures": len(plan["measures"]),
        "agencies_named": len(assignees) + len(issuers) - 1,
        # every current division of GB/T 2260 has its people's government in the vocabulary
        "vocabulary_governments": sum(1 for d in load().by_code.values() if d.current),
    }


def test_counts_split_documents_with_text_from_cited_and_named_agencies_from_vocabulary_governments(web):
    stats = web.get("/api/stats").json()
    expected = expected_counts()
    assert expected["documents_in_corpus"] == 5 and expected["documents_cited_only"] == 94 and expected["agencies_named"] == 47
    assert {k: stats[k] for k in expected} == expected
    assert "agencies" not in stats and "documents" not in stats  # the counts that mixed the two kinds are gone
    # the other bodies: neither named by a corpus document nor a government of the vocabulary (issuers
    # of cited documents such as 中共中央, successors through reforms such as 钦南区卫生健康局)
    assert 0 < stats["agencies_other"] < stats["agencies_named"]
    assert stats["collectives"] > 0 and stats["assignments"] > stats["measures"] == 65


def test_the_home_page_shows_the_counts_of_its_json_twin(web):
    stats = web.get("/api/stats").json()
    for lang, words in (("zh", {"documents_in_corpus": "有原文", "documents_cited_only": "仅被引用", "agencies_named": "点名",
                                "vocabulary_governments": "GB/T 2260"}),
                        ("en", {"documents_in_corpus": "text in the corpus", "documents_cited_only": "only cited",
                                "agencies_named": "named in the documents", "vocabulary_governments": "not read from documents"})):
        home = html_of(web, "/", lang=lang)
        shown = {key: int(cells[1].replace(",", "")) for key, cells in home.rows.items()}
        assert shown == {k: v for k, v in stats.items() if k != "ok"}
        for key, word in words.items():
            assert word in home.rows[key][0], (lang, key, home.rows[key])
        twins = {a["href"] for a in home.links}
        assert {"/api/stats", "/api/queries"} <= twins
    assert web.get("/api/queries").status_code == 200


# -- one layout, one navigation, one language switch ------------------------------------------------

def page_types(extractions) -> list[tuple[str, dict[str, str]]]:
    return [("/", {}), ("/docs", {}), ("/ontology.html", {}), ("/ontology", {}), ("/ui/sparql", {}),
            ("/ui/lineage", {"document": PLAN_TITLE}), ("/ui/responsibility", {"agency": "钦南区法制办"}),
            (f"/id/doc/{extractions['004'].key}", {})]


def test_every_page_type_has_the_one_navigation_and_the_language_switch(web, extractions):
    for path, params in page_types(extractions):
        page = html_of(web, path, **params)
        hrefs = [a["href"] for a in page.nav]
        assert hrefs[: len(SECTIONS)] == SECTIONS, (path, hrefs)
        assert {a["text"] for a in page.nav if a["href"] in NAV_ZH} == set(NAV_ZH.values()), path
        switch = {a["hreflang"]: a for a in page.nav if a.get("hreflang")}
        assert set(switch) == {"zh", "en"} and switch["zh"]["text"] == "中文" and switch["en"]["text"] == "English", path
        assert page.lang == "zh" and "on" in switch["zh"]["class"].split(), path
        # the switch keeps the page and its parameters
        target = urlsplit(unescape(switch["en"]["href"]))
        assert target.path in ("", path) and parse_qs(target.query) == {**{k: [v] for k, v in params.items()}, "lang": ["en"]}, (path, switch["en"])


@pytest.mark.parametrize("path", ["/", "/docs", "/ontology.html", "/ontology", "/ui/sparql", "/ui/lineage", "/ui/responsibility"])
def test_lang_en_switches_the_page_and_its_navigation_to_english(web, path):
    page = html_of(web, path, lang="en")
    assert page.lang == "en"
    assert {a["text"] for a in page.nav if a["href"] in NAV_EN} == set(NAV_EN.values())
    switch = {a["hreflang"]: a for a in page.nav if a.get("hreflang")}
    assert "on" in switch["en"]["class"].split() and "on" not in switch["zh"]["class"].split()
    if path == "/":
        assert page.text["what"].startswith("policykg is")
    # the choice is kept (a cookie) on the next page of another kind, as on the /ui pages
    assert html_of(web, "/ui/lineage" if path != "/ui/lineage" else "/").lang == "en"
    assert html_of(web, path, lang="zh").lang == "zh"


def test_lang_en_switches_a_resource_page(web, extractions):
    page = html_of(web, f"/id/doc/{extractions['004'].key}", lang="en")
    assert page.lang == "en" and "Search" in {a["text"] for a in page.nav}


# -- /sparql in a browser ----------------------------------------------------------------------------

def test_sparql_opened_in_a_browser_goes_to_the_editor_and_clients_are_unaffected(web):
    for accept in (BROWSER, "text/html"):
        r = web.get("/sparql", headers={"accept": accept}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/ui/sparql" and "Accept" in r.headers["vary"], accept
    r = web.get("/sparql", params={"lang": "en"}, headers={"accept": BROWSER}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ui/sparql?lang=en"
    r = web.get("/sparql", headers={"accept": BROWSER})  # followed: the editor
    assert r.status_code == 200 and 'id="yasgui"' in r.text
    # SPARQL clients: the service description by Accept (none, Turtle, RDF/XML, JSON-LD) or format=
    for accept in (None, "*/*", "text/turtle", "application/rdf+xml", "application/ld+json", "text/turtle, text/html;q=0.5"):
        r = web.get("/sparql", headers={"accept": accept} if accept else {}, follow_redirects=False)
        assert r.status_code == 200 and "text/html" not in r.headers["content-type"], accept
    r = web.get("/sparql", params={"format": "ttl"}, headers={"accept": BROWSER}, follow_redirects=False)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    # a query, even from a browser, is answered
    r = web.get("/sparql", params={"query": "ASK { ?m a lg:Measure }"}, headers={"accept": BROWSER}, follow_redirects=False)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+xml")  # application/xml;q=0.9
    assert "<boolean>true</boolean>" in r.text
    r = web.get("/sparql", params={"query": "ASK { ?m a lg:Measure }"}, headers={"accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["boolean"] is True
    assert web.post("/sparql", data={"query": "ASK {}"}, headers={"accept": BROWSER}).status_code == 200


# -- /docs: try a request ----------------------------------------------------------------------------

def test_docs_runs_swagger_ui_from_our_assets_and_keeps_the_plain_list(web):
    lock = json.loads((ROOT / "web" / "package-lock.json").read_text(encoding="utf-8"))
    manifest = json.loads((ROOT / "web" / "package.json").read_text(encoding="utf-8"))
    version = lock["packages"]["node_modules/swagger-ui-dist"]["version"]
    assert manifest["dependencies"]["swagger-ui-dist"] == version  # pinned exactly
    r = web.get("/docs", headers={"accept": BROWSER})
    html = r.text
    loaded = re.findall(r'<(?:link rel="stylesheet"[^>]*href|script[^>]*src)="([^"]+)"', html)
    assert f"/assets/swagger-ui-dist/{version}/swagger-ui-bundle.js" in loaded
    assert f"/assets/swagger-ui-dist/{version}/swagger-ui.css" in loaded
    assert any(u.startswith("/static/docs.js") for u in loaded)
    for url in loaded:
        got = web.get(url)
        assert got.status_code == 200 and got.content, url
    bundle = web.get(f"/assets/swagger-ui-dist/{version}/swagger-ui-bundle.js").content
    assert bundle == (ROOT / "web" / "node_modules" / "swagger-ui-dist" / "swagger-ui-bundle.js").read_bytes()
    # nothing from another origin: every URL of the page is a path of ours
    assert not re.search(r"https?://", html), re.findall(r"https?://\S+", html)
    urls = re.findall(r'(?:href|src|action|data-url)="([^"]*)"', html)
    assert all(u == "data:," or (u.startswith("/") and not u.startswith("//")) for u in urls), urls
    # Swagger UI reads our OpenAPI document and asks no validator elsewhere; its start is a file (CSP)
    # (the Chinese document on a Chinese page, the default: tests/test_docs_zh.py)
    assert 'data-url="/openapi.json?lang=zh"' in html and web.get("/openapi.json").status_code == 200
    init = web.get(next(u for u in loaded if u.startswith("/static/docs.js"))).text
    assert "validatorUrl: null" in init and not re.search(r"https?://", init)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script
    csp = r.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-eval" not in csp and "unsafe-inline" not in csp
    # the plain list of operations, for a browser without scripts (and the JSON twin: /openapi.json)
    assert "<code>/api/documents/{document_id}/lineage</code>" in html and 'href="/openapi.json"' in html
