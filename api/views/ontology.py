"""The ontology page (``/ontology.html``): a diagram of the core (document, measure, assignment,
agency, deadline, citation, evidence) with the property names a query uses, a runnable example for
each key class (``ontology/examples.yaml``: each opens and runs in the SPARQL editor), and every
class, property and concept with its zh/en labels and definition."""

from __future__ import annotations

import html
from functools import lru_cache
from importlib.resources import files
from typing import Any
from urllib.parse import quote

import yaml
from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef

from policykg import iris
from policykg.ontology import ontology_graph

# the core, placed by hand: (key, label, x, y) of each box's centre; literal values in italics
NODES = [
    ("lg:Document", "lg:Document 文件", 120, 110), ("lg:Citation", "lg:Citation 引用", 120, 330),
    ("lg:Measure", "lg:Measure 措施", 440, 110), ("time:Instant", "time:Instant 时限", 760, 40),
    ("xsd:date", "\"2017-12-31\"^^xsd:date", 900, 140), ("lg:Assignment", "lg:Assignment 分工", 440, 300),
    ("lg:Agency", "lg:Agency 机关", 790, 300), ("lg:AssignmentRole", "lg:RoleLead 牵头 …", 790, 420),
    ("lg:SourceSpan", "lg:SourceSpan 原文", 440, 430), ("xsd:string", "\"…区法制办牵头…\"", 120, 440),
]
# (from, property, to): the shape of the data, as the canned queries walk it
EDGES = [
    ("lg:Measure", "lg:document", "lg:Document"), ("lg:Document", "lg:citation", "lg:Citation"),
    ("lg:Citation", "lg:citedDocument", "lg:Document"), ("lg:Measure", "lg:assignment", "lg:Assignment"),
    ("lg:Measure", "lg:deadline", "time:Instant"), ("time:Instant", "time:inXSDDate", "xsd:date"),
    ("lg:Assignment", "prov:agent", "lg:Agency"), ("lg:Assignment", "prov:hadRole", "lg:AssignmentRole"),
    ("lg:Assignment", "lg:evidence", "lg:SourceSpan"), ("lg:SourceSpan", "lg:quote", "xsd:string"),
    ("lg:Document", "lg:issuedBy", "lg:Agency"),
]
_W, _H = 180, 40  # a box


def _clip(x1: float, y1: float, x2: float, y2: float) -> tuple[float, float]:
    """Where the line from the centre (x1, y1) towards (x2, y2) leaves the box around (x1, y1)."""
    dx, dy = x2 - x1, y2 - y1
    scale = min(_W / 2 / abs(dx) if dx else float("inf"), _H / 2 / abs(dy) if dy else float("inf"))
    return x1 + dx * scale, y1 + dy * scale


@lru_cache(maxsize=1)
def diagram() -> str:
    """The core as an inline SVG (no script: it is drawn by the browser from markup)."""
    at = {key: (x, y) for key, _, x, y in NODES}
    out = ['<svg id="core-diagram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 480" role="img" '
           'aria-label="The core of the policykg ontology" font-size="13">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">'
           '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>']
    for source, prop, target in EDGES:
        (x1, y1), (x2, y2) = at[source], at[target]
        if (target, source) in {(s, t) for s, _, t in EDGES}:  # a pair of edges both ways: side by side
            shift = 14 if source < target else -14
            x1, x2 = x1 + shift, x2 + shift
        sx, sy = _clip(x1, y1, x2, y2)
        tx, ty = _clip(x2, y2, x1, y1)
        out.append(f'<line class="edge" data-property="{prop}" x1="{sx:.0f}" y1="{sy:.0f}" x2="{tx:.0f}" y2="{ty:.0f}" '
                   'stroke="#555" marker-end="url(#arrow)"/>')
        out.append(f'<text x="{(sx + tx) / 2 + 4:.0f}" y="{(sy + ty) / 2 - 4:.0f}" fill="#114">{html.escape(prop)}</text>')
    for key, label, x, y in NODES:
        literal = key.startswith("xsd:")
        italic, fill, corner = (' font-style="italic"', "#fff", 0) if literal else ("", "#eef3fb", 6)
        out.append(f'<g class="node" data-node="{key}"><rect x="{x - _W / 2:.0f}" y="{y - _H / 2:.0f}" width="{_W}" height="{_H}" '
                   f'rx="{corner}" fill="{fill}" stroke="#335"/>'
                   f'<text x="{x}" y="{y + 5}" text-anchor="middle"{italic}>{html.escape(label)}</text></g>')
    out.append("</svg>")
    return "".join(out)


@lru_cache(maxsize=1)
def examples() -> list[dict[str, str]]:
    """The runnable examples, each with the editor link that opens and runs it."""
    data: list[dict[str, str]] = yaml.safe_load((files("policykg.ontology") / "examples.yaml").read_text(encoding="utf-8"))
    return [{**e, "run": "/ui/sparql?query=" + quote(e["query"])} for e in data]


@lru_cache(maxsize=1)
def sections() -> list[tuple[str, list[dict[str, Any]]]]:
    """Classes, properties, concept schemes and concepts of our namespace, labels and definitions."""
    g: Graph = ontology_graph()

    def text(s: URIRef, p: URIRef, lang: str) -> str:
        return next((str(o) for o in g.objects(s, p) if getattr(o, "language", None) == lang), "")

    def entry(s: URIRef) -> dict[str, Any]:
        label_p = SKOS.prefLabel if (s, SKOS.prefLabel, None) in g else RDFS.label
        return {
            "name": "lg:" + str(s)[len(iris.ONTOLOGY):], "iri": str(s),
            "zh": text(s, label_p, "zh"), "en": text(s, label_p, "en"),
            "definition": text(s, SKOS.definition, "en") or text(s, RDFS.comment, "en"),
            "definition_zh": text(s, SKOS.definition, "zh"),
            "parents": [g.qname(o) for o in list(g.objects(s, RDFS.subClassOf)) + list(g.objects(s, RDFS.subPropertyOf)) if isinstance(o, URIRef)],
        }

    def ours(kind: URIRef) -> list[dict[str, Any]]:
        return sorted((entry(s) for s in set(g.subjects(RDF.type, kind)) if isinstance(s, URIRef) and str(s).startswith(iris.ONTOLOGY)),
                      key=lambda e: e["name"])

    return [("Classes 类", ours(OWL.Class)), ("Object properties 对象属性", ours(OWL.ObjectProperty)),
            ("Datatype properties 数据属性", ours(OWL.DatatypeProperty)), ("Concept schemes 概念体系", ours(SKOS.ConceptScheme)),
            ("Concepts 概念", ours(SKOS.Concept))]
