"""The SPARQL editor (``/ui/sparql``): the canned queries as YASGUI tabs, and what the editor needs
to know about our vocabulary: the prefixes the endpoint predeclares (so a query using them is not
marked wrong), the classes and properties to complete (the ontology's, and those the canned
queries use), and where our IRIs dereference on this server (result links to local pages)."""

from __future__ import annotations

import re
from functools import lru_cache

from rdflib import OWL, RDF, URIRef

from policykg import iris, ontology, queries
from policykg.errors import PolicyKGError
from policykg.graph.resolve import Resolver
from policykg.namespaces import PREFIXES


def sparql_tabs(resolver: Resolver) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """One YASGUI tab per canned query with its example values substituted (and the prefixes it
    uses declared, so the text runs on any SPARQL 1.1 endpoint); the queries whose example cannot
    be bound are returned apart with the reason."""
    tabs, skipped = [], []
    for q in queries.all_queries().values():
        try:
            text = q.render(q.bind(q.example, resolver))  # type: ignore[arg-type]
        except PolicyKGError as exc:
            skipped.append({"name": q.name, "reason": exc.message})
            continue
        used = [f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items() if re.search(rf"(?<![\w:<]){p}:", text)]
        example = "&".join(f"{k}={v}" for k, v in q.example.items())
        header = [f"# {q.name}: {q.summary}", f"# the example as API: /api/queries/{q.name}" + (f"?{example}" if example else "")]
        tabs.append({"name": q.name, "summary": q.summary, "query": "\n".join(header + used) + "\n\n" + text.strip() + "\n"})
    return tabs, skipped


@lru_cache(maxsize=1)
def _ontology_terms() -> tuple[tuple[str, ...], tuple[str, ...]]:
    g = ontology.ontology_graph()
    classes = {str(c) for c in g.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    properties = {str(p) for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
                  for p in g.subjects(RDF.type, kind) if isinstance(p, URIRef)}
    return tuple(sorted(classes)), tuple(sorted(properties))


def vocabulary() -> dict[str, object]:
    """The editor's completions and links: the ontology's classes and properties and the prefixed
    names the canned queries use (dcterms:title, prov:agent …) as full IRIs; the local paths of
    our IRIs (``{base}id/…`` → ``/id/…``, an ontology term → its row of ``/ontology.html``)."""
    classes, properties = _ontology_terms()
    used: set[str] = set()
    for q in queries.all_queries().values():
        for prefix, local in re.findall(r"(?<![\w:<?$])([a-z]+):([A-Za-z][\w-]*)", q.sparql):
            if prefix in PREFIXES:
                used.add(PREFIXES[prefix] + local)
    return {"classes": list(classes), "properties": sorted(set(properties) | (used - set(classes))),
            "local": {f"{iris.base()}id/": "/id/", PREFIXES["lg"]: "/ontology.html#"}}
