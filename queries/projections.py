"""Network projections of the graph for the tools researchers study policy networks with
(networkx, Gephi, Cytoscape, pandas): each is a networkx graph built from SELECTs run through the
store's query path (anything with ``select(sparql)``: the store, a SPARQL server, the server's
``Reader``), with zh/en labels, level, division code, genre, dates, role, deadline, task area,
confidence and the evidence quote on its nodes and edges, so every edge can be traced to the
sentence it came from.

- ``lineage``: documents → the documents they are based on or implement (根据 / 贯彻落实), a DAG.
- ``responsibility``: agencies → the plan measures assigned to them, one edge per agency and
  measure with its roles (牵头, 负责, 配合 …).
- ``co-responsibility``: agencies joined by the measures they share, weighted by their number
  (collectives such as 有关部门 left out).
- ``citations``: every citation, citing document → cited document (a multigraph: a document may
  cite another more than once, each citation its own edge and evidence).
- ``jurisdictions``: the divisions issuing documents, and the divisions above them, as a tree
  (child → parent) with their document counts.
- ``similarity``: measures → the measures found to carry the same work, in a sibling
  jurisdiction's plan (``relation`` sibling, both directions, ``graph.similarity``) or in the
  parent plan (``implements``, ``graph.alignment``), with the score.

Filters (``Filters``): ``area`` (a division and everything below it), ``level``, ``years`` (the
year the document was signed or published, ``2016-2020`` or ``2021``) and ``task_area`` (the
measures of one task area). They select the documents a projection starts from: a county's plans
and what they implement, a province's assignments. Values reach SPARQL only as terms the RDF
library serialised (``queries.convert``), as every canned query's parameters do.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from itertools import combinations
from typing import Any, TypeVar

import networkx as nx
import pyoxigraph as ox

from policykg.errors import ParameterError
from policykg.graph.resolve import Resolver
from policykg.queries import LEVEL_NAMES, Param, convert, year_range
from policykg.version import __version__

Select = Callable[[str], Sequence[Mapping[str, Any]]]
PROJECTIONS = ("lineage", "responsibility", "co-responsibility", "citations", "jurisdictions", "similarity")
LG = "https://w3id.org/policykg/ontology#"
_LEVELS = {iri: name for name, iri in LEVEL_NAMES.items() if name.isascii()}  # LevelCounty → county
G = TypeVar("G", bound="nx.Graph[str]")
_BATCH = 2000  # IRIs per VALUES block when node attributes are read


@dataclass(frozen=True)
class Filters:
    """Which part of the graph a projection covers (None: all of it)."""

    area: str | None = None  # a division (code, name or IRI): documents of it and below it
    level: str | None = None  # national | provincial | prefectural | county | township (or 省级 …)
    years: str | None = None  # 2016-2020, or one year
    task_area: str | None = None  # a task area's notation (enforcement) or Chinese name

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}


@dataclass(frozen=True)
class _Bound:
    area: str | None
    level: str | None
    years: tuple[int, int] | None
    task_area: str | None


def bind(filters: Filters, resolver: Resolver, select: Select) -> _Bound:
    """The filters checked and resolved to IRIs (a ParameterError or ResourceNotFound if not)."""
    area = str(convert(Param("area", "jurisdiction", ""), filters.area, resolver)) if filters.area else None
    level = str(convert(Param("level", "level", ""), filters.level, resolver)) if filters.level else None
    task_area = None
    if filters.task_area:
        value = convert(Param("task_area", "string", ""), filters.task_area, resolver)
        rows = select(f"""SELECT ?concept WHERE {{
          ?concept skos:inScheme lg:TaskAreaScheme ; skos:notation ?notation ; skos:prefLabel ?name .
          FILTER(LANG(?name) = "zh" && (STR(?notation) = {value} || STR(?name) = {value}))
        }} LIMIT 1""")
        if not rows:
            raise ParameterError(f"no task area with the notation or Chinese name {filters.task_area!r}", param="task_area")
        task_area = f"<{rows[0]['concept']}>"
    return _Bound(area, level, year_range(filters.years) if filters.years else None, task_area)


def _documents(var: str, f: _Bound) -> str:
    """The graph patterns that keep the documents ``?var`` the filters select: the area's own, and
    those of the divisions below it through the materialised skos:broaderTransitive, first (as the
    documents query: Oxigraph joins in the order written; Virtuoso 7.2 answers ``skos:broader*``
    with a bound object with nothing, and loses the area when the divisions are selected in a
    subquery of their own). A province's lineage at 200 generated documents: 0.014 s; with the
    union joined in after the documents, 0.8 s."""
    parts = []
    if f.area:
        parts.append(f"{{ ?{var} lg:issuingArea {f.area} }} UNION {{ ?{var}Area skos:broaderTransitive {f.area} }}\n"
                     f"  ?{var} lg:issuingArea ?{var}Area .")
    if f.level:
        parts.append(f"?{var} lg:level {f.level} .")
    if f.years:
        parts.append(f"OPTIONAL {{ ?{var} lg:dateSigned ?{var}Signed }} OPTIONAL {{ ?{var} lg:datePublished ?{var}Published }}\n"
                     f"  FILTER(YEAR(COALESCE(?{var}Signed, ?{var}Published)) >= {f.years[0]} && "
                     f"YEAR(COALESCE(?{var}Signed, ?{var}Published)) <= {f.years[1]})")
    return "\n  ".join(parts)


def _values(var: str, iris: Iterable[str]) -> Iterable[str]:
    """VALUES blocks of at most ``_BATCH`` IRIs."""
    batch = sorted(set(iris))
    for i in range(0, len(batch), _BATCH):
        yield f"VALUES ?{var} {{ {' '.join(str(ox.NamedNode(x)) for x in batch[i:i + _BATCH])} }}"


def _attributes(rows: Iterable[Mapping[str, Any]], key: str, multi: Sequence[str] = ()) -> dict[str, dict[str, Any]]:
    """Attributes per node from rows keyed by ``key``: scalars (GraphML and GEXF have no lists or
    nulls), the values of a ``multi`` column joined with "; " in order, unbound ones left out."""
    out: dict[str, dict[str, Any]] = defaultdict(dict)
    many: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        node = str(row[key])
        for name, v in row.items():
            if name == key or v is None:
                continue
            if name in multi:
                if str(v) not in many[node][name]:
                    many[node][name].append(str(v))
            else:
                out[node].setdefault(name, v)
    for node, columns in many.items():
        for name, vs in columns.items():
            out[node][name] = "; ".join(sorted(vs))
    return out


def _nodes(select: Select, iris: Iterable[str], kind: str, query: str, multi: Sequence[str] = ()) -> dict[str, dict[str, Any]]:
    """The attributes of these nodes of one ``kind``: ``query`` (a SELECT of ?node and its columns,
    ``{values}`` where the nodes go) run over them in batches, a level as its English name."""
    rows: list[Mapping[str, Any]] = []
    for values in _values("node", iris):
        rows += select(query.replace("{values}", values))
    nodes = _attributes(rows, "node", multi)
    for attrs in nodes.values():
        attrs["kind"] = kind
        if "level" in attrs:
            attrs["level"] = _LEVELS.get(str(attrs["level"]).removeprefix(LG), attrs["level"])
    return nodes


def _document_nodes(select: Select, iris: Iterable[str]) -> dict[str, dict[str, Any]]:
    return _nodes(select, iris, "document", """SELECT ?node ?label ?doc_number ?level ?division ?division_zh ?genre ?genre_zh ?date ?in_corpus WHERE {
          {values}
          OPTIONAL { ?node dcterms:title ?label }
          OPTIONAL { ?node lg:docNumber ?doc_number }
          OPTIONAL { ?node lg:level ?level }
          OPTIONAL { ?node lg:issuingArea ?area . ?area skos:notation ?division ; rdfs:label ?division_zh }
          OPTIONAL { ?node lg:genre ?g . ?g skos:prefLabel ?genre , ?genre_zh .
                      FILTER(LANG(?genre) = "en" && LANG(?genre_zh) = "zh") }
          OPTIONAL { ?node lg:dateSigned ?date }
          BIND(xsd:boolean(EXISTS { ?node lg:inCorpus true }) AS ?in_corpus)  # Virtuoso: 1/0 without xsd:boolean
        }""")


def _agency_nodes(select: Select, iris: Iterable[str]) -> dict[str, dict[str, Any]]:
    return _nodes(select, iris, "agency", """SELECT ?node ?label ?full_name ?label_en ?level ?division ?division_zh ?collective WHERE {
          {values}
          OPTIONAL { ?node rdfs:label ?label }
          OPTIONAL { ?node skos:prefLabel ?full_name FILTER(LANG(?full_name) != "en") }
          OPTIONAL { ?node skos:prefLabel ?label_en FILTER(LANG(?label_en) = "en") }
          OPTIONAL { ?node lg:level ?level }
          OPTIONAL { ?node lg:jurisdiction ?area . ?area skos:notation ?division ; rdfs:label ?division_zh }
          BIND(xsd:boolean(EXISTS { ?node a lg:Collective }) AS ?collective)
        }""")


def _measure_nodes(select: Select, iris: Iterable[str]) -> dict[str, dict[str, Any]]:
    return _nodes(select, iris, "measure", """SELECT ?node ?label ?number ?text ?document ?document_title ?deadline ?deadline_text ?task_area WHERE {
          {values}
          OPTIONAL { ?node rdfs:label ?label }
          OPTIONAL { ?node lg:number ?number }
          OPTIONAL { ?node lg:text ?text }
          OPTIONAL { ?node lg:document ?document . ?document dcterms:title ?document_title }
          OPTIONAL { ?node lg:deadline/time:inXSDDate ?deadline }
          OPTIONAL { ?node lg:deadlineText ?deadline_text }
          OPTIONAL { ?node lg:taskArea/skos:notation ?task_area }
        }""", multi=("task_area",))


def _graph(kind: type[G], projection: str, filters: Filters) -> G:
    return kind(projection=projection, filters="; ".join(f"{k}={v}" for k, v in filters.as_dict().items()) or "none",
                generator=f"policykg {__version__}", created=dt.date.today().isoformat())


def _add_nodes(g: nx.Graph[str], nodes: Mapping[str, Mapping[str, Any]]) -> None:
    for node, attrs in nodes.items():
        if node in g:
            g.nodes[node].update(attrs)


def _citation_edges(select: Select, f: _Bound, lineage: bool) -> list[Mapping[str, Any]]:
    relations = "FILTER(?rel IN (lg:basedOn, lg:implementsPlan))" if lineage else ""
    return list(select(f"""SELECT ?source ?target ?citation ?relation ?cited_as ?corrected ?confidence ?evidence WHERE {{
      {_documents("source", f)}
      ?source lg:inCorpus true ; lg:citation ?citation .
      ?citation lg:citedDocument ?target ; lg:relation ?rel .
      {relations}
      BIND(STRAFTER(STR(?rel), "#") AS ?relation)
      OPTIONAL {{ ?citation lg:citedTitle ?cited_as }}
      OPTIONAL {{ ?citation lg:corrected ?corrected }}
      OPTIONAL {{ ?citation lg:confidence ?confidence }}
      OPTIONAL {{ ?citation lg:evidence/lg:quote ?evidence }}
    }} ORDER BY ?source ?citation"""))


def lineage(select: Select, f: _Bound, filters: Filters) -> nx.DiGraph[str]:
    """Each document the filters select → each document it is based on or implements. One edge per
    pair; its evidence is the first citation's quote (in citation order), its relations joined."""
    g = _graph(nx.DiGraph, "lineage", filters)
    for row in _citation_edges(select, f, lineage=True):
        s, t = str(row["source"]), str(row["target"])
        attrs = {k: row[k] for k in ("relation", "cited_as", "corrected", "confidence", "evidence", "citation") if row[k] is not None}
        if g.has_edge(s, t):
            old = g.edges[s, t]
            old["relation"] = "; ".join(sorted(set(old["relation"].split("; ")) | {attrs["relation"]}))
        else:
            g.add_edge(s, t, **attrs)
    _add_nodes(g, _document_nodes(select, g.nodes))
    return g


