"""The embedded store: Oxigraph on disk, one named graph per document, plus the ontology and the
division vocabulary in graphs of their own. The store owns its invariants:

- **One unit of work per write.** Replacing or removing documents (``put_document``,
  ``remove_document``, ``write`` for the Graph Store and SPARQL Update) first records the
  documents it touches in a journal (``graph/meta``), in the same transaction as the change when
  the store makes it; then their derived data (alignments with their parent plans, and the
  materialised entailments) is recomputed; then the journal entry is removed. A store opened for
  writing replays what its journal still holds, so a crash at any moment leaves every document
  either as it was or complete with its derived data.
- **The vocabulary is built once per version.** ``ensure_vocabularies`` compares a content hash
  of the ontology, the division and scheme data and the code that turns them into RDF
  (``vocabulary_version``) with the one recorded in ``graph/meta``; only when they differ is the
  vocabulary rebuilt, and then swapped in with the ontology in one transaction (a reader sees the
  old vocabulary or the new one, never none). Opening a store with a current vocabulary costs one
  lookup.
"""

from __future__ import annotations

import gc
import hashlib
import inspect
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph as ox
from rdflib import Graph

from policykg import iris, settings
from policykg.errors import ConfigError, QueryError, StoreError
from policykg.graph import reasoning, shared
from policykg.graph.terms import value
from policykg.namespaces import ONTOLOGY_FILE, sparql_prefixes
from policykg.version import __version__

if TYPE_CHECKING:
    from policykg.graph.identity import Admission
    from policykg.ingest.model import Extraction

# Writing a document needs the parsers' model, the graph builder and the alignment (numpy); they
# are imported where a write needs them, so that a process that only reads (a query from the
# command line) starts without them.

T = TypeVar("T")
# the store's own bookkeeping, in graph/meta (not part of the ontology: no entailments)
_STORE_NS = "https://w3id.org/policykg/store#"
VOCABULARY_VERSION = _STORE_NS + "vocabularyVersion"
PENDING = _STORE_NS + "pendingDocument"  # a document key whose derived data is not yet written
ALL = "*"  # the journal entry for "every document"
CLOSURE = "~closure"  # the journal entry for "the closure across documents waits for the end of a batch"
ADDED = _STORE_NS + "addedDocument"  # a pending document that is new: the store only grew (``recover``)


def vocab_graph_iri() -> str:
    return f"{iris.base()}graph/vocab"


def meta_graph_iri() -> str:
    return f"{iris.base()}graph/meta"


@lru_cache(maxsize=4)
def vocab_ntriples(division_codes: frozenset[str] | None = None) -> bytes:
    """The vocabulary graph as N-Triples, built once per process (about 100 k triples)."""
    from policykg.graph.rdf import divisions_graph, schemes_graph
    from policykg.ingest.divisions import load as load_divisions

    g = divisions_graph(load_divisions(), set(division_codes) if division_codes is not None else None) + schemes_graph()
    return g.serialize(format="nt", encoding="utf-8")


def configured_divisions() -> frozenset[str] | None:
    """The divisions the ``divisions`` setting keeps (None: all)."""
    from policykg.ingest.divisions import load as load_divisions, neighbourhood

    codes = {c.strip() for c in str(settings.get("divisions")).split(",") if c.strip()}
    if not codes:
        return None
    divisions = load_divisions()
    unknown = sorted(c for c in codes if divisions.get(c) is None)
    if unknown:
        raise ConfigError(f"the divisions setting names codes that are not GB/T 2260 divisions: {', '.join(unknown)}")
    return neighbourhood(divisions, codes)


@lru_cache(maxsize=4)
def vocabulary_version(division_codes: frozenset[str] | None = None) -> str:
    """A content hash of what the ontology and vocabulary graphs are built from: the ontology, the
    GB/T 2260 table, the curated data files, the code that reads the table and writes it as RDF,
    the package version and the divisions kept (``None``: all)."""
    from policykg.graph import rdf
    from policykg.ingest import divisions as divisions_module
    from policykg.ingest.divisions import data_file as divisions_data_file

    h = hashlib.sha256(__version__.encode())
    h.update(ONTOLOGY_FILE.read_bytes())
    h.update(divisions_data_file().read_bytes())
    data = files("policykg.ingest") / "data"
    for name in sorted(p.name for p in data.iterdir() if p.name.endswith(".yaml")):
        h.update(name.encode() + (data / name).read_bytes())
    h.update(inspect.getsource(rdf).encode())
    h.update(inspect.getsource(divisions_module).encode())  # the names and short names it derives
    h.update(repr(sorted(division_codes) if division_codes is not None else None).encode())
    return h.hexdigest()[:32]


