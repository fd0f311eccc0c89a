"""Document metadata: title, 文号, issuers, jurisdiction, dates, genre, and the year a report covers."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from policykg.ingest.divisions import LEVEL_RANK, NATIONAL, Division, Divisions
from policykg.ingest.text import DOC_NUMBER, Line, fold, is_furniture, narrow_alnum, normalize_doc_number

# Genre by the word a title ends with (or, for the document's own title, contains), first match wins.
_GENRE_WORDS = (
    ("情况的报告", "情况报告"), ("情况报告", "情况报告"), ("工作汇报", "工作汇报"), ("汇报", "工作汇报"),
    ("工作报告", "工作报告"), ("报告", "情况报告"), ("实施纲要", "纲要"), ("纲要", "纲要"), ("实施方案", "实施方案"),
    ("工作方案", "工作方案"), ("分工方案", "工作方案"), ("方案", "实施方案"),
    ("实施意见", "实施意见"), ("工作要点", "工作要点"), ("要点", "工作要点"), ("工作安排", "工作安排"),
    ("规划", "规划"), ("意见", "意见"), ("通知", "通知"), ("决定", "决定"),
)
_LAW_WORDS = (("条例", "法规"), ("规定", "法规"), ("办法", "法规"), ("规则", "法规"), ("法", "法律"))
REPORT_GENRES = {"情况报告", "工作汇报", "工作报告"}
_DATE_ISO = re.compile(r"(?P<y>(?:19|20)\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_DATE_CN = re.compile(r"^(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日$")
_DATE_DIGITS = re.compile(r"^(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)")  # 20171226 (年月日 lost)
_PUBLISHED = re.compile(r"(?:发布日期|发布时间|更新时间)\s*:\s*(?P<v>\d{4}-\d{1,2}-\d{1,2})")
_SOURCE = re.compile(r"(?:来源|发布机构)\s*:\s*(?P<v>[\u4e00-\u9fff]+)")
_SIGNER = re.compile(r"^[\u4e00-\u9fff()]{4,30}(?:人民政府|管理委员会|管委会|委员会|办公室|办公厅|政府|法制办)$")
_RECIPIENT = re.compile(r"^(?P<v>[\u4e00-\u9fff]{1,24}(?:政府|办公室|委员会|领导小组办公室|人大常委会)):$")
_PERIOD = re.compile(r"\((\d{4})-(\d{4})年?\)")
_NUMBERED_ITEM = re.compile(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．])")
_BARE_DOC_NUMBER = re.compile(r"(?P<code>[\u4e00-\u9fff]{1,10}?(?:发|字|办|函|通|令|规))\s*(?P<year>(?:19|20)\d{2})\s*(?P<serial>[1-9]\d{0,3})\s*号?")
_DATE_CN_ANY = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
_DATE_UNDER_TITLE = re.compile(r"^\((?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日[\u4e00-\u9fff\d]{0,30}\)$")
_SIGNER_PART = re.compile(r"^(?:中共中央|党中央|国务院|(?:中共)?[\u4e00-\u9fff()]{2,30}(?:人民政府|管理委员会|管委会|委员会|办公室|政府|法制办|[省市州县区旗]委))$")
# the central organs (中共中央, 国务院 and its ministries, commissions and administrations) at the
# start of a title or as an issuer: 司法部2022年…, 国家市场监督管理总局…, 国务院办公厅关于…
_CENTRAL = re.compile(r"^(?:中共中央办公厅|中共中央|党中央|国务院办公厅|国务院|全国人大常委会|国家[\u4e00-\u9fff]{2,12}?(?:总局|局|委员会|署)"
                      r"|(?P<ministry>[\u4e00-\u9fff]{1,8}?部))(?=关于|(?:19|20)\d{2}|$|\s)")


# a party committee's departments at every level, not ministries of the State Council
_PARTY_DEPARTMENTS = ("组织部", "宣传部", "统战部", "统一战线工作部", "政法部", "社会工作部", "网信部")


def central(text: str) -> str | None:
    """The central organ a title starts with or an issuer is (None for 省司法厅, 市发展改革委 …)."""
    m = _CENTRAL.match(text.strip())
    if m is None or (m.group("ministry") and (re.search(r"[省市县区旗州盟]", m.group("ministry"))
                                            or m.group("ministry").endswith(_PARTY_DEPARTMENTS))):
        return None
    return m.group(0).strip()


def _signers(line: str) -> list[str]:
    """The issuers a signature line names: one (青山县人民政府) or several, joint (中共青山市委 青山市人民政府)."""
    t = line.strip()
    if _SIGNER.match(t):
        return [t]
    parts = [p for p in re.split(r"[\s、]+", t) if p]
    return parts if len(parts) > 1 and all(_SIGNER_PART.match(p) for p in parts) else []


@dataclass
class Metadata:
    title: str | None = None
    title_line: Line | None = None
    title_derived: bool = False
    title_from_file_name: bool = False
    doc_number: str | None = None
    issuers: list[str] = field(default_factory=list)
    division: Division | None = None
    date: str | None = None
    date_published: str | None = None
    genre: str | None = None
    report_year: int | None = None
    recipient: str | None = None
    period: tuple[int, int] | None = None
    publisher: str | None = None  # 发布机构/来源 shown by the web page
    body: list[Line] = field(default_factory=list)


def _iso(m: re.Match[str]) -> str:
    return f"{int(m.group('y')):04d}-{int(m.group('m')):02d}-{int(m.group('d')):02d}"


def genre_of(title: str, cited: bool = False) -> str | None:
    """The genre of a title. A cited title is judged by its last word (and may be a law or
    regulation); a document's own title may carry the genre word anywhere (…报告 of 2017年度…)."""
    core = _PERIOD.sub("", title).rstrip()
    for word, genre in (*_GENRE_WORDS, *_LAW_WORDS):
        if core.endswith(word):
            return "报告" if cited and genre == "情况报告" and not core.endswith("情况报告") else genre
    if cited:
        return None
    for word, genre in _GENRE_WORDS:
        if word in core:
            return genre
    # a report whose title has no genre word: 青山省人民政府公布2019年度法治政府建设情况, …工作总结
    if len(core) >= 10 and core.endswith(("情况", "总结")):
        return "情况报告" if core.endswith("情况") else "工作报告"
    return None


