"""Reading sources: format sniffing, HTML article and metadata, PDF re-flow, DOCX order,
encodings, Traditional → Simplified and pinyin glosses, and the errors a person can act on.

Expected values are written from the fixture texts under tests/fixtures/sources/."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from policykg.errors import SourceFileError
from policykg.ingest import html as html_format
from policykg.ingest.characters import normalize_characters, remove_pinyin_glosses, to_simplified
from policykg.ingest.pdf import drop_running_lines, is_page_number, reflow
from policykg.ingest.sources import read_source
from tests.conftest import SEEDS
from tests.fixtures.build import build, build_docx, build_pdf, docx_bytes, parse_docx_src, pdf_bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"

FURNITURE_WORDS = [
    "您现在的位置", "当前位置", "分享到", "打印本页", "关闭窗口", "浏览次数", "访问量", "版权所有",
    "上一篇", "下一篇", "首页", "政务公开", "相关链接", "统计代码", "字体", "网站地图", "索引号", "发布机构",
    "主题分类", "ICP备",
]


def lines_of(text: str) -> list[str]:
    return text.splitlines()


# --- HTML ------------------------------------------------------------------------------------


def test_html_article_keeps_the_body_and_drops_the_furniture():
    source = read_source(FIXTURES / "article.html")
    assert source.format == "html" and source.encoding == "utf-8"
    assert lines_of(source.text) == [
        "钦州市钦南区法治政府建设实施方案(2016-2020年)",
        "为贯彻落实全面推进依法治国重大战略部署，深入推进依法行政，实现到2020年基本建成法治政府目标，结合实际，制定本实施方案。",
        "一、总体要求",
        "（一）指导思想",
        "高举中国特色社会主义伟大旗帜，用法治引领改革发展、推动民生改善和社会公正。",
        "二、主要任务和具体措施",
        "1.依法界定政府职能",
        "1）根据中央、自治区、市关于加强机构编制管理的部署，推进机构、职能、权限、程序、责任法定化，"
        "理顺区与镇政府（街道办事处）之间，政府部门之间的关系。"
        "（区编办牵头，区直各有关部门、各镇政府、街道办事处按职责分别负责）",
        "附件：任务分工表",
        "序号\t任务\t牵头单位\t配合单位\t完成时限",
        "1\t建立规范行政审批的 管理制度\t区编办、区政务服务管理办\t区直各有关部门\t2017年底前",
        "2\t全面推行行政执法公示制度\t区法制办\t区直各有关部门\t2017年底前",
        "钦州市钦南区人民政府办公室",
        "2017年7月18日",
    ]
    for word in FURNITURE_WORDS:
        assert word not in source.text, word
    assert "\xa0" not in source.text and "&nbsp;" not in source.text


def test_html_metadata_is_read_from_the_metadata_table():
    source = read_source(FIXTURES / "article.html")
    assert source.page_metadata == {
        "title": "钦州市钦南区法治政府建设实施方案(2016-2020年)",
        "index_number": "000014349/2017-00123",
        "publisher": "钦南区人民政府办公室",
        "date_published": "2017-07-18",
        "doc_number": "钦南政办发〔2017〕25号",
    }
    assert source.original_text is None and source.conversions == ()


def test_html_tables_become_tab_separated_rows_spans_kept_aligned():
    markup = """<html><body><div class="content">
    <p>附件：钦南区法治政府建设重点任务分工表，请各单位认真贯彻落实，按时报送进展情况。</p>
    <table>
      <tr><th>序号</th><th>任务</th><th>牵头单位</th><th>配合单位</th><th>完成时限</th></tr>
      <tr><td rowspan="2">1</td><td>深化行政审批制度改革</td><td rowspan="2">区编办</td><td>区直各有关部门</td><td>2017年底前</td></tr>
      <tr><td>推行相对集中行政许可权改革</td><td>区政务服务管理办</td><td>2018年底前</td></tr>
      <tr><td>2</td><td colspan="2">全面推行行政执法公示制度 （区法制办）</td><td>区直各有关部门</td><td>长期坚持</td></tr>
    </table></div></body></html>"""
    page = html_format.page_text(markup)
    assert lines_of(page.text)[1:] == [
        "序号\t任务\t牵头单位\t配合单位\t完成时限",
        "1\t深化行政审批制度改革\t区编办\t区直各有关部门\t2017年底前",
        "1\t推行相对集中行政许可权改革\t区编办\t区政务服务管理办\t2018年底前",
        "2\t全面推行行政执法公示制度 （区法制办）\t区直各有关部门\t长期坚持",
    ]
    assert lines_of(page.text)[0] == "附件：钦南区法治政府建设重点任务分工表，请各单位认真贯彻落实，按时报送进展情况。"


def test_malformed_html_is_recovered():
    source = read_source(FIXTURES / "malformed.html")
    assert lines_of(source.text) == [
        "关于推行行政执法公示制度的通知",
        "各镇人民政府、街道办事处，区直各有关部门：",
        "全面推行行政执法公示制度。对本地区、本单位的执法主体、执法依据、执法权限、执法程序、执法结果等信息实行动态管理，增强行政执法的透明度。",
        "创新行政执法方式。推广运用说服教育、劝导示范、行政指导、行政奖励等非强制性执法手段 & 健全公民和组织守法信用记录。",
        "牵头单位\t区法制办",
        "完成时限\t2017年底前",
        "钦南区法制办",
    ]
    assert source.page_metadata == {
        "title": "关于推行行政执法公示制度的通知",
        "publisher": "钦南区法制办",
        "date_published": "2017-07-18",
    }


def test_gb18030_page_declaring_gb2312_with_meta_tags_and_label_text():
    data = (FIXTURES / "gb2312.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    source = read_source(FIXTURES / "gb2312.html")
    assert source.format == "html" and source.encoding == "gb18030"
    assert lines_of(source.text) == [
        "钦南区2017年依法行政工作要点",
        "各镇人民政府、街道办事处，区直各有关部门：",
        "现将《钦南区2017年依法行政工作要点》印发给你们，请认真贯彻执行。",
        "一、深化行政审批制度改革。做好已取消、调整、下放的行政审批事项的落实和衔接。（区编办牵头）",
        "二、全面推进政务公开。坚持以公开为常态、不公开为例外原则，推进决策公开、执行公开、管理公开、服务公开、结果公开。（区政府办牵头）",
        "联系人：王喆，联系电话：0777–2821234。",  # 喆 is GBK, not GB2312; &ndash; decoded
    ]
    assert source.page_metadata == {
        "title": "钦南区2017年依法行政工作要点",
        "publisher": "钦南区法制办",
        "date_published": "2017-03-06",
        "index_number": "000014349/2017-00045",
        "doc_number": "钦南法〔2017〕3号",
    }


def test_a_page_with_no_article_body_is_refused():
    with pytest.raises(SourceFileError) as err:
        read_source(FIXTURES / "list-page.html")
    assert "list-page.html" in err.value.message and "no article text" in err.value.message
    assert "save the article page itself" in err.value.message


def test_html_is_sniffed_by_content_and_a_markupless_html_file_is_text(tmp_path):
    saved = tmp_path / "page.txt"
    saved.write_bytes(b"\xef\xbb\xbf  \n" + (FIXTURES / "article.html").read_bytes())
    assert read_source(saved).format == "html"
    plain = tmp_path / "plain.html"
    plain.write_text("钦州市钦南区法治政府建设实施方案\n一、总体要求\n", encoding="utf-8")
    source = read_source(plain)
    assert source.format == "text" and source.text == "钦州市钦南区法治政府建设实施方案\n一、总体要求\n"


def test_traditional_mirror_page_furniture_and_labels_are_seen_after_conversion():
    source = read_source(FIXTURES / "mirror.html")
    assert source.conversions == ("pinyin-glosses:3", "opencc:t2s")
    assert lines_of(source.text) == [
        "钦南区法治政府建设实施方案",
        "一、总体要求",
        "1)根据中央、自治区、市关于加强机构编制管理的部署,推进机构、职能、权限、程序、责任法定化,"
        "理顺区与镇政府(街道办事处)之间的关系。(区编办牵头,区直各有关部门按职责分别负责)",
        "2)借鉴钦州港区设立行政审批局的经验,组建区行政审批局。(区编办、区政务服务管理办牵头,2017年底前完成)",
    ]
    assert source.page_metadata == {
        "title": "钦南区法治政府建设实施方案",
        "index_number": "000014349/2017-00123",
        "publisher": "钦南区人民政府办公室",
        "date_published": "2017-07-18",
        "doc_number": "钦南政办发〔2017〕25号",
    }
    assert lines_of(source.original_text) == [
        "欽南區法治政府建設(shè)實施方案",
        "一、總體要求",
        "1)根據中央、自治區、市關於加強機構編制管理的部署,推進機構、職能、權限、程序、責任法定化,"
        "理順區與鎮政府(街道辦事處)之間的關(guān)系。(區編辦牽頭,區直各有關部門按職責分別負責)",
        "2)借鑒欽州港區設(shè)立行政審批局的經驗,組建區行政審批局。(區編辦、區政務服務管理辦牽頭,2017年底前完成)",
    ]


def test_layout_table_page_keeps_the_title_and_a_doc_number_row():
    markup = """<html><head><title>关于印发钦南区2017年政务公开工作要点的通知 - 钦南区人民政府</title></head><body>
    <table><tr><td colspan="2"><a href="/">首页</a> <a href="/jg/">机构设置</a></td></tr>
    <tr><td><ul><li><a href="/zwgk/">政务公开</a></li><li><a href="/zn/">信息公开指南</a></li></ul></td>
    <td><table><tr><td>当前位置：首页 &gt; 信息公开</td></tr></table>
    <table><tr><td align="center"><b>关于印发钦南区2017年政务公开工作要点的通知</b></td></tr>
    <tr><td>钦南政办发〔2017〕12号</td></tr>
    <tr><td><p>各镇人民政府、街道办事处，区直各有关部门：</p>
    <p>经区人民政府同意，现将《钦南区2017年政务公开工作要点》印发给你们，请认真贯彻执行。</p>
    <p>一、推进决策公开。坚持以公开为常态、不公开为例外原则。</p>
    <table border="1"><tr><td>序号</td><td>任务</td><td>牵头单位</td></tr><tr><td>1</td><td>推进决策公开</td><td>区政府办</td></tr></table>
    <p>钦南区人民政府办公室</p></td></tr></table></td></tr></table>
    <div>版权所有 钦南区人民政府</div></body></html>"""
    page = html_format.page_text(markup)
    assert lines_of(page.text) == [
        "关于印发钦南区2017年政务公开工作要点的通知",
        "钦南政办发〔2017〕12号",
        "各镇人民政府、街道办事处，区直各有关部门：",
        "经区人民政府同意，现将《钦南区2017年政务公开工作要点》印发给你们，请认真贯彻执行。",
        "一、推进决策公开。坚持以公开为常态、不公开为例外原则。",
        "序号\t任务\t牵头单位",
        "1\t推进决策公开\t区政府办",
        "钦南区人民政府办公室",
    ]
    assert page.metadata == {"title": "关于印发钦南区2017年政务公开工作要点的通知", "doc_number": "钦南政办发〔2017〕12号"}


def test_a_page_declaring_the_wrong_charset_is_read_as_the_utf8_it_is(tmp_path):
    path = tmp_path / "wrong.html"
    markup = (FIXTURES / "article.html").read_text("utf-8").replace("charset=utf-8", "charset=gb2312")
    path.write_text(markup, encoding="utf-8")
    source = read_source(path)
    assert source.encoding == "utf-8"
    assert source.text == read_source(FIXTURES / "article.html").text


def test_a_big5_page(tmp_path):
    path = tmp_path / "big5.html"
    markup = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5"><title>欽南區依法行政工作要點</title></head>'
        "<body><div id='content'><p>一、深化行政審批制度改革，做好已取消、調整、下放的行政審批事項的落實和銜接。（區編辦牽頭）</p></div></body></html>"
    )
    path.write_bytes(markup.encode("big5"))
    source = read_source(path)
    assert source.encoding == "big5hkscs" and source.conversions == ("opencc:t2s",)
    assert lines_of(source.text) == [
        "钦南区依法行政工作要点",
        "一、深化行政审批制度改革，做好已取消、调整、下放的行政审批事项的落实和衔接。（区编办牵头）",
    ]


@pytest.mark.parametrize(
    "snippet, key, value",
    [
        ("<table><tr><td>成文日期：</td><td>2017年07月10日</td></tr></table>", "date_written", "2017-07-10"),
        ("<p>发文字号：钦南政发〔2017〕8号　　发布日期：2017/7/18</p>", "doc_number", "钦南政发〔2017〕8号"),
        ("<p>发文字号：钦南政发〔2017〕8号　　发布日期：2017/7/18</p>", "date_published", "2017-07-18"),
        ("<ul><li><b>发文机关：</b><span>钦南区人民政府</span></li></ul>", "publisher", "钦南区人民政府"),
        ("<p>来源:钦南区人民政府办公室 发布时间:2017-07-18 11:07浏览次数: 打印文章</p>", "publisher", "钦南区人民政府办公室"),
    ],
)
def test_metadata_label_forms(snippet, key, value):
    body = "<div class='content'><p>深入推进依法行政，加快建设法治政府，推进机构、职能、权限、程序、责任法定化。</p></div>"
    page = html_format.page_text(f"<html><body>{snippet}{body}</body></html>")
    assert page.metadata[key] == value


# --- encodings and characters ----------------------------------------------------------------


def test_big5_traditional_text_is_decoded_and_converted_keeping_the_original():
    source = read_source(FIXTURES / "big5.txt")
    assert source.format == "text" and source.encoding == "big5"
    assert lines_of(source.text) == [
        "钦州市钦南区法治政府建设实施方案(2016-2020年)",
        "一、总体要求",
        "(一)指导思想",
        "从我区实际出发，突出问题导向和目标导向，将政府活动全面纳入法治轨道。",
        "1)根据中央、自治区、市关于加强机构编制管理的部署，推进机构、职能、权限、程序、责任法定化。(区编办牵头，区直各有关部门按职责分别负责)",
    ]
    assert source.conversions == ("opencc:t2s",)
    assert source.original_text is not None
    assert lines_of(source.original_text)[0] == "欽州市欽南區法治政府建設實施方案(2016-2020年)"
    assert "牽頭" in source.original_text


def test_utf8_with_bom_and_crlf():
    source = read_source(FIXTURES / "bom.txt")
    assert source.encoding == "utf-8-sig" and source.format == "text"
    assert source.text == (
        "钦州市钦南区法治政府建设实施方案(2016-2020年)\n一、总体要求\n"
        "2020年,基本建成职能科学、权责法定、执法严明、公开公正、廉洁高效、守法诚信的法治政府。\n"
    )
    assert source.original_text is None and source.conversions == () and source.page_metadata == {}


def test_simplified_seeds_are_left_alone():
    for path in sorted(SEEDS.glob("*.txt")):
        source = read_source(path)
        assert source.conversions == () and source.original_text is None, path.name


def test_glosses_removed_and_traditional_converted_in_a_mirror_page():
    source = read_source(FIXTURES / "glosses.txt")
    assert source.conversions == ("pinyin-glosses:9", "opencc:t2s")
    assert lines_of(source.text) == [
        "钦南区法治政府建设实施方案(2016-2020年)",
        "(一)总体目标",
        "借鉴钦州港区设立行政审批局的经验，有关部门(区法制办牵头)要在2017年底前完成。",
        "对违法行为依法查处，推进综合执法。",
        "完善行政调解制度(试行)，建立会商机制(ABC)。",
        "引导妇女参与，绿色发展，推进县域治理，设立法律顾问室(office)。",
    ]
    assert "設(shè)立" in source.original_text and "欽南區" in source.original_text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("設(shè)立", "設立"),
        ("有關(guān)部門", "有關部門"),
        ("設（shè）立", "設立"),
        ("执(zhí)法", "执法"),
        ("会(huì)商", "会商"),
        ("绿(lü)色", "绿色"),
        ("妇女(nü)", "妇女"),
        ("县(xian4)域", "县域"),
        ("关(guan1)于", "关于"),
        ("(区法制办牵头)", "(区法制办牵头)"),
        ("方案(2017年)", "方案(2017年)"),
        ("任务(一)", "任务(一)"),
        ("办法(试行)", "办法(试行)"),
        ("机制(ABC)", "机制(ABC)"),
        ("顾问室(office)", "顾问室(office)"),
        ("附件(a)", "附件(a)"),  # a bare syllable with no tone is not taken as a gloss …
        ("第(2)项", "第(2)项"),
    ],
)
def test_pinyin_glosses(text, expected):
    assert remove_pinyin_glosses(text)[0] == expected


def test_toneless_glosses_go_only_in_a_text_that_has_toned_ones():
    assert remove_pinyin_glosses("有關(guan)部門")[0] == "有關(guan)部門"
    assert remove_pinyin_glosses("設(shè)立有關(guan)部門") == ("設立有關部門", 2)  # … unless the page glosses


def test_traditional_detection_needs_more_than_a_stray_character():
    assert to_simplified("推进政府事权规范化、法制化,乾隆年间") == ("推进政府事权规范化、法制化,乾隆年间", False)
    assert to_simplified("推進政府事權規範化") == ("推进政府事权规范化", True)
    assert normalize_characters("依法行政") == ("依法行政", [])


# --- PDF -------------------------------------------------------------------------------------

PDF_EXPECTED = [
    "钦州市钦南区法治政府建设实施方案",
    "（2016—2020年）",
    "一、总体要求",
    "（一）指导思想",
    "高举中国特色社会主义伟大旗帜，深入贯彻落实党的十八大和十八届三中、四中、五中、六中全会精神，"
    "将政府活动全面纳入法治轨道，用法治引领改革发展、推动民生改善和社会公正。",
    "二、主要任务和具体措施",
    "（一）依法全面履行政府职能",
    "目标：牢固树立“创新、协调、绿色、开放、共享”的发展理念，简政放权、放管结合、优化服务，切实转变政府职能。",
    "措施：",
    "1.依法界定政府职能",
    "1）根据中央、自治区、市关于加强机构编制管理的部署，推进机构、职能、权限、程序、责任法定化，"
    "理顺区与镇政府（街道办事处）之间、政府部门之间的关系，进一步明确政府职责重点，推进事权下放。"
    "（区编办牵头，区直各有关部门、各镇政府、街道办事处按职责分别负责）",
    "2.深化行政审批制度改革",
    "2）建立规范行政审批的管理制度。严格执行国务院、自治区、市人民政府有关取消、调整、下放行政审批事项的决定，"
    "做好已取消、调整、下放的行政审批事项的落实和衔接。（区编办、区政务服务管理办牵头，区直各有关部门按职责分别负责，2017年底前完成）",
    "19.创新行政执法方式",
    "37）全面推行行政执法公示制度。对本地区、本单位的执法主体、执法依据、执法权限、执法程序、执法结果等信息实行动态管理",
    "牵头单位：区法制办",
    "配合单位：区直各有关部门",
    "完成时限：2017年底前",
]


def test_pdf_is_reflowed_without_page_numbers_and_running_header(tmp_path):
    pdf = build(FIXTURES / "reflow.pdf.src", tmp_path / "reflow.pdf")
    source = read_source(pdf)
    assert source.format == "pdf" and source.encoding == "binary"
    assert lines_of(source.text) == PDF_EXPECTED
    assert "钦州市钦南区人民政府办公室文件" not in source.text


def test_owner_password_only_pdf_opens(tmp_path):
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf_bytes((FIXTURES / "reflow.pdf.src").read_text("utf-8")))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "permissions.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert lines_of(read_source(path).text) == PDF_EXPECTED


@pytest.mark.parametrize("line", ["- 3 -", "—3—", "－ 12 －", "第3页", "第 3 页 共 10 页", "3/10", "3 / 10", "7", "Page 2 of 9"])
def test_page_number_lines(line):
    assert is_page_number(line)


@pytest.mark.parametrize("line", ["2017年底前", "1.依法界定政府职能", "3）", "第三条", "(2016-2020年)"])
def test_not_page_numbers(line):
    assert not is_page_number(line)


def test_reflow_joins_hard_wraps_and_keeps_item_boundaries():
    lines = [
        "（一）指导思想",  # a short heading: not joined to the paragraph below
        "建设法治政府必须坚持中国共产党的领导，坚持人民主体地位，坚持法",
        "律面前人人平等，坚持依法治国和以德治国相结合。",
        "- 2 -",
        "1）理顺区与镇政府之间的关系，统筹推进政府（街道办事处）",  # ')' mid-sentence: joined
        "职责法定化。（区编办牵头，区直各有关部门按职责分别负责）",  # ')' closing a measure: ends it
        "2）严格执行规范性文件制定程序，认真落实规范性文件的调研起草",
        "牵头单位：区法制办",  # a labelled line never continues the one before
        "3）建立健全行政裁量权基准制度，细化、量化行政裁量标准，统一规范",
        "（1）行政裁量的范围",
        "① 种类和幅度，",  # a short line ending with a comma continues
        "由区直各有关部门负责。",
        "第一条 为了规范行政执法行为，制定本办法。",
        "2017年底前完成",
    ]
    assert reflow(lines).splitlines() == [
        "（一）指导思想",
        "建设法治政府必须坚持中国共产党的领导，坚持人民主体地位，坚持法律面前人人平等，坚持依法治国和以德治国相结合。",
        "1）理顺区与镇政府之间的关系，统筹推进政府（街道办事处）职责法定化。（区编办牵头，区直各有关部门按职责分别负责）",
        "2）严格执行规范性文件制定程序，认真落实规范性文件的调研起草",
        "牵头单位：区法制办",
        "3）建立健全行政裁量权基准制度，细化、量化行政裁量标准，统一规范",
        "（1）行政裁量的范围",
        "① 种类和幅度，由区直各有关部门负责。",
        "第一条 为了规范行政执法行为，制定本办法。",
        "2017年底前完成",
    ]


def test_reflow_closing_quotes_and_indentation():
    lines = [
        "　　4.严格执行《山东省行政程序规定》和规范性文件“三统一”",  # a quote closing a term: joined
        "制度，未经合法性审查的规范性文件不得发布实施。",
        "　　5.领导干部要做到“学法、尊法、守法、用法。”",  # a quote after 。 ends the paragraph
        "各级政府及其部门要自觉运用法治思维和法治方式深化改革、推动发展",
        "　　区直各有关部门要按照本实施方案的要求制定具体工作方案。",  # indented: a new paragraph
    ]
    assert reflow(lines).splitlines() == [
        "4.严格执行《山东省行政程序规定》和规范性文件“三统一”制度，未经合法性审查的规范性文件不得发布实施。",
        "5.领导干部要做到“学法、尊法、守法、用法。”",
        "各级政府及其部门要自觉运用法治思维和法治方式深化改革、推动发展",
        "区直各有关部门要按照本实施方案的要求制定具体工作方案。",
    ]


def test_reflow_puts_a_space_between_wrapped_latin_words():
    lines = ["The State Council issued the Outline for building a rule of law government in", "2015 and the plan follows it."]
    assert reflow(lines) == "The State Council issued the Outline for building a rule of law government in 2015 and the plan follows it.\n"


def test_running_header_and_footer_are_dropped_only_when_repeated():
    pages = [
        ["钦南区人民政府文件", "正文第一页", "钦南区法制办印发", "- 1 -"],
        ["钦南区人民政府文件", "正文第二页", "钦南区法制办印发", "- 2 -"],
        ["钦南区人民政府文件", "正文第三页", "最后一页的落款"],
    ]
    assert drop_running_lines(pages) == [["正文第一页"], ["正文第二页"], ["正文第三页", "最后一页的落款"]]
    assert drop_running_lines([["措施：", "一"], ["其他", "二"]]) == [["措施：", "一"], ["其他", "二"]]
    task_pages = [["1.推进决策公开", "配合单位：区直各有关部门"], ["2.推进执行公开", "配合单位：区直各有关部门"]]
    assert drop_running_lines(task_pages) == task_pages
    numbered = [["钦南区人民政府文件 第1页", "正文一"], ["钦南区人民政府文件 第2页", "正文二"]]
    assert drop_running_lines(numbered) == [["正文一"], ["正文二"]]


def test_pdf_without_text_is_refused(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    pdf.rect(72, 72, 300, 500, fill=1)
    pdf.showPage()
    pdf.save()
    with pytest.raises(SourceFileError) as err:
        read_source(path)
    assert "scan.pdf" in err.value.message and "no extractable text" in err.value.message and "OCR" in err.value.message


def test_encrypted_pdf_is_refused(tmp_path):
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf_bytes("钦南区法治政府建设实施方案\n"))))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(SourceFileError) as err:
        read_source(path)
    assert "locked.pdf" in err.value.message and "password" in err.value.message


def test_damaged_pdf_is_refused(tmp_path):
    path = tmp_path / "cut.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    with pytest.raises(SourceFileError) as err:
        read_source(path)
    assert "cut.pdf" in err.value.message and "not a readable PDF" in err.value.message


# --- DOCX ------------------------------------------------------------------------------------


def test_docx_paragraphs_and_tables_keep_document_order(tmp_path):
    docx = build(FIXTURES / "interleaved.docx.src", tmp_path / "interleaved.docx")
    source = read_source(docx)
    assert source.format == "docx" and source.encoding == "binary"
    assert lines_of(source.text) == [
        "钦州市钦南区法治政府建设实施方案(2016-2020年)",
        "一、总体要求",
        "(一)指导思想",
        "为贯彻落实全面推进依法治国重大战略部署,深入推进依法行政,实现到2020年基本建成法治政府目标,结合实际,制定本实施方案。",
        "二、主要任务和具体措施",
        "序号\t任务\t牵头单位\t配合单位\t完成时限",
        "1\t建立规范行政审批的管理制度\t区编办、区政务服务管理办\t区直各有关部门\t2017年底前",
        "2\t全面推行行政执法公示制度\t区法制办\t区直各有关部门\t2017年底前",
        "三、组织保障和落实机制",
        "区法制办要牵头做好对法治政府建设进展情况的督促检查。",
        "序号\t任务\t牵头单位",
        "3\t加强党对法治政府建设的领导\t区政府办",
        "四、实施步骤",
    ]


def test_docx_merged_cells_are_taken_once_per_row(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("任务分工")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["序号", "任务", "牵头单位"], ["1", "深化行政审批制度改革", "区编办"], ["2", "推进政务公开", ""]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(0, 1).merge(table.cell(0, 2))  # a header spanning two columns
    table.cell(1, 2).merge(table.cell(2, 2))  # 区编办 covers rows 1 and 2
    path = tmp_path / "merged.docx"
    document.save(str(path))
    assert lines_of(read_source(path).text) == [
        "任务分工",
        "序号\t任务 牵头单位",
        "1\t深化行政审批制度改革\t区编办",
        "2\t推进政务公开\t区编办",
    ]


def test_docx_src_parsing():
    assert parse_docx_src("标题\n|a|b|\n|1|2|\n正文\n|x|y|\n") == ["标题", [["a", "b"], ["1", "2"]], "正文", [["x", "y"]]]


# --- the fixture builder ---------------------------------------------------------------------


def test_builder_output_is_byte_for_byte_reproducible(tmp_path):
    src_docx = (FIXTURES / "interleaved.docx.src").read_text("utf-8")
    src_pdf = (FIXTURES / "reflow.pdf.src").read_text("utf-8")
    assert docx_bytes(src_docx) == docx_bytes(src_docx)
    assert pdf_bytes(src_pdf) == pdf_bytes(src_pdf)
    a = build_docx(src_docx, tmp_path / "a.docx").read_bytes()
    b = build_pdf(src_pdf, tmp_path / "b.pdf").read_bytes()
    assert a == docx_bytes(src_docx) and b == pdf_bytes(src_pdf)
    with zipfile.ZipFile(io.BytesIO(a)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_builder_puts_the_output_next_to_the_source(tmp_path):
    src = tmp_path / "plan.docx.src"
    src.write_text("钦南区法治政府建设实施方案\n", encoding="utf-8")
    assert build(src) == tmp_path / "plan.docx" and (tmp_path / "plan.docx").exists()
    with pytest.raises(ValueError):
        build(tmp_path / "plan.txt.src")


# --- errors ----------------------------------------------------------------------------------


def test_empty_file(tmp_path):
    path = tmp_path / "empty.html"
    path.write_bytes(b"  \n\t")
    with pytest.raises(SourceFileError) as err:
        read_source(path)
    assert err.value.message == f"{path}: the file is empty"


def test_binary_junk(tmp_path):
    path = tmp_path / "junk.txt"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(SourceFileError) as err:
        read_source(path)
    assert "junk.txt" in err.value.message and "binary" in err.value.message


def test_old_word_doc_is_named(tmp_path):
    path = tmp_path / "plan.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    with pytest.raises(SourceFileError) as err:
        read_source(path)
    assert "binary" in err.value.message and ".doc" in err.value.message and "save it as .docx" in err.value.message


def test_zip_that_is_not_a_docx(tmp_path):
    path = tmp_path / "bundle.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "钦南区法治政府建设实施方案")
    with pytest.raises(SourceFileError) as err:
        read_source(path)
    assert "bundle.docx" in err.value.message and "not a Word .docx" in err.value.message
    assert "word/document.xml" in err.value.message


def test_a_utf8_file_cut_off_inside_its_last_character_keeps_what_is_whole(tmp_path):
    from policykg.ingest import extract

    text = "青山县法治政府建设实施方案\n一、主要任务\n1.推行权力清单制度。(县编办牵头)\n2.规范执法行为"
    path = tmp_path / "cut.txt"
    path.write_bytes(text.encode("utf-8")[:-1])  # the last character 为 lost its third byte
    ex = extract(path)
    assert ex.title == "青山县法治政府建设实施方案" and len(ex.measures) == 2
    assert ex.text.endswith("规范执法行") and "cut-off-character-dropped" in ex.conversions
    # bytes that are wrong elsewhere are still refused (not a cut-off file)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\xfa" + "青山县".encode() * 3 + b"\x80\x81")
    with pytest.raises(SourceFileError):
        extract(bad)
