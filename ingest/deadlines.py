"""Deadlines as written (2017年底前完成, 2018年6月底前, 长期坚持, 每年12月前) with their precision."""

from __future__ import annotations

import calendar
import re

from policykg.ingest.model import Deadline

_DAY = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日(?:前|之前|以前)?(?:完成)?")
_YEAR_END = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年(?:年)?(?:底|末)(?:前|之前|以前)?(?:完成)?")
_YEAR_WITHIN = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年(?:内|前|之前|以前)(?:完成)?")
_MONTH_END = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月(?:底|末|份)?(?:前|之前|以前)?(?:完成)?")
_HALF = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<h>上|下)半年(?:前)?(?:完成)?")
_QUARTER = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?:第)?(?P<q>[一二三四1-4])季度(?:末|底)?(?:前)?(?:完成)?")
_RECURRING = re.compile(r"每年\s*(?:\d{1,2}\s*月|年底|年末|底)(?:底|末)?前?|每季度|每半年|每月")
_ONGOING = re.compile(r"长期坚持|持续推进|长期推进|持续开展|长期开展|常态化推进")


def parse_deadline(text: str) -> Deadline | None:
    """The deadline stated in a short text such as one group of an obligation parenthesis:
    2018年6月30日前 (day), 2018年6月底前 (month), 2019年第二季度 (quarter), 2019年上半年 (half-year),
    2017年底前 / 2019年年底前 / 2017年内 / 2020年前 (year: the end of that year; plans of this family
    write 2020年前 for the end of their 2016–2020 period), 每年12月前 /
    每年年底前 (recurring), 长期坚持 / 持续推进 (ongoing)."""
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
    if m := _RECURRING.search(text):
        return Deadline(None, "recurring", m.group(0))
    if m := _ONGOING.search(text):
        return Deadline(None, "ongoing", m.group(0))
    return None


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
