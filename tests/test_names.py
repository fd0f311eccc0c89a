"""Names people can read (issue 14, item 3): a short title for every measure (its lead phrase,
never cut in the middle of a word), the official English names of divisions and of the agency
kinds, built from the curated tables of ``ingest/data/english_names.yaml``, the pinyin of a
division word by word, and the English labels in the UI's English mode. The expected values are
written by hand: the short titles from reading the seed plan, the English names from the official
forms (never from the code under test)."""

from __future__ import annotations

import pytest
from rdflib import RDFS, Literal, URIRef
from rdflib.namespace import SKOS

from policykg import iris
from policykg.api.views.common import short
from policykg.graph.rdf import agency_english, division_english, division_name, divisions_graph, document_graph
from policykg.ingest import extract
from policykg.ingest.divisions import load
from policykg.ingest.model import short_title
from policykg.namespaces import LG
from policykg.queries.search import fold, pinyin_key
from tests.conftest import PLAN

# what a short title may end before: the end of the first clause (。；：) or a comma (，、)
BOUNDARIES = set("。；;：:！!？?，,、")


@pytest.fixture(scope="module")
def plan():
    return extract(PLAN)


@pytest.fixture(scope="module")
def divisions():
    return load()


def ends_at_a_boundary(title: str, text: str) -> bool:
    """A prefix of the text that is the whole text or stops right before a punctuation mark."""
    return text.startswith(title) and (len(title) == len(text) or text[len(title)] in BOUNDARIES)


# -- short titles ---------------------------------------------------------------------------------

# measures of the 钦南区 plan read one by one, with the lead phrase a person would give each
READ = {
    37: "全面推行行政执法公示制度",  # 全面推行行政执法公示制度。对本地区…
    7: "深化投资体制改革",
    8: "深化价格制度改革",
    46: "强化专门监督",
    49: "加大问责力度",
    10: "深化商事制度改革,推进工商注册登记制度便利化",  # the first clause, short enough, kept whole
    21: "实行规范性文件“三统一”制度",
    24: "严格执行《广西壮族自治区重大行政决策程序规定》",
    56: "抓住领导干部这个全面依法治国的“关键少数”",  # the clause ends at the comma after the quotation…
    # …long first clauses: cut at their last comma within 30 characters
    1: "根据中央、自治区、市关于加强机构编制管理的部署",
    65: "坚持从实际出发",
    # no comma within 30 characters: the last 、 within them
    44: "认真执行向本级人大及其常委会报告工作制度、接受询问和质询制度",
    # no comma or 、 within 30 characters (the 、 inside the brackets is no boundary): the first comma
    28: "严格执行《广西壮族自治区重大行政决策程序规定》有关合法性审查的规定",
    64: "全区各级党委(党组、工委)要把法治建设成效作为衡量各级领导班子和领导干部工作实绩的重要内容",
}


def test_short_titles_of_measures_read_by_hand(plan):
    measures = {m.number: m for m in plan.measures}
    assert len(plan.measures) == 65
    for number, expected in READ.items():
        assert measures[number].short_title == expected, number


def test_no_short_title_ends_in_the_middle_of_a_word(plan):
    for m in plan.measures:
        assert m.short_title, m.number
        assert ends_at_a_boundary(m.short_title, m.text), (m.number, m.short_title)
        assert short_title(m.text) == m.short_title
        # the list labels of the views (search: 60, responsibility: 26) are cut the same way
        for n in (26, 30, 60):
            assert ends_at_a_boundary(short(m.text, n), m.text), (m.number, n)


@pytest.mark.parametrize(("text", "expected"), [
    ("全面推行行政执法公示制度。对本地区、本单位的执法主体", "全面推行行政执法公示制度"),
    ("完善制度；加强监督。", "完善制度"),
    ("主要任务：建立清单", "主要任务"),
    ("执行《关于加强行政执法的意见；试行》的规定。", "执行《关于加强行政执法的意见；试行》的规定"),  # 《…》 holds no boundary
    ("2020年10:30前完成报送。", "2020年10:30前完成报送"),  # a colon between digits is no boundary
    ("对本地区、本单位的执法主体、执法依据、执法权限、执法程序、执法结果等信息实行动态管理", "对本地区、本单位的执法主体、执法依据、执法权限、执法程序"),
    ("一个没有任何标点而且很长很长很长很长很长很长很长很长很长很长的句子", "一个没有任何标点而且很长很长很长很长很长很长很长很长很长很长的句子"),
    ("", ""),
])
def test_short_title_rules(text, expected):
    assert short_title(text) == expected


