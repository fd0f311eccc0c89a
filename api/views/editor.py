"""The SPARQL editor (``/ui/sparql``): the canned queries as YASGUI tabs."""

from __future__ import annotations

import re

from policykg import queries
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
