"""Canned queries: every ``.rq`` file in this folder is a query with a front-matter block of
``#+`` lines (YAML: summary, description, params, example). Parameters are typed; values are
resolved (a document by IRI, 文号 or title; an agency by IRI or name with jurisdiction; a
jurisdiction by IRI, code or name) to RDF terms, written in place of the query's variable of the
same name (``render``; ``CannedQuery.prepare`` as the server runs it). User input never becomes
SPARQL text of its own: it is written only as a term the RDF library serialised, a resolved IRI
from the graph, a validated IRI, a typed literal or a string literal escaped by the library."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import cast

import pyoxigraph as ox
import yaml

from policykg.errors import ParameterError, QueryNotFound
from policykg.graph.dialect import embedded
from policykg.graph.resolve import Resolver

QUERY_DIR = cast(Path, files(__name__))  # package data: the .rq files beside this module (a Path for regular and editable installs)
XSD = "http://www.w3.org/2001/XMLSchema#"
Term = ox.NamedNode | ox.Literal
Bound = dict[str, Term | tuple[Term, ...]]  # parameter → its term (a list parameter: its terms)
PARAM_TYPES = ("document", "agency", "jurisdiction", "level", "integer", "date", "string", "iri", "boolean", "list")
# administrative levels as users write them → the concepts of lg:LevelScheme
LEVEL_NAMES = {"national": "LevelNational", "国家级": "LevelNational", "中央": "LevelNational",
               "provincial": "LevelProvincial", "省级": "LevelProvincial",
               "prefectural": "LevelPrefectural", "地级": "LevelPrefectural", "市级": "LevelPrefectural",
               "county": "LevelCounty", "县级": "LevelCounty", "township": "LevelTownship", "乡级": "LevelTownship"}


@dataclass(frozen=True)
class Param:
    """A typed parameter from a query's front matter: ``type`` (document, agency, jurisdiction,
    level, integer, date, string, iri, boolean, or list with ``items`` of one of those),
    ``enum`` (allowed values), ``required`` and ``default``."""

    name: str
    type: str
    description: str
    required: bool = True
    enum: tuple[str, ...] = ()
    items: str | None = None  # the element type of a list
    default: object = None

    def schema(self) -> dict[str, object]:
        """The JSON Schema of the parameter, for the OpenAPI document."""
        if self.type == "list":
            return {"type": "array", "items": Param(self.name, self.items or "string", "", enum=self.enum).schema()}
        schemas: dict[str, dict[str, object]] = {
            "integer": {"type": "integer"}, "date": {"type": "string", "format": "date"},
            "iri": {"type": "string", "format": "uri", "pattern": "^https?://"}, "boolean": {"type": "boolean"},
            "level": {"type": "string", "enum": list(LEVEL_NAMES)},
        }
        base = schemas.get(self.type, {"type": "string", "minLength": 1})
        if self.enum:
            base = {**base, "enum": list(self.enum)}
        if self.default is not None:
            base = {**base, "default": self.default}
        return base


@dataclass(frozen=True)
class CannedQuery:
    name: str
    path: Path
    summary: str
    description: str
    params: tuple[Param, ...]
    example: dict[str, object] = field(default_factory=dict)
    sparql: str = ""
    # run its OPTIONALs as LATERAL on the embedded engine (graph.dialect); ``#+ lateral: false`` where
    # its optional parts are cheap over the whole store and a loop per row would cost more
    lateral: bool = True

    def bind(self, values: dict[str, str], resolver: Resolver) -> Bound:
        """Check and resolve raw parameter values into RDF terms."""
        unknown = set(values) - {p.name for p in self.params}
        if unknown:
            raise ParameterError(
                f"query {self.name!r} has no parameter {', '.join(sorted(unknown))}; it takes: "
                + ", ".join(p.name for p in self.params),
                query=self.name,
            )
        bound: Bound = {}
        for p in self.params:
            raw = values.get(p.name)
            if (raw is None or str(raw).strip() == "") and p.default is not None:
                raw = str(p.default).lower() if isinstance(p.default, bool) else str(p.default)
            if raw is None or str(raw).strip() == "":
                if p.required:
                    raise ParameterError(f"query {self.name!r} needs parameter {p.name!r} ({p.description})", query=self.name, param=p.name)
                continue
            if p.type == "list":
                parts = [x.strip() for x in str(raw).split(",") if x.strip()]
                if not parts:
                    raise ParameterError(f"parameter {p.name!r} needs at least one value", param=p.name)
                item = Param(p.name, p.items or "string", p.description, enum=p.enum)
                bound[p.name] = tuple(convert(item, x, resolver) for x in parts)
            else:
                bound[p.name] = convert(p, str(raw).strip(), resolver)
        return bound


    def render(self, bound: Bound) -> str:
        """The SPARQL text with each parameter variable replaced by its serialised term (the text
        shown to people, e.g. the editor's example tabs; the server runs ``executable``)."""
        if not bound:
            return self.sparql
        # a list is used as VALUES ?x { ?list }: its terms separated by spaces
        return _replace(self.sparql, {name: " ".join(map(str, term)) if isinstance(term, tuple) else str(term)
                                      for name, term in bound.items()})

    def executable(self, bound: Bound, lateral: bool = True) -> str:
        """The query as the server and the CLI run it: ``render``'s text (each value written as
        the RDF library serialises the checked term: a resolved or validated IRI, a typed or an
        escaped literal, so the optimiser sees a constant and starts from it; bound as Oxigraph
        substitutions instead, a value is unknown to the optimiser, and a subquery using it ran
        over the whole store: at 1,000 generated documents cascade-implementers 0.017 s → 4.3 s,
        task-area 3.7 s → 12.4 s), with its OPTIONALs, and what follows a subquery, as LATERAL on the embedded engine
        (``graph.dialect``): the same answers as ``render``, which stays the standard text.
        ``lateral`` False (a SPARQL server, ``Reader.lateral``): the standard text."""
        return embedded(self.render(bound)) if self.lateral and lateral else self.render(bound)


def _replace(text: str, values: dict[str, str]) -> str:
    """Each variable of ``values`` replaced by its text, in one pass over the query (so a value is
    never scanned again for another variable)."""
    pattern = re.compile(r"[?$](" + "|".join(re.escape(n) for n in sorted(values, key=len, reverse=True)) + r")(?![\w])")
    return pattern.sub(lambda m: values[m.group(1)], text)


MAX_VALUE_CHARS = 1000


def convert(p: Param, raw: str, resolver: Resolver) -> ox.NamedNode | ox.Literal:
    if len(raw) > MAX_VALUE_CHARS:
        raise ParameterError(f"parameter {p.name!r} is {len(raw):,} characters long; the limit is {MAX_VALUE_CHARS:,}", param=p.name)
    if p.enum and raw not in p.enum:
        raise ParameterError(f"parameter {p.name!r} must be one of {', '.join(p.enum)}, got {raw!r}", param=p.name)
    if p.type == "boolean":
        if raw.lower() not in {"true", "false", "1", "0"}:
            raise ParameterError(f"parameter {p.name!r} must be true or false, got {raw!r}", param=p.name)
        return ox.Literal("true" if raw.lower() in {"true", "1"} else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if p.type == "integer":
        if not re.fullmatch(r"-?\d{1,9}", raw):
            raise ParameterError(f"parameter {p.name!r} must be an integer, got {raw!r}", param=p.name)
        return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
    if p.type == "date":
        try:
            value = dt.date.fromisoformat(raw)
        except ValueError:
            raise ParameterError(f"parameter {p.name!r} must be a date YYYY-MM-DD, got {raw!r}", param=p.name) from None
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    if p.type == "string":
        return ox.Literal(raw)
    if p.type == "iri":
        if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", raw):
            raise ParameterError(f"parameter {p.name!r} must be an http(s) IRI, got {raw!r}", param=p.name)
        return ox.NamedNode(raw)
    if p.type == "document":
        return ox.NamedNode(resolver.document(raw))
    if p.type == "agency":
        return ox.NamedNode(resolver.agency(raw))
    if p.type == "jurisdiction":
        return ox.NamedNode(resolver.jurisdiction(raw))
    if p.type == "level":
        if raw not in LEVEL_NAMES:
            raise ParameterError(f"parameter {p.name!r} must be one of {', '.join(LEVEL_NAMES)}, got {raw!r}", param=p.name)
        return ox.NamedNode(f"https://w3id.org/policykg/ontology#{LEVEL_NAMES[raw]}")
    raise ParameterError(f"unknown parameter type {p.type!r}")


def year_range(raw: str, param: str = "years") -> tuple[int, int]:
    """``2016-2020`` (or 2016—2020, 2016至2020) or one year, as the first and last year."""
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–—~至到]\s*(\d{4})\s*)?", raw)
    if not m:
        raise ParameterError(f"{param} must be a year or a range of years (2016-2020), got {raw!r}", param=param)
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    if first > last:
        raise ParameterError(f"{param} {raw!r}: the first year is after the last", param=param)
    return first, last