def test_the_graph_holds_the_short_title_and_labels_a_measure_with_it(plan, divisions):
    g = document_graph(plan, divisions)
    node = URIRef(f"{plan.iri}/measure/37")
    assert set(g.objects(node, LG.shortTitle)) == {Literal("全面推行行政执法公示制度", lang="zh")}
    assert set(g.objects(node, RDFS.label)) == {Literal("37) 全面推行行政执法公示制度", lang="zh")}
    for m in plan.measures:
        (label,) = g.objects(URIRef(f"{plan.iri}/measure/{m.number}"), RDFS.label)
        assert str(label) == f"{m.number}) {m.short_title}"


# -- divisions ------------------------------------------------------------------------------------

OFFICIAL = [
    # provinces, the exceptions among them, municipalities and special administrative regions
    ("440000", "广东省", "Guangdong Province"),
    ("140000", "山西省", "Shanxi Province"),
    ("610000", "陕西省", "Shaanxi Province"),
    ("110000", "北京市", "Beijing Municipality"),
    ("810000", "香港特别行政区", "Hong Kong Special Administrative Region"),
    ("820000", "澳门特别行政区", "Macao Special Administrative Region"),
    # autonomous regions
    ("450000", "广西壮族自治区", "Guangxi Zhuang Autonomous Region"),
    ("650000", "新疆维吾尔自治区", "Xinjiang Uygur Autonomous Region"),
    ("640000", "宁夏回族自治区", "Ningxia Hui Autonomous Region"),
    ("150000", "内蒙古自治区", "Inner Mongolia Autonomous Region"),
    ("540000", "西藏自治区", "Tibet Autonomous Region"),
    # prefecture-level cities, autonomous prefectures, a prefecture, a league
    ("450700", "钦州市", "Qinzhou City"),
    ("640300", "吴忠市", "Wuzhong City"),
    ("610100", "西安市", "Xi'an City"),
    ("222400", "延边朝鲜族自治州", "Yanbian Korean Autonomous Prefecture"),
    ("433100", "湘西土家族苗族自治州", "Xiangxi Tujia and Miao Autonomous Prefecture"),
    ("232700", "大兴安岭地区", "Daxing'anling Prefecture"),
    ("152200", "兴安盟", "Hinggan League"),  # its Mongolian form, not the pinyin Xing'an
    # districts, counties, a county-level city
    ("450702", "钦南区", "Qinnan District"),
    ("370303", "张店区", "Zhangdian District"),
    ("310115", "浦东新区", "Pudong New Area"),
    ("450721", "灵山县", "Lingshan County"),
    ("371722", "单县", "Shanxian County"),  # a one-syllable proper name keeps its 县 in its word
    ("450681", "东兴市", "Dongxing City"),
    # autonomous counties
    ("450225", "融水苗族自治县", "Rongshui Miao Autonomous County"),
    ("530827", "孟连傣族拉祜族佤族自治县", "Menglian Dai, Lahu and Va Autonomous County"),
    ("451031", "隆林各族自治县", "Longlin Various Nationalities Autonomous County"),
    # banners
    ("150929", "四子王旗", "Siziwang Banner"),
    ("150430", "敖汉旗", "Aohan Banner"),
    ("150723", "鄂伦春自治旗", "Oroqen Autonomous Banner"),
    # a development zone, the nation
    ("411500-gxq", "信阳高新技术产业开发区", "Xinyang Hi-tech Industrial Development Zone"),
    ("100000", "中华人民共和国", "People's Republic of China"),
]


def test_every_division_has_an_english_name_in_ascii_letters_and_its_level(divisions):
    words = {"provincial": ("Province", "Region", "Municipality"), "prefectural": ("City", "Prefecture", "League")}
    for d in divisions.by_code.values():
        named = division_english(d)
        assert named is not None, d.name
        assert all(c.isascii() or c == "ü" for c in named.en), (d.name, named.en)
        if d.level in words and d.current:
            assert named.en.endswith(words[d.level]) or d.name.endswith("特别行政区") or d.zone, (d.name, named.en)


