"""Measure-level lineage: each measure of a plan aligned with the measures of the parent plans
(lg:basedOn / lg:implementsPlan) that are in the corpus.

Method (``char-bigram-tfidf-cosine``): a measure's text, with place names and level words
(全区, 市政府 …) taken out, becomes a vector of character bigrams weighted by TF-IDF over the
measures of the two plans compared (so a score depends on those two texts alone, not on what
else is in the corpus or the order it was ingested in); Chinese policy text has no spaces and
reuses fixed phrases, which character n-grams catch without a word segmenter. A child measure is aligned with every parent
measure whose cosine is at least ``THRESHOLD`` and at least ``MERGE_RATIO`` of its best one.
Kinds: a child with several parents is a *merge*; children sharing one parent are a *split*;
otherwise *reuse* when ``REUSE_COVERAGE`` of the parent's bigrams occur in the child, else
*reword*. Whether both measures fall in the same task area is recorded alongside, not used to
decide: the section headings of a lower plan follow its parent's, so it adds little, and a
wrong classification should not hide a match.

The alignments of a document live in its own named graph (``lg:implementsMeasure`` and an
``lg:MeasureAlignment`` record per pair), so replacing the document drops them; replacing a
parent recomputes its children's (``refresh``).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import numpy as np
import pyoxigraph as ox

from policykg import iris
from policykg.ingest.divisions import load as load_divisions

METHOD = "char-bigram-tfidf-cosine"
THRESHOLD = 0.25
MERGE_RATIO = 0.7
REUSE_COVERAGE = 0.8
T = TypeVar("T")
U = TypeVar("U")
LG = "https://w3id.org/policykg/ontology#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"

_LEVEL_WORDS = re.compile(r"(?:全|本|我|各|该)(?:省|自治区|市|区|县|镇|乡)|(?:省|自治区|市|区|县|镇|乡)(?:人民)?政府|街道(?:办事处)?|区级|市级|县级")
_NOISE = re.compile(r"[\s\d０-９,，。、;；:：()（）《》〈〉<>“”\"'!！?？\-—…·]")


@dataclass(frozen=True)
class MeasureText:
    iri: str
    document: str
    number: str
    text: str
    task_area: str | None = None


@dataclass(frozen=True)
class Alignment:
    child: MeasureText
    parent: MeasureText
    score: float
    coverage: float
    kind: str

    @property
    def same_task_area(self) -> bool:
        return self.child.task_area is not None and self.child.task_area == self.parent.task_area


@lru_cache(maxsize=65536)
def neutral(text: str) -> str:
    """The wording of a measure without place names, level words, digits and punctuation."""
    divisions = load_divisions()
    out, last = [], 0
    for start, _, name in divisions.find(text):
        out.append(text[last:start])
        last = start + len(name)
    out.append(text[last:])
    return _NOISE.sub("", _LEVEL_WORDS.sub("", "".join(out)))


@lru_cache(maxsize=8192)  # a chunk's measures and their parents'; read only by the callers
def bigrams(text: str) -> Counter[str]:
    t = neutral(text)
    return Counter(t[i:i + 2] for i in range(len(t) - 1))


class Vectoriser:
    """TF-IDF over character bigrams, with the document frequencies of a set of measures."""

    def __init__(self, texts: list[str]) -> None:
        df: Counter[str] = Counter()
        for t in texts:
            df.update(set(bigrams(t)))
        self.n = len(texts)
        self.idf = {g: math.log((self.n + 1) / (f + 1)) + 1 for g, f in df.items()}

    def vector(self, text: str) -> dict[str, float]:
        counts = bigrams(text)
        default = math.log(self.n + 1) + 1
        v = {g: (1 + math.log(f)) * self.idf.get(g, default) for g, f in counts.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {g: x / norm for g, x in v.items()}

    def cosines(self, rows: list[str], columns: list[str]) -> np.ndarray:
        """The cosine of each text of ``rows`` with each of ``columns`` (a matrix): the unit
        vectors of ``vector`` over the bigrams the texts share, multiplied at once."""
        index: dict[str, int] = {}
        at_row: list[int] = []
        at_column: list[int] = []
        weights: list[float] = []
        for i, t in enumerate((*rows, *columns)):  # the cells as three lists, written into the matrix at once
            for g, x in self.vector(t).items():
                at_row.append(i)
                at_column.append(index.setdefault(g, len(index)))
                weights.append(x)
        m = np.zeros((len(rows) + len(columns), max(len(index), 1)))
        m[at_row, at_column] = weights
        return np.asarray(m[:len(rows)] @ m[len(rows):].T)


def _coverage(child: str, parent: str) -> float:
    p = set(bigrams(parent))
    return len(p & set(bigrams(child))) / len(p) if p else 0.0


def align(children: list[MeasureText], parents: list[MeasureText], vectoriser: Vectoriser) -> list[Alignment]:
    """The alignments of one child plan's measures with one parent plan's measures."""
    cosines = vectoriser.cosines([c.text for c in children], [p.text for p in parents]) if children and parents else None
    chosen: list[tuple[MeasureText, list[tuple[float, MeasureText]]]] = []
    for i, c in enumerate(children):
        scored = sorted(((float(cosines[i, j]), p) for j, p in enumerate(parents)), key=lambda x: -x[0]) if cosines is not None else []
        if not scored or scored[0][0] < THRESHOLD:
            continue
        best = scored[0][0]
        chosen.append((c, [(s, p) for s, p in scored if s >= THRESHOLD and s >= MERGE_RATIO * best]))
    uses = Counter(p.iri for _, ps in chosen for _, p in ps)
    out = []
    for c, ps in chosen:
        for s, p in ps:
            coverage = _coverage(c.text, p.text)
            kind = ("merge" if len(ps) > 1 else "split" if uses[p.iri] > 1
                    else "reuse" if coverage >= REUSE_COVERAGE else "reword")
            out.append(Alignment(c, p, round(min(s, 1.0), 3), round(coverage, 3), kind))
    return out


def align_plans(children: list[MeasureText], parents: list[MeasureText]) -> list[Alignment]:
    """The alignments of a child plan with a parent plan, IDF over the two plans' measures."""
    return align(children, parents, Vectoriser([m.text for m in (*children, *parents)]))