_FRONT = re.compile(r"^#\+ ?(.*)$")


def parse(path: Path) -> CannedQuery:
    front: list[str] = []
    body: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _FRONT.match(line)
        if m and not body:
            front.append(m.group(1))
        else:
            body.append(line)
    meta = yaml.safe_load("\n".join(front)) or {}
    params = []
    for name, spec in (meta.get("params") or {}).items():
        if spec.get("type") not in PARAM_TYPES:
            raise ValueError(f"{path.name}: parameter {name} has unknown type {spec.get('type')!r}")
        if spec.get("type") == "list" and spec.get("items", "string") not in set(PARAM_TYPES) - {"list"}:
            raise ValueError(f"{path.name}: list parameter {name} has unknown items type {spec.get('items')!r}")
        params.append(Param(name, spec["type"], spec.get("description", ""), spec.get("required", spec.get("default") is None),
                            tuple(str(v) for v in spec.get("enum") or ()), spec.get("items"), spec.get("default")))
    body_text = "\n".join(body)
    projection = re.search(r"SELECT\s+(?:DISTINCT\s+)?(.*?)\s+WHERE", body_text, re.S | re.I)
    for p in params:
        if projection and re.search(r"[?$]" + re.escape(p.name) + r"(?!\w)", projection.group(1)):
            raise ValueError(f"{path.name}: parameter ?{p.name} must not be a result column (it is replaced by its value)")
    return CannedQuery(
        name=path.stem,
        path=path,
        summary=meta.get("summary", ""),
        description=(meta.get("description") or "").strip(),
        params=tuple(params),
        example=meta.get("example") or {},
        sparql="\n".join(body).strip() + "\n",
        lateral=bool(meta.get("lateral", True)),
    )


@lru_cache(maxsize=1)
def _cache(stamp: tuple[tuple[str, float], ...]) -> dict[str, CannedQuery]:
    return {p.stem: parse(p) for p in sorted(QUERY_DIR.glob("*.rq"))}


def all_queries() -> dict[str, CannedQuery]:
    """Every canned query, reloaded when a file changes (a new .rq needs no code change)."""
    stamp = tuple((p.name, p.stat().st_mtime) for p in sorted(QUERY_DIR.glob("*.rq")))
    return _cache(stamp)


def named(name: str) -> CannedQuery:
    """A canned query of ``queries/`` by name only (what the HTTP API may run)."""
    found = all_queries().get(name)
    if found is None:
        raise QueryNotFound(f"no canned query named {name!r}; available: {', '.join(sorted(all_queries()))}", name=name)
    return found


def get(name_or_file: str) -> CannedQuery:
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.is_file():
        return parse(path)
    queries = all_queries()
    if name_or_file not in queries:
        raise QueryNotFound(f"no canned query named {name_or_file!r}; available: {', '.join(sorted(queries))}", name=name_or_file)
    return queries[name_or_file]