# divisions whose official English name is not the pinyin of their Chinese name (Mongolian,
# Uygur, Kazak, Kirgiz and Tibetan place names), in the forms of Xinhua and the governments' sites
NOT_PINYIN = [
    ("152900", "阿拉善盟", "Alxa League"),
    ("152500", "锡林郭勒盟", "Xilingol League"),
    ("150100", "呼和浩特市", "Hohhot City"),
    ("150600", "鄂尔多斯市", "Ordos City"),
    ("152923", "额济纳旗", "Ejin Banner"),
    ("152921", "阿拉善左旗", "Alxa Left Banner"),
    ("150223", "达尔罕茂明安联合旗", "Darhan Muminggan United Banner"),
    ("152221", "科尔沁右翼前旗", "Horqin Right Front Banner"),
    ("542500", "阿里地区", "Ngari Prefecture"),
    ("540100", "拉萨市", "Lhasa City"),
    ("540300", "昌都市", "Qamdo City"),
    ("540626", "索县", "Sog County"),  # a one-syllable proper name: no "Suoxian"
    ("650100", "乌鲁木齐市", "Urumqi City"),
    ("653100", "喀什地区", "Kashgar Prefecture"),
    ("653200", "和田地区", "Hotan Prefecture"),
    ("654000", "伊犁哈萨克自治州", "Ili Kazak Autonomous Prefecture"),
    ("652800", "巴音郭楞蒙古自治州", "Bayingolin Mongol Autonomous Prefecture"),
    ("653000", "克孜勒苏柯尔克孜自治州", "Kizilsu Kirgiz Autonomous Prefecture"),
    ("653001", "阿图什市", "Artux City"),
    ("632600", "果洛藏族自治州", "Golog Tibetan Autonomous Prefecture"),
    ("513300", "甘孜藏族自治州", "Garze Tibetan Autonomous Prefecture"),
    ("533401", "香格里拉市", "Shangri-La City"),
    ("230100", "哈尔滨市", "Harbin City"),
    # the pinyin where it is the official form: the rule, no exception
    ("650500", "哈密市", "Hami City"),
    ("540500", "山南市", "Shannan City"),
    ("532800", "西双版纳傣族自治州", "Xishuangbanna Dai Autonomous Prefecture"),
]


# place names with a character pypinyin reads otherwise in running text (ingest/data/place_readings.yaml),
# in the forms of 《中华人民共和国行政区划简册》; and some whose first reading is the right one
READINGS = [
    ("211300", "朝阳市", "Chaoyang City"),  # not Zhaoyang: 朝 cháo
    ("220623", "长白朝鲜族自治县", "Changbai Korean Autonomous County"),  # 长 cháng
    ("220722", "长岭县", "Changling County"),
    ("310105", "长宁区", "Changning District"),
    ("340121", "长丰县", "Changfeng County"),
    ("410783", "长垣市", "Changyuan City"),
    ("522732", "三都水族自治县", "Sandu Sui Autonomous County"),  # 都 dū; 水族 Sui in the ethnic table
    ("510682", "什邡市", "Shifang City"),  # 什 shí
    ("620722", "民乐县", "Minle County"),  # 乐 lè (民乐 mínyuè is folk music)
    ("511527", "筠连县", "Junlian County"),  # 筠 jūn
    ("320116", "六合区", "Luhe District"),  # 六 lù
    ("310112", "闵行区", "Minhang District"),  # 行 háng
    ("411100", "漯河市", "Luohe City"),  # 漯 luò
    ("411104", "召陵区", "Shaoling District"),  # 召 shào
    ("640303", "红寺堡区", "Hongsibu District"),  # 堡 bǔ
    ("410621", "浚县", "Xunxian County"),  # 浚 xùn
    # a 区 whose name ends in 林 or 新, not a 林区 forestry district or a 新区 new area
    ("231202", "北林区", "Beilin District"),
    ("610103", "碑林区", "Beilin District"),
    ("441803", "清新区", "Qingxin District"),
    ("140109", "万柏林区", "Wanbailin District"),
    ("429021", "神农架林区", "Shennongjia Forestry District"),
    ("310115", "浦东新区", "Pudong New Area"),
    # right as pypinyin reads them
    ("140428", "长子县", "Zhangzi County"),  # 长 zhǎng
    ("130225", "乐亭县", "Laoting County"),  # 乐 lào
    ("331000", "台州市", "Taizhou City"),  # 台 tāi
]


# the official forms by the rule, the names that are not pinyin, and the names read as places
@pytest.mark.parametrize(("code", "name", "english"), OFFICIAL + NOT_PINYIN + READINGS)
def test_english_names_of_divisions_in_their_official_forms(divisions, code, name, english):
    d = divisions.get(code)
    assert d is not None and d.name == name
    assert division_english(d).en == english


def test_place_readings_leave_the_words_of_running_text_alone():
    from policykg.graph.rdf import _place_readings

    _place_readings()  # taught to pypinyin for every text it reads, the searched ones too
    assert pinyin_key(fold("朝阳产业")).letters.startswith("zhaoyang")  # zhāoyáng: sunrise industries
    assert pinyin_key(fold("朝阳市人民政府")).letters.startswith("chaoyang")
    assert pinyin_key(fold("民乐演奏")).letters.startswith("minyue")  # folk music
    assert pinyin_key(fold("曾都是")).letters.startswith("cengdou")


