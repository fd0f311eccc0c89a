"""Deadlines as written (2017年底前完成, 2018年6月底前, 长期坚持, 每年12月前) with their precision."""

from __future__ import annotations

import calendar
import re

from policykg.ingest.model import Deadline

_YEAR_END = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年(?:年)?底(?:前|之前)?(?:完成)?")
_MONTH_END = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月(?:底|末)?(?:前|之前)(?:完成)?")
_HALF = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<h>上|下)半年(?:前)?(?:完成)?")
_RECURRING = re.compile(r"每年\s*(?P<m>\d{1,2})\s*月(?:底)?前")
_ONGOING = re.compile(r"长期坚持|持续推进|长期推进|持续开展")


def parse_deadline(text: str) -> Deadline | None:
    """The deadline stated in a short text such as one group of an obligation parenthesis."""
    if m := _MONTH_END.search(text):
        y, mo = int(m.group("y")), int(m.group("m"))
        if 1 <= mo <= 12:
            day = calendar.monthrange(y, mo)[1]
            return Deadline(f"{y:04d}-{mo:02d}-{day:02d}", "month", m.group(0))
    if m := _HALF.search(text):
        y = int(m.group("y"))
        return Deadline(f"{y:04d}-06-30" if m.group("h") == "上" else f"{y:04d}-12-31", "half-year", m.group(0))
    if m := _YEAR_END.search(text):
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
