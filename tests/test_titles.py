"""A page without its title line is still a document (issue 11, item 1): a report that says what
it is in its opening gets the title such reports carry, from the body it speaks for, its year and
its subject; anything else is kept under a provisional title with a warning. Texts made up here,
in the style of real openings."""

from __future__ import annotations

from policykg.ingest import extract_text

REPORT_WITHOUT_TITLE = (
    "2019年,钦州市钦南区司法局在区委、区政府的正确领导下,认真贯彻落实《法治政府建设实施纲要(2015—2020年)》,"
    "扎实推进法治政府建设各项工作,现将2019年法治政府建设工作情况报告如下:\n"
    "一、主要工作及成效\n"
    "(一)加强组织领导。全年召开专题会议4次,研究部署法治政府建设重点任务。\n"
    "二、存在的问题\n"
    "基层执法力量仍然薄弱。\n"
    "三、2020年工作打算\n"
    "继续深化行政执法三项制度改革。\n"
)

GOVERNMENT_REPORT_WITHOUT_TITLE = (
    "2018年以来,在市委、市政府的坚强领导下,钦南区政府紧紧围绕《2018年法治政府建设工作要点》确定的目标任务,"
    "深入推进依法行政,现将依法行政工作有关情况报告如下:\n"
    "一、推进政府职能转变\n"
    "(一)深化简政放权。取消和调整行政审批事项12项。\n"
)


def test_a_report_without_its_title_line_gets_the_title_its_opening_gives():
    ex = extract_text(REPORT_WITHOUT_TITLE, "report.txt")
    assert ex.title == "钦南区司法局2019年法治政府建设情况报告"
    assert ex.title_derived and ex.genre == "情况报告" and ex.report_year == 2019
    assert ex.jurisdiction_code == "450702" and ex.level == "county"
    assert ex.issuers == ["钦南区司法局"]
    assert not [w for w in ex.warnings if "no document title" in w]
    # its citation of the 纲要 is kept, as in any report
    assert any("法治政府建设实施纲要" in c.title for c in ex.citations)


def test_a_government_report_on_lawful_administration_is_named_for_its_subject():
    ex = extract_text(GOVERNMENT_REPORT_WITHOUT_TITLE, "report.txt")
    assert ex.title == "钦南区人民政府2018年依法行政工作情况报告"
    assert ex.report_year == 2018 and ex.level == "county"


def test_a_text_with_no_title_and_no_cue_is_kept_under_a_provisional_title_with_a_warning():
    ex = extract_text("这是一段没有标题的文字,说明了若干事项。\n第二行也没有标题。\n", "notes.txt")
    assert ex.title.startswith("(无标题) 这是一段没有标题的文字") and ex.title.endswith("[notes.txt]")
    assert ex.title_derived
    assert any("no document title found" in w and "provisional title" in w for w in ex.warnings)
    other = extract_text("这是一段没有标题的文字,说明了若干事项。\n第二行也没有标题。\n", "other.txt")
    assert other.key != ex.key  # two title-less files stay two documents


TRANSMITTAL = (
    "您当前的位置:首页>政务公开>通知公告\n"
    "钦州市钦南区人民政府办公室关于印发《钦州市钦南区2020年法治政府建设工作要点》的通知\n"
    "钦南政办发〔2020〕12号\n"
    "各镇人民政府,区直各有关单位:\n"
    "现将《钦州市钦南区2020年法治政府建设工作要点》印发给你们,请认真贯彻执行。\n"
    "钦州市钦南区2020年法治政府建设工作要点\n"
    "一、加强组织领导\n"
    "1.健全法治政府建设工作机制。(区司法局牵头,区直各有关单位负责)\n"
)


def test_a_notice_transmitting_a_document_is_the_page_of_that_document():
    """关于印发《X》的通知: the document is X (its genre, its period); the notice's 文号 stays with it,
    and the breadcrumb above it is page furniture, not a title."""
    ex = extract_text(TRANSMITTAL, "notice.html")
    assert ex.title == "钦州市钦南区2020年法治政府建设工作要点"
    assert ex.genre == "工作要点"
    assert ex.doc_number == "钦南政办发〔2020〕12号"
    assert ex.jurisdiction_code == "450702"


def test_a_breadcrumb_is_never_a_title():
    text = "您当前的位置: 首页>政务公开>法治政府年度报告> 区司法局法治政府年度报告\n" + REPORT_WITHOUT_TITLE
    ex = extract_text(text, "page.html")
    assert "位置" not in ex.title and ex.title == "钦南区司法局2019年法治政府建设情况报告"