def _looks_like_title(t: str) -> bool:
    return (len(t) <= 60 and not t.endswith(("。", ":")) and genre_of(t) is not None
            and not re.match(r"^[一二三四五六七八九十]+、|^\(", t) and not _CATEGORY.fullmatch(t) and not _NAVIGATION.search(t))


# a portal's navigation: 首页 | 政务公开 | 工作报告, 首页 > 信息公开 > 年度报告 (short items between separators)
_NAVIGATION = re.compile(r"^(?:[^|>›»/]{1,10}\s*[|>›»/]\s*){2,}[^|>›»/]{1,10}$|^(?:首页|网站首页|当前位置|您的位置)")


# a bare category word from a portal's navigation (工作报告, 通知公告, 政策文件) is not a title
_CATEGORY = re.compile(r"(?:工作|情况|年度)?(?:报告|汇报|通知|公告|通知公告|意见|规划|要点|方案|政策文件|规范性文件|政策解读|文件)")
# what a news page adds around the title of the document it carries: 《…》出台!, 《…》正式印发
_NEWS_TITLE = re.compile(r"^(?:[\u4e00-\u9fff]{0,12}?(?:印发|出台|发布|公布))?《(?P<doc>(?:[^《》]|《[^《》]*》){4,60})》"
                         r"(?:正式)?(?:印发|出台|发布|公布|全文|来了|实施)?[!!。.]*$")


def _fragment(t: str) -> bool:
    """A line that may be the first part of a title broken over lines: short, no sentence punctuation."""
    return 2 <= len(t) <= 40 and not re.search(r"[。,,;;:!?!?]", t) and not _LABEL_ROW.match(t) and not is_furniture(t)