def _open_read_only(path: Path, attempts: int = 20) -> ox.Store:
    """Open an on-disk store read-only beside a writer (a running server): a writer that is
    compacting may remove a file between the moment the reader lists the store's files and the
    moment it opens them, so an IO error is retried a few times (0.05 s, doubling, ~5 s in all)
    before it is reported. A store that does not exist is reported at once."""
    if not (path / "CURRENT").exists():
        raise OSError(f"no store at {path}")
    delay = 0.05
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError):  # RocksDB reports a vanished file as IO error or "Corruption"
            if attempt == attempts - 1:
                raise
            time.sleep(min(delay, 0.5))
            delay *= 2
    raise AssertionError("unreachable")


@dataclass
class Stats:
    """What the graph holds, each count of one kind of thing (``Store.stats``): the documents whose
    text is in the corpus apart from those only cited by them, and the bodies the documents name
    apart from the governments of every division that the GB/T 2260 vocabulary brings."""

    triples: int
    graphs: int
    documents_in_corpus: int  # documents whose text was ingested (lg:inCorpus)
    documents_cited_only: int  # documents cited by them whose text is not in the corpus
    measures: int
    assignments: int
    citations: int
    agencies_named: int  # bodies a corpus document names as its issuer or assigns a measure to
    collectives: int  # open-ended groups of bodies the documents assign measures to (各有关部门 …)
    agencies_other: int  # other bodies: issuers of cited documents, parents of branch offices, successors through reforms
    vocabulary_governments: int  # the people's government of every current division (GB/T 2260), not read from documents

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class Store:
    """A policykg graph store. ``Store(path)`` opens (or creates) an on-disk store;
    ``Store(None)`` is in memory (tests)."""

    def __init__(self, path: str | Path | None, read_only: bool = False) -> None:
        self.path = Path(path) if path else None
        # new documents written as their worker split them, until their derived data is made (a
        # hint only: a store reopened after a crash reads the same from the graphs themselves)
        self._splits: dict[str, shared.Split] = {}
        try:
            if self.path is None:
                self.ox = ox.Store()
            elif read_only:
                self.ox = _open_read_only(self.path)
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self.ox = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {self.path}: {exc}. Is another policykg process using it?", path=self.path) from None
        if not read_only:
            self.recover()

    # -- the journal -------------------------------------------------------------------------

    def pending(self) -> list[str]:
        """Document keys whose derived data a write has not finished (``*``: every document)."""
        return sorted(value(q.object) for q in self.ox.quads_for_pattern(
            ox.NamedNode(meta_graph_iri()), ox.NamedNode(PENDING), None, ox.NamedNode(meta_graph_iri())))

    def _added(self) -> set[str]:
        """The pending documents written as new ones (nothing of them replaced or removed since)."""
        return {value(q.object) for q in self.ox.quads_for_pattern(
            ox.NamedNode(meta_graph_iri()), ox.NamedNode(ADDED), None, ox.NamedNode(meta_graph_iri()))}

    @staticmethod
    def _journal_ops(keys: list[str] | None, add: bool) -> str:
        """Journal these documents as changed (``add``) or done. A change recorded this way is not
        an addition, and a document done is no longer one either: both drop its ``ADDED`` entry."""
        entries = Store._journal_data(keys)
        if not entries:
            return ""
        if keys is None:
            added = f"DELETE WHERE {{ GRAPH <{meta_graph_iri()}> {{ <{meta_graph_iri()}> <{ADDED}> ?k }} }}"
        else:
            added = f"DELETE DATA {{ {Store._journal_data(keys, ADDED)} }}"
        return f"{'INSERT' if add else 'DELETE'} DATA {{ {entries} }} ;\n{added}"

    @staticmethod
    def _journal_data(keys: list[str] | None, predicate: str = PENDING) -> str:
        """The journal entries of these keys (None: every document), as a GRAPH block of data."""
        entries = " ".join(f"<{meta_graph_iri()}> <{predicate}> {ox.Literal(k)} ." for k in ([ALL] if keys is None else keys))
        return f"GRAPH <{meta_graph_iri()}> {{ {entries} }}" if entries else ""

    def _update(self, *operations: str) -> None:
        """Run these update operations as one transaction."""
        ops = [op for op in operations if op]
        if ops:
            self.ox.update(" ;\n".join(ops))

    def recover(self, closure: bool = True) -> list[str]:
        """Finish what an interrupted write left in the journal: recompute the derived data of the
        documents it names. Returns their keys (empty when the journal was empty). When every one
        of them was added as a new document (the store only grew), the closure across documents
        is extended from what they changed. Otherwise it is made from scratch, which reads the
        whole store: with ``closure=False`` (a batch between chunks) it is left in the journal for
        the batch's last call (or the next opening)."""
        pending = self.pending()
        keys = [k for k in pending if k != CLOSURE]
        closure_waits = CLOSURE in pending
        if keys and ALL not in keys and not closure_waits and set(keys) <= self._added():
            self.derive(keys, grown=True)
            self._update(self._journal_ops(keys, add=False))
        elif keys or (closure and closure_waits):
            self.derive(None if ALL in keys else keys, closure=closure)
            if closure:
                self._update(self._journal_ops([*keys, *([CLOSURE] if closure_waits else [])], add=False))
            else:  # the documents are done; the closure waits (one entry, whichever chunk wrote it)
                self._update(self._journal_ops(keys, add=False), "" if closure_waits else self._journal_ops([CLOSURE], add=True))
        return keys

    # -- writing ---------------------------------------------------------------------------

    def _replace_graph(self, graph_iri: str, g: Graph) -> None:
        data = g.serialize(format="nt")
        self.ox.update(f"DROP SILENT GRAPH <{graph_iri}> ;\nINSERT DATA {{ GRAPH <{graph_iri}> {{\n{data}\n}} }}")

    def vocabulary_version(self) -> str | None:
        """The version of the vocabulary this store holds (None: none, or an interrupted build)."""
        for q in self.ox.quads_for_pattern(ox.NamedNode(meta_graph_iri()), ox.NamedNode(VOCABULARY_VERSION), None,
                                           ox.NamedNode(meta_graph_iri())):
            return value(q.object)
        return None

    def ensure_vocabularies(self, division_codes: frozenset[str] | None = None) -> bool:
        """Make the ontology and the division and scheme vocabulary current (``division_codes``
        keeps only these divisions; by default the ``divisions`` setting decides). Nothing is
        done when the store already holds this version; otherwise both graphs are replaced in one
        transaction and the entailments recomputed. Returns True when the vocabulary was rebuilt."""
        if division_codes is None:
            division_codes = configured_divisions()
        version = vocabulary_version(division_codes)
        if self.vocabulary_version() == version:
            return False
        onto = Graph().parse(ONTOLOGY_FILE, format="turtle").serialize(format="nt")
        vocab = vocab_ntriples(division_codes).decode("utf-8")
        meta = f"<{meta_graph_iri()}>"
        self._update(
            f"DELETE WHERE {{ GRAPH {meta} {{ {meta} <{VOCABULARY_VERSION}> ?v }} }}",
            f"DROP SILENT GRAPH <{iris.ontology_graph()}>",
            f"INSERT DATA {{ GRAPH <{iris.ontology_graph()}> {{\n{onto}\n}} }}",
            f"DROP SILENT GRAPH <{vocab_graph_iri()}>",
            f"INSERT DATA {{ GRAPH <{vocab_graph_iri()}> {{\n{vocab}\n}} }}",
            self._journal_ops(None, add=True),  # every entailment may change
        )
        self.recover()
        self._update(f"INSERT DATA {{ GRAPH {meta} {{ {meta} <{VOCABULARY_VERSION}> {ox.Literal(version)} }} }}")
        self.compact()
        return True

    def compact(self, log_bytes: int = 32 * 2**20) -> None:
        """Write what is in memory to the store's files and, once the write-ahead log has grown
        past ``log_bytes`` (a large write leaves several times the data: 150 MB for a new store of
        48 MB), let go of it by reopening the store."""
        self.ox.flush()
        if self.path is not None and sum(f.stat().st_size for f in self.path.glob("*.log")) > log_bytes:
            del self.ox
            gc.collect()
            self.ox = ox.Store(str(self.path))

    def put_document(self, ex: Extraction, derive: bool = True, ntriples: str | None = None,
                     split: shared.Split | None = None) -> int:
        """Replace the document's named graph with what ``ex`` states (``ntriples``: its graph,
        ``document_ntriples(ex)``, when a worker has built it), in one transaction with its
        journal entry; then (``derive``) recompute its derived data and its children's. With
        ``derive=False`` (a batch) the derived data waits for ``recover``, which the batch calls
        after each chunk and at its end and which a store opened after a crash runs itself.
        Returns the triple count."""
        from policykg.graph.rdf import document_ntriples

        data = document_ntriples(ex) if ntriples is None else ntriples
        graph = iris.doc_graph(ex.key)
        if self.ox.contains_named_graph(ox.NamedNode(graph)) or shared.contributed(self.ox, ex.key):
            self._update(f"DROP SILENT GRAPH <{graph}>",
                         f"INSERT DATA {{ GRAPH <{graph}> {{\n{data}\n}} }}",
                         shared.replaced_ops(ex.key),  # what it said of shared nodes before
                         self._journal_ops([ex.key], add=True))
        elif split is not None and split.key == ex.key:  # a new document, split by the worker: settled as written
            self._update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{split.own}\n}} {self._journal_data([ex.key])} "
                         f"{self._journal_data([ex.key], ADDED)} "
                         f"{shared.contribution_ops(ex.key, split.contribution, split.nodes) if split.contribution else ''} }}")
            self._splits[ex.key] = split
        else:  # a new document: one operation (each more costs a new document's write a third more)
            self._update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{data}\n}} {self._journal_data([ex.key])} "
                         f"{self._journal_data([ex.key], ADDED)} }}")
        if derive:
            self.recover()
        return data.count("\n")

    def add_document(self, ex: Extraction, derive: bool = True, ntriples: str | None = None,
                     split: shared.Split | None = None) -> Admission:
        """Add a text to the store as the document it is (``graph.identity``): the same file again
        changes nothing; a new text of the same file replaces it under its IRI; another text of a
        stored document (a mirror, an excerpt, another edition) and a different document with the
        same title are kept beside the stored ones, under IRIs of their own. Then as ``put_document``
        (``ntriples``, the graph of ``ex`` as extracted, is used when it is kept as it is)."""
        from policykg.graph import identity

        admission, kept = identity.admit(self.ox, ex)
        if not admission.written:
            return admission
        if kept is not ex:
            ntriples = split = None
        return replace(admission, triples=self.put_document(kept, derive, ntriples, split))

    def unchanged(self, sha256: str) -> tuple[Admission, str | None] | None:
        """Whether a file with this content is stored as this extraction version would store it
        (``graph.identity.unchanged``), with its title."""
        from policykg.graph import identity

        return identity.unchanged(self.ox, sha256)

    def dependants(self, key: str) -> list[str]:
        """The keys of the documents whose derived data depends on this one: those in the corpus
        based on or implementing it (their measure alignments) and the sibling plans whose measures
        are linked to its measures (``graph.similarity``)."""
        from policykg.graph import alignment, similarity

        doc = iris.document(key)
        return sorted({iris.key_of_document(c) for c in alignment.parent_documents(self.ox, parents=[doc])}
                      | {iris.key_of_document(p) for p in similarity.linked_plans(self.ox, [doc])})

    def remove_document(self, key: str, derive: bool = True) -> list[str]:
        """Drop a document's graph and entailments (one transaction, with its journal entry), then
        re-align its children's measures, re-link its siblings' and refresh their inferences. Returns
        their keys."""
        dependants = self.dependants(key)
        self._update(f"DROP SILENT GRAPH <{iris.doc_graph(key)}>",
                     f"DROP SILENT GRAPH <{reasoning.doc_inferred_graph(key)}>",
                     self._journal_ops([key, *dependants], add=True))
        if derive:
            self.recover()
        return dependants

    def write(self, change: Callable[[Store], T], documents: list[str] | None) -> T:
        """A unit of work for changes the store does not make itself (Graph Store, SPARQL Update):
        the documents it touches (``None``: it may touch any) are journalled, ``change`` runs, and
        their derived data is recomputed before the journal entry goes."""
        self._update(self._journal_ops(documents, add=True))
        try:
            return change(self)
        finally:  # a change that failed midway is made consistent all the same
            self.recover()

    def derive(self, keys: list[str] | None = None, closure: bool = True, grown: bool = False) -> dict[str, reasoning.Run]:
        """Recompute the derived data of these documents (all when None): drop the entailments of
        those no longer in the store, re-align the measures of the rest and of their children
        with their parent plans', link the reports among them and those of the plans among them
        with the measures they report on (``graph.implementation``), link the measures of sibling
        plans that carry the same work (``graph.similarity``), and refresh the entailments
        of all of them and (``closure``)
        the closure, extended from what changed when the documents were only added (``grown``)."""
        if keys is not None:
            for key in keys:
                if not self.ox.contains_named_graph(ox.NamedNode(iris.doc_graph(key))):
                    reasoning.forget(self.ox, key)
        # descriptions of shared nodes (cited documents, agencies, reforms) held once, in their own graphs
        from policykg.graph import alignment, implementation, similarity

        splits = {k: self._splits.pop(k) for k in (keys or []) if k in self._splits}
        if keys is None:
            self._splits.clear()
        nodes = shared.settle(self.ox, self._document_keys() if keys is None else keys, grown=grown and keys is not None,
                              splits=splits)
        aligned = alignment.refresh(self.ox, keys)
        reported = implementation.refresh(self.ox, keys)  # reports linked to the measures they report on
        siblings = similarity.refresh(self.ox, keys)  # measures linked to the same work in sibling plans
        return reasoning.refresh(self.ox, None if keys is None else sorted({*keys, *aligned, *reported, *siblings}), closure=closure,
                                 grown=nodes if grown and keys is not None else None)

    def refresh_alignments(self, keys: list[str] | None = None) -> dict[str, int]:
        """Re-align the measures of these documents (all when None) and of their children with
        their parent plans' measures (``graph.alignment``). Returns alignments per document key
        rewritten; refresh those documents' inferences afterwards."""
        from policykg.graph import alignment

        return alignment.refresh(self.ox, keys)

    def refresh_inferences(self, keys: list[str] | None = None) -> dict[str, reasoning.Run]:
        """Recompute the materialised entailments of these documents (all when None) and the
        closure across documents (``graph/inferred/…``), once the descriptions of shared nodes are
        in their own graphs (``graph.shared``)."""
        shared.settle(self.ox, self._document_keys() if keys is None else keys)
        return reasoning.refresh(self.ox, keys)

    def _document_keys(self) -> list[str]:
        """Every document with a graph or a contribution still recorded."""
        return sorted({*reasoning.document_keys(self.ox), *shared.contributors(self.ox)})

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

    def quads_for_pattern(self, subject: ox.NamedNode | ox.BlankNode | None, predicate: ox.NamedNode | None,
                          object: ox.NamedNode | ox.BlankNode | ox.Literal | None,
                          graph: ox.NamedNode | ox.DefaultGraph | None = None) -> Iterator[ox.Quad]:
        """The quads matching a pattern (None: any), in any graph unless ``graph`` is given."""
        return iter(self.ox.quads_for_pattern(subject, predicate, object, graph))

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        return (g for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        return bool(self.ox.contains_named_graph(graph))

    def documents(self) -> Iterator[str]:
        for row in self.select("SELECT ?d WHERE { ?d lg:inCorpus true }"):
            yield str(row["d"])

    def stats(self) -> Stats:
        def count(where: str) -> int:
            rows = self.select(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")
            n = rows[0]["n"]
            assert isinstance(n, int)
            return n

        document = "?x a ?c . VALUES ?c { lg:PolicyDocument lg:Report lg:Document }"
        body = "?x a ?c . VALUES ?c { lg:Agency lg:Government lg:PartyBody lg:BranchOffice }"
        named = "{ ?d lg:inCorpus true ; lg:issuedBy ?x } UNION { ?s a lg:Assignment ; prov:agent ?x }"  # as issuer or assignee
        vocabulary = f"GRAPH <{vocab_graph_iri()}> {{ ?x a lg:Government }}"
        return Stats(
            triples=len(self.ox),
            graphs=sum(1 for _ in self.ox.named_graphs()),
            documents_in_corpus=count("?x lg:inCorpus true"),
            documents_cited_only=count(f"{document} FILTER NOT EXISTS {{ ?x lg:inCorpus true }}"),
            measures=count("?x a lg:Measure"),
            assignments=count("?x a lg:Assignment"),
            citations=count("?x a lg:Citation"),
            agencies_named=count(f"{named} FILTER EXISTS {{ {body} }}"),  # the type as a filter: as a join, 17 s on the seeds
            collectives=count("?x a lg:Collective"),
            agencies_other=count(f"{body} FILTER NOT EXISTS {{ {named} }} FILTER NOT EXISTS {{ {vocabulary} }}"),
            vocabulary_governments=count(vocabulary),
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