def test_a_ministry_report_without_its_title_is_at_the_national_level():
    text = ("2023年,水利部坚持以习近平法治思想为指导,深入贯彻落实《法治政府建设实施纲要(2021—2025年)》,"
            "扎实推进水利法治建设,各项工作取得新进展。\n一、健全水利法律制度\n修订水行政处罚实施办法。\n")
    ex = extract_text(text, "mirror.html")
    assert ex.title == "水利部2023年法治政府建设情况报告"
    assert ex.level == "national" and ex.jurisdiction_code == "100000"
    assert ex.issuers == ["水利部"] and ex.genre == "情况报告"


def test_a_local_department_is_never_taken_for_a_ministry():
    text = ("2023年,钦州市发展和改革委员会坚持以习近平法治思想为指导,扎实推进法治政府建设,现将有关工作情况报告如下:\n"
            "一、主要工作\n完成行政规范性文件审查48件。\n")
    ex = extract_text(text, "report.txt")
    assert ex.level == "prefectural" and ex.jurisdiction_code == "450700"


def test_a_notice_without_its_title_line_is_the_document_it_transmits():
    text = ("各镇人民政府,区直各有关单位:\n"
            "现将《钦州市钦南区2021年依法行政工作要点》印发给你们,请结合实际认真贯彻落实。\n"
            "钦州市钦南区人民政府办公室\n2021年3月5日\n")
    ex = extract_text(text, "notice.txt")
    assert ex.title == "钦州市钦南区2021年依法行政工作要点" and ex.title_derived
    assert ex.genre == "工作要点" and ex.jurisdiction_code == "450702"
    assert not [w for w in ex.warnings if "no document title" in w]


def test_a_doc_number_that_lost_its_bracket_and_line_break_is_repaired():
    """Text copied from a page that lost 〕, 号 and the line break: 钦南政发〔201915 runs into the issuer's name."""
    text = ("钦州市钦南区人民政府关于印发钦州市钦南区推行行政执法三项制度实施方案的通知\n"
            "钦南政发〔201915钦州市钦南区人民政府\n"
            "各镇人民政府,区直各有关单位:\n"
            "现将《钦州市钦南区推行行政执法三项制度实施方案》印发给你们,请认真组织实施。\n")
    ex = extract_text(text, "notice.txt")
    assert ex.doc_number == "钦南政发〔2019〕15号"
    assert ex.title == "钦州市钦南区推行行政执法三项制度实施方案" and ex.genre == "实施方案"


# --- classes 1, 3, 4 and 13 of real pages (made-up pages of the invented 青山 places) ---------------

def _extract(text: str):
    return extract_text(text, "page.txt")


def test_a_title_over_three_lines_below_spaced_metadata_labels():
    ex = _extract("欢迎访问青山市人民政府网站\n首页 | 政务公开 | 办事服务 | 互动交流\n您当前的位置:首页>政务公开>政策文件\n"
                  "索 引 号:11450700MB1234567X/2022-00031\n发文机关:\n文    号:青政办发〔2022〕7号\n发布日期:2022-03-01\n"
                  "状    态:有效\n青山市人民政府办公室\n关于印发青山市2022年度法治政府建设\n工作安排的通知\n"
                  "各县(区)人民政府,市直各部门:\n经市人民政府同意,现将《青山市2022年度法治政府建设工作安排》印发给你们。\n"
                  "一、深入学习贯彻习近平法治思想\n(一)加强学习培训。(市司法局牵头,市直各部门配合,2022年6月底前完成)\n")
    assert ex.title == "青山市2022年度法治政府建设工作安排" and ex.genre == "工作安排"
    assert ex.doc_number == "青政办发〔2022〕7号" and ex.date_published == "2022-03-01"
    assert not ex.citations  # 现将《…》印发给你们 names the document itself


def test_a_labelled_title_without_a_genre_word_and_empty_metadata_fields():
    ex = _extract("名称:青山省人民政府公布2019年度法治政府建设情况\n来源: 发布日期:2019-12-13\n"
                  "2019年,在省委、省政府的坚强领导下,全省各级各部门深入推进依法行政。现将有关情况公布如下:\n"
                  "一、主要工作\n(一)依法全面履行政府职能。深化\"放管服\"改革。\n")
    assert ex.title == "青山省人民政府公布2019年度法治政府建设情况" and ex.genre == "情况报告"
    assert "发布日期" not in ex.issuers and ex.publisher is None  # 来源 is empty
    assert ex.date_published == "2019-12-13"


