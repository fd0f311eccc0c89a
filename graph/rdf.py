"""From an :class:`Extraction` to RDF: the triples of one document's named graph, described by
our ontology (``ontology/policykg.ttl``). Also the division vocabulary graph."""

from __future__ import annotations

import hashlib
import inspect
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS, TIME
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node

from policykg import iris
from policykg.ingest.divisions import Division, Divisions, data_file as divisions_data_file, load as load_divisions
from policykg.ingest.model import Classification, Extraction, Party, Span, short_title
from policykg.namespaces import LG, ORG
from policykg.version import __version__

GENRES = {
    "纲要": LG.GenreOutline, "实施方案": LG.GenreImplementationPlan, "实施意见": LG.GenreImplementationOpinion,
    "意见": LG.GenreOpinion, "规划": LG.GenrePlan, "工作要点": LG.GenreKeyPoints, "工作安排": LG.GenreArrangement,
    "工作方案": LG.GenreWorkPlan, "通知": LG.GenreNotice, "决定": LG.GenreDecision, "报告": LG.GenreReport,
    "情况报告": LG.GenreProgressReport, "工作报告": LG.GenreWorkReport, "工作汇报": LG.GenreBriefing,
    "法律": LG.GenreLaw, "法规": LG.GenreRegulation,
}
REPORT_GENRES = {"报告", "情况报告", "工作报告", "工作汇报"}
ROLES = {
    "lead": LG.RoleLead, "responsible": LG.RoleResponsible, "cooperating": LG.RoleCooperating,
    "joint-lead": LG.RoleJointLead, "assisting": LG.RoleAssisting, "participating": LG.RoleParticipating,
    "guiding": LG.RoleGuiding,
}
ROLE_PROPERTIES = {"lead": LG.leadAgency, "responsible": LG.responsibleAgency, "cooperating": LG.cooperatingAgency}
PRECISIONS = {
    "day": LG.PrecisionDay, "month": LG.PrecisionMonth, "quarter": LG.PrecisionQuarter, "half-year": LG.PrecisionHalfYear,
    "year": LG.PrecisionYear, "ongoing": LG.PrecisionOngoing, "recurring": LG.PrecisionRecurring,
}
LEVELS = {
    "national": LG.LevelNational, "provincial": LG.LevelProvincial, "prefectural": LG.LevelPrefectural,
    "county": LG.LevelCounty, "township": LG.LevelTownship,
}
PART_KINDS = {"achievements": LG.PartAchievements, "problems": LG.PartProblems, "plan": LG.PartPlan, "other": LG.PartOther}
RELATIONS = {"based_on": LG.basedOn, "implements": LG.implementsPlan, "conforms_to": LG.conformsTo, "cites": LG.cites}
KIND_CLASSES = {
    "government": LG.Government, "department": LG.Agency, "party-body": LG.PartyBody,
    "branch-office": LG.BranchOffice, "collective": LG.Collective, "leading-group": LG.LeadingGroup,
    "agency": LG.Agency,  # a state organ outside the government (监察委员会), a vertical unit (税务局)
}


@lru_cache(maxsize=1)
def extraction_version() -> str:
    """A content hash of what turns a file into a document's graph: the ingest package (code and
    data) and this module. The same file read by the same version gives the same graph, so the
    store treats ingesting it again as a no-op (``graph.identity``); a new version re-reads it."""
    h = hashlib.sha256(__version__.encode())
    root = files("policykg.ingest")

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.is_dir():
                if child.name != "__pycache__":
                    walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith((".py", ".yaml", ".json", ".txt", ".csv", ".tsv")):
                h.update(f"{prefix}{child.name}".encode() + child.read_bytes())

    walk(root, "")
    h.update(divisions_data_file().read_bytes())  # the GB/T 2260 table names resolve against
    h.update(inspect.getsource(inspect.getmodule(extraction_version)).encode())  # type: ignore[arg-type]
    return h.hexdigest()[:16]


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


class Triples:
    """A document's triples as its builder adds them: each once, in the order first added. A
    document's graph is only ever written out, and an rdflib ``Graph`` (indexes kept per triple)
    cost ten times more per triple: 0.29 s of a generated plan's 0.35 s to build and write."""

    def __init__(self) -> None:
        self._triples: dict[tuple[Node, Node, Node], None] = {}

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        self._triples[triple] = None

    def __iter__(self) -> Iterator[tuple[Node, Node, Node]]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def ntriples(self) -> str:
        """N-Triples, one triple a line (rdflib's own N-Triples writing of each)."""
        return "".join(map(_nt_row, self._triples))

    def graph(self) -> Graph:
        g = Graph()
        for t in self._triples:
            g.add(t)
        return g


