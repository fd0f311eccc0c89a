"""The policykg ontology (``policykg.ttl``) and SHACL shapes (``shapes.ttl``): loading, SHACL
validation of data, and the OWL 2 RL consistency check with owlrl (the reference semantics)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import cast

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

# package data, read through importlib.resources (a pathlib.Path for regular and editable installs)
HERE = cast(Path, files(__name__))
ONTOLOGY_FILE = HERE / "policykg.ttl"
SHAPES_FILE = HERE / "shapes.ttl"
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
OWL_NOTHING = URIRef("http://www.w3.org/2002/07/owl#Nothing")


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def ontology_graph() -> Graph:
    """A fresh copy of the ontology graph."""
    g = Graph()
    for t in _ontology():
        g.add(t)
    for prefix, ns in _ontology().namespaces():
        g.bind(prefix, ns, replace=True)
    return g


def shapes_graph() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


@dataclass
class ValidationReport:
    conforms: bool
    violations: int
    warnings: int
    text: str


def validate(data: Graph) -> ValidationReport:
    """pySHACL with the ontology mixed in (subclass targets and sh:class follow it) and no inference:
    with RDFS inference the range axioms would type every value and sh:class checks could not fail."""
    import pyshacl

    conforms, report_graph, text = pyshacl.validate(
        data, shacl_graph=shapes_graph(), ont_graph=ontology_graph(), inference="none", allow_warnings=True, advanced=True
    )
    sh = Namespace("http://www.w3.org/ns/shacl#")
    violations = sum(1 for r in report_graph.subjects(sh.resultSeverity, sh.Violation))
    warnings = sum(1 for r in report_graph.subjects(sh.resultSeverity, sh.Warning))
    return ValidationReport(bool(conforms), violations, warnings, str(text))


def owl_inconsistencies(data: Graph) -> list[str]:
    """Run owlrl's OWL 2 RL closure of ontology + data and return the inconsistencies it records
    (``err:`` messages, members of owl:Nothing). An empty list means consistent."""
    import owlrl

    g = Graph()
    for t in _ontology():
        g.add(t)
    for t in data:
        g.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    problems = [str(o) for o in g.objects(None, ERR.error)]
    problems += [f"{s} is a member of owl:Nothing" for s in g.subjects(RDF.type, OWL_NOTHING)]
    return problems