# -- in the store ---------------------------------------------------------------------------

def values(name: str, iris_: Iterable[str] | None) -> str:
    """A VALUES block binding ``?name`` to these IRIs (nothing when None: any)."""
    return "" if iris_ is None else f"VALUES ?{name} {{ {' '.join(f'<{d}>' for d in sorted(iris_))} }}"


def corpus_measures(store: ox.Store, documents: Iterable[str] | None = None) -> dict[str, list[MeasureText]]:
    """The measures of these documents (default: every document in the corpus), by document IRI,
    in document order."""
    rows = store.query(
        f"""SELECT DISTINCT ?doc ?m ?n ?text ?area WHERE {{ {values("doc", documents)}
          ?doc <{LG}inCorpus> true . ?m a <{LG}Measure> ; <{LG}document> ?doc ; <{LG}number> ?n ; <{LG}text> ?text .
          OPTIONAL {{ ?m <{LG}taskArea> ?area }} }}""",
        use_default_graph_as_union=True)
    out: dict[str, list[MeasureText]] = defaultdict(list)
    for r in rows:  # type: ignore[union-attr]
        area = r["area"]
        out[r["doc"].value].append(MeasureText(r["m"].value, r["doc"].value, r["n"].value, r["text"].value, area.value if area else None))
    for ms in out.values():
        ms.sort(key=lambda m: [int(x) for x in re.findall(r"\d+", m.number)] or [0])
    return out


def parent_documents(store: ox.Store, children: Iterable[str] | None = None,
                     parents: Iterable[str] | None = None) -> dict[str, set[str]]:
    """Document → the documents in the corpus it is based on or implements (asserted relations);
    only for these ``children`` or these ``parents`` when given (a write looks up the documents it
    changed, not the corpus)."""
    rows = store.query(
        f"""SELECT DISTINCT ?child ?parent WHERE {{ {values("child", children)} {values("parent", parents)}
          VALUES ?rel {{ <{LG}basedOn> <{LG}implementsPlan> }}
          ?child ?rel ?parent . ?child <{LG}inCorpus> true . ?parent <{LG}inCorpus> true . FILTER(?child != ?parent) }}""",
        use_default_graph_as_union=True)
    out: dict[str, set[str]] = defaultdict(set)
    for r in rows:  # type: ignore[union-attr]
        out[r["child"].value].add(r["parent"].value)
    return out