def _title_start(content: list[Line], i: int) -> int:
    """The first line of a title ending on line ``i``: the lines above it that it continues
    (关于印发青山市2021年度法治政府建设 / 工作安排的通知; 青山市法治政府建设 / 实施方案(2021—2025年))."""
    first = i
    for _ in range(2):
        if first == 0:
            break
        prev, cur = content[first - 1].text.strip(), content[first].text.strip()
        continues = cur.startswith(("的", "(", "实施", "工作", "方案", "意见", "规划", "纲要", "要点", "报告", "通知"))
        if _fragment(prev) and not _signers(prev) and (prev.startswith("关于") or continues or "关于" in prev):
            first -= 1
        else:
            break
    # the issuer on the line above a title that starts with 关于 is part of the title (成都市人民政府 /
    # 关于2022年度法治政府建设情况的报告; 中共青山市委 青山市人民政府 / 关于…的实施意见)
    if first > 0 and content[first].text.strip().startswith("关于") and _signers(content[first - 1].text.strip()):
        first -= 1
    return first


_MEDIA = re.compile(r"(?:报|报社|网|网站|电视台|广播电台|新闻中心|融媒体中心|客户端|公众号)$")
_SITE_SUFFIX = re.compile(r"\s*[_|｜]\s*[\u4e00-\u9fff（）()]{2,40}?(?:门户网站|网站|政府网|政务网|网)\s*$")
_NEWS_TAIL = re.compile(r"(?:正式)?(?:印发|出台|发布|公布|全文|来了)[!!。.]*$")


def clean_title(t: str) -> str:
    """A title line without what pages put around it: a label (名称:, 标 题 |), table bars, the
    《》 a news page keeps it in and its news tail (《…》出台!)."""
    t = narrow_alnum(t).strip().strip("|").strip()
    t = _SITE_SUFFIX.sub("", t)  # …的通知_绍兴市人民政府门户网站
    if (m := _LABEL_ROW.match(t)) and _LABELS.get(_label(m.group("label"))) == "title":
        t = t[m.end():].strip().strip("|").strip()
    if m := _NEWS_TITLE.match(t):
        t = m.group("doc")
    elif (m := _NEWS_TAIL.search(t)) and genre_of(t[:m.start()]):
        t = t[:m.start()]  # 青山县…实施方案出台!
    return t


# a page's metadata rows: 索引号:… 文号:青政办发〔2022〕7号 发布日期:2022-03-01, 发文字号 | … | 成文日期 | …,
# labels spaced out (文    号:, 索 引 号:) and left empty (来源: 发布日期:…)
_LABELS = {
    **dict.fromkeys(("发文字号", "发文文号", "文号", "字号"), "doc_number"),
    **dict.fromkeys(("标题", "名称", "文件名称", "题名"), "title"),
    **dict.fromkeys(("成文日期", "成文时间", "发文日期", "印发日期"), "date"),
    **dict.fromkeys(("发布日期", "发布时间", "公开日期", "更新时间", "日期"), "published"),
    **dict.fromkeys(("发文机关", "发布机构", "发文单位", "来源", "文章来源", "信息来源"), "publisher"),
    **dict.fromkeys(("索引号", "主题分类", "体裁分类", "分类", "有效时间", "有效性", "状态", "时效", "公文种类", "主题词",
                     "组配分类", "服务对象", "浏览次数", "字体", "作者", "点击数"), "other"),
}
_LABEL_RE = "|".join(r"\s*".join(label) for label in sorted(_LABELS, key=len, reverse=True))
_LABEL_ROW = re.compile(rf"^\|?\s*(?P<label>{_LABEL_RE})\s*[:|]")
_LABEL_ANY = re.compile(rf"(?:^|(?<=[\s|]))(?P<label>{_LABEL_RE})\s*[:|]")


