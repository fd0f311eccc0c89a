"""The embedded store: Oxigraph on disk, one named graph per document, plus the ontology and the
division vocabulary in graphs of their own. Replacing a document's graph is one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from policykg import iris
from policykg.errors import QueryError, StoreError
from policykg.ingest.divisions import load as load_divisions
from policykg.ingest.model import Extraction
from policykg.namespaces import ONTOLOGY_FILE, sparql_prefixes
from policykg.graph import alignment, reasoning
from policykg.graph.rdf import divisions_graph, document_graph, schemes_graph


def vocab_graph_iri() -> str:
    return f"{iris.base()}graph/vocab"


@lru_cache(maxsize=4)
def vocab_ntriples(division_codes: frozenset[str] | None = None) -> bytes:
    """The vocabulary graph as N-Triples, built once per process (about 100 k triples)."""
    g = divisions_graph(load_divisions(), set(division_codes) if division_codes is not None else None) + schemes_graph()
    return g.serialize(format="nt", encoding="utf-8")


@dataclass
class Stats:
    triples: int
    graphs: int
    documents: int
    documents_in_corpus: int
    measures: int
    assignments: int
    agencies: int
    collectives: int
    citations: int

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class Store:
    """A policykg graph store. ``Store(path)`` opens (or creates) an on-disk store;
    ``Store(None)`` is in memory (tests)."""

    def __init__(self, path: str | Path | None, read_only: bool = False) -> None:
        self.path = Path(path) if path else None
        try:
            if self.path is None:
                self.ox = ox.Store()
            elif read_only:
                self.ox = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self.ox = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {self.path}: {exc}. Is another policykg process using it?", path=self.path) from None

    # -- writing ---------------------------------------------------------------------------

    def _replace_graph(self, graph_iri: str, g: Graph) -> None:
        data = g.serialize(format="nt")
        self.ox.update(f"DROP SILENT GRAPH <{graph_iri}> ;\nINSERT DATA {{ GRAPH <{graph_iri}> {{\n{data}\n}} }}")

    def ensure_vocabularies(self, division_codes: frozenset[str] | None = None) -> None:
        """Load (or reload) the ontology and the division and scheme vocabulary into their graphs;
        ``division_codes`` keeps only these divisions (small stores for tests)."""
        onto = Graph().parse(ONTOLOGY_FILE, format="turtle")
        self._replace_graph(iris.ontology_graph(), onto)
        graph = ox.NamedNode(vocab_graph_iri())
        self.ox.remove_graph(graph) if graph in set(self.ox.named_graphs()) else None
        self.ox.load(vocab_ntriples(division_codes), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)

    def put_document(self, ex: Extraction) -> int:
        """Replace the document's named graph with what ``ex`` states, atomically. Returns the triple count."""
        g = document_graph(ex, load_divisions())
        self._replace_graph(iris.doc_graph(ex.key), g)
        return len(g)

    def children(self, key: str) -> list[str]:
        """The keys of the documents in the corpus based on or implementing this one."""
        doc = iris.document(key)
        return sorted(iris.key_of_document(c) for c, ps in alignment.parent_documents(self.ox).items() if doc in ps)

    def remove_document(self, key: str) -> list[str]:
        """Drop a document's graph and entailments and re-align its children's measures; returns
        the children's keys, whose inferences the caller refreshes with the closure."""
        children = self.children(key)
        self.ox.update(f"DROP SILENT GRAPH <{iris.doc_graph(key)}>")
        reasoning.forget(self.ox, key)
        if children:
            alignment.refresh(self.ox, children)
        return children

    def refresh_alignments(self, keys: list[str] | None = None) -> dict[str, int]:
        """Re-align the measures of these documents (all when None) and of their children with
        their parent plans' measures (``graph.alignment``). Returns alignments per document key
        rewritten; refresh those documents' inferences afterwards."""
        return alignment.refresh(self.ox, keys)

    def refresh_inferences(self, keys: list[str] | None = None) -> dict[str, reasoning.Run]:
        """Recompute the materialised entailments of these documents (all when None) and the
        closure across documents (``graph/inferred/…``)."""
        return reasoning.refresh(self.ox, keys)

    # -- reading ---------------------------------------------------------------------------

    def query(self, sparql: str, substitutions: dict[str, ox.NamedNode | ox.Literal] | None = None,
              prefixes: bool = True, inferred: bool = True, **kwargs: object) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a SPARQL query over the union of all graphs (unless FROM/GRAPH say otherwise);
        with ``inferred=False`` the materialised entailments are left out."""
        text = (sparql_prefixes() + sparql) if prefixes else sparql
        subs = {ox.Variable(k): v for k, v in (substitutions or {}).items()}
        if not inferred and "default_graph" not in kwargs:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in reasoning.asserted_graphs(self.ox)]
            kwargs["union"] = False
        try:
            return self.ox.query(text, use_default_graph_as_union=kwargs.pop("union", True), substitutions=subs, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from None

    def select(self, sparql: str, substitutions: dict[str, ox.NamedNode | ox.Literal] | None = None,
               inferred: bool = True) -> list[dict[str, object]]:
        """Rows of a SELECT as dicts of Python values (str, int, float, bool; None when unbound)."""
        result = self.query(sparql, substitutions, inferred=inferred)
        variables = [v.value for v in result.variables]  # type: ignore[union-attr]
        rows = []
        for solution in result:  # type: ignore[union-attr]
            rows.append({v: to_python(solution[v]) for v in variables})
        return rows

    def documents(self) -> Iterator[str]:
        for row in self.select("SELECT ?d WHERE { ?d lg:inCorpus true }"):
            yield str(row["d"])

    def stats(self) -> Stats:
        def count(where: str) -> int:
            rows = self.select(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")
            return int(rows[0]["n"])  # type: ignore[arg-type]

        return Stats(
            triples=len(self.ox),
            graphs=sum(1 for _ in self.ox.named_graphs()),
            documents=count("?x a ?c . VALUES ?c { lg:PolicyDocument lg:Report lg:Document }"),
            documents_in_corpus=count("?x lg:inCorpus true"),
            measures=count("?x a lg:Measure"),
            assignments=count("?x a lg:Assignment"),
            agencies=count("?x a ?c . VALUES ?c { lg:Agency lg:Government lg:PartyBody lg:BranchOffice }"),
            collectives=count("?x a lg:Collective"),
            citations=count("?x a lg:Citation"),
        )

    def flush(self) -> None:
        self.ox.flush()


def to_python(term: object) -> object:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt.endswith("#integer") or dt.endswith("#int") or dt.endswith("#long"):
            return int(term.value)
        if dt.endswith("#decimal") or dt.endswith("#double") or dt.endswith("#float"):
            return float(term.value)
        if dt.endswith("#boolean"):
            return term.value == "true"
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)