def typed(value: object, datatype: str) -> ox.Literal:
    """A literal of an XSD ``datatype`` (a boolean written true/false)."""
    return ox.Literal(str(value).lower() if isinstance(value, bool) else str(value), datatype=ox.NamedNode(XSD + datatype))


def best_matches(rows: list[T], columns: list[U], cosines: np.ndarray, threshold: float, ratio: float) -> list[tuple[T, U, float]]:
    """For each row, the columns whose cosine is at least ``threshold`` and ``ratio`` of its best,
    best first, the score rounded to 3 places (capped at 1)."""
    out = []
    for i, r in enumerate(rows):
        scored = sorted(((float(cosines[i, j]), c) for j, c in enumerate(columns)), key=lambda x: -x[0])
        best = scored[0][0] if scored else 0.0
        out += [(r, c, round(min(s, 1.0), 3)) for s, c in scored if s >= threshold and s >= ratio * best]
    return out


def qualified(subject: str, direct: str, other: str, link: str, record: str, kind: str,
              values: list[tuple[str, ox.Literal]], graph: ox.NamedNode) -> list[ox.Quad]:
    """A direct link ``subject lg:direct other`` and its qualified record (``lg:link`` → a
    ``lg:kind`` with prov:entity ``other`` and ``values``: (local name in lg:, literal)), in ``graph``."""
    s, o, r = ox.NamedNode(subject), ox.NamedNode(other), ox.NamedNode(record)
    triples: list[tuple[ox.NamedNode, str, ox.NamedNode | ox.Literal]] = [(s, f"{LG}{direct}", o), (s, f"{LG}{link}", r), (r, RDF_TYPE, ox.NamedNode(f"{LG}{kind}")), (r, f"{PROV}entity", o),
               *((r, f"{LG}{name}", value) for name, value in values)]
    return [ox.Quad(a, ox.NamedNode(p), b, graph) for a, p, b in triples]


def _record_iri(a: Alignment) -> str:
    return f"{a.child.iri}/alignment/{iris.key_of_document(a.parent.document)}/{a.parent.number}"


def _quads(a: Alignment, graph: ox.NamedNode) -> list[ox.Quad]:
    return qualified(a.child.iri, "implementsMeasure", a.parent.iri, "alignment", _record_iri(a), "MeasureAlignment", [
        ("score", typed(a.score, "decimal")), ("coverage", typed(a.coverage, "decimal")), ("alignmentKind", ox.Literal(a.kind)),
        ("sameTaskArea", typed(a.same_task_area, "boolean")), ("method", ox.Literal(METHOD))], graph)


def _clear(store: ox.Store, graph: str) -> None:
    store.update(f"""DELETE {{ GRAPH <{graph}> {{ ?m <{LG}implementsMeasure> ?p . ?m <{LG}alignment> ?r . ?r ?rp ?ro }} }}
                     WHERE {{ GRAPH <{graph}> {{ ?m <{LG}alignment> ?r . ?r ?rp ?ro . OPTIONAL {{ ?m <{LG}implementsMeasure> ?p }} }} }}""")


def refresh(store: ox.Store, keys: list[str] | None = None) -> dict[str, int]:
    """Recompute the alignments of the documents ``keys`` (all when None) and of their children
    in the corpus; returns the number of alignments per document key rewritten."""
    if keys is None:
        parents = parent_documents(store)
        measures = corpus_measures(store)
        todo = set(measures) | set(parents)
    else:  # only the measures these documents, their children and their parents hold
        changed = {iris.document(k) for k in keys}
        todo = changed | set(parent_documents(store, parents=changed))
        parents = parent_documents(store, children=todo)
        measures = corpus_measures(store, todo | {p for c in todo for p in parents.get(c, ())})
    done: dict[str, int] = {}
    for child in sorted(todo):
        graph = iris.doc_graph(iris.key_of_document(child))
        _clear(store, graph)
        found = [a for parent in sorted(parents.get(child, ())) for a in align_plans(measures.get(child, []), measures.get(parent, []))]
        quads = [q for a in found for q in _quads(a, ox.NamedNode(graph))]
        if quads:
            store.extend(quads)
        done[iris.key_of_document(child)] = len(found)
    return done
