"""Figures reported in 法治政府建设 reports (行政复议申请176件, 出庭率达96.25%, 行政执法人员869名)
as typed observations of the indicator scheme (``ingest/data/indicators.yaml``).

A figure is a number with a unit. Its indicator is decided by the sentence's current subject
(the last subject word before it: 行政复议, 应诉, 执法 …) and the cue words between the previous
figure and this one (申请, 受理, 审结 …); a figure whose subject only follows it
(办理19件行政复议案件) takes the subject right after its unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import yaml

from policykg.ingest.model import Observation, Span
from policykg.ingest.text import fold

_FIGURE = re.compile(
    r"(?<![\d.,])(?P<v>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<approx>多|余)?\s*(?P<u>人次|件|宗|起|%|名|人|次|个|项|场|本|份|期|部|张|条)"
)
_UNIT_ALIASES = {"宗": "件", "起": "件"}
_SENTENCE = re.compile(r"[^。;!?\n]+")
_CHANGE = re.compile(r"^[^\d]{0,4}(?:调整为|调整到|增加到|增加至|增至|减少到|减少至|减至|压缩至|压缩到|降至|提高到|提高至)\s*$")


@dataclass(frozen=True)
class Indicator:
    id: str
    zh: str
    en: str
    subject: str
    cue: re.Pattern[str]
    units: tuple[str, ...]
    after: re.Pattern[str] | None = None
    gap: int = 10


@lru_cache(maxsize=1)
def scheme() -> tuple[dict[str, re.Pattern[str]], tuple[Indicator, ...]]:
    data = yaml.safe_load((files("policykg.ingest") / "data" / "indicators.yaml").read_text(encoding="utf-8"))
    subjects = {k: re.compile(v) for k, v in data["subjects"].items()}
    indicators = tuple(
        Indicator(r["id"], r["zh"], r["en"], r["subject"], re.compile(r["cue"]), tuple(r["units"]),
                  re.compile(r["after"]) if r.get("after") else None, r.get("gap", 10))
        for r in data["indicators"]
    )
    return subjects, indicators


def _subject_before(subjects: dict[str, re.Pattern[str]], text: str) -> str | None:
    best: tuple[int, str] | None = None
    for name, pattern in subjects.items():
        for m in pattern.finditer(text):
            if best is None or m.end() > best[0] or (m.end() == best[0] and len(m.group(0)) > 1):
                best = (m.end(), name)
    return best[1] if best else None


def observations(text: str, start: int, end: int, year: int | None) -> list[Observation]:
    """The figures in ``text[start:end]``; spans index ``text``."""
    subjects, indicators = scheme()
    folded = fold(text)
    out: list[Observation] = []
    for sentence in _SENTENCE.finditer(folded, start, end):
        s_text, s_start = sentence.group(0), sentence.start()
        previous_end = 0
        previous: Indicator | None = None
        for fig in _FIGURE.finditer(s_text):
            unit = _UNIT_ALIASES.get(fig.group("u"), fig.group("u"))
            window = s_text[previous_end:fig.start()]
            previous_end = fig.end()
            after = s_text[fig.end():fig.end() + 24]
            indicator = _after(indicators, after, unit)
            if indicator is None and previous is not None and _CHANGE.search(window) and unit in previous.units:
                indicator = previous  # 行政职权事项由2446项调整为2913项: the same quantity, changed
            if indicator is None:
                subject = _subject_before(subjects, s_text[:fig.start()])
                indicator = _cue_for(indicators, subject, window, unit)
                follows = _subject_before(subjects, after[:6])
                if indicator is None and follows is not None:
                    indicator = _cue_for(indicators, follows, window + after[:10], unit)
            previous = indicator
            if indicator is None:
                continue
            value = float(fig.group("v").replace(",", ""))
            q_start = s_start + max(0, _quote_start(s_text, fig.start()))
            q_end = s_start + fig.end()
            out.append(Observation(
                indicator=indicator.id,
                value=int(value) if value.is_integer() and "." not in fig.group("v") else value,
                unit=unit,
                year=year,
                approximate=bool(fig.group("approx")) or s_text[fig.end():fig.end() + 2].startswith("以上"),
                span=Span(q_start, q_end, text[q_start:q_end]),
            ))
    return out


def _after(indicators: tuple[Indicator, ...], after: str, unit: str) -> Indicator | None:
    for ind in indicators:
        if ind.after is not None and unit in ind.units and ind.after.search(after):
            return ind
    return None


def _cue_for(indicators: tuple[Indicator, ...], subject: str | None, window: str, unit: str) -> Indicator | None:
    """The indicator of ``subject`` (or of any subject) whose cue ends nearest the figure, within
    its gap, and allows ``unit``; a longer cue wins a tie."""
    best: tuple[int, int, Indicator] | None = None
    for ind in indicators:
        if ind.subject not in {subject, "any"} or unit not in ind.units:
            continue
        hits = [h for h in ind.cue.finditer(window) if len(window) - h.end() <= ind.gap]
        if not hits:
            continue
        key = (hits[-1].end(), len(hits[-1].group(0)))
        if best is None or key > best[:2]:
            best = (*key, ind)
    return best[2] if best else None


def _quote_start(sentence: str, figure_start: int) -> int:
    """Start the quote at the clause holding the figure (after the last comma before it)."""
    cut = max(sentence.rfind(",", 0, figure_start), sentence.rfind("、", 0, figure_start), sentence.rfind(":", 0, figure_start))
    return cut + 1