@pytest.mark.parametrize(("name", "level", "proper"), [
    ("伊犁哈萨克自治州", "prefectural", "Ili"),  # an exception (Ili Kazak Autonomous Prefecture), without its peoples
    ("塔什库尔干塔吉克自治县", "county", "Taxkorgan"),
    ("湘西土家族苗族自治州", "prefectural", "Xiangxi"),  # by the rule
    ("内蒙古自治区", "provincial", "Inner Mongolia"),
    ("钦南区", "county", "Qinnan"),
])
def test_the_proper_name_of_an_autonomous_area_is_without_its_peoples(name, level, proper):
    assert division_name(name, level).proper == proper


def test_a_branch_office_in_an_autonomous_prefecture_is_named_by_its_place(divisions):
    # 公安局伊犁分局: the branch of the Xinjiang bureau in Ili
    assert agency_english(iris.agency("654000", "公安局伊犁分局"), divisions) == \
        "Ili Branch of the Public Security Bureau of Xinjiang Uygur Autonomous Region"


def test_a_former_division_takes_the_english_form_of_its_name(divisions):
    # 日喀则地区 (until 2014), 伊克昭盟 (until 2001, now 鄂尔多斯市)
    assert [division_english(divisions.get(c)).en for c in ("542300", "152700")] == ["Shigatse Prefecture", "Ih Ju League"]


@pytest.mark.parametrize(("name", "level", "pinyin"), [
    ("广西壮族自治区", "provincial", "Guǎngxī Zhuàngzú Zìzhìqū"),
    ("钦南区", "county", "Qīnnán Qū"),
    ("钦州市", "prefectural", "Qīnzhōu Shì"),
    ("西安市", "prefectural", "Xī'ān Shì"),
    ("长治市", "prefectural", "Chángzhì Shì"),  # the place-name reading, not zhǎng
    ("重庆市", "provincial", "Chóngqìng Shì"),
    ("内蒙古自治区", "provincial", "Nèi Měnggǔ Zìzhìqū"),
    ("湘西土家族苗族自治州", "prefectural", "Xiāngxī Tǔjiāzú Miáozú Zìzhìzhōu"),
    ("单县", "county", "Shànxiàn"),
    ("四子王旗", "county", "Sìzǐwáng Qí"),  # 子 zǐ, not the neutral tone of 四子
    ("阿勒泰地区", "prefectural", "Ālètài Dìqū"),  # 勒 lè in transcribed names, not lēi
    ("锡林郭勒盟", "prefectural", "Xīlínguōlè Méng"),
    ("阿拉善盟", "prefectural", "Ālāshàn Méng"),  # the pinyin label stays pinyin (English: Alxa)
    ("乌什县", "county", "Wūshí Xiàn"),  # 什 shí, not shén
    ("冠县", "county", "Guànxiàn"),  # 冠 guàn, not guān
    ("朝阳市", "prefectural", "Cháoyáng Shì"),
    ("长宁区", "county", "Chángníng Qū"),
    ("三都水族自治县", "county", "Sāndū Shuǐzú Zìzhìxiàn"),
    ("南乐县", "county", "Nánlè Xiàn"),
    ("华阴市", "county", "Huàyīn Shì"),  # 华 huà, as in 华山
    ("蚌山区", "county", "Bèngshān Qū"),  # 蚌 bèng, as in 蚌埠
    ("长子县", "county", "Zhǎngzǐ Xiàn"),  # stays zhǎng
    ("乐亭县", "county", "Làotíng Xiàn"),  # stays lào
    ("台州市", "prefectural", "Tāizhōu Shì"),
])
def test_pinyin_with_word_breaks(name, level, pinyin):
    assert division_name(name, level).pinyin == pinyin


def test_the_vocabulary_writes_english_and_word_by_word_pinyin_names(divisions):
    g = divisions_graph(divisions, {"100000", "450000", "450700", "450702"})
    node = URIRef(iris.division("450702"))
    assert (node, SKOS.prefLabel, Literal("Qinnan District", lang="en")) in g
    assert (node, SKOS.prefLabel, Literal("Qīnnán Qū", lang="zh-Latn-pinyin")) in g
    assert (URIRef(iris.division("450000")), SKOS.prefLabel, Literal("Guangxi Zhuang Autonomous Region", lang="en")) in g
    # one preferred label per language (SKOS), and one rdfs:label: the queries join on it
    for division in (node, URIRef(iris.division("450000"))):
        langs = [label.language for label in g.objects(division, SKOS.prefLabel)]
        assert sorted(langs) == ["en", "zh", "zh-Latn-pinyin"]
        assert len(list(g.objects(division, RDFS.label))) == 1
    government = URIRef(iris.agency("450702", "人民政府"))
    assert (government, SKOS.prefLabel, Literal("People's Government of Qinnan District", lang="en")) in g
    assert (URIRef(iris.agency("100000", "人民政府")), SKOS.prefLabel, Literal("State Council", lang="en")) in g


