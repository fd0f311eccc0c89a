"""Similar measures across sibling jurisdictions: for each measure of a plan, the measures of the
plans of its sibling divisions that carry the same duty, so a researcher can compare how 钦南区
and 钦北区 worded (or left out) the same work, and not only how each took it from its parent.

Sibling plans are two plans in the corpus, with measures, issued by two different divisions under
the same division (skos:broader: two districts of one city, two provinces of the country) and
based on or implementing the same document (lg:basedOn / lg:implementsPlan): two
implementations of one parent plan side by side. Mirrors and excerpts (lg:editionOf) are neither.

Method (``graph.alignment``'s ``char-bigram-tfidf-cosine``): TF-IDF vectors of character bigrams
over the two plans' measures, place names and level words taken out; a measure is linked to every
measure of the sibling plan whose cosine is at least ``THRESHOLD`` and at least ``RATIO`` of its
best one there. A link depends on the two plans alone.

Each document holds the links of its own measures, in its own named graph (``lg:similarMeasure``
and an ``lg:MeasureSimilarity`` record: score, same task area, method), so both directions are
written, one in each plan's graph, and replacing a plan drops its side; ``refresh`` then rewrites
its siblings' side, in the store's unit of work, after the alignments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pyoxigraph as ox

from policykg import iris, settings
from policykg.graph.alignment import LG, PROV, MeasureText, Vectoriser, best_matches, corpus_measures, qualified, typed, values

METHOD = "char-bigram-tfidf-cosine"
SKOS_BROADER = "http://www.w3.org/2004/02/skos/core#broader"
# Set on the 钦北区 fixture against the 钦南区 seed plan (tests/gold/cascade/siblings.json), so the
# figures there are a development set, not a held-out one.
THRESHOLD = 0.2
RATIO = 0.7


@dataclass(frozen=True)
class Similar:
    measure: MeasureText
    other: MeasureText
    score: float

    @property
    def same_task_area(self) -> bool:
        return self.measure.task_area is not None and self.measure.task_area == self.other.task_area


def _best(measures: list[MeasureText], others: list[MeasureText], cosines: np.ndarray) -> list[Similar]:
    return [Similar(m, o, score) for m, o, score in best_matches(measures, others, cosines, THRESHOLD, RATIO)]


def pair(measures: list[MeasureText], others: list[MeasureText]) -> tuple[list[Similar], list[Similar]]:
    """The links of two sibling plans' measures, each way (IDF over the two plans, one matrix)."""
    if not measures or not others:
        return [], []
    cosines = Vectoriser([m.text for m in (*measures, *others)]).cosines([m.text for m in measures], [o.text for o in others])
    return _best(measures, others, cosines), _best(others, measures, cosines.T)


def similar(measures: list[MeasureText], others: list[MeasureText]) -> list[Similar]:
    """The links of one plan's measures with its sibling plan's."""
    return pair(measures, others)[0]


def _placed(store: ox.Store, documents: Iterable[str] | None = None, ups: Iterable[str] | None = None,
            parents: Iterable[str] | None = None) -> list[tuple[str, str, str, str]]:
    """(document, its division, the division above, a document it is based on or implements) of
    the documents in the corpus, not editions; only these ``documents``, or those under these
    divisions ``ups`` implementing these ``parents``, when given. Whether a document has measures
    is left to ``corpus_measures`` (asked here, it took 70 s at 10,000 generated documents)."""
    rows = store.query(f"""SELECT DISTINCT ?a ?area ?up ?parent WHERE {{ {values("a", documents)} {values("up", ups)}
          {values("parent", parents)}
          {"?area <" + SKOS_BROADER + "> ?up . ?a <" + LG + "issuingArea> ?area ." if ups is not None else ""}
          VALUES ?rel {{ <{LG}basedOn> <{LG}implementsPlan> }}
          ?a <{LG}inCorpus> true ; <{LG}issuingArea> ?area ; ?rel ?parent .
          ?area <{SKOS_BROADER}> ?up .
          ?parent <{LG}issuingArea> ?up .
          FILTER NOT EXISTS {{ ?a <{LG}editionOf> ?e }}
        }}""", use_default_graph_as_union=True)
    return [(r["a"].value, r["area"].value, r["up"].value, r["parent"].value) for r in rows]  # type: ignore[union-attr]


def sibling_plans(store: ox.Store, documents: Iterable[str] | None = None) -> dict[str, set[str]]:
    """Plan → its sibling plans in the corpus; only for these ``documents`` when given. The plans
    are grouped by division above and parent document in Python: joined in SPARQL, every plan
    under a national outline met every other (400,514 candidate pairs at 10,000 generated
    documents, 19 s before any filter)."""
    if documents is None:
        placed = _placed(store)
    else:
        own = _placed(store, documents)
        placed = own + _placed(store, ups={x[2] for x in own}, parents={x[3] for x in own}) if own else []
    groups: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for a, area, up, parent in placed:
        groups[up, parent].add((a, area))
    wanted = None if documents is None else set(documents)
    out: dict[str, set[str]] = defaultdict(set)
    for members in groups.values():
        for a, area_a in members:
            if wanted is None or a in wanted:
                out[a] |= {b for b, area_b in members if area_b != area_a}
    return {a: bs for a, bs in out.items() if bs}