class _Builder:
    def __init__(self, ex: Extraction, divisions: Divisions) -> None:
        self.ex = ex
        self.divisions = divisions
        self.g = Triples()
        self.doc = URIRef(ex.iri)

    def span(self, span: Span) -> URIRef:
        node = URIRef(f"{self.ex.iri}/span/{span.start}-{span.end}")
        g = self.g
        g.add((node, RDF.type, LG.SourceSpan))
        g.add((node, LG.startOffset, Literal(span.start)))
        g.add((node, LG.endOffset, Literal(span.end)))
        g.add((node, LG.quote, Literal(span.quote)))
        g.add((node, LG.spanOf, self.doc))
        return node

    def party(self, p: Party, surface: str | None = None, reforms: bool = True) -> URIRef:
        node = URIRef(p.iri)
        g = self.g
        if reforms:
            self.reform(p)
        g.add((node, RDF.type, KIND_CLASSES[p.kind]))
        g.add((node, RDFS.label, zh(p.label)))
        g.add((node, SKOS.prefLabel, zh(p.full_name)))
        self.english(node)
        if surface and surface != p.label:
            g.add((node, LG.surfaceForm, Literal(surface)))
        if p.jurisdiction:
            g.add((node, LG.jurisdiction, URIRef(iris.division(p.jurisdiction))))
        if p.branch_of:
            g.add((node, LG.branchOf, URIRef(p.branch_of)))
            g.add((node, LG.professionallyGuidedBy, URIRef(p.branch_of)))
            g.add((URIRef(p.branch_of), RDF.type, LG.Agency))
            g.add((URIRef(p.branch_of), RDFS.label, zh(p.branch_of_label or "")))
            self.english(URIRef(p.branch_of))
            parent = self.divisions.get(self.divisions.get(p.jurisdiction).parent) if p.jurisdiction else None  # type: ignore[union-attr]
            if parent:
                g.add((URIRef(p.branch_of), LG.jurisdiction, URIRef(iris.division(parent.code))))
        elif p.kind == "department" and p.jurisdiction:
            g.add((node, ORG.subOrganizationOf, URIRef(iris.agency(p.jurisdiction, "人民政府"))))
        return node

    def english(self, node: URIRef) -> None:
        """The English label of an agency or collective whose kind the curated table lists."""
        if en := agency_english(str(node), self.divisions):
            self.g.add((node, SKOS.prefLabel, Literal(en, lang="en")))

    def reform(self, p: Party) -> None:
        """The institutional reform that ended this body, if any (curated rules, ``ingest.reforms``)."""
        from policykg.ingest.reforms import succession

        found = succession(p, self.divisions)
        if found is None:
            return
        g, event, rule = self.g, URIRef(found.event), found.rule
        original = URIRef(p.iri)
        successor = self.party(found.successor, reforms=False)
        g.add((event, RDF.type, LG.InstitutionalReform))
        g.add((event, RDFS.label, zh(f"{self.divisions.short_name(self.divisions.get(p.jurisdiction))}{rule.label_zh}")))  # type: ignore[arg-type]
        g.add((event, RDFS.label, Literal(rule.label_en, lang="en")))
        g.add((event, LG.reformKind, Literal(rule.kind)))
        g.add((event, ORG.originalOrganization, original))
        g.add((event, ORG.resultingOrganization, successor))
        g.add((original, ORG.changedBy, event))
        g.add((successor, ORG.resultedFrom, event))
        if original != successor:
            g.add((original, LG.succeededBy, successor))
        g.add((event, LG.effectiveDate, Literal(found.date, datatype=XSD.date)))
        g.add((event, LG.dateQualifier, Literal(found.qualifier)))
        g.add((event, LG.confidence, Literal(str(found.confidence), datatype=XSD.decimal)))
        g.add((event, LG.method, Literal("curated-rule" if found.qualifier == "by" else "curated")))
        g.add((event, LG.sourceQuote, zh(rule.quote)))
        for source in {rule.source, found.date_source}:
            node = URIRef(source.iri)
            g.add((event, DCTERMS.source, node))
            g.add((node, DCTERMS.title, zh(source.title)))
            g.add((node, DCTERMS.creator, zh(source.issuer)))
            g.add((node, DCTERMS.issued, Literal(source.date, datatype=XSD.date)))
            if source.quote:
                g.add((node, LG.sourceQuote, zh(source.quote)))

    def build(self) -> Triples:
        ex, g, doc = self.ex, self.g, self.doc
        self.describe(doc, ex.title or "", ex.normalized_title or "", ex.doc_number, ex.genre, ex.jurisdiction_code, ex.level, ex.date)
        g.add((doc, LG.inCorpus, Literal(True)))
        g.add((doc, LG.sourceFile, Literal(ex.source_file)))
        if ex.sha256:
            g.add((doc, LG.sha256, Literal(ex.sha256)))
        if ex.date_published:
            g.add((doc, LG.datePublished, Literal(ex.date_published, datatype=XSD.date)))
        if ex.report_year:
            g.add((doc, LG.reportYear, Literal(str(ex.report_year), datatype=XSD.gYear)))
        if ex.period:
            self.period(doc, ex.period)
        for p in ex.issuer_parties:
            g.add((doc, LG.issuedBy, self.party(p)))
        activity = URIRef(f"{ex.iri}/ingest")
        g.add((activity, RDF.type, LG.IngestActivity))
        g.add((activity, RDFS.label, Literal(f"policykg {__version__} ingest of {ex.source_file}")))
        g.add((activity, PROV.endedAtTime, Literal(datetime.now(UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)))
        g.add((activity, LG.extractionVersion, Literal(extraction_version())))
        g.add((doc, PROV.wasGeneratedBy, activity))
        if ex.edition_of:
            g.add((doc, LG.editionOf, URIRef(ex.edition_of)))
            g.add((doc, LG.editionKind, Literal(ex.edition_kind or "edition")))
        g.add((doc, LG.sourceFormat, Literal(ex.source_format)))
        if ex.index_number:
            g.add((doc, LG.indexNumber, Literal(ex.index_number)))
        if ex.publisher:
            g.add((doc, LG.publisherName, zh(ex.publisher)))
        g.add((doc, LG.content, Literal(ex.text)))
        for conversion in ex.conversions:
            g.add((doc, LG.conversion, Literal(conversion)))
        if ex.original_text is not None:
            g.add((doc, LG.originalText, Literal(ex.original_text)))
        self.cited()
        self.structure()
        self.report()
        return g

    def classification(self, node: URIRef, c: Classification | None) -> None:
        if c is None:
            return
        g = self.g
        area = URIRef(iris.task_area(c.area))
        g.add((node, LG.taskArea, area))
        record = URIRef(f"{node}/classification")
        g.add((node, LG.classification, record))
        g.add((record, RDF.type, LG.Classification))
        g.add((record, LG.taskArea, area))
        g.add((record, LG.method, Literal(c.method)))
        g.add((record, LG.confidence, Literal(f"{c.score:.2f}", datatype=XSD.decimal)))
        for topic in c.topics:
            g.add((node, LG.topic, URIRef(iris.task_area(topic))))
            g.add((record, LG.topic, URIRef(iris.task_area(topic))))
        for span in c.evidence:
            g.add((record, LG.evidence, self.span(span)))

    def report(self) -> None:
        """Parts, reported activities, planned measures and figures of a report."""
        ex, g, doc = self.ex, self.g, self.doc
        parts: list[URIRef] = []
        for i, part in enumerate(ex.report_sections, start=1):
            node = URIRef(f"{ex.iri}/part/{i}")
            parts.append(node)
            g.add((node, RDF.type, LG.ReportPart))
            g.add((node, LG.document, doc))
            g.add((node, LG.number, Literal(str(i))))
            g.add((node, LG.partKind, PART_KINDS[part.kind]))
            if part.heading:
                g.add((node, LG.heading, zh(part.heading)))
                g.add((node, RDFS.label, zh(part.heading)))
            g.add((node, LG.evidence, self.span(part.span)))
        for a in ex.activities:
            node = URIRef(f"{ex.iri}/activity/{a.number}")
            g.add((doc, LG.reportedActivity, node))
            g.add((node, RDF.type, LG.ReportedActivity))
            g.add((node, LG.document, doc))
            g.add((node, LG.number, Literal(str(a.number))))
            g.add((node, LG.text, zh(a.text)))
            g.add((node, RDFS.label, zh(short_title(a.text))))
            g.add((node, LG.section, parts[a.section]))
            g.add((node, LG.evidence, self.span(a.span)))
            self.classification(node, a.classification)
        for p in ex.planned_measures:
            node = URIRef(f"{ex.iri}/planned/{p.number}")
            g.add((doc, LG.plannedMeasure, node))
            g.add((node, RDF.type, LG.PlannedMeasure))
            g.add((node, LG.document, doc))
            g.add((node, LG.number, Literal(p.marker)))
            g.add((node, LG.text, zh(p.text)))
            g.add((node, RDFS.label, zh(f"{p.marker}{short_title(p.text)}")))
            g.add((node, LG.evidence, self.span(p.span)))
            self.classification(node, p.classification)
        for i, o in enumerate(ex.observations, start=1):
            node = URIRef(f"{ex.iri}/observation/{i}")
            g.add((doc, LG.observation, node))
            g.add((node, RDF.type, LG.Observation))
            g.add((node, LG.document, doc))
            g.add((node, LG.indicator, URIRef(iris.indicator(o.indicator))))
            g.add((node, LG.value, Literal(str(o.value), datatype=XSD.decimal)))
            g.add((node, LG.unit, Literal(o.unit)))
            if o.year:
                g.add((node, LG.observationYear, Literal(str(o.year), datatype=XSD.gYear)))
            if ex.jurisdiction_code:
                g.add((node, LG.refArea, URIRef(iris.division(ex.jurisdiction_code))))
            g.add((node, LG.approximate, Literal(o.approximate)))
            g.add((node, RDFS.label, zh(o.span.quote)))
            g.add((node, LG.evidence, self.span(o.span)))

    def describe(self, node: URIRef, title: str, normalized: str, doc_number: str | None, genre: str | None,
                 jurisdiction: str | None, level: str | None, date: str | None) -> None:
        """The triples every document node has, in the corpus or only cited."""
        g = self.g
        cls = LG.Report if genre in REPORT_GENRES else LG.Document if genre in {"法律", "法规"} else LG.PolicyDocument
        g.add((node, RDF.type, cls))
        g.add((node, DCTERMS.title, zh(title)))
        g.add((node, RDFS.label, zh(title)))
        g.add((node, LG.normalizedTitle, Literal(normalized)))
        if doc_number:
            g.add((node, LG.docNumber, Literal(doc_number)))
        if genre in GENRES:
            g.add((node, LG.genre, GENRES[genre]))
        if jurisdiction:
            g.add((node, LG.issuingArea, URIRef(iris.division(jurisdiction))))
        if level:
            g.add((node, LG.level, LEVELS[level]))
        if date:
            g.add((node, LG.dateSigned, Literal(date, datatype=XSD.date)))

    def period(self, node: URIRef, period: tuple[int, int]) -> None:
        g = self.g
        interval = URIRef(f"{node}/period")
        g.add((node, LG.planPeriod, interval))
        g.add((interval, RDF.type, TIME.Interval))
        for prop, year, suffix in ((TIME.hasBeginning, period[0], "begin"), (TIME.hasEnd, period[1], "end")):
            instant = URIRef(f"{interval}/{suffix}")
            g.add((interval, prop, instant))
            g.add((instant, RDF.type, TIME.Instant))
            g.add((instant, TIME.inXSDgYear, Literal(str(year), datatype=XSD.gYear)))

    def cited(self) -> None:
        ex, g, doc = self.ex, self.g, self.doc
        for d in ex.cited_documents:
            node = URIRef(d.iri)
            self.describe(node, d.title, d.normalized_title, d.doc_number, d.genre, d.jurisdiction, d.level, d.date)
            if d.succeeds:
                g.add((node, LG.succeeds, URIRef(d.succeeds)))
            for name in d.issuers:
                code = d.jurisdiction or "100000"
                agency = URIRef(iris.agency(code, name))
                g.add((node, LG.issuedBy, agency))
                g.add((agency, RDF.type, LG.PartyBody if name in {"中共中央", "党中央"} or name.endswith("委") else LG.Government))
                g.add((agency, RDFS.label, zh(name)))
                g.add((agency, SKOS.prefLabel, zh(name)))
                self.english(agency)
                g.add((agency, LG.jurisdiction, URIRef(iris.division(code))))
        measure_spans = [(m.span.start, m.span.end) for m in ex.measures]
        for i, c in enumerate(ex.citations, start=1):
            node = URIRef(f"{ex.iri}/citation/{i}")
            target = URIRef(c.target)
            relation = RELATIONS[c.relation]
            # A document's own basis is stated outside its measures; a regulation that one measure
            # says to apply (根据《…》规定) is cited by the document, not part of its lineage.
            in_measure = any(a <= c.span.start < b for a, b in measure_spans)
            g.add((doc, LG.cites if in_measure else relation, target))
            g.add((doc, LG.citation, node))
            g.add((node, RDF.type, LG.Citation))
            g.add((node, LG.citedDocument, target))
            g.add((node, LG.relation, relation))
            g.add((node, LG.citedTitle, Literal(c.title)))
            if c.doc_number:
                g.add((node, LG.citedDocNumber, Literal(c.doc_number)))
            g.add((node, LG.confidence, Literal(f"{c.confidence:.2f}", datatype=XSD.decimal)))
            g.add((node, LG.corrected, Literal(c.corrected)))
            if c.correction_note:
                g.add((node, LG.correctionNote, Literal(c.correction_note)))
            g.add((node, LG.method, Literal(c.match)))
            g.add((node, LG.evidence, self.span(c.span)))

    def structure(self) -> None:
        ex, g, doc = self.ex, self.g, self.doc
        section_nodes: dict[str, URIRef] = {}
        classes = {"part": LG.Section, "task-area": LG.TaskArea, "topic": LG.Topic}
        for s in ex.sections:
            node = URIRef(f"{ex.iri}/section/{s.path}")
            section_nodes[s.path] = node
            g.add((node, RDF.type, classes[s.kind]))
            g.add((node, LG.heading, zh(s.heading)))
            g.add((node, RDFS.label, zh(s.heading)))
            g.add((node, LG.number, Literal(s.number)))
            g.add((node, LG.document, doc))
            parent = s.path.rsplit(".", 1)[0] if "." in s.path else None
            if parent and parent in section_nodes:
                g.add((node, LG.section, section_nodes[parent]))
            g.add((node, LG.evidence, self.span(s.span)))
        for i, goal in enumerate(ex.goals, start=1):
            node = URIRef(f"{ex.iri}/goal/{i}")
            g.add((node, RDF.type, LG.Goal))
            g.add((node, LG.text, zh(goal.text)))
            g.add((node, LG.document, doc))
            if goal.section in section_nodes:
                g.add((node, LG.section, section_nodes[goal.section]))
            g.add((node, LG.evidence, self.span(goal.span)))
        for m, segment in zip(ex.measures, measure_segments(ex)):
            node = URIRef(f"{ex.iri}/measure/{segment}")
            g.add((node, RDF.type, LG.Measure))
            g.add((node, LG.document, doc))
            g.add((node, LG.number, Literal(str(m.number))))
            g.add((node, LG.text, zh(m.text)))
            title = m.short_title or short_title(m.text)  # its lead phrase, never cut in the middle of a word
            g.add((node, LG.shortTitle, zh(title)))
            g.add((node, RDFS.label, zh(f"{m.number}) {title}")))
            if m.section and m.section in section_nodes:
                g.add((node, LG.section, section_nodes[m.section]))
            g.add((node, LG.evidence, self.span(m.span)))
            self.classification(node, m.classification)
            if m.deadline is not None:
                d = m.deadline
                if d.date:
                    instant = URIRef(f"{node}/deadline")
                    g.add((node, LG.deadline, instant))
                    g.add((instant, RDF.type, TIME.Instant))
                    g.add((instant, TIME.inXSDDate, Literal(d.date, datatype=XSD.date)))
                g.add((node, LG.deadlineText, zh(d.text)))
                g.add((node, LG.deadlinePrecision, PRECISIONS[d.precision]))
                g.add((node, LG.deadlineIsDefault, Literal(d.default)))
                if d.span:
                    g.add((node, LG.evidence, self.span(d.span)))
            for i, a in enumerate(m.assignments, start=1):
                party = self.party(a.party, a.agency)
                g.add((node, ROLE_PROPERTIES.get(a.role, LG.assignedAgency), party))
                an = URIRef(f"{node}/assignment/{i}")
                g.add((node, LG.assignment, an))
                g.add((an, RDF.type, LG.Assignment))
                g.add((an, PROV.agent, party))
                g.add((an, PROV.hadRole, ROLES[a.role]))
                g.add((an, PROV.hadPlan, node))
                g.add((an, LG.surfaceForm, zh(a.agency)))
                g.add((an, LG.layout, Literal(a.source)))
                g.add((an, LG.evidence, self.span(a.span)))
                if m.deadline is not None and m.deadline.date:
                    g.add((an, LG.deadline, URIRef(f"{node}/deadline")))


def measure_segments(ex: Extraction) -> list[str]:
    """The last IRI segment of each measure: its number, or ``3-2`` for the second measure
    numbered 3 in a plan whose numbering restarts in each section."""
    counts = Counter(m.number for m in ex.measures)
    seen: Counter[int] = Counter()
    out = []
    for m in ex.measures:
        seen[m.number] += 1
        out.append(str(m.number) if counts[m.number] == 1 else f"{m.number}-{seen[m.number]}")
    return out


def document_graph(ex: Extraction, divisions: Divisions) -> Graph:
    """The triples of one document's named graph, as an rdflib Graph."""
    return _Builder(ex, divisions).build().graph()


def document_ntriples(ex: Extraction) -> str:
    """One document's named graph as N-Triples, one triple a line (what a worker hands back)."""
    return _Builder(ex, load_divisions()).build().ntriples()


@lru_cache(maxsize=1)
def _place_readings() -> None:
    """Teach pypinyin the place-name readings it gets wrong (ingest/data/place_readings.yaml)."""
    import yaml
    from pypinyin import load_phrases_dict

    path = files("policykg.ingest") / "data" / "place_readings.yaml"
    readings = yaml.safe_load(path.read_text(encoding="utf-8"))
    load_phrases_dict({name: [[syllable] for syllable in value.split()] for name, value in readings.items()})


def pinyin(name: str) -> str:
    """Hanyu pinyin with tone marks, a name's syllables run together, an apostrophe before a
    syllable that starts with a, o or e (Xī'ān, Lù'ān): 钦南区 → Qīnnánqū."""
    from pypinyin import Style, pinyin as _pinyin

    _place_readings()
    out = ""
    for i, (syllable,) in enumerate(_pinyin(name, style=Style.TONE)):
        if i and syllable[:1] in "aāáǎàoōóǒòeēéěè":
            out += "'"
        out += syllable
    return out[:1].upper() + out[1:]


# -- names in English and in pinyin word by word (curated tables: ingest/data/english_names.yaml) --

_TONE_MARKS = {"\u0300", "\u0301", "\u0304", "\u030c"}  # grave, acute, macron, caron (ü keeps its diaeresis)


@lru_cache(maxsize=1)
def english_tables() -> dict[str, Any]:
    import yaml

    path = files("policykg.ingest") / "data" / "english_names.yaml"
    tables: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tables


def toneless(text: str) -> str:
    """Pinyin without its tone marks (ü kept): Guǎngxī → Guangxi, Lǚliáng → Lüliang."""
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", text) if c not in _TONE_MARKS))


def _word(syllables: list[str]) -> str:
    """Syllables written as one word, capitalised, an apostrophe before one that starts with a, o or e."""
    out = ""
    for i, syllable in enumerate(syllables):
        if i and toneless(syllable)[:1] in ("a", "o", "e"):
            out += "'"
        out += syllable
    return out[:1].upper() + out[1:]


def _syllables(name: str) -> list[str] | None:
    """One toned syllable per character of a name, read in the context of the whole name (the
    place-name readings taught first); None when a character is not read as one syllable."""
    from pypinyin import Style, pinyin as _pinyin

    _place_readings()
    read = [s for (s,) in _pinyin(name, style=Style.TONE)]
    return read if len(read) == len(name) and all(s.isalpha() for s in read) else None


@dataclass(frozen=True)
class DivisionName:
    """A division's English name, the English of its proper name (Qinnan) and its toned pinyin
    written word by word (Qīnnán Qū, Guǎngxī Zhuàngzú Zìzhìqū)."""

    en: str
    proper: str
    pinyin: str


def _parse(name: str) -> tuple[str, list[str], str] | None:
    """A division name as (proper name, ethnic names, level suffix): the longest suffix of the
    table that leaves a proper name (or, for an autonomous area, ethnic names) before it, and of
    two characters at least when a shorter suffix leaves one so (北林区 is Beilin District, not a
    林区 forestry district named 北; 清新区 Qingxin District, not a 新区 new area; 单县 keeps 县)."""
    suffixes = sorted(english_tables()["suffixes"], key=len, reverse=True)
    parses = [p for p in (_parse_as(name, suffix) for suffix in suffixes) if p is not None]
    return next((p for p in parses if len(p[0]) >= 2 or p[1]), parses[0] if parses else None)


def _parse_as(name: str, suffix: str) -> tuple[str, list[str], str] | None:
    """``name`` as (proper name, ethnic names, ``suffix``) when it ends with the suffix and leaves
    a proper name or (an autonomous area) ethnic names before it."""
    tables = english_tables()
    if not name.endswith(suffix) or len(name) == len(suffix):
        return None
    rest, peoples = name[: -len(suffix)], list[str]()
    if tables["suffixes"][suffix].get("autonomous"):
        ethnic = sorted(tables["ethnic"], key=len, reverse=True)
        while (people := next((e for e in ethnic if rest.endswith(e)), None)) is not None:
            peoples.insert(0, people)
            rest = rest[: -len(people)]
    return (rest, peoples, suffix) if rest or peoples else None


def _english(entry: str | dict[str, str]) -> str:
    return entry["en"] if isinstance(entry, dict) else entry


def _joined(words: list[str]) -> str:
    """Tujia and Miao; Dai, Lahu and Va."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


@lru_cache(maxsize=16384)  # every division, current and former, once
def division_name(name: str, level: str) -> DivisionName | None:
    """The official English name of a division and its pinyin word by word, from the curated
    tables: 钦南区 → Qinnan District (Qīnnán Qū), 广西壮族自治区 → Guangxi Zhuang Autonomous
    Region (Guǎngxī Zhuàngzú Zìzhìqū), 北京市 → Beijing Municipality, 单县 → Shanxian County
    (a one-syllable proper name takes its suffix's syllable into its word), 内蒙古自治区 → Inner
    Mongolia Autonomous Region (an exception). None for a name the tables cannot read."""
    tables = english_tables()
    exception: dict[str, str] = tables["exceptions"].get(name) or {}
    parsed, syllables = _parse(name), _syllables(name)
    if parsed is None or syllables is None:
        return DivisionName(exception["en"], exception["en"], exception["pinyin"]) if exception.get("pinyin") else None
    rest, peoples, suffix = parsed
    entry = tables["suffixes"][suffix]
    suffix_en = entry.get(level, entry["en"])
    if len(rest) == 1 and not peoples:  # 单县: Shànxiàn, Shanxian County
        words_py = [_word(syllables)]
        words_en = [toneless(words_py[0])]
    else:
        words_py = [_word(syllables[: len(rest)])] if rest else []
        words_en = [toneless(w) for w in words_py]
        at = len(rest)
        for people in peoples:
            known = tables["ethnic"][people]
            words_py.append(known["pinyin"] if isinstance(known, dict) and known.get("pinyin") else _word(syllables[at: at + len(people)]))
            at += len(people)
        if peoples:
            words_en.append(_joined([_english(tables["ethnic"][p]) for p in peoples]))
        words_py.append(entry["pinyin"])
    en = exception.get("en") or " ".join([*words_en, suffix_en])
    proper = en.removesuffix(f" {suffix_en}") if exception or not rest else words_en[0]
    if exception and rest and peoples:  # Taxkorgan Tajik Autonomous County → Taxkorgan: the place, without its peoples
        proper = proper.removesuffix(f" {_joined([_english(tables['ethnic'][p]) for p in peoples])}")
    return DivisionName(en, proper, exception.get("pinyin") or " ".join(words_py))


def division_english(d: Division | None) -> DivisionName | None:
    return division_name(d.name, d.level) if d is not None else None


def agency_english(iri: str, divisions: Divisions) -> str | None:
    """The English label of an agency or collective named by its IRI (``iris.agency`` /
    ``iris.collective``: division code and the body's name after its division), from the curated
    table of agency kinds: "{kind} of {division}" (Justice Bureau of Qinnan District), a national
    body by its name (State Council), a branch office by its place and bureau (Qinnan Branch of
    the Public Security Bureau of Qinzhou City). None for a kind the table does not list, or a
    body whose division is not known: never a machine translation."""
    from urllib.parse import unquote

    base = f"{iris.base()}id/"
    if not iri.startswith(base):
        return None
    parts = iri[len(base):].split("/")
    if len(parts) != 3 or parts[0] not in ("agency", "collective"):
        return None
    d = divisions.get(parts[1])
    name = division_english(d)
    if d is None or name is None:
        return None
    kind = unquote(parts[2])
    tables = english_tables()
    if parts[0] == "agency" and d.level == "national":
        return tables["national"].get(kind)  # type: ignore[no-any-return]
    if parts[0] == "agency" and (branch := re.fullmatch(r"(?P<bureau>[^局]+局)(?P<place>.+)分局", kind)):
        bureau = tables["agencies"].get(branch.group("bureau"))
        parent = division_english(divisions.get(d.parent))
        if not bureau or "{division}" in bureau or parent is None:
            return None
        return f"{name.proper} Branch of the {bureau} of {parent.en}"
    entry = tables["agencies" if parts[0] == "agency" else "collectives"].get(kind)
    if not entry:
        return None
    return str(entry).format(division=name.en) if "{division}" in entry else f"{entry} of {name.en}"


def divisions_graph(divisions: Divisions, codes: set[str] | None = None) -> Graph:
    """The administrative divisions as SKOS concepts (``graph/vocab``): every current GB/T 2260
    division with its government, and the divisions no longer listed with their years and
    successor. ``codes`` restricts the graph to these divisions (tests that compare with owlrl)."""
    g = Graph()
    for d in divisions.by_code.values():
        if codes is not None and d.code not in codes:
            continue
        node = URIRef(iris.division(d.code))
        g.add((node, RDF.type, LG.AdministrativeDivision))
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, SKOS.inScheme, LG.AdministrativeDivisionScheme))
        g.add((node, SKOS.prefLabel, zh(d.name)))
        named = division_name(d.name, d.level)  # the official English name, the pinyin word by word
        g.add((node, SKOS.prefLabel, Literal(named.pinyin if named else pinyin(d.name), lang="zh-Latn-pinyin")))
        if named:
            g.add((node, SKOS.prefLabel, Literal(named.en, lang="en")))
        g.add((node, RDFS.label, zh(d.name)))
        for s in d.short:
            g.add((node, SKOS.altLabel, zh(s)))
        if not d.zone:
            g.add((node, SKOS.notation, Literal(d.code)))
        g.add((node, LG.areaLevel, LEVELS[d.level]))
        if d.parent and (codes is None or d.parent in codes):
            g.add((node, SKOS.broader, URIRef(iris.division(d.parent))))
        if d.wikidata:
            g.add((node, SKOS.exactMatch, URIRef(f"http://www.wikidata.org/entity/{d.wikidata}")))
        if d.first is not None:
            g.add((node, LG.firstListed, Literal(str(d.first), datatype=XSD.gYear)))
            g.add((node, LG.lastListed, Literal(str(d.last), datatype=XSD.gYear)))
        for f in d.former:
            g.add((node, SKOS.hiddenLabel, zh(f.name)))
            g.add((node, SKOS.changeNote, zh(f"{f.first}–{f.last}年称{f.name}")))
        if not d.current:
            g.add((node, OWL.deprecated, Literal(True)))
            if d.replaced_by and (codes is None or d.replaced_by in codes):
                g.add((node, DCTERMS.isReplacedBy, URIRef(iris.division(d.replaced_by))))
                g.add((URIRef(iris.division(d.replaced_by)), DCTERMS.replaces, node))
            continue
        gov = URIRef(iris.agency(d.code, "人民政府"))
        g.add((gov, RDF.type, LG.Government))
        g.add((gov, RDFS.label, zh(f"{d.name}人民政府" if d.level != "national" else "国务院")))
        g.add((gov, SKOS.prefLabel, zh(f"{divisions.full_name(d)}人民政府" if d.level != "national" else "国务院")))
        if gov_en := agency_english(str(gov), divisions):
            g.add((gov, SKOS.prefLabel, Literal(gov_en, lang="en")))
        g.add((gov, LG.jurisdiction, node))
    return g


def schemes_graph() -> Graph:
    """The task-area and indicator schemes as SKOS concepts (``graph/vocab``), from the data files
    extraction classifies with, so the two never disagree."""
    from policykg.ingest import indicators, task_areas

    g = Graph()
    areas, topics = task_areas.scheme()
    for c in (*areas, *topics):
        node = URIRef(iris.task_area(c.id))
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, SKOS.inScheme, LG.TaskAreaScheme))
        g.add((node, SKOS.notation, Literal(c.id)))
        g.add((node, SKOS.prefLabel, zh(c.zh)))
        g.add((node, SKOS.prefLabel, Literal(c.en, lang="en")))
        g.add((node, RDFS.label, zh(c.zh)))
        g.add((node, RDFS.label, Literal(c.en, lang="en")))
        for word in c.keywords:
            g.add((node, SKOS.hiddenLabel, zh(word)))
        if c.area:
            g.add((node, SKOS.broader, URIRef(iris.task_area(c.area))))
        else:
            g.add((node, SKOS.topConceptOf, LG.TaskAreaScheme))
    for ind in indicators.scheme()[1]:
        node = URIRef(iris.indicator(ind.id))
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, SKOS.inScheme, LG.IndicatorScheme))
        g.add((node, SKOS.notation, Literal(ind.id)))
        for label, lang in ((ind.zh, "zh"), (ind.en, "en")):
            g.add((node, SKOS.prefLabel, Literal(label, lang=lang)))
            g.add((node, RDFS.label, Literal(label, lang=lang)))
        for unit in ind.units:
            g.add((node, LG.unit, Literal(unit)))
    return g