def citations(select: Select, f: _Bound, filters: Filters) -> nx.MultiDiGraph[str]:
    """Every citation of the documents the filters select, keyed by the citation's IRI."""
    g = _graph(nx.MultiDiGraph, "citations", filters)
    for row in _citation_edges(select, f, lineage=False):
        attrs = {k: row[k] for k in ("relation", "cited_as", "corrected", "confidence", "evidence") if row[k] is not None}
        g.add_edge(str(row["source"]), str(row["target"]), key=str(row["citation"]), **attrs)
    _add_nodes(g, _document_nodes(select, g.nodes))
    return g


def _assignments(select: Select, f: _Bound) -> list[Mapping[str, Any]]:
    task_area = f"?measure lg:taskArea {f.task_area} ." if f.task_area else ""
    return list(select(f"""SELECT ?agency ?measure ?role ?evidence ?surface_form WHERE {{
      {_documents("doc", f)}
      ?measure lg:document ?doc ; a lg:Measure .
      {task_area}
      FILTER NOT EXISTS {{ ?doc lg:editionOf ?original }}  # a mirror or excerpt repeats its original's measures
      ?measure lg:assignment ?assignment .
      ?assignment prov:agent ?agency ; prov:hadRole/skos:notation ?role .
      OPTIONAL {{ ?assignment lg:evidence/lg:quote ?evidence }}
      OPTIONAL {{ ?assignment lg:surfaceForm ?surface_form }}
    }} ORDER BY ?measure ?agency ?role"""))


