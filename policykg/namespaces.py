"""Vocabularies used in the graph. ``LG`` is closed over the terms the ontology file defines, so a
term the ontology does not have raises instead of silently minting an IRI."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import cast

import pyoxigraph as ox
from rdflib import Namespace
from rdflib.namespace import ClosedNamespace

from policykg.iris import ONTOLOGY

# package data, read through importlib.resources, not imported: the core imports no layer above it
# (ontology/ itself imports nothing of ours; its code uses the same file)
ONTOLOGY_FILE = cast(Path, files("policykg.ontology")) / "policykg.ttl"  # a Path: the package is installed as files


def _terms() -> list[str]:
    # read by pyoxigraph's parser: rdflib's took a fifth of a second, on every start of the CLI
    triples = ox.parse(path=ONTOLOGY_FILE, format=ox.RdfFormat.TURTLE)
    return sorted({t.subject.value[len(ONTOLOGY):] for t in triples
                   if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(ONTOLOGY)})


LG = ClosedNamespace(ONTOLOGY, _terms())
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
CV = Namespace("http://data.europa.eu/m8g/")

PREFIXES = {
    "lg": ONTOLOGY,
    "eli": str(ELI),
    "org": str(ORG),
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def sparql_prefixes() -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
