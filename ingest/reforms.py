"""Institutional reforms (机构改革): for a body a document names, the succession event that
ended it and the body that carries its duties on.

The rules are curated in ``data/reforms.yaml`` with their sources (the 2018 State Council and
Party-and-state reform plans). A rule applies to a body of its ``from`` kinds at a level it
covers: the 2016 钦南区法制办 was merged, with the 钦南区司法局, into the re-formed
钦南区司法局 by 2019-03-31. One event per rule and division (``id/reform/{rule}/{code}``); every
document naming one of its bodies states it, so the union of the graphs gives all the bodies
that went into it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files
from typing import Any
from urllib.parse import unquote

import yaml

from policykg import iris
from policykg.ingest import agencies
from policykg.ingest.divisions import NATIONAL, Division, Divisions
from policykg.ingest.model import Party, PartyKind

MUNICIPALITIES = {"110000", "120000", "310000", "500000"}  # 北京, 天津, 上海, 重庆: 局/委, not 厅


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    issuer: str
    date: str
    quote: str | None = None

    @property
    def iri(self) -> str:
        return f"{iris.base()}id/source/{self.key}"


@dataclass(frozen=True)
class Rule:
    id: str
    label_zh: str
    label_en: str
    kind: str  # merger | rename | split | abolition
    originals: tuple[str, ...]  # canonical names of the bodies the reform ends
    to: dict[str, str]
    levels: tuple[str, ...]
    source: Source
    quote: str
    national: dict[str, object] | None
    note: str | None = None
    successor_kind: str | None = None  # agency (a state organ outside the government) | tax (a unit of 国家税务总局)

    def successor_name(self, division: Division) -> str | None:
        """The successor's name at this division, None where the rule does not say it."""
        if division.code in MUNICIPALITIES and "municipality" in self.to:
            return self.to["municipality"]
        level = "default" if division.code in MUNICIPALITIES else division.level
        return self.to.get(level) or self.to["default"]


@dataclass(frozen=True)
class Succession:
    """A body ended by a reform event, and the body that resulted."""

    event: str  # IRI of the event (one per rule and division)
    rule: Rule
    original: Party
    successor: Party
    date: str  # ISO date
    qualifier: str  # "decided" (the day the reform was decided; bodies changed on or after it) or "by" (no later than)
    confidence: float
    date_source: Source  # where the date comes from (local deadlines: the Party-and-state plan)


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((files("policykg.ingest") / "data" / "reforms.yaml").read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def sources() -> dict[str, Source]:
    return {k: Source(key=k, title=v["title"], issuer=v["issuer"], date=str(v["date"]), quote=v.get("quote"))
            for k, v in _data()["sources"].items()}


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    out = []
    for r in _data()["rules"]:
        out.append(Rule(
            id=r["id"], label_zh=r["label"]["zh"], label_en=r["label"]["en"], kind=r["kind"], originals=tuple(r["from"]),
            to=dict(r["to"]), levels=tuple(r["levels"]), source=sources()[r["source"]], quote=r["quote"],
            national=r.get("national"), note=r.get("note"), successor_kind=r.get("successor_kind"),
        ))
    return tuple(out)


def _canonical(party: Party) -> str:
    return unquote(party.iri.rsplit("/", 1)[-1])


def succession(party: Party, divisions: Divisions) -> Succession | None:
    """The reform that ended this body, if a rule covers it."""
    if party.collective or party.kind == "branch-office" or not party.jurisdiction:
        return None
    division = divisions.get(party.jurisdiction)
    if division is None or division.zone:
        return None
    name = _canonical(party)
    for rule in rules():
        if division.code == NATIONAL and rule.national:
            if name not in rule.national["from"]:  # type: ignore[operator]
                continue
            successor = agencies.resolve(str(rule.national["to"]), division, divisions)
            date, qualifier, confidence, date_source = rule.source.date, "decided", 1.0, rule.source
        elif division.level in rule.levels and name in rule.originals:
            to = rule.successor_name(division)
            if to is None:
                continue
            successor = _successor(agencies.resolve(f"{division.name}{to}", division, divisions), rule, division, divisions)
            date_source = sources()["party-state-2018"]
            date = str(_data()["local_deadlines"][division.level])
            qualifier, confidence = "by", 0.9
        else:
            continue
        return Succession(
            event=f"{iris.base()}id/reform/{rule.id}/{division.code}", rule=rule, original=party,
            successor=successor, date=date, qualifier=qualifier, confidence=confidence, date_source=date_source,
        )
    return None


def _successor(party: Party, rule: Rule, division: Division, divisions: Divisions) -> Party:
    """The resulting body as the rule describes it: a state organ outside the government, or a
    unit of 国家税务总局 named after the place (国家税务总局钦州市钦南区税务局)."""
    if rule.successor_kind == "agency":
        return replace(party, kind=PartyKind.AGENCY)
    if rule.successor_kind == "tax":
        place = "".join(a.name for a in reversed(divisions.ancestors(division)) if a.level != "provincial" or division.level == "provincial")
        return replace(party, kind=PartyKind.AGENCY, full_name=f"国家税务总局{place}税务局")
    return party
