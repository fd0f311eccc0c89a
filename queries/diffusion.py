"""Policy diffusion from the ``adoption`` canned query: when each division of a level adopted a
document, the adoption curve, and the event-history table diffusion studies are estimated on
(one row per division and year at risk, adopted 0/1, with covariates), built from the graph
rather than by hand from a corpus."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from policykg.errors import ParameterError
from policykg.queries import LEVEL_NAMES, year_range

LEVEL_ABOVE = {"prefectural": "provincial", "county": "prefectural", "township": "county"}
TABLES = ("adoption", "curve", "history")


def _year(value: object) -> int | None:
    return dt.date.fromisoformat(str(value)[:10]).year if value else None


def lag_days(value: object) -> int | None:
    """Days of an xsd:dayTimeDuration as the engines write a date difference (P73D, -P3D)."""
    m = re.fullmatch(r"(-?)P(\d+)D", str(value or ""))
    return (-1 if m.group(1) else 1) * int(m.group(2)) if m else None


def curve(adoptions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The cumulative adoption curve: per year, the divisions that adopted then, in all so far,
    and their share of the divisions at risk (a division whose plan has no date is in neither)."""
    total = len({r["division"] for r in adoptions})
    first: dict[str, int] = {}  # each division once (two plans on its first day are two rows)
    for r in adoptions:
        year = _year(r.get("adoptionDate")) if r.get("adopted") else None
        if year is not None:
            first[str(r["division"])] = min(year, first.get(str(r["division"]), year))
    by_year: dict[int, int] = {}
    for year in first.values():
        by_year[year] = by_year.get(year, 0) + 1
    out, so_far = [], 0
    for year in sorted(by_year):
        so_far += by_year[year]
        out.append({"year": year, "adopted": by_year[year], "cumulative": so_far, "divisions": total,
                    "share": round(so_far / total, 4) if total else 0.0})
    return out


def event_history(adoptions: Sequence[Mapping[str, Any]], level: str, span: tuple[int, int] | None = None,
                  above: Sequence[Mapping[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The discrete-time event-history table: each division from the first year of ``span`` to
    the year it adopted (adopted = 1 that year, and it leaves the risk set) or to the last year
    (adopted = 0 throughout). ``span`` defaults to the parent document's year to the last
    adoption. Covariates: the level, the parent document's date, the division above and the date
    it adopted (``above``: the adoption rows of the level above; for the level just below the
    document's own area, the division above is the document's, adopting on its date), and
    whether it had adopted before the year began. A division whose plan has no date is left out:
    the year it left the risk set is unknown."""
    rows = {str(r["division"]): r for r in adoptions}  # two plans on the same first day: one division
    parent_date = next((r["parentDate"] for r in adoptions if r.get("parentDate")), None)
    adopted_years = [y for r in rows.values() if r.get("adopted") and (y := _year(r.get("adoptionDate")))]
    if span is None:
        first = _year(parent_date) or min(adopted_years, default=dt.date.today().year)
        span = (first, max([first, *adopted_years]))
    parent_adoption = {str(r["division"]): r.get("adoptionDate") if r.get("adopted") else None for r in above or ()}
    table = []
    for division, r in sorted(rows.items(), key=lambda kv: str(kv[1].get("code"))):
        adopted_in = _year(r.get("adoptionDate")) if r.get("adopted") else None
        if r.get("adopted") and adopted_in is None:
            continue
        up = str(r.get("parentDivision") or "")
        up_date = parent_adoption.get(up) if above is not None else parent_date
        for year in range(span[0], span[1] + 1):
            if adopted_in is not None and year > adopted_in:
                break
            table.append({"division": division, "code": r.get("code"), "name": r.get("divisionName"), "year": year,
                          "adopted": int(adopted_in == year), "level": level, "parent_document_date": parent_date,
                          "parent_division": up or None, "parent_division_adopted_on": up_date,
                          "parent_division_adopted_before": bool(up_date and _year(up_date) is not None
                                                                  and _year(up_date) < year)})  # type: ignore[operator]
    return table


def table(name: str, adoption: Callable[[str], Sequence[Mapping[str, Any]]], level: str,
          years: str | None = None) -> list[dict[str, Any]]:
    """The diffusion table ``name`` (adoption, curve, history) of a document at ``level``, from
    ``adoption(level)``: the ``adoption`` canned query's rows for the document at that level."""
    if name not in TABLES:
        raise ParameterError(f"no diffusion table {name!r}; one of {', '.join(TABLES)}", param="table")
    level = {v: k for k, v in LEVEL_NAMES.items() if k.isascii()}.get(LEVEL_NAMES.get(level, ""), level)  # 县级 → county
    rows = adoption(level)
    if name == "adoption":
        return [dict(r) for r in rows]
    if name == "curve":
        return curve(rows)
    above = (adoption(LEVEL_ABOVE[level]) or None) if level in LEVEL_ABOVE else None  # none: the document's own level
    return event_history(rows, level, year_range(years) if years else None, above)
