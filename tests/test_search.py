"""The search that understands Chinese (issue 14, item 4): Traditional and Simplified, widths and case
folded on the query side, spaces as AND (the words side by side first), pinyin with and without tones on syllable boundaries and
on names, ranking with word segmentation, and facets that are a correct tree whose counts are the
results shown.

What the seed corpus should answer was read from the documents (corpus/seeds): in the 钦南区 plan
(004_…txt) only measure 37, 全面推行行政执法公示制度, has 执法公示; the measures with both 执法 and
公示 are 3 (…其他执法部门… 审批、公示、查询…), 36 (…公示行政执法权力运行流程图…) and 37. The other
four seeds are reports: their paragraphs are reported activities and planned measures, not measures."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from policykg.api.views.search import search_view
from policykg.graph.resolve import Resolver
from policykg.queries.search import MAX_IRIS, division_tree, find, fold, plan, prefilter, score, syllabify, term, terms, words

PLAN = "钦州市钦南区法治政府建设实施方案(2016-2020年)"
XINYANG_REPORT = "信阳高新区2021年法治政府建设情况报告"
JIANGHAI_REPORT = "关于江门市江海区2017年法治政府建设情况报告"


def search(client, q: str, **filters: str) -> dict:
    body = client.get("/ui/search.json", params={"q": q, "limit": 500, **filters}).json()
    assert body["ok"], body
    assert body["count"] == len(body["rows"])  # one page holds them all here
    return body


def measures(body: dict) -> list[int]:
    """The numbers of the measures among the results, in the order shown."""
    return [int(re.match(r"(\d+)\)", r["label"]).group(1)) for r in body["rows"] if r["kind"] == "measure"]


def ids(body: dict) -> list[str]:
    return [r["id"] for r in body["rows"]]


# -- the done-when ------------------------------------------------------------------------

def test_traditional_spaced_pinyin_and_simplified_find_the_same_measures(client):
    written = ("执法公示", "執法公示", "zhifagongshi", "ZhíFǎGōngShì",
               "执法 公示", "執法　公示", "zhifa gongshi", "zhífǎ gōngshì", "zhi2fa3 gong1shi4")
    bodies = {q: search(client, q) for q in written}
    for q, body in bodies.items():
        assert measures(body) == [37], q  # 全面推行行政执法公示制度: the only one with 执法公示
    # the same results in the same order, whichever way the words were written
    assert len({tuple(ids(b)) for b in bodies.values()}) == 1
    # spaced words are found side by side; the results that have them apart are one link away
    for q in ("执法 公示", "執法　公示", "zhifa gongshi", "zhífǎ gōngshì"):
        body = bodies[q]
        assert body["matched"] == "phrase", q
        query = {k: v[0] for k, v in parse_qs(urlsplit(body["apart_url"]).query).items()}
        assert query["match"] == "all"
        every = search(client, query.pop("q"), **query)
        assert sorted(measures(every)) == [3, 36, 37] and measures(every)[0] == 37, q  # each word anywhere
        assert every["matched"] == "words" and every["apart"] == 0
        assert body["apart"] == every["count"] - body["count"] >= 2  # measures 3 and 36 at least
    assert bodies["执法公示"]["matched"] == "words" and bodies["执法公示"]["apart_url"] is None  # one word: nothing apart


def test_words_not_found_side_by_side_are_found_apart(client):
    """No result has 公示执法 (the words in the other order), so each word anywhere: 3, 36 and 37;
    nor 钦南区执法公示, whose 钦南区 is the division of the plan: 37 alone, by both."""
    body = search(client, "公示 执法")
    assert body["matched"] == "words" and sorted(measures(body)) == [3, 36, 37]
    assert measures(search(client, "钦南区 执法公示")) == [37]


def test_the_search_page_says_what_was_matched(client):
    html = client.get("/ui/search", params={"q": "执法 公示", "lang": "en"}).text
    apart = search(client, "执法 公示")["apart"]
    assert 'id="matched"' in html and f"Show {apart} more with the words apart" in html
    assert 'name="match" value="all"' in client.get("/ui/search", params={"q": "执法 公示", "match": "all"}).text
    assert 'id="matched"' not in client.get("/ui/search", params={"q": "执法 公示", "match": "all"}).text
    bad = client.get("/ui/search.json", params={"q": "执法", "match": "some"})
    assert bad.status_code == 400 and "match" in bad.text  # our JSON error, naming the parameter


def test_a_search_reads_the_store_in_a_few_queries_whatever_it_finds(store):
    """Matching is done over the rows read: no query per result (nor per word)."""

    class Counting:
        cjk_regex = True  # as the embedded engine's Reader

        def __init__(self) -> None:
            self.queries: list[str] = []

        def select(self, sparql, substitutions=None, inferred=True, max_rows=None):  # the signature of Store.select
            self.queries.append(sparql)
            return store.select(sparql, substitutions, inferred=inferred)

        def select_all(self, sparql, inferred=True, most=None):  # a table under the row cap: one query
            return self.select(sparql, inferred=inferred)

    for q in ("", "执法", "zhifa gongshi", "行政 xingzheng 钦南区 fa"):
        reader = Counting()
        body = search_view(reader, Resolver(store), q, {}, 50, 0)
        assert body["ok"] and len(reader.queries) <= 8, (q, len(reader.queries))


def test_the_sparql_prefilter_holds_words_only_as_escaped_literals():
    import pyoxigraph as ox

    hostile = '执法")) } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o . FILTER(("'
    for q in (hostile, f"zhifa {hostile}", "zhífǎ 公示"):
        where = prefilter(plan(q, []), "text", {"doc": {"公示": ["https://example.org/doc/1"]}})
        # one FILTER in one group: the words did not end the pattern, whatever they hold
        assert list(ox.Store().query("SELECT * WHERE { ?doc <https://example.org/text> ?text " + where + " }")) == []
    assert 'CONTAINS(STR(?text), "法")' in prefilter(plan("zhifa", []), "text")  # a character that reads fa
    many = {"doc": {"钦南区": [f"https://example.org/doc/{i}" for i in range(MAX_IRIS + 1)]}}
    assert prefilter(terms("钦南区"), "text", many) == ""  # too many to list: the rows are matched here
    # an engine whose REGEX reads Han character classes: the syllables' characters side by side
    where = prefilter(plan("zhifa", []), "text", regex=True)
    assert "REGEX(STR(?text), " in where and 'CONTAINS(STR(?text), "法")' not in where
    assert list(ox.Store().query('SELECT * WHERE { BIND("严格执法" AS ?text) ' + where + " }"))
    assert not list(ox.Store().query('SELECT * WHERE { BIND("法治之" AS ?text) ' + where + " }"))  # 法 and 之 apart


def test_the_regex_prefilter_reads_fewer_rows_and_finds_the_same(store):
    """Pinyin pre-filtered by the characters of its syllables side by side (the embedded engine)
    reads fewer items than by one character of its rarest syllable (a SPARQL server), and the
    results are the same."""

    class Reading:
        def __init__(self, regex: bool) -> None:
            self.cjk_regex, self.rows = regex, 0

        def select(self, sparql, substitutions=None, inferred=True, max_rows=None):
            rows = store.select(sparql, substitutions, inferred=inferred)
            if "lg:text ?text" in sparql:
                self.rows += len(rows)
            return rows

        def select_all(self, sparql, inferred=True, most=None):
            return self.select(sparql, inferred=inferred)

    for q in ("zhifa gongshi", "fazhi", "gongshi"):
        fast, slow = Reading(True), Reading(False)
        assert search_view(fast, Resolver(store), q, {}, 500, 0)["rows"] == search_view(slow, Resolver(store), q, {}, 500, 0)["rows"]
        assert fast.rows < slow.rows, (q, fast.rows, slow.rows)


def test_labels_read_from_the_union_are_the_asserted_ones(store):
    """The views read labels from the union of the graphs (fast); the entailments add none."""
    from policykg.api.views.common import agency_labels, concept_labels, division_labels

    class Asserted:
        def select(self, sparql, substitutions=None, inferred=True, max_rows=None):
            return store.select(sparql, substitutions, inferred=False)

    class Union:
        def select(self, sparql, substitutions=None, inferred=True, max_rows=None):
            return store.select(sparql, substitutions, inferred=True)

    divisions = {str(r["d"]) for r in store.select("SELECT DISTINCT ?d WHERE { ?doc lg:issuingArea ?a . ?a skos:broader* ?d }")}
    agencies = {str(r["a"]) for r in store.select("SELECT DISTINCT ?a WHERE { ?x lg:assignment/prov:agent ?a }")}
    assert len(divisions) > 10 and len(agencies) > 40
    assert concept_labels(Union()) == concept_labels(Asserted())
    assert division_labels(Union(), divisions) == division_labels(Asserted(), divisions)
    assert agency_labels(Union(), agencies) == agency_labels(Asserted(), agencies)


def test_user_words_reach_sparql_only_as_escaped_literals(client):
    hostile = '执法"} . ?s ?p ?o . FILTER("'
    body = search(client, hostile)
    assert body["count"] == 0  # searched for as words, found nowhere
    assert search(client, '执法 "')["count"] == 0


@pytest.fixture(scope="module")
def virtuoso_client(store, tmp_path_factory):
    """The app reading a Virtuoso that holds the seed store (skipped where Virtuoso cannot run)."""
    from fastapi.testclient import TestClient

    from policykg.api.app import create_app
    from policykg.graph.remote import RemoteStore
    from tests import virtuoso

    with virtuoso.for_test(tmp_path_factory.mktemp("virtuoso-search"), store) as v:
        yield TestClient(create_app(RemoteStore(v.endpoint)))


def test_a_sparql_server_answers_the_searches_as_the_store_does(virtuoso_client, client):
    """The pre-filter is standard SPARQL both engines read alike (Virtuoso 7.2's REGEX finds nothing
    with alternatives of CJK characters, so pinyin is pre-filtered with CONTAINS)."""
    for q in ("zhifa gongshi", "執法公示", "qinnanqu fazhiban", "zhífǎ", "钦南区 执法", "欽南區"):
        ours = search(client, q)
        assert ours["count"] > 0, q
        assert search(virtuoso_client, q) == ours, q


# -- folding --------------------------------------------------------------------------------------

def test_the_query_is_folded_to_simplified_half_width_lower_case():
    assert fold("執法　公示ＡＰＰ") == "执法 公示app"
    assert [t.text for t in terms("  執法　公示  执法 ")] == ["执法", "公示"]  # each word once


def test_traditional_and_full_width_in_names_find_the_same(client):
    # a division's name in Traditional characters, and in full-width pinyin
    assert ids(search(client, "欽南區")) == ids(search(client, "钦南区")) != []
    assert search(client, "欽南區")["rows"][0]["label"] == PLAN  # the document whose title has it, first
    assert ids(search(client, "ＱＩＮＮＡＮ")) == ids(search(client, "qinnan")) != []
    # the 信阳 report's title in Traditional
    assert [r["label"] for r in search(client, "信陽高新區")["rows"] if r["kind"] == "document"] == [XINYANG_REPORT]


# -- spaces as AND ----------------------------------------------------------------------------------

def test_every_word_must_match_so_more_words_narrow(client):
    one, two = search(client, "执法"), search(client, "执法 公示", match="all")
    assert set(ids(two)) < set(ids(one)) and set(ids(two)) <= set(ids(search(client, "公示")))
    assert search(client, "执法 公示 无此词语")["count"] == 0
    # a word may match the division the item's document was issued in: 钦南区's measure 37 alone
    assert measures(search(client, "钦南区 执法公示")) == [37]
    assert [r for r in search(client, "吴忠市 执法公示")["rows"] if r["kind"] == "measure"] == []
    # or a division above it: 钦州市 and 广西 hold 钦南区 (in pinyin too)
    for q in ("钦州市 执法公示", "广西 执法公示", "guangxi zhifagongshi"):
        assert measures(search(client, q)) == [37], q


# -- pinyin ---------------------------------------------------------------------------------------

def test_pinyin_with_and_without_tones():
    text = fold("严格规范公正文明执法")
    for q in ("zhifa", "zhífǎ", "zhi2fa3", "zhifǎ", "zhi'fa", "ZHIFA"):
        assert find(plan(q, [])[0], text) == [(8, 10)], q
    for q in ("zhìfǎ", "zhi4fa3", "zhif'a"):  # 执 is zhí; an apostrophe must fall between syllables
        assert find(plan(q, [])[0], text) == [], q


def test_pinyin_matches_whole_syllables_that_start_a_word():
    # made-up texts: fa is not found inside fang (方), nor an inside fang'an (方案)
    opening = fold("推进开放方式改革")
    assert find(plan("fa", [])[0], opening) == []
    assert find(plan("fangshi", [])[0], opening) == [(4, 6)]
    assert find(plan("an", [])[0], fold("完善方案")) == []
    # gongshi is 公示 and 共识, but not the 公室 of 办公室, which is not a word there
    assert find(plan("gongshi", [])[0], fold("由区政府办公室牵头")) == []
    assert find(plan("gongshi", [])[0], fold("凝聚社会共识,做好信息公示")) == [(4, 6), (11, 13)]
    # a word inside a longer one the dictionary cuts cleanly: 执法 in 依法执法
    assert words(fold("坚持依法执法")) >= {2, 4, 6}
    assert find(plan("zhifa", [])[0], fold("坚持依法执法")) == [(4, 6)]
    assert find(plan("xi'an", [])[0], fold("西安")) == [(0, 2)] and find(plan("xi'an", [])[0], fold("先")) == []
    assert syllabify("office") == [] and not term("office").latin


def test_a_latin_word_is_pinyin_only_where_it_is_not_found_as_written():
    assert plan("app", ["推广政务服务APP"])[0].pinyin is False  # found as written: matched as written
    assert plan("zhifa", ["推广政务服务APP"])[0].pinyin is True
    assert not term("2017").latin and not term("执法app").latin


def test_pinyin_finds_names_agencies_divisions_and_titles(client):
    qinnan = search(client, "qinnanqu")
    assert qinnan["rows"][0]["label"] == PLAN  # the title and the division
    zone = search(client, "xinyang gaoxinqu")
    assert [r["label"] for r in zone["rows"] if r["kind"] == "document"] == [XINYANG_REPORT]
    # the 江海区 report is signed by 江门高新技术产业开发区管理委员会 and 江门市江海区人民政府 (read as
    # 江门高新区管理委员会 and 江海区人民政府): its issuers' names find it, though its title has neither
    for q in ("guanli weiyuanhui", "jianghaiqu renmin zhengfu", "管理委員會"):
        assert [r["label"] for r in search(client, q)["rows"] if r["kind"] == "document"] == [JIANGHAI_REPORT], q
    # the agencies a measure is assigned to: 区法制办 leads measures 36 and 37 (its name is in the
    # parenthesis after each, not in the measure's text); with the division, only its measures
    assert {36, 37} <= set(measures(search(client, "fazhiban")))
    assert {36, 37} <= set(measures(search(client, "qinnanqu fazhiban")))
    named = sorted(measures(search(client, "钦南区法制办")))
    assert named == sorted(measures(search(client, "qinnanqufazhiban"))) and {36, 37} <= set(named)
    assert set(named) <= set(measures(search(client, "qinnanqu fazhiban")))


# -- ranking ----------------------------------------------------------------------------------------

def test_ranking_puts_titles_and_whole_words_first():
    t = terms("公示")
    assert score(t, [("title", fold("信息公示制度"))]) > score(t, [("text", fold("信息公示制度"))])
    assert score(t, [("text", fold("信息公示制度"))]) > score(t, [("text", fold("加强办公示范建设"))])  # 办公|示范
    assert score(t, [("text", fold("无关的文字"))]) is None
    both = terms("执法 公示")
    assert score(both, [("text", fold("执法公示"))]) > score(both, [("text", fold("公示执法"))])  # as typed


def test_results_are_ranked_by_how_well_they_match(client):
    body = search(client, "执法公示")
    scores = [r["score"] for r in body["rows"]]
    assert scores == sorted(scores, reverse=True)
    # measure 37 says it in its heading; the 吴忠市 report's activity (五) says it twice in its text,
    # yet comes after it
    assert body["rows"][0]["label"].startswith("37) 全面推行行政执法公示制度")
    assert search(client, "钦南区")["rows"][0]["label"] == PLAN  # a title above texts


# -- facets ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("q", ["执法", "zhifa gongshi", ""])
def test_each_facet_count_is_the_number_of_results_shown_with_it(client, q):
    body = search(client, q)
    checked = 0
    for name, entries in body["facets"].items():
        for e in entries:
            chosen = {k: v[0] for k, v in parse_qs(urlsplit(e["url"]).query).items() if k != "q"}
            assert chosen.get(name) == e["value"]
            narrowed = search(client, q, **chosen)
            assert narrowed["count"] == e["count"], (name, e["value"])
            assert [x for x in narrowed["facets"][name] if x["selected"]][0]["value"] == e["value"]
            checked += 1
    assert checked > 10


def test_the_division_tree_puts_each_division_under_its_parent(client, store):
    """The facet tree put 信阳高新技术产业开发区 under 吴忠市: the values were sorted by code, and the
    development zone has none (its key, 411500-gxq, is not a GB/T 2260 code), so it came last, after
    640300. Checked here against the vocabulary: every entry's parent is its skos:broader, listed
    before it, with nothing but the parent's descendants in between."""
    entries = search(client, "")["facets"]["jurisdiction"]
    by_value = {e["value"]: e for e in entries}
    zone = next(e for e in entries if e["zh"] == "信阳高新技术产业开发区")
    assert zone["parent"] == "411500" and by_value["411500"]["zh"] == "信阳市"
    broader = {str(r["d"]).rsplit("/", 1)[-1]: str(r["p"]).rsplit("/", 1)[-1] for r in store.select(
        "SELECT ?d ?p WHERE { ?d skos:broader ?p ; skos:inScheme lg:AdministrativeDivisionScheme }", inferred=False)}
    position = {e["value"]: i for i, e in enumerate(entries)}

    def above(value: str) -> list[str]:
        return [] if by_value[value]["parent"] is None else [by_value[value]["parent"], *above(by_value[value]["parent"])]

    for i, e in enumerate(entries):
        if e["parent"] is None:
            assert e["rank"] == "2"  # provinces at the top (the nation holds everything and is left out)
            continue
        assert broader[e["value"]] == e["parent"], e
        start = position[e["parent"]]
        assert start < i and all(e["parent"] in above(x["value"]) for x in entries[start + 1: i]), e
    assert search(client, "", jurisdiction=zone["value"])["rows"][0]["label"] == XINYANG_REPORT