def test_a_news_page_carrying_a_document_and_citing_its_own_title():
    ex = _extract("《青山县法治政府建设实施方案(2021—2025年)》出台!\n发布时间:2021-05-10 来源:青山县司法局\n"
                  "近日,县委、县政府印发了《青山县法治政府建设实施方案(2021—2025年)》,全文如下:\n"
                  "为深入贯彻落实《法治政府建设实施纲要(2021—2025年)》,结合我县实际,制定本方案。\n"
                  "一、总体要求\n(一)完善依法行政制度体系。(县司法局牵头,县直各部门配合)\n")
    assert ex.title == "青山县法治政府建设实施方案(2021—2025年)" and ex.period == (2021, 2025)
    assert [c.title for c in ex.citations] == ["法治政府建设实施纲要(2021—2025年)"]  # not itself


def test_a_table_of_metadata_with_bars():
    ex = _extract("发文字号 | 青政发〔2021〕3号 | 成文日期 | 2021-02-20\n"
                  "标 题 | 青山市人民政府关于深入推进依法行政加快建设法治政府的意见 |\n"
                  "各县(区)人民政府,市直各部门:\n为深入推进依法行政,提出如下意见。\n一、总体要求\n")
    assert ex.title == "青山市人民政府关于深入推进依法行政加快建设法治政府的意见" and ex.genre == "意见"
    assert (ex.doc_number, ex.date) == ("青政发〔2021〕3号", "2021-02-20")


def test_joint_party_and_government_issuers_and_the_date_under_the_title():
    ex = _extract("中共青山市委 青山市人民政府\n关于加快推进法治青山建设的实施意见\n(2020年6月1日)\n"
                  "为全面推进依法治市,现提出如下实施意见。\n一、总体要求\n(一)完善立法机制。(市司法局负责)\n")
    # the issuers' line above a title that starts with 关于 is part of the title, as the document is cited
    assert ex.title == "中共青山市委 青山市人民政府关于加快推进法治青山建设的实施意见" and ex.genre == "实施意见"
    assert ex.issuers == ["中共青山市委", "青山市人民政府"] and ex.date == "2020-06-01"
    signed = _extract("关于加快推进法治青山建设的实施意见\n为全面推进依法治市,现提出如下实施意见。\n一、总体要求\n"
                      "(一)完善立法机制。(市司法局负责)\n中共青山市委 青山市人民政府\n2020年6月1日\n")
    assert signed.issuers == ["中共青山市委", "青山市人民政府"] and signed.date == "2020-06-01"


def test_a_bare_category_word_is_not_a_title():
    ex = _extract("工作报告\n2023年,我局在县委、县政府的正确领导下,认真贯彻落实党中央、国务院决策部署,"
                  "现将青山县司法局2023年法治政府建设工作情况报告如下:\n一、主要成效\n")
    assert ex.title == "青山县司法局2023年法治政府建设工作情况报告" and ex.genre == "情况报告"
    assert ex.title_derived


def test_central_organs_are_at_the_national_level():
    ministry = _extract("司法部2022年法治政府建设年度报告\n2022年,司法部坚持以习近平新时代中国特色社会主义思想为指导,"
                        "现将有关情况报告如下:\n一、主要工作\n")
    assert (ministry.level, ministry.issuers, ministry.genre) == ("national", ["司法部"], "情况报告")
    assert ministry.jurisdiction_code == "100000" and ministry.jurisdiction  # named, not an empty string
    administration = _extract("国家市场监督管理总局2021年法治政府建设情况报告\n2021年,市场监管总局坚持依法行政。\n")
    assert administration.level == "national" and administration.issuers == ["国家市场监督管理总局"]
    joint = _extract("中共中央 国务院\n关于加强新时代法治政府建设的意见\n为深入推进依法行政,现提出如下意见。\n一、总体要求\n")
    assert joint.level == "national" and joint.issuers == ["中共中央", "国务院"]
    # a department of a province-level city is at the provincial level
    city = _extract("重庆市司法局2022年法治政府建设年度情况报告\n2022年,市司法局认真贯彻落实市委、市政府决策部署。\n")
    assert (city.level, city.issuers) == ("provincial", ["重庆市司法局"])
    assert _extract("西部地区法治政府建设实施方案\n一、总体要求\n").level is None  # 西部 is not a ministry