def _record_iri(x: Similar) -> str:
    return f"{x.measure.iri}/similar/{iris.key_of_document(x.other.document)}/{x.other.iri.rsplit('/', 1)[-1]}"


def _quads(x: Similar, graph: ox.NamedNode) -> list[ox.Quad]:
    return qualified(x.measure.iri, "similarMeasure", x.other.iri, "similarity", _record_iri(x), "MeasureSimilarity", [
        ("score", typed(x.score, "decimal")), ("sameTaskArea", typed(x.same_task_area, "boolean")), ("method", ox.Literal(METHOD))],
        graph)


def _clear_text(graph: str, into: Iterable[str] | None = None) -> str:
    """The update that drops the links held in ``graph``: all, or only those to the measures of
    the documents ``into``."""
    only = "" if into is None else "FILTER(" + " || ".join(f'STRSTARTS(STR(?o), "{d}/")' for d in sorted(into)) + ")"
    return f"""DELETE {{ GRAPH <{graph}> {{ ?m <{LG}similarMeasure> ?o . ?m <{LG}similarity> ?r . ?r ?rp ?ro }} }}
               WHERE {{ GRAPH <{graph}> {{ ?m <{LG}similarity> ?r . ?r <{PROV}entity> ?o . {only} ?r ?rp ?ro }} }}"""


def linked_plans(store: ox.Store, documents: Iterable[str]) -> set[str]:
    """The plans whose measures hold links to measures of these documents: their siblings as the
    store has them, which may no longer be siblings after a change. Ask before a document is
    removed: its measures go with it (``Store.dependants``)."""
    rows = store.query(f"""SELECT DISTINCT ?a WHERE {{ {values("b", documents)}
          ?other <{LG}document> ?b . ?record <{PROV}entity> ?other ; a <{LG}MeasureSimilarity> .
          ?m <{LG}similarity> ?record ; <{LG}document> ?a }}""", use_default_graph_as_union=True)
    return {r["a"].value for r in rows}  # type: ignore[union-attr]


def refresh(store: ox.Store, keys: list[str] | None = None) -> dict[str, int]:
    """Recompute the similar-measure links of the plans among the documents ``keys`` (all when
    None) with their sibling plans, both ways: each changed plan's own links are rewritten, and of
    its siblings' (and of the plans that had links to it) only those to it, so a new county plan
    costs one comparison per sibling, not one per pair of siblings. Each pair of plans is compared
    once. Returns the number of links per document key whose graph was rewritten. Off (nothing
    done, the links already made kept) when the setting ``sibling_measures`` is no."""
    if not settings.get("sibling_measures"):
        return {}

    def exists(d: str) -> bool:
        return store.contains_named_graph(ox.NamedNode(iris.doc_graph(iris.key_of_document(d))))

    if keys is None:
        siblings = sibling_plans(store)
        changed = set(siblings) | {r["a"].value for r in store.query(  # type: ignore[union-attr]
            f"SELECT DISTINCT ?a WHERE {{ ?m <{LG}similarity> ?r ; <{LG}document> ?a }}", use_default_graph_as_union=True)}
        partners: set[str] = set()
    else:
        changed = {iris.document(k) for k in keys}
        siblings = sibling_plans(store, changed)
        partners = ({b for bs in siblings.values() for b in bs} | linked_plans(store, changed)) - changed
    changed = {d for d in changed if exists(d)}
    partners = {d for d in partners if exists(d)}
    done: dict[str, int] = {}
    clears = [_clear_text(iris.doc_graph(iris.key_of_document(plan))) for plan in sorted(changed)]
    into = {iris.document(k) for k in keys or ()}  # the links of partners to changed or removed plans
    clears += [_clear_text(iris.doc_graph(iris.key_of_document(plan)), into) for plan in sorted(partners)]
    if clears:
        store.update(" ;\n".join(clears))  # one transaction
    done = {iris.key_of_document(plan): 0 for plan in changed | partners}
    pairs = {tuple(sorted((a, b))) for a in changed for b in siblings.get(a, ())}
    measures = corpus_measures(store, {d for p in pairs for d in p}) if pairs else {}
    quads: list[ox.Quad] = []
    for a, b in sorted(pairs):
        ab, ba = pair(measures.get(a, []), measures.get(b, []))
        for plan, found in ((a, ab), (b, ba)):
            graph = ox.NamedNode(iris.doc_graph(iris.key_of_document(plan)))
            quads += [q for x in found for q in _quads(x, graph)]
            done[iris.key_of_document(plan)] = done.get(iris.key_of_document(plan), 0) + len(found)
    if quads:
        store.extend(quads)  # one transaction
    return done