def _label(text: str) -> str:
    return re.sub(r"\s+", "", text)


def metadata_row(line: str) -> dict[str, str] | None:
    """The labelled values of a metadata row (None when the line is not one); empty fields are left out."""
    if not _LABEL_ROW.match(line):
        return None
    found = list(_LABEL_ANY.finditer(line))
    values: dict[str, str] = {}
    for m, nxt in zip(found, [*found[1:], None]):
        value = line[m.end():nxt.start() if nxt else len(line)].strip().strip("|").strip()
        kind = _LABELS[_label(m.group("label"))]
        if value and kind not in values:
            values[kind] = value
    return values


def read_metadata(text: str, all_lines: list[Line], divisions: Divisions, page: dict[str, str] | None = None,
                  file_name: str | None = None) -> Metadata:
    """Metadata from the text; ``page`` (an HTML page's 文号, 发布机构, 发布日期) fills what the text lacks,
    and the file's name (``file_name``) is the last resort for a title."""
    page = page or {}
    meta = Metadata()
    header = all_lines[:20]
    publisher: str | None = None
    rows: dict[str, str] = {}
    row_lines: set[int] = set()
    title_row: Line | None = None  # the row whose value is the title (名称:…, 标 题 | … |)
    for line in header:
        if (row := metadata_row(line.text)) is not None:
            row_lines.add(line.start)
            if "title" in row and title_row is None:
                title_row = line
            for kind, v in row.items():
                rows.setdefault(kind, v)
            continue
        if m := _PUBLISHED.search(line.text):
            meta.date_published = meta.date_published or _iso(_DATE_ISO.search(m.group("v")))  # type: ignore[arg-type]
        if (m := _SOURCE.search(line.text)) and not _LABEL_ROW.match(m.group("v")):
            publisher = publisher or m.group("v")
    if "published" in rows and (m := _DATE_ISO.search(rows["published"]) or _DATE_CN_ANY.search(rows["published"])):
        meta.date_published = meta.date_published or _iso(m)
    if "publisher" in rows and re.fullmatch(r"[\u4e00-\u9fff()]{2,40}", rows["publisher"]):
        publisher = publisher or rows["publisher"]
    content = [ln for ln in all_lines if not is_furniture(ln.text) and ln.start not in row_lines]
    if title_row is not None and len(clean_title(rows["title"])) >= 4:
        meta.title, meta.title_line = clean_title(rows["title"]), title_row
    for i, line in enumerate(content[:8] if meta.title is None else ()):
        if _looks_like_title(clean_title(line.text)):
            first = _title_start(content, i)  # a title over two or three lines
            meta.title = clean_title("".join(text[ln.start:ln.end].strip() for ln in content[first:i + 1]))
            meta.title_line = Line(content[first].start, line.end, "".join(ln.text for ln in content[first:i + 1]))
            # the issuers a title starts with on a line of their own: 中共青山市委 青山市人民政府 / 关于…
            if first < i and (parts := _signers(content[first].text)):
                meta.issuers = parts
            break
    if meta.title_line is not None and not meta.issuers and (before := [ln for ln in content if ln.end <= meta.title_line.start][-1:]):
        # joint issuers on the line above the title: 中共青山市委 青山市人民政府
        if parts := _signers(before[0].text):
            meta.issuers = parts
    # 文号 on a line of its own near the top
    for line in content[:12]:
        t = line.text.strip()
        # on a line of its own, or glued to the issuer's name when the line break was lost (献政字〔201722献县人民政府)
        if (m := DOC_NUMBER.fullmatch(t)) or ((m := DOC_NUMBER.match(t)) and _SIGNER.match(t[m.end():].strip())):
            meta.doc_number = normalize_doc_number(m)
            break
    if meta.doc_number is None:
        for line in content[:12]:
            if m := _BARE_DOC_NUMBER.fullmatch(line.text.strip()):  # 青县发20195: 青县发〔2019〕5号, its brackets lost
                meta.doc_number = f"{m.group('code')}〔{m.group('year')}〕{int(m.group('serial'))}号"
                break
    if meta.doc_number is None and "doc_number" in rows and (m := DOC_NUMBER.search(fold(rows["doc_number"]))):
        meta.doc_number = normalize_doc_number(m)
    # the date under the title of an 意见 or 决定: (2020年6月1日) or (2020年6月1日市政府第5次常务会议通过)
    for line in content[:10]:
        if m := _DATE_UNDER_TITLE.match(line.text.strip()):
            meta.date = _iso(m)
            break
    for line in content[:12]:
        if m := _RECIPIENT.match(line.text):
            meta.recipient = m.group("v")
            break
    # signature block at the end: signer lines then a date
    # (after the last numbered item: a measure laid out a cell a line, 牵头单位: / 市人民政府办公室 /
    # 2022年12月31日, is not a signature)
    last_item = max((ln.start for ln in content if _NUMBERED_ITEM.match(ln.text.strip())), default=-1)
    tail = [ln for ln in content[-8:] if ln.start > last_item]
    signers: list[str] = []
    signer_lines: set[str] = set()
    for line in tail:
        t = line.text.strip()
        if m := (_DATE_CN.match(t) or _DATE_DIGITS.match(t)):
            meta.date = _iso(m)
        elif parts := _signers(t):
            signers.extend(parts)
            signer_lines.add(t)
    signer_starts = {ln.start for ln in tail if ln.text.strip() in signer_lines}
    if not signers and meta.date is None:
        # a notice's signature and date above the plan it transmits, not at the end of the page:
        # before the plan's first numbered item (a measure laid out a cell a line is not a signature)
        head = list(itertools.takewhile(lambda ln: not _NUMBERED_ITEM.match(ln.text.strip()), content))
        for a, b in zip(head, head[1:]):
            if (parts := _signers(a.text.strip())) and (m := _DATE_CN.match(b.text.strip())):
                signers, meta.date = parts, _iso(m)
                signer_starts.add(a.start)
                break
    meta.date = meta.date or (_iso(m) if "date" in rows and (m := _DATE_ISO.search(rows["date"]) or _DATE_CN_ANY.search(rows["date"])) else None)
    meta.issuers = signers or meta.issuers
    body_start = meta.title_line.end if meta.title_line else 0
    meta.body = [ln for ln in content if ln.start >= body_start and ln.start not in signer_starts and not (meta.doc_number and DOC_NUMBER.fullmatch(ln.text.strip()))]
    if meta.title and (m := _TRANSMITTAL.match(meta.title)) and genre_of(m.group("doc")):
        # a notice that transmits a document (关于印发《…》的通知) is the page of that document,
        # issued by the notice's issuer
        notice_issuer = _issuer_from_title(meta.title, divisions)
        if notice_issuer and not meta.issuers:
            meta.issuers = [notice_issuer]
        meta.title = m.group("doc")
    if meta.title:
        meta.genre = genre_of(meta.title)
        if p := _PERIOD.search(_fix_period(fold(meta.title))):
            meta.period = (int(p.group(1)), int(p.group(2)))
    if not meta.issuers:
        title_issuer = _issuer_from_title(meta.title, divisions) or central(meta.title or "")
        if title_issuer:
            meta.issuers = [title_issuer]
        elif (source := publisher or page.get("publisher")) and not _MEDIA.search(source):
            meta.issuers = [source]  # a 来源 that is a newspaper or a website carried the page, it did not issue it
    meta.publisher = page.get("publisher") or publisher
    meta.division = _jurisdiction(meta, text, divisions)
    if meta.genre is None and meta.recipient:
        meta.genre = "情况报告"
    if meta.title is None and (m := _TRANSMITS_BELOW.search(text[:3000])) and genre_of(m.group("doc")):
        # a notice whose title line is lost names what it transmits: 现将《…》印发给你们
        meta.title, meta.title_derived = m.group("doc"), True
        meta.genre = genre_of(meta.title)
        meta.division = meta.division or _jurisdiction(meta, text, divisions)
    if meta.title is None and (m := _NAMES_ITSELF.search(text[:3000])):
        # a page that names the document it carries: 现将青山县司法局2023年…情况报告如下, 印发了《…》…全文如下
        meta.title, meta.title_derived = m.group("doc") or m.group("news"), True
        meta.genre = genre_of(meta.title)
        meta.division = meta.division or _jurisdiction(meta, text, divisions)
    if meta.title is None and file_name and _looks_like_title(stem := clean_title(PurePath(file_name).stem)) \
            and re.search(r"[\u4e00-\u9fff]{6}", stem) and not re.search(r"[_\d]{6}", stem):
        # the file's name, when it is a title (青山县推进依法行政实施方案.txt, not 004_8a0f2a32.txt)
        meta.title, meta.title_derived, meta.title_from_file_name = stem, True, True
        if (m := _TRANSMITTAL.match(stem)) and genre_of(m.group("doc")):
            meta.title = m.group("doc")
        meta.genre = genre_of(meta.title)
        meta.division = meta.division or _jurisdiction(meta, text, divisions)
    if meta.title is None and meta.genre is None and (m := _MAKES_ITSELF.search(text[:3000])):
        meta.genre = _SELF_GENRES[m.group("kind") or m.group("kind2")]  # …结合我县实际,制定本方案: a plan, its title lost
    if meta.title is None and meta.genre is None and _REPORTS_ITSELF.search(text[:3000]):
        meta.genre = "情况报告"  # a report that says so (现将…情况报告如下) though its title line is lost
    ministry = _ministry(text[:600]) if meta.title is None else None
    if ministry and meta.genre in REPORT_GENRES:
        meta.division = divisions.get(NATIONAL)  # a central ministry's report is at the national level
    if meta.genre in REPORT_GENRES:
        meta.report_year = _report_year(meta, text)
    if meta.doc_number is None and page.get("doc_number") and (m := DOC_NUMBER.search(fold(page["doc_number"]))):
        meta.doc_number = normalize_doc_number(m)
    meta.date_published = meta.date_published or page.get("date_published")
    meta.date = meta.date or page.get("date_written")
    if meta.date is None:
        meta.date = meta.date_published
    if meta.title is None and meta.division is not None and meta.genre in REPORT_GENRES and meta.report_year:
        body = text[:3000]
        who = _reporting_body(body)
        topic = "依法行政工作" if "依法行政工作" in body and "法治政府建设情况" not in body else "法治政府建设"
        place = "" if ministry else divisions.short_name(meta.division)
        who = ministry or who
        meta.title = f"{place}{who}{meta.report_year}年{topic}情况报告"
        meta.title_derived = True
        if who and not meta.issuers:
            meta.issuers = [f"{place}{who}"]
    return meta