def test_a_transmitted_document_is_issued_by_the_notices_issuer():
    ex = _extract("钦州市钦南区人民政府办公室关于印发钦南区2018年依法行政工作要点的通知\n各镇人民政府,区直各部门:\n"
                  "现将《钦南区2018年依法行政工作要点》印发给你们,请认真贯彻执行。\n")
    assert ex.title == "钦南区2018年依法行政工作要点" and ex.issuers == ["钦州市钦南区人民政府办公室"]
    assert ex.level == "county"


def test_a_page_without_title_or_signature_speaks_for_the_division_its_bodies_name():
    ex = _extract("为深入贯彻落实《钦州市法治政府建设实施方案(2016—2020年)》,结合我区实际,制定本方案。\n"
                  "一、主要任务\n1.深化行政执法体制改革。(区编办牵头,公安钦北分局、国土钦北分局配合)\n"
                  "2.推进综合执法。(区司法局牵头,区直各部门配合)\n")
    assert ex.jurisdiction_code == "450703"  # 钦北区, not 钦州市 which its opening names first


def test_a_district_and_its_development_zone_signing_together_is_the_district():
    ex = _extract("关于推行行政执法公示制度的实施方案\n一、主要任务\n1.公开执法信息。(区司法局牵头)\n"
                  "江门高新技术产业开发区管理委员会\n江门市江海区人民政府\n2019年5月6日\n")
    assert ex.issuers == ["江门高新技术产业开发区管理委员会", "江门市江海区人民政府"]
    assert ex.jurisdiction_code == "440704"


def test_doc_numbers_in_every_bracket_style():
    for written in ("青政发〔2021〕3号", "青政发[2021]3号", "青政发(2021)3号", "青政发﹝2021﹞3号", "青政发【2021】3号",
                    "青政发（2021）3号", "青政发〖2021〗3号", "青政发 〔2021〕 3 号"):
        ex = _extract(f"青山市人民政府关于加强法治政府建设的意见\n{written}\n各县区人民政府:\n为加强法治政府建设,提出如下意见。\n")
        assert ex.doc_number == "青政发〔2021〕3号", written


def test_the_files_name_is_the_last_resort_for_a_title():
    body = "各乡镇人民政府,县直各部门:\n为深入推进依法行政,结合我县实际,制定本方案。\n一、主要任务\n(一)完善决策机制。(县司法局牵头)\n"
    named = extract_text(body, "青山县推进依法行政实施方案.txt")
    assert (named.title, named.genre, named.title_derived) == ("青山县推进依法行政实施方案", "实施方案", True)
    assert any("file's name" in w for w in named.warnings)
    coded = extract_text(body, "004_8a0f2a3241cfe731.txt")  # a crawler's name is not a title
    assert coded.title.startswith("(无标题)") and any("provisional title" in w for w in coded.warnings)


def test_an_autonomous_regions_wo_qu_is_the_region_itself():
    ex = _extract("为贯彻落实《法治政府建设实施纲要(2015—2020年)》,结合广西壮族自治区实际,制定本方案。我区各级政府要抓好落实。\n"
                  "一、主要任务\n1.完善行政决策制度。(自治区法制办牵头,自治区人力资源社会保障厅配合)\n")
    assert ex.jurisdiction_code == "450000"  # not a county whose short name is a word (资源县: 人力资源)


def test_portal_navigation_above_the_title_is_not_the_title():
    ex = _extract("欢迎访问青山县人民政府网站 背景颜色: 字号:大 中 小\n首页 | 政务公开 | 规划计划 | 工作报告\n"
                  "首页 > 信息公开 > 法治政府建设 > 年度报告\n分享到:\n青山县2022年法治政府建设情况报告\n(此件公开发布)\n"
                  "2022年,县司法局在县委、县政府的领导下,坚持依法行政。现将有关情况报告如下:\n一、主要工作\n")
    assert (ex.title, ex.genre, ex.report_year) == ("青山县2022年法治政府建设情况报告", "情况报告", 2022)


def test_a_title_over_three_lines_starting_with_its_issuer():
    ex = _extract("成都市人民政府\n关于2022年度法治政府建设\n情况的报告\n2022年,市政府坚持依法行政。\n一、主要工作\n")
    assert ex.title == "成都市人民政府关于2022年度法治政府建设情况的报告" and ex.issuers == ["成都市人民政府"]
    assert (ex.level, ex.genre, ex.report_year) == ("prefectural", "情况报告", 2022)