# -- agencies -------------------------------------------------------------------------------------

SEED_AGENCIES = {
    "钦南区司法局": "Justice Bureau of Qinnan District",
    "钦南区法制办": "Legal Affairs Office of Qinnan District",
    "钦南区编办": "Commission Office for Public Sector Reform of Qinnan District",
    "钦南区财政局": "Finance Bureau of Qinnan District",
    "钦南区人社局": "Human Resources and Social Security Bureau of Qinnan District",
    "钦南区工商局": "Administration for Industry and Commerce of Qinnan District",
    "钦南区政府办公室": "Office of the People's Government of Qinnan District",
    "钦南区委组织部": "Organization Department of the CPC Qinnan District Committee",
    "钦南区委政法委": "Political and Legal Affairs Commission of the CPC Qinnan District Committee",
    "公安钦南分局": "Qinnan Branch of the Public Security Bureau of Qinzhou City",
    "钦南区各有关部门": "All relevant departments of Qinnan District",
    "钦南区各镇政府": "All town governments of Qinnan District",
}


def test_english_labels_of_the_seed_plans_agencies(plan, divisions):
    parties = {a.party.label: a.party for m in plan.measures for a in m.assignments}
    for label, english in SEED_AGENCIES.items():
        assert agency_english(parties[label].iri, divisions) == english, label
    # every named body of the plan is of a kind the table lists
    named = [p for p in parties.values() if not p.collective]
    assert len(named) > 40
    assert [p.label for p in named if agency_english(p.iri, divisions) is None] == []
    g = document_graph(plan, divisions)
    justice = URIRef(parties["钦南区司法局"].iri)
    assert (justice, SKOS.prefLabel, Literal("Justice Bureau of Qinnan District", lang="en")) in g
    assert set(g.objects(justice, RDFS.label)) == {Literal("钦南区司法局", lang="zh")}  # one rdfs:label, in Chinese
    bureau = URIRef(parties["公安钦南分局"].branch_of or "")
    assert (bureau, SKOS.prefLabel, Literal("Public Security Bureau of Qinzhou City", lang="en")) in g


def test_national_bodies_are_named_whole(divisions):
    assert agency_english(iris.agency("100000", "国务院"), divisions) == "State Council"
    assert agency_english(iris.agency("100000", "中共中央"), divisions) == "Central Committee of the Communist Party of China"


def test_a_kind_not_in_the_table_gets_no_english_label(divisions):
    assert agency_english(iris.agency("450702", "海洋渔业执法大队"), divisions) is None
    assert agency_english(iris.agency("370303", "区委办公室"), divisions) is None  # as a cited document names it
    assert agency_english(iris.collective("450702", "各级政府及其部门党组"), divisions) is None
    assert agency_english(iris.agency("no-such-division", "司法局"), divisions) is None
    assert agency_english("https://example.org/agency/450702/司法局", divisions) is None


# -- the UI in English --------------------------------------------------------------------------------

def test_pages_show_english_labels_in_english_and_chinese_ones_by_default(client):
    path = "/id/" + iris.agency("450702", "司法局").removeprefix(f"{iris.base()}id/")
    assert client.get(path + ".json").json()["label"] == "钦南区司法局"
    english = client.get(path + ".json", params={"lang": "en"}).json()
    assert english["label"] == "Justice Bureau of Qinnan District" and english["label_zh"] == "钦南区司法局"
    view = client.get("/ui/responsibility.json", params={"agency": "钦南区司法局"}).json()
    rows = [r for r in view["rows"] if r["agency_label"] == "钦南区司法局"]
    assert rows and {r["agency_label_en"] for r in rows} == {"Justice Bureau of Qinnan District"}
    measures = [n for n in view["nodes"] if n["kind"] == "measure"]
    assert measures and all(n["label"] == f"{n['number']}) {n['short_title']}" for n in measures)
    page = client.get("/ui/responsibility", params={"agency": "钦南区司法局", "lang": "en"}).text
    assert "Justice Bureau of Qinnan District" in page
