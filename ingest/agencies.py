"""Agency names: splitting an obligation parenthesis group into parties, telling named agencies
from collectives, and resolving a name within the issuing jurisdiction to a stable IRI."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from typing import Any

import yaml

from policykg import iris
from policykg.ingest.divisions import Division, Divisions
from policykg.ingest.model import Party, PartyKind


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    table: dict[str, Any] = yaml.safe_load((files("policykg.ingest") / "data" / "agencies.yaml").read_text(encoding="utf-8"))
    return table


def abbreviations() -> dict[str, str]:
    table: dict[str, str] = _table()["abbreviations"]
    return table


# Scope prefixes written before an agency name, and the level they point to.
_PREFIXES = (("自治区", "provincial"), ("全区", "county"), ("区直", "county"), ("区", "county"),
             ("县直", "county"), ("县", "county"), ("旗", "county"), ("全市", "prefectural"), ("市直", "prefectural"),
             ("市", "prefectural"), ("州", "prefectural"), ("省直", "provincial"), ("省", "provincial"))


# what a wrapped line leaves inside a name copied out of a PDF (省自\n然资源厅)
_WRAP = re.compile(r"[ \t\u3000\xa0]*\r?\n[ \t\u3000\xa0\r\n]*")
# how the name of a body ends; a piece that ends otherwise (区政, 按季度报送) is not a whole name
_NAME_END = re.compile(
    r"(?:局|委|办|厅|部|院|府|署|会|组|室|处|所|站|队|馆|中心|单位|部门|机关|机构|街道|办事处|乡|镇|区|县|市|省|旗|盟|州|"
    r"公司|集团|银行|党组|妇联|残联|侨联|工商联|文联|科协|共青团|合作社|联社)$"
)


def unwrap(name: str) -> str:
    """A name with the line breaks of hard-wrapped text (and the blanks around them) removed."""
    return _WRAP.sub("", name)


def flatten(text: str) -> tuple[str, list[int]]:
    """``unwrap(text)`` with, for each of its characters and its end, the offset in ``text``."""
    flat: list[str] = []
    where: list[int] = []
    pos = 0
    for m in _WRAP.finditer(text):
        flat.append(text[pos:m.start()])
        where.extend(range(pos, m.start()))
        pos = m.end()
    flat.append(text[pos:])
    where.extend(range(pos, len(text) + 1))
    return "".join(flat), where


def looks_whole(name: str, min_length: int = 3) -> bool:
    """Whether a piece of text ends the way the name of a body does (区司法局, 各镇政府), not cut
    off in the middle (区政) or after its scope alone (区)."""
    core = unwrap(name).strip()
    return len(core) >= min_length and bool(_NAME_END.search(core))


def is_collective(name: str) -> bool:
    """Open-ended sets (各镇政府, 等有关部门, 区直各部门, 规范性文件制定机关) rather than one body.
    A bare 等 ends a closed list and is no set of its own."""
    if name.strip() == "等":
        return False
    if name.startswith("等") or "各" in name:
        return True
    core = name
    for prefix, _ in _PREFIXES:
        if core.startswith(prefix):
            core = core[len(prefix):]
            break
    if _OPEN_SET.search(core):
        return True  # 有关执法部门, 相关司局, 行政执法部门: never one body
    heads = _table()["collective_heads"]
    return any(core == h or (core.endswith(h) and h in {"制定机关", "决策机关", "有关部门", "有关单位"}) for h in heads)


# a kind of body rather than one body: 有关…/相关… (有关执法部门, 相关司局), …部门 (行政执法部门)
_OPEN_SET = re.compile(r"^(?:有关|相关)[\u4e00-\u9fff]*(?:部门|单位|机关|机构|司局)$|部门$")


def without_etc(name: str) -> str:
    """A collective written after a closed list (``区司法局等区直有关执法部门``) without its 等:
    ``区直有关执法部门``. The stock ``等有关部门`` / ``等有关单位`` keep it (as the seeds have it)."""
    if name.startswith("等") and len(name) > 1 and name[1:] not in _STOCK_ETC:
        return name[1:]
    return name


_STOCK_ETC = {"有关部门", "有关单位", "相关部门", "相关单位"}


def _scope(name: str, home: Division, divisions: Divisions) -> tuple[Division, str]:
    """The division a name belongs to and the rest of the name. The names are read as the
    document's own (``home`` supports them): a two-character county name, which ``find`` reads only
    with support (徽县司法局 in a 徽县 document, or a reform's successor there), is the county's."""
    for start, d, matched in divisions.find(name, home):
        if start == 0 and d.level != "national":
            return d, name[len(matched):]
    for prefix, level in _PREFIXES:
        if name.startswith(prefix):
            # in a county-level city (邵武市) 市司法局 is the city's own, not the prefecture's
            own_city = level == "prefectural" and prefix.startswith(("市", "全市")) and home.level == "county" and home.name.endswith("市")
            target = home if own_city else (divisions.enclosing(home, level) or home)
            return target, name[len(prefix):]
    return home, name


def _canonical(core: str) -> str:
    core = core.strip()
    table = abbreviations()
    if core in table:
        return table[core]
    if core.startswith("政府") and not core.startswith("政府性"):
        return "人民" + core
    return core


def _abbreviated(canonical: str) -> str:
    """The first abbreviation the table lists for a full name (人民政府法制办公室 → 法制办)."""
    for short, full in abbreviations().items():
        if full == canonical:
            return short
    return canonical


def _kind(core: str, canonical: str) -> str:
    if "领导小组" in canonical:
        return "leading-group"
    if canonical.startswith("委") or core.startswith(("委", "党委")):
        return "party-body"
    if canonical in {"人民政府", "政府"} or canonical.endswith("管理委员会"):
        return "government"
    return "department"


def resolve(surface: str, home: Division, divisions: Divisions, owner: str | None = None) -> Party:
    """Resolve a name as written in a document of ``home`` jurisdiction. ``owner`` is the body
    that issued a national document (自然资源部): the units it names bare (法规司, 执法局, 各司局,
    部直属各单位) are its own."""
    name = unwrap(surface).strip()
    if owner and home.level == "national" and own_unit(name):
        return _own_unit(name, owner, home)
    if is_collective(name):
        name = name.removeprefix("等") if len(name) > 1 else name  # 等区直有关执法部门: the scope is 区直
        division, core = _scope(name, home, divisions)
        core = core.removeprefix("直属").lstrip("直").lstrip("等").lstrip("各") or core
        if core.startswith("级"):
            core = "各" + core
        each = "" if "各" in core else "各"  # 政府各部门, 各级…: 各 is there already
        short = divisions.short_name(division)
        return Party(
            iri=iris.collective(division.code, core),
            label=f"{short}{each}{core}",
            full_name=f"{divisions.full_name(division)}{each}{core}",
            kind=PartyKind.COLLECTIVE,
            jurisdiction=division.code,
            collective=True,
        )
    branch = _branch(name, home, divisions)
    if branch is not None:
        return branch
    division, core = _scope(name, home, divisions)
    canonical = _canonical(core)
    short = divisions.short_name(division)
    full = divisions.full_name(division)
    if canonical.startswith("委"):
        full_name = f"中共{short}{canonical}"
    else:
        full_name = f"{full}{canonical}"
    return Party(
        iri=iris.agency(division.code, canonical),
        label=f"{short}{_abbreviated(canonical)}",
        full_name=full_name,
        kind=PartyKind(_kind(core, canonical)),
        jurisdiction=division.code,
        collective=False,
    )


# names that are not a national body's own units: other bodies spelt out, other ministries
_NOT_OWN = re.compile(r"^(?:国家|国务院|中央|中共|全国|中国|中华人民共和国|最高|党中央)|(?:部|委|委员会|总局|署)$")
_OWN_UNIT = re.compile(r"(?:司|局|厅|室|处|中心|办公室|司局|单位|机构)$")
# the issuer of a national document, named at the start of a line near the top
_OWNER = re.compile(r"^(?P<b>[\u4e00-\u9fff]{2,12}?(?:部|委员会|委|总局|署|局))(?:办公厅|办公室)?(?:关于|(?:19|20)\d{2}\s*年)")


def issuing_body(text: str, lines: int = 15) -> str | None:
    """The ministry (or other national body) a document is issued by, from a line near its top
    that starts with it (``自然资源部办公厅关于印发…``, ``自然资源部2023年…工作要点``), or None."""
    for line in [ln.strip(" \u3000\t") for ln in text.split("\n") if ln.strip()][:lines]:
        if (m := _OWNER.match(line)) and not m.group("b").startswith(("中共", "国务院")):
            return m.group("b")
    return None


def own_unit(name: str) -> bool:
    """Whether a name in a national body's document is one of that body's own units (法规司,
    执法局, 各司局, 各派出机构, 部直属各单位) rather than another body spelt out (国家林草局, 财政部)
    or a body of a place (省自然资源厅, 各省级自然资源主管部门)."""
    core = name.removeprefix("部机关").removeprefix("部")
    if not core or _NOT_OWN.search(name) and not name.startswith("部"):
        return False
    placed = any(name.startswith(p) for p, _ in _PREFIXES) or name.startswith(("各省", "各地", "各市", "各县", "各级"))
    return not placed and bool(_OWN_UNIT.search(core))


def _own_unit(name: str, owner: str, home: Division) -> Party:
    """A unit of the issuing ministry: 法规司 → 自然资源部法规司, 部直属各单位 → 自然资源部直属各单位."""
    written = name.removeprefix("部机关").removeprefix("部")
    label = f"{owner}{written}"
    if is_collective(written) or written.startswith("直属"):
        return Party(iri=iris.collective(home.code, f"{owner}{written.replace('各', '')}"), label=label, full_name=label,
                     kind=PartyKind.COLLECTIVE, jurisdiction=home.code, collective=True)
    return Party(iri=iris.agency(home.code, label), label=label, full_name=label,
                 kind=PartyKind.DEPARTMENT, jurisdiction=home.code, collective=False)


def _branch(name: str, home: Division, divisions: Divisions) -> Party | None:
    """公安钦南分局 → 钦州市公安局钦南分局: a unit of the municipal bureau located in the district."""
    for place in home.names:
        m = re.fullmatch(rf"(?P<bureau>[\u4e00-\u9fff]{{1,8}}?){re.escape(place)}分局", name)
        if not m:
            continue
        parent = divisions.get(home.parent) if home.parent else None
        if parent is None:
            return None
        written = m.group("bureau")
        written = next((written[len(p):] for p, _ in _PREFIXES if written.startswith(p) and len(written) > len(p) + 1), written)
        bureau = _table()["branch_bureaus"].get(written, written if written.endswith("局") else written + "局")
        bureau_iri = iris.agency(parent.code, bureau)
        place_name = divisions.short_name(home).removesuffix("区").removesuffix("县") or place
        canonical = f"{bureau}{place_name}分局"
        return Party(
            iri=iris.agency(home.code, canonical),
            label=name,
            full_name=f"{parent.name}{bureau}{place_name}分局",
            kind=PartyKind.BRANCH_OFFICE,
            jurisdiction=home.code,
            collective=False,
            branch_of=bureau_iri,
            branch_of_label=f"{parent.name}{bureau}",
        )
    return None


def unresolved(surface: str, scope: str, divisions: Divisions) -> Party:
    """A body named in a document whose jurisdiction is unknown: kept as written, with an IRI
    scoped to that document (``scope``), so that 县司法局 of two unknown counties stay two bodies.
    A name that spells out a known division (钦州市司法局) still resolves within it."""
    name = unwrap(surface).strip()
    found = divisions.find(name)
    if found and found[0][0] == 0 and found[0][1].level != "national":
        return resolve(name, found[0][1], divisions)
    collective = is_collective(name)
    prefix = next((p for p, _ in _PREFIXES if name.startswith(p)), "")
    core = name[len(prefix):]
    if collective:
        return Party(iri=iris.collective(scope, name), label=name, full_name=name, kind=PartyKind.COLLECTIVE,
                     jurisdiction=None, collective=True)
    # 县人社局 and 县人力资源和社会保障局 are one body, with one label
    canonical = _canonical(core)
    return Party(iri=iris.agency(scope, prefix + canonical), label=prefix + _abbreviated(canonical),
                 full_name=prefix + canonical, kind=PartyKind(_kind(core, canonical)), jurisdiction=None, collective=False)


def government(name: str, divisions: Divisions) -> Party | None:
    """An issuing body named in full (江门市江海区人民政府, 吴忠市政府法制办) as a Party."""
    found = divisions.find(name)
    if not found or found[0][0] != 0:
        return None
    # the deepest division named at the start of the string
    pos, division, matched = 0, found[0][1], found[0][2]
    for start, d, m in found[1:]:
        if start == pos + len(matched):
            pos, division, matched = start, d, m
        else:
            break
    rest = name[pos + len(matched):]
    if not rest:
        return None
    canonical = _canonical(rest)
    if canonical == "政府":
        canonical = "人民政府"
    return Party(
        iri=iris.agency(division.code, canonical),
        label=f"{divisions.short_name(division)}{_abbreviated(canonical)}",
        full_name=f"{divisions.full_name(division)}{canonical}",
        kind=PartyKind(_kind(rest, canonical)),
        jurisdiction=division.code,
        collective=False,
    )