def test_a_notice_signed_above_the_plan_it_transmits_with_a_damaged_doc_number():
    ex = _extract("沧州市人民政府办公室关于印发沧州市行政执法公示制度实施方案的通知\n沧政办字20228\n各县(市、区)人民政府:\n"
                  "现将《沧州市行政执法公示制度实施方案》印发给你们。\n沧州市人民政府办公室\n2022年3月8日\n"
                  "沧州市行政执法公示制度实施方案\n一、主要任务\n1.公开执法信息。(市司法局牵头)\n")
    assert ex.title == "沧州市行政执法公示制度实施方案" and ex.doc_number == "沧政办字〔2022〕8号"
    assert (ex.issuers, ex.date, ex.level) == (["沧州市人民政府办公室"], "2022-03-08", "prefectural")
    ministry = _extract("自然资源部办公厅关于印发《自然资源部2023年法治政府建设工作要点》的通知\n各司局:\n现将工作要点印发给你们。\n"
                        "自然资源部办公厅\n2023年3月28日\n")
    assert (ministry.issuers, ministry.date, ministry.level) == (["自然资源部办公厅"], "2023-03-28", "national")


def test_a_page_without_title_that_says_what_it_is_and_the_level_it_speaks_from():
    plan = _extract("欢迎访问青山县人民政府门户网站\n为推进全县依法行政,结合我县实际,制定本方案。\n一、主要任务\n"
                    "1.完善决策。(县司法局牵头,县直各部门配合)\n")
    assert plan.title.startswith("(无标题) 为推进全县依法行政") and plan.genre == "实施方案"
    assert plan.jurisdiction is None and plan.level == "county"  # 全县, 我县, 县直: a county's, though unknown
    opinion = _extract("为加强法治政府建设,结合全市实际,现提出如下意见。\n一、总体要求\n")
    assert (opinion.genre, opinion.level) == ("意见", "prefectural")


def test_review_cases_issuers_signatures_and_forwarded_notices():
    # the verb before a body is not part of the issuer
    ex = _extract("关于印发钦州市司法局2021年法治政府建设工作要点的通知\n各县区司法局:\n"
                  "现将《钦州市司法局2021年法治政府建设工作要点》印发给你们。\n")
    assert ex.title == "钦州市司法局2021年法治政府建设工作要点" and ex.issuers == ["钦州市司法局"]
    # a measure laid out a cell a line is not a signature above the plan
    cells = _extract("钦州市法治政府建设工作要点\n一、主要任务\n1.完善行政决策程序。\n牵头单位:\n市人民政府办公室\n2022年12月31日\n"
                     "2.规范行政执法。(市司法局牵头)\n3.加强执法监督。(市司法局牵头)\n4.推进政务公开。(市政务服务中心牵头)\n"
                     "5.完善复议制度。(市司法局牵头)\n6.加强普法。(市司法局牵头)\n7.提升能力。(市委组织部牵头)\n")
    assert cells.date is None and cells.issuers != ["市人民政府办公室"]
    # a notice forwarding another body's document is the notice
    forwarded = _extract("钦州市人民政府办公室关于转发广西壮族自治区司法厅2021年依法行政工作要点的通知\n各县区人民政府:\n"
                         "现将自治区司法厅工作要点转发给你们。\n")
    assert forwarded.genre == "通知" and forwarded.issuers == ["钦州市人民政府办公室"] and forwarded.level == "prefectural"
    # a party committee's department is not a ministry
    assert _extract("组织部2022年工作要点\n一、主要任务\n").level is None


def test_a_title_line_with_the_sites_name_full_width_digits_and_a_newspaper_as_source():
    site = _extract("关于印发青山市2022年法治政府建设工作要点的通知_青山市人民政府门户网站\n各县区人民政府:\n"
                    "现将《青山市2022年法治政府建设工作要点》印发给你们。\n")
    assert site.title == "青山市2022年法治政府建设工作要点"
    wide = _extract("青山市司法局２０２２年度法治政府建设工作报告\n２０２２年，市司法局认真落实《法治政府建设实施纲要（２０２１—２０２５年）》。\n")
    assert wide.title == "青山市司法局2022年度法治政府建设工作报告" and wide.report_year == 2022
    assert [c.title for c in wide.citations] == ["法治政府建设实施纲要（2021—2025年）"]
    news = _extract("青山市2023年依法行政工作要点\n来源:青山日报 作者:张三\n一、主要任务\n1.完善制度。(市司法局牵头)\n")
    assert "青山日报" not in news.issuers
