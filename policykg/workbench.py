"""The Python entry point for notebooks and scripts: ``kg = policykg.open(store_dir_or_url)``.

    import policykg
    kg = policykg.open("data/store")                       # or a SPARQL endpoint's URL
    kg.query("obligations", agency="钦南区法制办")           # a canned query → pandas DataFrame
    kg.query("SELECT ?d ?t WHERE { ?d lg:inCorpus true ; dcterms:title ?t }")  # or SPARQL
    g = kg.network("responsibility", area="钦南区")          # a projection → networkx graph
    kg.export("lineage", "graphml", "lineage.graphml", area="450000")

A store is opened read-only (a running server may write to it meanwhile); an endpoint is read over
the SPARQL 1.1 Protocol (credentials from POLICYKG_ENDPOINT_USER and POLICYKG_ENDPOINT_PASSWORD).
Canned queries run as the command line runs them; the projections are ``queries.projections``'s.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from policykg import queries
from policykg.errors import ParameterError
from policykg.graph.remote import RemoteStore
from policykg.graph.resolve import Resolver
from policykg.graph.store import Store, to_python

if TYPE_CHECKING:  # imported where used: `policykg query` reads through this class and starts without them
    import networkx as nx
    import pandas as pd

    from policykg.queries.projections import Filters


class KnowledgeGraph:
    """The graph of a store directory or a SPARQL endpoint, for analysis in Python."""

    def __init__(self, source: str | Path | Store | RemoteStore, inferred: bool = True) -> None:
        self.inferred = inferred  # the materialised entailments count (a store's; a server has what was loaded)
        if isinstance(source, (Store, RemoteStore)):  # one already open
            self.store: Store | RemoteStore = source
            self.source = str(getattr(source, "path", None) or getattr(source, "endpoint", None) or "(in memory)")
        else:
            self.source = str(source)
            self.store = RemoteStore(self.source) if re.match(r"https?://", self.source) else Store(self.source, read_only=True)
        self.resolver = Resolver(self.store)

    @property
    def embedded(self) -> bool:
        return isinstance(self.store, Store)

    def __repr__(self) -> str:
        return f"<KnowledgeGraph {self.source}>"

    @property
    def queries(self) -> dict[str, str]:
        """The canned queries: name → summary (``kg.describe(name)`` for the parameters)."""
        return {name: q.summary for name, q in queries.all_queries().items()}

    def describe(self, name: str) -> dict[str, Any]:
        """A canned query's summary, parameters, example and SPARQL text."""
        q = queries.named(name)
        return {"name": q.name, "summary": q.summary, "description": q.description, "example": q.example,
                "params": {p.name: {"type": p.type, "required": p.required, "description": p.description} for p in q.params},
                "sparql": q.sparql}

    def sparql(self, name_or_sparql: str, **params: object) -> str:
        """The SPARQL text that ``query`` runs: a canned query's (by name or .rq file) with its
        parameters resolved and written in, or the text given."""
        if not _is_sparql(name_or_sparql):
            q = queries.get(name_or_sparql)
            bound = q.bind({k: _value(v) for k, v in params.items()}, self.resolver)
            return q.executable(bound) if self.embedded else q.render(bound)  # a server gets the standard text
        if params:
            raise ParameterError(f"parameters ({', '.join(params)}) are for canned queries; "
                                 "write the values into the SPARQL text", param=next(iter(params)))
        return name_or_sparql

    def query(self, name_or_sparql: str, **params: object) -> pd.DataFrame:
        """A canned query (by name, e.g. ``"implementers"``, or a .rq file) with its parameters,
        or a SPARQL SELECT, as a pandas DataFrame: one column per variable (also when no row
        matches), IRIs and strings as str, numbers as int or float, None where unbound."""
        import pandas as pd

        columns, rows = self.table(self.sparql(name_or_sparql, **params))
        return pd.DataFrame(rows, columns=columns)

    def table(self, sparql: str) -> tuple[list[str], list[dict[str, object]]]:
        """A SELECT's variables and rows (dicts of Python values)."""
        result = (self.store.query(sparql, inferred=self.inferred) if isinstance(self.store, Store)
                  else self.store.result(sparql)[0])
        if not isinstance(result, ox.QuerySolutions):
            raise ParameterError("query() and table() take a SELECT; use the store's own methods for ASK, CONSTRUCT or DESCRIBE")
        columns = [v.value for v in result.variables]
        return columns, [{c: to_python(solution[c]) for c in columns} for solution in result]

    def select(self, sparql: str) -> list[dict[str, object]]:
        """Rows of a SELECT as dicts (the read every projection is built from)."""
        return self.table(sparql)[1]

    def network(self, projection: str, **filters: str | None) -> nx.Graph[str]:
        """A projection (lineage, responsibility, co-responsibility, citations, jurisdictions) as a
        networkx graph; filters: area, level, years, task_area."""
        from policykg.queries.projections import project

        return project(projection, self.select, self.resolver, _filters(filters))

    def analyse(self, name: str, **filters: str | None) -> pd.DataFrame:
        """An analysis (load, communities, lineage, lineage-by-level, unled, similar-measures: ``queries.analytics``)
        of the part of the graph the filters select, as a DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.analysis_rows(name, **filters)).convert_dtypes()

    def analysis_rows(self, name: str, **filters: str | None) -> list[dict[str, Any]]:
        from policykg.queries.analytics import analyse

        return analyse(name, lambda projection: self.network(projection, **filters))

    def adoption(self, document: str, level: str) -> pd.DataFrame:
        """Each division of ``level`` below the document's area: whether, when and with which plan
        it adopted the document, and the lag (the ``adoption`` canned query)."""
        return self.query("adoption", document=document, level=level)

    def adoption_curve(self, document: str, level: str) -> pd.DataFrame:
        """Per year: the divisions that adopted, in all so far, and their share."""
        import pandas as pd

        return pd.DataFrame(self.diffusion_rows("curve", document, level),
                            columns=["year", "adopted", "cumulative", "divisions", "share"])

    def event_history(self, document: str, level: str, years: str | None = None) -> pd.DataFrame:
        """The event-history table of the document's adoption at ``level``: a row per division and
        year at risk, ``adopted`` 0/1, covariates (``queries.diffusion.event_history``)."""
        import pandas as pd

        return pd.DataFrame(self.diffusion_rows("history", document, level, years))

    def diffusion_rows(self, name: str, document: str, level: str, years: str | None = None) -> list[dict[str, Any]]:
        """A diffusion table (adoption, curve, history: ``queries.diffusion.table``) as rows."""
        from policykg.queries.diffusion import table

        return table(name, lambda at: self.select(self.sparql("adoption", document=document, level=at)), level, years)

    def export(self, projection: str, fmt: str, path: str | Path, table: str = "edges", **filters: str | None) -> Path:
        """Write a projection to ``path`` as graphml, gexf, cytoscape or csv (``table``: edges or nodes)."""
        from policykg.queries import network_formats

        network_formats.check(fmt, table)
        target = Path(path)
        target.write_bytes(network_formats.write(self.network(projection, **filters), fmt, table))
        return target


def _is_sparql(text: str) -> bool:
    """SPARQL text rather than a canned query's name or a .rq file (whose path may have spaces)."""
    if text.endswith(".rq") and Path(text).is_file():
        return False
    return bool(re.search(r"\s", text.strip())) or "{" in text


def _value(v: object) -> str:
    if isinstance(v, (list, tuple, set)):
        return ",".join(map(str, v))
    return str(v).lower() if isinstance(v, bool) else str(v)


def _filters(given: dict[str, str | None]) -> Filters:
    from policykg.queries.projections import Filters

    known = set(Filters.__dataclass_fields__)
    unknown = set(given) - known
    if unknown:
        raise ParameterError(f"projections take the filters {', '.join(sorted(known))}; not {', '.join(sorted(unknown))}",
                             param=sorted(unknown)[0])
    return Filters(**{k: str(v) for k, v in given.items() if v is not None})