def responsibility(select: Select, f: _Bound, filters: Filters) -> nx.DiGraph[str]:
    """Agency → measure, one edge per pair: its roles (``lead; cooperating`` when a body is named
    twice), the quote that assigns it and the name as written."""
    g = _graph(nx.DiGraph, "responsibility", filters)
    for row in _assignments(select, f):
        a, m = str(row["agency"]), str(row["measure"])
        if g.has_edge(a, m):
            edge = g.edges[a, m]
            edge["role"] = "; ".join(sorted(set(edge["role"].split("; ")) | {row["role"]}))
        else:
            g.add_edge(a, m, role=row["role"], **{k: row[k] for k in ("evidence", "surface_form") if row[k] is not None})
    agencies = [n for n in g if g.out_degree(n)]
    _add_nodes(g, _agency_nodes(select, agencies))
    _add_nodes(g, _measure_nodes(select, [n for n in g if not g.out_degree(n)]))
    for a in agencies:
        roles = Counter(r for _, _, edge in g.out_edges(a, data=True) for r in str(edge["role"]).split("; "))
        g.nodes[a].update(measures=g.out_degree(a), lead=roles["lead"], responsible=roles["responsible"],
                          cooperating=roles["cooperating"])
    return g


def co_responsibility(select: Select, f: _Bound, filters: Filters) -> nx.Graph[str]:
    return co_responsibility_of(responsibility(select, f, filters), filters)


