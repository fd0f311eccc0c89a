"""Document metadata: title, 文号, issuers, jurisdiction, dates, genre, and the year a report covers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policykg.ingest.divisions import NATIONAL, Division, Divisions
from policykg.ingest.text import DOC_NUMBER, Line, fold, is_furniture, normalize_doc_number

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
_SIGNER = re.compile(r"^[\u4e00-\u9fff()]{4,30}(?:人民政府|管理委员会|管委会|委员会|办公室|政府|法制办)$")
_RECIPIENT = re.compile(r"^(?P<v>[\u4e00-\u9fff]{1,24}(?:政府|办公室|委员会|领导小组办公室|人大常委会)):$")
_PERIOD = re.compile(r"\((\d{4})-(\d{4})年?\)")


@dataclass
class Metadata:
    title: str | None = None
    title_line: Line | None = None
    title_derived: bool = False
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
    return None


def _looks_like_title(t: str) -> bool:
    return len(t) <= 60 and not t.endswith(("。", ":")) and genre_of(t) is not None and not re.match(r"^[一二三四五六七八九十]+、|^\(", t)


def read_metadata(text: str, all_lines: list[Line], divisions: Divisions, page: dict[str, str] | None = None) -> Metadata:
    """Metadata from the text; ``page`` (an HTML page's 文号, 发布机构, 发布日期) fills what the text lacks."""
    page = page or {}
    meta = Metadata()
    header = all_lines[:20]
    publisher: str | None = None
    for line in header:
        if m := _PUBLISHED.search(line.text):
            meta.date_published = meta.date_published or _iso(_DATE_ISO.search(m.group("v")))  # type: ignore[arg-type]
        if m := _SOURCE.search(line.text):
            publisher = publisher or m.group("v")
    content = [ln for ln in all_lines if not is_furniture(ln.text)]
    for line in content[:8]:
        if _looks_like_title(line.text):
            meta.title, meta.title_line = text[line.start:line.end].strip(), line
            break
    # 文号 on a line of its own near the top
    for line in content[:12]:
        t = line.text.strip()
        # on a line of its own, or glued to the issuer's name when the line break was lost (献政字〔201722献县人民政府)
        if (m := DOC_NUMBER.fullmatch(t)) or ((m := DOC_NUMBER.match(t)) and _SIGNER.match(t[m.end():].strip())):
            meta.doc_number = normalize_doc_number(m)
            break
    for line in content[:12]:
        if m := _RECIPIENT.match(line.text):
            meta.recipient = m.group("v")
            break
    # signature block at the end: signer lines then a date
    tail = [ln for ln in content[-8:]]
    signers: list[str] = []
    for line in tail:
        t = line.text.strip()
        if m := (_DATE_CN.match(t) or _DATE_DIGITS.match(t)):
            meta.date = _iso(m)
        elif _SIGNER.match(t):
            signers.append(t)
    meta.issuers = signers
    body_start = meta.title_line.end if meta.title_line else 0
    meta.body = [ln for ln in content if ln.start >= body_start and ln.text not in signers and not (meta.doc_number and DOC_NUMBER.fullmatch(ln.text.strip()))]
    if meta.title and (m := _TRANSMITTAL.match(meta.title)) and genre_of(m.group("doc")):
        # a notice that transmits a document (关于印发《…》的通知) is the page of that document
        meta.title = m.group("doc")
    if meta.title:
        meta.genre = genre_of(meta.title)
        if p := _PERIOD.search(_fix_period(meta.title)):
            meta.period = (int(p.group(1)), int(p.group(2)))
    if not meta.issuers:
        title_issuer = _issuer_from_title(meta.title, divisions)
        if title_issuer:
            meta.issuers = [title_issuer]
        elif publisher or page.get("publisher"):
            meta.issuers = [publisher or page["publisher"]]
    meta.publisher = page.get("publisher") or publisher
    meta.division = _jurisdiction(meta, text, divisions)
    if meta.genre is None and meta.recipient:
        meta.genre = "情况报告"
    if meta.title is None and (m := _TRANSMITS_BELOW.search(text[:3000])) and genre_of(m.group("doc")):
        # a notice whose title line is lost names what it transmits: 现将《…》印发给你们
        meta.title, meta.title_derived = m.group("doc"), True
        meta.genre = genre_of(meta.title)
        meta.division = meta.division or _jurisdiction(meta, text, divisions)
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


# a notice, its title line lost, that names the document it transmits
_TRANSMITS_BELOW = re.compile(r"现将《(?P<doc>[^《》]{4,60})》印发给你们")
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


_TRANSMITTAL = re.compile(r"^(?:.{0,40}?)关于印发《?(?P<doc>[^《》]{4,}?)》?的通知$")


def _fix_period(title: str) -> str:
    return re.sub(r"\((\d{4})(\d{4})(年?)\)", r"(\1-\2\3)", title)


def _issuer_from_title(title: str | None, divisions: Divisions) -> str | None:
    if not title:
        return None
    m = re.match(r"^(?:关于)?(?P<who>[\u4e00-\u9fff]{2,20}?(?:人民政府|政府法制办|法制办|政府|管理委员会|管委会))(?:关于|依法|[0-9])", title)
    if m and divisions.find(m.group("who")):
        return m.group("who")
    return None


def _jurisdiction(meta: Metadata, text: str, divisions: Divisions) -> Division | None:
    year = int(meta.date[:4]) if meta.date else (int(m.group(1)) if meta.title and (m := _YEAR_IN_TITLE.search(meta.title)) else None)
    for candidate in (meta.title or "", *meta.issuers):
        d = divisions.deepest(candidate)
        # the name a document gives itself at the start of its title or issuer: a two-character
        # county (献县), or a division as it was named at the document's date (溧水县 before 2013)
        first = divisions.named_first(candidate, year)
        if first is not None and (d is None or d.code in {a.code for a in divisions.ancestors(first)}):
            return first
        if d is not None:
            return d
    # a report without title or signature: the jurisdiction its own documents are named after
    # (制定出台《信阳高新区2021年法治政府建设要点》) or, failing that, the most specific one named
    own = re.findall(r"(?:制定出台|出台|制定|印发)《([^》]+)》", text)
    for title in own:
        d = divisions.deepest(title[:12])
        if d is not None:
            return d
    return divisions.deepest(text[:2000])


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