# a document that says what it is while its title line is lost: 制定本方案, 现提出如下实施意见
_MAKES_ITSELF = re.compile(r"(?:制定|制订|特制定)本(?P<kind>实施方案|工作方案|方案|规划|要点|意见)|提出(?:如下|以下)(?P<kind2>实施意见|意见)")
_SELF_GENRES = {"实施方案": "实施方案", "工作方案": "工作方案", "方案": "实施方案", "规划": "规划", "要点": "工作要点", "意见": "意见",
                "实施意见": "实施意见"}
# a notice, its title line lost, that names the document it transmits
_TRANSMITS_BELOW = re.compile(r"现将《(?P<doc>[^《》]{4,60})》印发给你们")
# a report naming itself (not as 我县…/本局…, which needs the place: see the derived title below), or
# a news page carrying a document (近日,市委、市政府印发了《…》…全文如下)
_NAMES_ITSELF = re.compile(r"现将(?P<doc>(?![我本有相])[\u4e00-\u9fff]{2,20}?(?:省|自治区|市|州|县|区|旗|局|厅|委|办|政府)"
                           r"[^。,,:;《》\n]{4,40}?报告)如下"
                           r"|(?:印发|出台|发布)了?《(?P<news>[^《》]{4,60})》[^。\n]{0,30}?全文如下")
