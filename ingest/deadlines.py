"""Deadlines as written (2017年底前完成, 2018年6月底前, 长期坚持, 每年12月前) with their precision."""

from __future__ import annotations

import calendar
import re

from policykg.ingest.model import Deadline

_DAY = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日(?:前|之前|以前)?(?:完成)?")
_YEAR_END = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年(?:年)?(?:底|末)(?:前|之前|以前)?(?:完成)?")
_YEAR_WITHIN = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年(?:内|前|之前|以前)(?:完成)?")
# 年 may be lost in a damaged copy (201711月底前 = 2017年11月底前)
_MONTH_END = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*年?\s*(?P<m>\d{1,2})\s*月(?:(?:底|末)(?:前|之前|以前)?|份?(?:前|之前|以前)|份?完成|份?$)(?:完成)?"
)
# 2018年3月启动, 自2018年1月起, 2017年以来: a start, not a deadline
_START = re.compile(r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?\s*(?:起|启动|开始|以来|开展)")
# 2019年3月至2020年12月: the end of the range is the deadline
_RANGE = re.compile(r"(?:至|到|—|~)\s*(?=(?:19|20)\d{2}\s*年)")
_HALF = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<h>上|下)半年(?:前)?(?:完成)?")
_QUARTER = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?:第)?(?P<q>[一二三四1-4])季度(?:末|底)?(?:前)?(?:完成)?")
_RECURRING = re.compile(
    r"每年\s*(?:\d{1,2}\s*月|年底|年末|底|第?[一二三四1-4]\s*季度|[上下]半年)(?:底|末)?前?|每季度|每半年|每月"
)
_ONGOING = re.compile(r"长期坚持|持续推进|长期推进|持续开展|长期开展|常态化推进")


_BARE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年(?:\s*(?P<m>\d{1,2})\s*月)?")


def _recurring_or_ongoing(text: str) -> Deadline | None:
    if m := _RECURRING.search(text):
        return Deadline(None, "recurring", m.group(0))
    if m := _ONGOING.search(text):
        return Deadline(None, "ongoing", m.group(0))
    return None


# the same without the year, in an annual plan (6月底前, 9月30日前, 三季度, 上半年, 年底前)
_DAY_NY = re.compile(r"(?<![\d年])(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日(?:前|之前|以前)(?:完成)?")
_MONTH_NY = re.compile(r"(?<![\d年])(?P<m>\d{1,2})\s*月(?:底|末|份)?(?:前|之前|以前)(?:完成)?|(?<![\d年])(?P<m2>\d{1,2})\s*月(?:底|末)(?:完成)?")
# (not 明年底前, 明年第一季度: another year than the plan's)
_QUARTER_NY = re.compile(r"(?<![年\d])(?:第)?(?P<q>[一二三四1-4])季度(?:末|底)?(?:前)?(?:完成)?")
_HALF_NY = re.compile(r"(?<!年)(?P<h>上|下)半年(?:前)?(?:完成)?")
_YEAR_END_NY = re.compile(r"(?<![\d年每明今去次])年(?:底|末)(?:前|之前|以前)?(?:完成)?|^年内(?:完成)?")
_OTHER_YEAR = re.compile(r"[明去次]年|下一年|下年度")


def _in_year(text: str, y: int) -> Deadline | None:
    """A deadline written without its year (an annual plan's 6月底前), in year ``y``."""
    if _RECURRING.search(text) or _ONGOING.search(text) or _OTHER_YEAR.search(text):
        return None
    if (m := _DAY_NY.search(text)) and 1 <= (mo := int(m.group("m"))) <= 12 and 1 <= (d := int(m.group("d"))) <= calendar.monthrange(y, mo)[1]:
        return Deadline(f"{y:04d}-{mo:02d}-{d:02d}", "day", m.group(0))
    if (m := _MONTH_NY.search(text)) and 1 <= (mo := int(m.group("m") or m.group("m2"))) <= 12:
        return Deadline(f"{y:04d}-{mo:02d}-{calendar.monthrange(y, mo)[1]:02d}", "month", m.group(0))
    if m := _QUARTER_NY.search(text):
        q = "一二三四1234".index(m.group("q")) % 4 + 1
        return Deadline(f"{y:04d}-{q * 3:02d}-{calendar.monthrange(y, q * 3)[1]:02d}", "quarter", m.group(0))
    if m := _HALF_NY.search(text):
        return Deadline(f"{y:04d}-06-30" if m.group("h") == "上" else f"{y:04d}-12-31", "half-year", m.group(0))
    if m := _YEAR_END_NY.search(text):
        return Deadline(f"{y:04d}-12-31", "year", m.group(0))
    return None