def co_responsibility_of(resp: nx.DiGraph[str], filters: Filters | None = None) -> nx.Graph[str]:
    """Agencies joined when they are assigned the same measure, from the responsibility network:
    ``weight``: the measures they share, ``lead_shared``: those of them one of the two leads.
    Collectives (有关部门, 各镇人民政府) are left out: they name nobody in particular, and would
    join every body to every other. Agencies keep their attributes (``measures``: all they are
    assigned, with anybody or alone)."""
    g = _graph(nx.Graph, "co-responsibility", filters or Filters())
    by_measure: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for a, m, d in resp.edges(data=True):
        if not resp.nodes[a].get("collective"):
            by_measure[m][a] = set(str(d["role"]).split("; "))
    for a, d in resp.nodes(data=True):
        if d.get("kind") == "agency" and not d.get("collective"):
            g.add_node(a, **{k: v for k, v in d.items() if k not in ("lead", "responsible", "cooperating")})
    for measure, agencies in sorted(by_measure.items()):
        for a, b in combinations(sorted(agencies), 2):
            led = "lead" in agencies[a] or "lead" in agencies[b]
            if g.has_edge(a, b):
                g.edges[a, b]["weight"] += 1
                g.edges[a, b]["lead_shared"] += int(led)
            else:
                g.add_edge(a, b, weight=1, lead_shared=int(led), example_measure=measure)
    return g


