"""Evaluation of extraction against the hand-written gold annotations in ``tests/gold``:
precision and recall per field."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policykg.errors import InputError
from policykg.ingest import extract
from policykg.ingest.citations import match_known
from policykg.ingest.divisions import load as load_divisions
from policykg.ingest.indicators import scheme as indicator_scheme
from policykg.ingest.model import Extraction
from policykg.ingest.text import DOC_NUMBER, fold, normalize_doc_number, normalize_title


@dataclass
class Score:
    field: str
    layout: str
    tp: int
    fp: int
    fn: int
    missed: list[str]
    spurious: list[str]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def to_dict(self) -> dict[str, object]:
        return {"field": self.field, "layout": self.layout, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn,
                "missed": self.missed[:20], "spurious": self.spurious[:20]}


def _title_key(title: str | None) -> str:
    """What identifies a cited document: its registry entry if the title (or a short name such
    as 立法法) names one, else its normalised title."""
    if not title:
        return ""
    t = normalize_title(title)
    known = match_known(t, None)
    if known is not None and known[1] == 1.0:
        return known[0].key
    return re.sub(r"[\"'<>]", "", t)


def _number_key(number: str) -> str:
    m = DOC_NUMBER.search(fold(number))
    return normalize_doc_number(m) if m else number


class _Tally:
    """Gold and extracted sets per (field, layout); every field is also totalled over layouts."""

    def __init__(self) -> None:
        self.sets: dict[tuple[str, str], tuple[set[Any], set[Any]]] = {}

    def add(self, field: str, layout: str, gold: set[Any], got: set[Any]) -> None:
        for key in ((field, layout), (field, "all")):
            g, o = self.sets.setdefault(key, (set(), set()))
            g |= gold
            o |= got

    def scores(self) -> list[Score]:
        out = []
        for (field, layout), (g, o) in self.sets.items():
            out.append(Score(field, layout, len(g & o), len(o - g), len(g - o), sorted(map(str, g - o)), sorted(map(str, o - g))))
        layouts = [k[1] for k in self.sets]
        order = {name: i for i, name in enumerate(dict.fromkeys(layouts))}
        return sorted(out, key=lambda s: (s.layout == "all", order[s.layout]))


def _find(name: str, corpus_dirs: list[Path]) -> Path:
    for folder in corpus_dirs:
        if (folder / name).exists():
            return folder / name
    raise InputError(f"{name}: the gold file names this document but it is in none of {', '.join(map(str, corpus_dirs))}; "
                     "pass the folder that holds it with --corpus")


def evaluate(gold_dir: Path, corpus_dirs: list[Path] | Path) -> list[Score]:
    """Scores per field and per layout over every gold file under ``gold_dir`` (the seeds'
    ``documents.json``, ``*_measures.json``, ``reports.json`` and ``layouts/*.json``)."""
    dirs = [corpus_dirs] if isinstance(corpus_dirs, Path) else list(corpus_dirs)
    tally = _Tally()
    divisions = load_divisions()
    docs = json.loads((gold_dir / "documents.json").read_text(encoding="utf-8"))
    for name, gold in docs.items():
        ex = extract(_find(name, dirs))
        layout = "seeds"
        for field in ("title", "doc_number", "jurisdiction", "date", "date_published", "genre", "report_year", "recipient"):
            gv, ov = gold.get(field), getattr(ex, field)
            if field == "title" and ex.title_derived:
                ov = None
            if field == "jurisdiction" and gv is not None:
                division = divisions.deepest(gv)
                gv = division.code if division else gv
                ov = ex.jurisdiction_code
            tally.add(f"document.{field}", layout, {(name, gv)} if gv is not None else set(), {(name, ov)} if ov is not None else set())
        tally.add("document.issuers", layout, {(name, i) for i in gold["issuers"]}, {(name, i) for i in ex.issuers})
        _citations(tally, layout, name, gold["citations"], ex)
    for gold_file in sorted(gold_dir.glob("*_measures.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        ex = extract(_find(gold["document"], dirs))
        _measures(tally, "seeds", gold["document"], gold["measures"], ex, topics=True)
    reports = gold_dir / "reports.json"
    if reports.exists():
        for name, gold in json.loads(reports.read_text(encoding="utf-8")).items():
            _report(tally, name, gold, extract(_find(name, dirs)))
    for gold_file in sorted([*(gold_dir / "layouts").glob("*.json"), *(gold_dir / "cascade").glob("*.txt.json")]):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        name, layout = gold["document"], gold["layout"]
        ex = extract(_find(name, dirs))
        _measures(tally, layout, name, gold["measures"], ex, topics=False)
        _citations(tally, layout, name, gold.get("citations", []), ex)
        for field in ("title", "doc_number", "genre"):
            gv, ov = gold.get(field), getattr(ex, field)
            tally.add(f"document.{field}", layout, {(name, gv)} if gv else set(), {(name, ov)} if ov else set())
        if gold.get("jurisdiction"):
            division = divisions.deepest(gold["jurisdiction"])
            tally.add("document.jurisdiction", layout, {(name, division.code if division else gold["jurisdiction"])},
                      {(name, ex.jurisdiction_code)} if ex.jurisdiction_code else set())
    alignments = gold_dir / "cascade" / "alignments.json"
    if alignments.exists():
        _alignments(tally, json.loads(alignments.read_text(encoding="utf-8"))["pairs"], dirs)
    return tally.scores()


def _alignments(tally: _Tally, pairs: list[dict[str, Any]], dirs: list[Path]) -> None:
    """Measure alignment (graph/alignment.py) against the hand alignment, with and without the
    entries the annotator marked doubtful."""
    from policykg.graph.alignment import MeasureText, align_plans

    names = sorted({p["child"] for p in pairs} | {p["parent"] for p in pairs})
    extractions = {n: extract(_find(n, dirs)) for n in names}
    measures = {n: [MeasureText(f"{n}#{m.number}", n, str(m.number), m.text, m.task_area) for m in ex.measures]
                for n, ex in extractions.items()}
    for pair in pairs:
        child, parent = pair["child"], pair["parent"]
        found = {(a.child.number, a.parent.number): a.kind for a in align_plans(measures[child], measures[parent])}
        for layout, skip in (("cascade", True), ("cascade (with doubtful)", False)):
            judged = {n: e for n, e in pair["measures"].items() if not (skip and e.get("doubtful"))}
            gold = {(child, n, str(p)) for n, e in judged.items() for p in e["parents"]}
            got = {(child, c, p) for (c, p) in found if c in judged}
            tally.add("measure alignment (child, parent)", layout, gold, got)
            tally.add("measure alignment kind", layout,
                      {(child, n, str(p), e["kind"]) for n, e in judged.items() for p in e["parents"]},
                      {(child, c, p, k) for (c, p), k in found.items() if c in judged})


def _citations(tally: _Tally, layout: str, name: str, gold: list[dict[str, Any]], ex: Extraction) -> None:
    tally.add("citation (target, relation)", layout,
              {(name, _title_key(c["target"]), c["relation"]) for c in gold},
              {(name, _title_key(c.target_title), c.relation) for c in ex.citations})
    tally.add("citation doc_number", layout,
              {(name, _title_key(c["target"]), _number_key(c["doc_number"])) for c in gold if c.get("doc_number")},
              {(name, _title_key(c.target_title), _number_key(c.doc_number)) for c in ex.citations if c.doc_number})
    tally.add("citation corrected", layout,
              {(name, _title_key(c["target"])) for c in gold if c.get("corrected")},
              {(name, _title_key(c.target_title)) for c in ex.citations if c.corrected})


def _measures(tally: _Tally, layout: str, name: str, gold: list[dict[str, Any]], ex: Extraction, topics: bool) -> None:
    doc = name
    if len({m.number for m in ex.measures}) < len(ex.measures):
        # numbering that restarts: a measure numbered twice is still two measures
        tally.add("measure (distinct)", layout, {(doc, i) for i in range(len(gold))}, {(doc, i) for i in range(len(ex.measures))})
    tally.add("measure", layout, {(doc, m["number"]) for m in gold}, {(doc, m.number) for m in ex.measures})
    if topics:
        tally.add("measure topic", layout, {(doc, m["number"], m["topic"]) for m in gold}, {(doc, m.number, m.topic) for m in ex.measures})
    starts = {m["number"]: m["starts_with"] for m in gold}
    tally.add("measure text start", layout, {(doc, n, s) for n, s in starts.items()},
              {(doc, m.number, starts[m.number]) for m in ex.measures if m.number in starts and m.text.startswith(starts[m.number])})
    tally.add("(measure, agency, role)", layout,
              {(doc, m["number"], a["agency"], a["role"]) for m in gold for a in m["assignments"]},
              {(doc, m.number, a.agency, a.role) for m in ex.measures for a in m.assignments})
    tally.add("(measure, agency, collective)", layout,
              {(doc, m["number"], a["agency"], a["collective"]) for m in gold for a in m["assignments"]},
              {(doc, m.number, a.agency, a.collective) for m in ex.measures for a in m.assignments})
    tally.add("(measure, deadline)", layout,
              {(doc, m["number"], m["deadline"], m.get("deadline_precision") if "deadline_precision" in m else "-") for m in gold},
              {(doc, m.number, m.deadline.date if m.deadline else None,
                ((m.deadline.precision if m.deadline else None) if "deadline_precision" in gm else "-"))
               for m in ex.measures for gm in gold if gm["number"] == m.number} |
              {(doc, m.number, m.deadline.date if m.deadline else None, "?") for m in ex.measures if m.number not in starts})
    if any("deadline_default" in m for m in gold):
        tally.add("(measure, deadline default)", layout,
                  {(doc, m["number"], m["deadline_default"]) for m in gold},
                  {(doc, m.number, m.deadline.default if m.deadline else False) for m in ex.measures})


def _report(tally: _Tally, name: str, gold: dict[str, Any], ex: Extraction) -> None:
    layout = "reports"
    tally.add("report year", layout, {(name, gold["report_year"])}, {(name, ex.report_year)})
    tally.add("report section (kind, heading)", layout,
              {(name, s["kind"], s["heading"]) for s in gold["sections"] if s["heading"]},
              {(name, s.kind, s.heading) for s in ex.report_sections if s.heading})
    tally.add("report section kinds (in order)", layout,
              {(name, tuple(s["kind"] for s in gold["sections"] if s["kind"] != "other"))},
              {(name, tuple(s.kind for s in ex.report_sections if s.kind != "other"))})
    starts = [p["starts_with"] for p in gold["planned_measures"]]
    tally.add("planned measure", layout, {(name, s) for s in starts},
              {(name, s) for p in ex.planned_measures for s in starts if p.text.startswith(s)} |
              {(name, p.text[:8]) for p in ex.planned_measures if not any(p.text.startswith(s) for s in starts)})
    known = {i.id for i in indicator_scheme()[1]}

    def concept(i: str) -> str:
        return i.split(":", 1)[1] if i.startswith("other:") else i

    gold_obs = {(name, concept(o["indicator"]), o["value"]) for o in gold["indicators"] if concept(o["indicator"]) in known}
    got_obs = {(name, o.indicator, o.value) for o in ex.observations}
    tally.add("indicator (concept, value)", layout, gold_obs, got_obs)
    tally.add("indicator value (any concept)", layout,
              {(name, o["value"]) for o in gold["indicators"]}, {(name, o.value) for o in ex.observations})
    text = ex.text
    for a in gold["activities"]:
        at = text.find(a["quote"])
        act = next((x for x in ex.activities if x.span.start <= at < x.span.end), None)
        got = act.classification.area if act and act.classification else None
        tally.add("activity task area", layout, {(name, a["quote"], a["task_area"])}, {(name, a["quote"], got)} if got else set())


def format_table(scores: list[Score]) -> str:
    width = max(len(s.field) for s in scores)
    rows: list[str] = []
    layout = None
    for s in scores:
        if s.layout != layout:
            layout = s.layout
            rows.append(f"\n[{layout}]")
            rows.append(f"{'field':<{width}}  precision  recall    tp   fp   fn")
        rows.append(f"{s.field:<{width}}  {s.precision:9.3f}  {s.recall:6.3f}  {s.tp:4d} {s.fp:4d} {s.fn:4d}")
    return "\n".join(rows).lstrip("\n")