# a report that names itself in its opening (现将…工作情况报告如下, 特此报告)
# or that opens on the year it looks back on and the body speaking (2022年,司法部坚持…)
_REPORTS_ITSELF = re.compile(r"现将[^。]{0,40}?(?:情况|工作)[^。]{0,10}?报告如下|特此报告"
                             r"|^\s*(?:19|20)\d{2}年(?:以来|度)?[,,][^。]{0,30}?(?:坚持|坚决|紧紧围绕|深入贯彻|认真贯彻)")
# the body a report speaks for, as its opening names it: 县司法局, 区政府, 市人民政府 …
_REPORTING_BODY = re.compile(r"[,,。]\s*(?:[\u4e00-\u9fff]{0,8}?[省市县区旗])?(?P<who>司法局|司法厅|人民政府|政府|法制办公室|法制办)(?:党组|党委)?(?:坚持|坚决|始终|认真|深入|全面|紧紧|以|在)")


# a central ministry or commission speaking for itself at the start of a report: 2022年,司法部坚持…
_MINISTRY = re.compile(r"^[^。]{0,20}?[,,]\s*(?P<who>(?:国家)?[\u4e00-\u9fff]{1,8}?(?:部|委员会|总局|署))(?:党组|党委)?(?:坚持|坚决|始终|认真|深入|全面|紧紧|以|在)")


