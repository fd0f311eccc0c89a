"""Administrative divisions (GB/T 2260) known to ingest, and finding them in text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

LEVEL_RANK = {"national": 0, "provincial": 1, "prefectural": 2, "county": 3, "township": 4}


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str
    parent: str | None
    short: tuple[str, ...] = field(default=())
    zone: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.short)


class Divisions:
    def __init__(self, items: list[Division]) -> None:
        self.by_code = {d.code: d for d in items}
        names: list[tuple[str, Division]] = []
        for d in items:
            for n in d.names:
                names.append((n, d))
        names.sort(key=lambda p: -len(p[0]))
        self._names = names
        self._pattern = re.compile("|".join(re.escape(n) for n, _ in names))
        self._by_name = {}
        for n, d in names:
            self._by_name.setdefault(n, d)

    def get(self, code: str | None) -> Division | None:
        return self.by_code.get(code) if code else None

    def by_name(self, name: str) -> Division | None:
        return self._by_name.get(name)

    def ancestors(self, d: Division) -> list[Division]:
        """From the division itself up to the province (the national level excluded)."""
        out = [d]
        while out[-1].parent and out[-1].parent in self.by_code and self.by_code[out[-1].parent].level != "national":
            out.append(self.by_code[out[-1].parent])
        return out

    def full_name(self, d: Division) -> str:
        return "".join(a.name for a in reversed(self.ancestors(d)) if a.level != "national")

    def short_name(self, d: Division) -> str:
        """The name a document uses for itself: 钦南区, 钦州市, 信阳高新区."""
        if d.zone and d.short:
            return d.short[0]
        return d.name

    def find(self, text: str) -> list[tuple[int, Division, str]]:
        """All division names in the text, longest match first at each position."""
        return [(m.start(), self._by_name[m.group(0)], m.group(0)) for m in self._pattern.finditer(text)]

    def deepest(self, text: str) -> Division | None:
        """The most specific division named in a text, preferring ones whose ancestors are also named."""
        found = {d.code: d for _, d, _ in self.find(text) if d.level != "national"}
        if not found:
            return None

        def score(d: Division) -> tuple[int, int]:
            support = sum(1 for a in self.ancestors(d)[1:] if a.code in found)
            return (LEVEL_RANK[d.level], support)

        return max(found.values(), key=score)

    def enclosing(self, d: Division, level: str) -> Division | None:
        for a in self.ancestors(d):
            if a.level == level:
                return a
        return None


@lru_cache(maxsize=1)
def load() -> Divisions:
    data = yaml.safe_load((Path(__file__).parent / "data" / "divisions.yaml").read_text(encoding="utf-8"))
    return Divisions(
        [
            Division(
                code=str(row["code"]),
                name=row["name"],
                level=row["level"],
                parent=str(row["parent"]) if row.get("parent") else None,
                short=tuple(row.get("short") or ()),
                zone=bool(row.get("zone")),
            )
            for row in data
        ]
    )