def jurisdictions(select: Select, f: _Bound, filters: Filters) -> nx.DiGraph[str]:
    """The divisions the selected documents were issued in and every division above them, child →
    parent; ``documents``: issued in the division itself, ``documents_below``: in it or below it."""
    g = _graph(nx.DiGraph, "jurisdictions", filters)
    rows = select(f"""SELECT ?area (COUNT(DISTINCT ?source) AS ?documents) WHERE {{
      {_documents("source", f)}
      ?source lg:inCorpus true ; lg:issuingArea ?area .
    }} GROUP BY ?area""")
    own = {str(r["area"]): int(r["documents"]) for r in rows}
    above: dict[str, set[str]] = {area: {area} for area in own}  # each division, and those above it
    parents: list[Mapping[str, Any]] = []
    for values in _values("node", own):
        for r in select(f"SELECT ?node ?up WHERE {{ {values} ?node skos:broaderTransitive ?up }}"):
            above[str(r["node"])].add(str(r["up"]))
    everyone = set(own) | {u for ups in above.values() for u in ups}
    for values in _values("node", everyone):
        parents += select(f"SELECT ?node ?parent WHERE {{ {values} ?node skos:broader ?parent }}")
    for d in everyone:
        g.add_node(d)
    for r in parents:
        if str(r["parent"]) in everyone:
            g.add_edge(str(r["node"]), str(r["parent"]), relation="broader")
    rows = []
    for values in _values("node", everyone):
        rows += select(f"""SELECT ?node ?code ?label ?label_en ?level WHERE {{
          {values}
          OPTIONAL {{ ?node skos:notation ?code }}
          OPTIONAL {{ ?node rdfs:label ?label }}
          OPTIONAL {{ ?node skos:prefLabel ?label_en FILTER(LANG(?label_en) = "en") }}
          OPTIONAL {{ ?node lg:areaLevel ?level }}
        }}""")
    _add_nodes(g, _attributes(rows, "node"))
    below: Counter[str] = Counter()
    for area, n in own.items():
        for up in above[area]:
            below[up] += n
    for d in g:
        attrs = g.nodes[d]
        attrs.update(kind="division", documents=own.get(d, 0), documents_below=below.get(d, 0))
        if "level" in attrs:
            attrs["level"] = _LEVELS.get(str(attrs["level"]).removeprefix(LG), attrs["level"])
    return g


def similarity(select: Select, f: _Bound, filters: Filters) -> nx.DiGraph[str]:
    """Measure → measure, from the measures of the documents the filters select: ``sibling`` (the
    same work in a sibling jurisdiction's plan) and ``implements`` (the parent plan's measure it
    carries out), with the score and whether both are in the same task area. Measures carry their
    document's division (``division``, ``division_zh``) so siblings can be told apart."""
    task_area = f"?measure lg:taskArea {f.task_area} ." if f.task_area else ""
    rows = select(f"""SELECT ?measure ?other ?relation ?score ?same_task_area WHERE {{
      {_documents("doc", f)}
      ?measure lg:document ?doc ; a lg:Measure .
      {task_area}
      {{ ?measure lg:similarity ?record . BIND("sibling" AS ?relation) }}
      UNION {{ ?measure lg:alignment ?record . BIND("implements" AS ?relation) }}
      ?record prov:entity ?other ; lg:score ?score .
      OPTIONAL {{ ?record lg:sameTaskArea ?same_task_area }}
    }} ORDER BY ?measure ?other""")
    g = _graph(nx.DiGraph, "similarity", filters)
    for r in rows:
        g.add_edge(str(r["measure"]), str(r["other"]), relation=r["relation"], score=float(r["score"]),
                   same_task_area=bool(r["same_task_area"]))
    nodes = _measure_nodes(select, g.nodes)
    documents = {str(d["document"]) for d in nodes.values() if d.get("document")}
    areas = _document_nodes(select, documents)
    for attrs in nodes.values():
        doc = areas.get(str(attrs.get("document")), {})
        attrs.update({k: doc[k] for k in ("division", "division_zh", "level") if k in doc})
    _add_nodes(g, nodes)
    return g


_BUILDERS: dict[str, Callable[[Select, _Bound, Filters], nx.Graph[str]]] = {
    "lineage": lineage, "responsibility": responsibility, "co-responsibility": co_responsibility,
    "citations": citations, "jurisdictions": jurisdictions, "similarity": similarity}


def project(name: str, select: Select, resolver: Resolver, filters: Filters | None = None) -> nx.Graph[str]:
    """The projection ``name`` (one of ``PROJECTIONS``) of the graph ``select`` reads."""
    if name not in _BUILDERS:
        raise ParameterError(f"no projection {name!r}; one of {', '.join(PROJECTIONS)}", param="projection")
    filters = filters or Filters()
    return _BUILDERS[name](select, bind(filters, resolver, select), filters)