def _ministry(text: str) -> str | None:
    m = _MINISTRY.search(text)
    if m is None or re.search(r"[省市县区旗州盟]", m.group("who")):
        return None  # a local department (市司法局, 县委) is not a ministry
    return m.group("who")


def _reporting_body(text: str) -> str:
    """The department a title-less report speaks for, normalised (区政府 → 人民政府); empty for
    the government itself or when the opening does not say."""
    m = _REPORTING_BODY.search(text[:600])
    if m is None:
        return ""
    who = m.group("who")
    return "人民政府" if who == "政府" else who


# (印发 only: a notice that forwards another body's document, 转发/批转, is the notice, not that document)
_TRANSMITTAL = re.compile(r"^(?:.{0,40}?)关于(?:印发|颁布)[《〈<]?(?P<doc>[^《》〈〉<>]{4,}?)[》〉>]?的通知$")


def _fix_period(title: str) -> str:
    return re.sub(r"\((\d{4})(\d{4})(年?)\)", r"(\1-\2\3)", title)


def _issuer_from_title(title: str | None, divisions: Divisions) -> str | None:
    if not title:
        return None
    m = re.match(r"^(?:关于)?(?P<who>[\u4e00-\u9fff]{2,20}?(?:人民政府办公厅|人民政府办公室|人民政府|政府法制办|法制办|政府|管理委员会|管委会"
                 r"|司法局|司法厅|局|厅|委员会))(?:关于|依法|[0-9])", title)
    # the issuer is the division's body the title starts with (钦州市司法局2021年…), never a verb
    # before it (关于印发钦州市司法局…, 关于深化钦州市人民政府…)
    if m and ((found := divisions.find(m.group("who"))) and found[0][0] == 0 or divisions.named_first(m.group("who"))):
        return m.group("who")
    return None