def test_a_division_without_a_code_sorts_under_its_parent():
    """Made-up divisions: a zone without a code under city 111100 of province 110000, and a city
    222200 of another province whose code sorts after the zone's parent."""
    chains = {"zone": {"nation", "p11", "c1111", "zone"}, "c2222": {"nation", "p22", "c2222"}}
    level = {"nation": "1", "p11": "2", "p22": "2", "c1111": "3", "c2222": "3", "zone": "4"}
    key = {"nation": "100000", "p11": "110000", "p22": "220000", "c1111": "111100", "c2222": "222200",
           "zone": "https://example.org/division/111100-zone"}
    paths, parents = division_tree(chains, level, key)
    assert parents == {"p11": "nation", "c1111": "p11", "zone": "c1111", "p22": "nation", "c2222": "p22"}
    order = sorted(["zone", "c2222", "p22", "c1111", "p11"], key=paths.__getitem__)
    assert order == ["p11", "c1111", "zone", "p22", "c2222"]
    assert sorted(["zone", "c2222"], key=key.__getitem__) == ["c2222", "zone"]  # what sorting by code did


# -- browsing without words (counted in SPARQL, the page's items read) ----------------------------

@pytest.mark.parametrize("filters", [{}, {"kind": "measure"}, {"jurisdiction": "450702"}, {"task_area": "first"}])
def test_pages_without_words_hold_every_result_once_in_order(client, store, filters):
    """Without words the results are counted in SPARQL and only a page's items are read: walked
    page by page (7 a page), they are every document and item of the corpus (kept to the facet
    value) exactly once, documents first, then measures, activities and planned measures, each
    document's in the order of their numbers."""
    from policykg.api.views.common import number_key

    if filters.get("task_area") == "first":  # the task area with most results
        filters = {"task_area": search(client, "")["facets"]["task_area"][0]["value"]}
    first = client.get("/ui/search.json", params={"q": "", "limit": 7, **filters}).json()
    rows, body = [], first
    while True:
        rows += body["rows"]
        if not body["next"]:
            break
        body = client.get(body["next"].replace("/ui/search", "/ui/search.json", 1)).json()
    assert rows and len(rows) == first["count"] == len({r["id"] for r in rows})
    kind = filters.get("kind")
    corpus = {str(r["x"]) for r in store.select("""SELECT ?x WHERE {
        { ?x lg:inCorpus true } UNION {
          VALUES ?class { lg:Measure lg:ReportedActivity lg:PlannedMeasure } ?x a ?class ; lg:document ?doc . ?doc lg:inCorpus true } }""")}
    if not filters:
        assert {r["id"] for r in rows} == corpus  # everything, once
    for r in rows:
        assert r["id"] in corpus and (kind is None or r["kind"] == kind)
        if "task_area" in filters:  # an item of the task area
            assert bool(store.query(f"""ASK {{ <{r['id']}> lg:taskArea/skos:notation "{filters['task_area']}" }}""")), r["id"]
        if "jurisdiction" in filters:
            assert r["jurisdiction_zh"] == "钦南区"
    rank = {k: i for i, k in enumerate(("document", "measure", "activity", "planned"))}
    order = [(rank[r["kind"]], r["document"] if r["kind"] != "document" else "") for r in rows]
    kinds = [k for k, _ in order]
    assert kinds == sorted(kinds)
    for (k, doc), group in _groups(rows):
        if k != "document":
            numbers = [number_key(str(r["label"]).split(")")[0]) for r in group]
            assert numbers == sorted(numbers), doc


def _groups(rows):
    from itertools import groupby

    return [(key, list(group)) for key, group in groupby(rows, key=lambda r: (r["kind"], r["document"]))]