def parse_deadline(text: str, field: bool = False, year: int | None = None) -> Deadline | None:
    """The deadline stated in a short text such as one group of an obligation parenthesis:
    2018年6月30日前 (day), 2018年6月底前 (month), 2019年第二季度 (quarter), 2019年上半年 (half-year),
    2017年底前 / 2019年年底前 / 2017年内 / 2020年前 (year: the end of that year; plans of this family
    write 2020年前 for the end of their 2016–2020 period), 每年12月前 /
    每年年底前 / 每年第一季度 (recurring), 长期坚持 / 持续推进 (ongoing). A range gives its end; a start date
    (2018年3月启动, 自2018年1月起) is not a deadline. With ``field`` (the text of a 完成时限 field or
    column) a bare 2019年 or 2018年3月 is one too. With ``year`` (an annual plan's), a deadline
    written without its year (6月底前, 9月30日前, 三季度, 上半年, 年底前) falls in that year."""
    if r := _RANGE.search(text):
        text = text[r.end():]
    if _START.search(text):
        return _recurring_or_ongoing(text)
    if field and (m := _BARE.fullmatch(text.strip(" 。.,;"))):
        y, mo = int(m.group("y")), int(m.group("m") or 12)
        if 1 <= mo <= 12:
            return Deadline(f"{y:04d}-{mo:02d}-{calendar.monthrange(y, mo)[1]:02d}", "month" if m.group("m") else "year", m.group(0))
    if m := _DAY.search(text):
        y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
        if 1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y, mo)[1]:
            return Deadline(f"{y:04d}-{mo:02d}-{d:02d}", "day", m.group(0))
    if m := _MONTH_END.search(text):
        y, mo = int(m.group("y")), int(m.group("m"))
        if 1 <= mo <= 12:
            return Deadline(f"{y:04d}-{mo:02d}-{calendar.monthrange(y, mo)[1]:02d}", "month", m.group(0))
    if m := _QUARTER.search(text):
        y, q = int(m.group("y")), "一二三四1234".index(m.group("q")) % 4 + 1
        return Deadline(f"{y:04d}-{q * 3:02d}-{calendar.monthrange(y, q * 3)[1]:02d}", "quarter", m.group(0))
    if m := _HALF.search(text):
        y = int(m.group("y"))
        return Deadline(f"{y:04d}-06-30" if m.group("h") == "上" else f"{y:04d}-12-31", "half-year", m.group(0))
    if m := _YEAR_END.search(text) or _YEAR_WITHIN.search(text):
        return Deadline(f"{int(m.group('y')):04d}-12-31", "year", m.group(0))
    if year is not None and (in_year := _in_year(text, year)) is not None:
        return in_year
    return _recurring_or_ongoing(text)


_DEFAULT = re.compile(r"(?:除[^。]{0,30}外)?[^。]{0,20}原则上(?:应当|应)?(?:在|于)?(?P<when>(?:19|20)\d{2}\s*年[^。,]{0,8}?(?:前|之前))完成")


def default_deadline(section_text: str) -> tuple[Deadline, int, int] | None:
    """The plan-wide default completion date of its 实施步骤 section, with its span in the text."""
    m = _DEFAULT.search(section_text)
    if not m:
        return None
    d = parse_deadline(m.group("when"))
    if d is None:
        return None
    d.default = True
    return d, m.start(), m.end()