def _jurisdiction(meta: Metadata, text: str, divisions: Divisions) -> Division | None:
    year = int(meta.date[:4]) if meta.date else (int(m.group(1)) if meta.title and (m := _YEAR_IN_TITLE.search(meta.title)) else None)

    def named(candidate: str) -> Division | None:
        d = divisions.deepest(candidate)
        # the name a document gives itself at the start of its title or issuer: a two-character
        # county (献县), or a division as it was named at the document's date (溧水县 before 2013)
        first = divisions.named_first(candidate, year)
        if first is not None and (d is None or d.code in {a.code for a in divisions.ancestors(first)}):
            return first
        return d

    if meta.title and (d := named(meta.title)) is not None:
        return d
    # joint issuers (a development zone's 管委会 and the district's 人民政府): the division, not the
    # zone, and the most specific one
    issuers = [d for d in map(named, meta.issuers) if d is not None]
    if issuers:
        return min(issuers, key=lambda d: (d.zone, -LEVEL_RANK[d.level]))
    # a central organ naming itself (司法部2022年…报告, 中共中央 国务院 above the title) is national
    if any(central(c) for c in (meta.title or "", *meta.issuers)):
        return divisions.get(NATIONAL)
    # a report without title or signature: the jurisdiction its own documents are named after
    # (制定出台《信阳高新区2021年法治政府建设要点》) or, failing that, the most specific one named
    own = re.findall(r"(?:制定出台|出台|制定|印发)《([^》]+)》", text)
    for title in own:
        d = divisions.deepest(title[:12])
        if d is not None:
            return d
    return _speaking_division(text, divisions)


_LEVEL_SPOKEN = {"provincial": re.compile(r"[全我本]省|省直"), "prefectural": re.compile(r"[全我本][市州盟]|[市州]直"),
                 "county": re.compile(r"[全我本][县区旗]|[县区旗]直")}


def level_spoken(text: str) -> str | None:
    """The level a document whose jurisdiction is not known speaks from: how it names itself and its
    bodies (全县, 我县, 县直各部门: county). None when it says nothing, or two levels as often."""
    counts = {level: len(p.findall(text)) for level, p in _LEVEL_SPOKEN.items()}
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if ranked[0][1] == 0 or ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


_SELF_REFERENCE = {"county": re.compile(r"[我全本](?:区|县|旗)"), "prefectural": re.compile(r"[我全本](?:市|州|盟)")}


def _speaking_division(text: str, divisions: Divisions) -> Division | None:
    """The division a text without title or signature speaks for: the most specific one it names
    or, when it speaks of itself a level lower (我区, 全县) than that, the division of that level
    under it whose name its own bodies carry most often (公安钦北分局, 钦北区司法局)."""
    d = divisions.deepest(text[:2000])
    if d is None:
        return None
    for level in ("prefectural", "county"):
        said = {m.group(0)[-1] for m in _SELF_REFERENCE[level].finditer(text[:3000])}
        # 我区 of an autonomous region (广西壮族自治区) or 我州 of a 自治州 is the division itself
        if LEVEL_RANK[d.level] >= LEVEL_RANK[level] or not said - {d.name[-1]}:
            continue

        def named(c: Division) -> int:
            # a full name anywhere; a short name (钦北, also a word in places) only where a body or a
            # place is made of it (公安钦北分局, 钦北区)
            return text.count(c.name) + sum(len(re.findall(re.escape(n) + r"(?=分局|区|县|镇|旗)", text)) for n in c.short if len(n) >= 2)

        counts = {c.code: named(c) for c in divisions.below(d, level)}
        best = max(counts.items(), key=lambda kv: kv[1], default=(None, 0))
        if best[1] > 0 and sum(1 for n in counts.values() if n == best[1]) == 1:
            return divisions.get(best[0])
    return d


_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")
_YEAR_IN_BODY = re.compile(r"((?:19|20)\d{2})\s*年(?:度)?(?:以来)?\s*[,,]")
_NEXT_YEAR_PLAN = re.compile(r"((?:19|20)\d{2})\s*年工作(?:计划|打算|思路)")


def _report_year(meta: Metadata, text: str) -> int | None:
    if meta.title and (m := _YEAR_IN_TITLE.search(meta.title)):
        return int(m.group(1))
    body = "\n".join(ln.text for ln in meta.body)
    if m := _NEXT_YEAR_PLAN.search(body):
        return int(m.group(1)) - 1
    if m := _YEAR_IN_BODY.search(body):
        return int(m.group(1))
    return None
