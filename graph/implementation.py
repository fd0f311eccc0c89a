"""Implementation status: each activity a report says was done, linked to the measures of the
plans it reports on, so a measure shows "reported in the 2017 report: quote …" or nothing, and an
obligation past its deadline with nothing reported is overdue.

A report is compared with the plans of its own jurisdiction (the same lg:issuingArea) that were
issued before it (signed, else published; a report without a date counts from the end of its
year) and whose plan period, when they state one, covers the report's year; mirrors and excerpts
are neither. Method (``graph.alignment``'s, ``char-bigram-tfidf-cosine``): the activity's text and
each measure's, place names and level words taken out, as TF-IDF vectors of character bigrams over
the report's activities and the plan's measures (so a link depends on that report and that plan
alone: adding a plan or a report never changes the links already made); an activity is linked to
every measure whose cosine is at least ``THRESHOLD`` and at least ``RATIO`` of its best one. The
report then lg:reportsOn the plan.

The links live in the report's named graph (``lg:reportsOnMeasure`` and an
``lg:ImplementationMatch`` record per pair: score, same task area, method), so replacing the report
drops them; adding or replacing a plan recomputes the links of the reports of its jurisdiction
(``refresh``, in the store's unit of work, after the measure alignments).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from policykg import iris
from policykg.graph.alignment import LG, XSD, MeasureText, Vectoriser, best_matches, qualified, typed, values

METHOD = "char-bigram-tfidf-cosine"
# Set on the made-up 钦南区 reports of tests/fixtures/implementation (so the figures there are a
# development set, not a held-out one): activities about work no measure names score at most 0.05
# against the plan, the weakest true link 0.11, a measure next to the right one at most 0.56 of it.
THRESHOLD = 0.1
RATIO = 0.7


@dataclass(frozen=True)
class Link:
    activity: MeasureText
    measure: MeasureText
    score: float

    @property
    def same_task_area(self) -> bool:
        """Whether the two share a task area (an item may be in several: ``_texts`` joins them with ";")."""
        return bool(self.activity.task_area and self.measure.task_area
                    and set(self.activity.task_area.split(";")) & set(self.measure.task_area.split(";")))


def link(activities: list[MeasureText], measures: list[MeasureText]) -> list[Link]:
    """The links of one report's activities with one plan's measures (IDF over the two)."""
    if not activities or not measures:
        return []
    cosines = Vectoriser([t.text for t in (*activities, *measures)]).cosines([a.text for a in activities],
                                                                            [m.text for m in measures])
    return [Link(a, m, score) for a, m, score in best_matches(activities, measures, cosines, THRESHOLD, RATIO)]


def report_plans(store: ox.Store, reports: Iterable[str] | None = None, plans: Iterable[str] | None = None) -> dict[str, set[str]]:
    """Report → the plans of its jurisdiction it may report on; only for these ``reports`` or these
    ``plans`` when given."""
    rows = store.query(f"""SELECT DISTINCT ?report ?plan WHERE {{ {values("report", reports)} {values("plan", plans)}
          ?report <{LG}reportedActivity> ?any ; <{LG}inCorpus> true ; <{LG}issuingArea> ?area .
          ?plan <{LG}issuingArea> ?area ; <{LG}inCorpus> true .
          FILTER(?plan != ?report)
          FILTER EXISTS {{ ?m <{LG}document> ?plan ; a <{LG}Measure> }}
          FILTER NOT EXISTS {{ ?plan <{LG}editionOf> ?o1 }}
          FILTER NOT EXISTS {{ ?report <{LG}editionOf> ?o2 }}
          OPTIONAL {{ ?report <{LG}dateSigned> ?rs }} OPTIONAL {{ ?report <{LG}datePublished> ?rp }}
          OPTIONAL {{ ?report <{LG}reportYear> ?ry }}
          BIND(COALESCE(?rs, ?rp, IF(BOUND(?ry), STRDT(CONCAT(STR(?ry), "-12-31"), <{XSD}date>), ?none)) AS ?reported)
          OPTIONAL {{ ?plan <{LG}dateSigned> ?ps }} OPTIONAL {{ ?plan <{LG}datePublished> ?pp }}
          BIND(COALESCE(?ps, ?pp) AS ?issued)
          FILTER(BOUND(?reported) && BOUND(?issued) && ?issued <= ?reported)
          BIND(COALESCE(xsd:integer(STR(?ry)), YEAR(?reported)) AS ?year)
          OPTIONAL {{ ?plan <{LG}planPeriod> ?period .
                     ?period <http://www.w3.org/2006/time#hasBeginning>/<http://www.w3.org/2006/time#inXSDgYear> ?begin ;
                             <http://www.w3.org/2006/time#hasEnd>/<http://www.w3.org/2006/time#inXSDgYear> ?end }}
          FILTER(!BOUND(?begin) || (xsd:integer(STR(?begin)) <= ?year && ?year <= xsd:integer(STR(?end))))
        }}""", use_default_graph_as_union=True, prefixes={"xsd": XSD})
    out: dict[str, set[str]] = defaultdict(set)
    for r in rows:  # type: ignore[union-attr]
        out[r["report"].value].add(r["plan"].value)
    return out


def _texts(store: ox.Store, kind: str, documents: Iterable[str]) -> dict[str, list[MeasureText]]:
    """The activities of these reports or the measures of these plans, by document, in order."""
    link_ = f"?doc <{LG}reportedActivity> ?m" if kind == "activity" else f"?m <{LG}document> ?doc ; a <{LG}Measure>"
    rows = store.query(f"""SELECT DISTINCT ?doc ?m ?n ?text ?area WHERE {{ {values("doc", documents)}
          {link_} . ?m <{LG}text> ?text . OPTIONAL {{ ?m <{LG}number> ?n }} OPTIONAL {{ ?m <{LG}taskArea> ?area }} }}""",
                       use_default_graph_as_union=True)
    fields: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    areas: dict[str, set[str]] = defaultdict(set)
    for r in rows:  # type: ignore[union-attr]
        n = r["n"]
        fields[r["doc"].value].setdefault(r["m"].value, (n.value if n else "", r["text"].value))
        if r["area"] is not None:
            areas[r["m"].value].add(r["area"].value)
    return {d: sorted((MeasureText(m, d, n, text, ";".join(sorted(areas[m])) or None) for m, (n, text) in ms.items()),
                      key=lambda m: (len(m.number), m.number, m.iri)) for d, ms in fields.items()}


def _record_iri(x: Link) -> str:
    """The record of one activity and one measure (the measure by its IRI's last step, which is
    unique within its plan even where the number is missing)."""
    return f"{x.activity.iri}/match/{iris.key_of_document(x.measure.document)}/{x.measure.iri.rsplit('/', 1)[-1]}"


def _quads(links: list[Link], report: str, graph: ox.NamedNode) -> list[ox.Quad]:
    out = [ox.Quad(ox.NamedNode(report), ox.NamedNode(f"{LG}reportsOn"), ox.NamedNode(p), graph)
           for p in sorted({x.measure.document for x in links})]
    for x in links:
        out += qualified(x.activity.iri, "reportsOnMeasure", x.measure.iri, "implementationMatch", _record_iri(x), "ImplementationMatch", [
            ("score", typed(x.score, "decimal")), ("sameTaskArea", typed(x.same_task_area, "boolean")), ("method", ox.Literal(METHOD))],
            graph)
    return out


def _clear(store: ox.Store, report: str, graph: str) -> None:
    store.update(f"""DELETE {{ GRAPH <{graph}> {{ ?a <{LG}reportsOnMeasure> ?m . ?a <{LG}implementationMatch> ?r . ?r ?rp ?ro }} }}
                     WHERE {{ GRAPH <{graph}> {{ ?a <{LG}implementationMatch> ?r . ?r ?rp ?ro . OPTIONAL {{ ?a <{LG}reportsOnMeasure> ?m }} }} }};
                     DELETE WHERE {{ GRAPH <{graph}> {{ <{report}> <{LG}reportsOn> ?plan }} }}""")


def refresh(store: ox.Store, keys: list[str] | None = None) -> dict[str, int]:
    """Recompute the links of the reports among the documents ``keys`` (all when None) and of the
    reports of the plans among them; returns the number of links per report key rewritten."""
    if keys is None:
        pairs = report_plans(store)
        todo = {r["r"].value for r in store.query(  # type: ignore[union-attr]
            f"SELECT DISTINCT ?r WHERE {{ ?r <{LG}reportedActivity> ?a ; <{LG}inCorpus> true }}", use_default_graph_as_union=True)}
    else:
        changed = {iris.document(k) for k in keys}
        todo = set(report_plans(store, reports=changed)) | set(report_plans(store, plans=changed))
        todo |= {r for r in changed if any(True for _ in store.quads_for_pattern(
            ox.NamedNode(r), ox.NamedNode(f"{LG}reportedActivity"), None))}  # a report with no plan: its old links go
        todo |= {q.subject.value for p in changed  # reports linked to a plan replaced or removed
                 for q in store.quads_for_pattern(None, ox.NamedNode(f"{LG}reportsOn"), ox.NamedNode(p))
                 if isinstance(q.subject, ox.NamedNode)}
        pairs = report_plans(store, reports=todo) if todo else {}
    if not todo:
        return {}
    activities = _texts(store, "activity", todo)
    measures = _texts(store, "measure", {p for ps in pairs.values() for p in ps})
    done: dict[str, int] = {}
    for report in sorted(todo):
        graph = iris.doc_graph(iris.key_of_document(report))
        _clear(store, report, graph)
        found = [x for plan in sorted(pairs.get(report, ())) for x in link(activities.get(report, []), measures.get(plan, []))]
        quads = _quads(found, report, ox.NamedNode(graph))
        if quads:
            store.extend(quads)
        done[iris.key_of_document(report)] = len(found)
    return done
