"""Evaluation of extraction against the hand-written gold annotations in ``tests/gold``:
precision and recall per field."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from policykg.ingest import extract
from policykg.ingest.divisions import load as load_divisions
from policykg.ingest.text import DOC_NUMBER, fold, normalize_doc_number, normalize_title


@dataclass
class Score:
    field: str
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
        return {"field": self.field, "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn, "missed": self.missed[:20], "spurious": self.spurious[:20]}


def _score(name: str, gold: set, got: set) -> Score:
    return Score(name, len(gold & got), len(got - gold), len(gold - got),
                 sorted(map(str, gold - got)), sorted(map(str, got - gold)))


def _title_key(title: str | None) -> str:
    if not title:
        return ""
    t = normalize_title(title)
    return re.sub(r"[\"'<>]", "", t)


def _number_key(number: str) -> str:
    m = DOC_NUMBER.search(fold(number))
    return normalize_doc_number(m) if m else number


def evaluate(gold_dir: Path, corpus_dir: Path) -> list[Score]:
    """Scores per field over every gold file whose source is in ``corpus_dir``."""
    scores: dict[str, tuple[set, set]] = {}

    def add(field: str, gold: set, got: set) -> None:
        g, o = scores.setdefault(field, (set(), set()))
        g |= gold
        o |= got

    divisions = load_divisions()
    docs = json.loads((gold_dir / "documents.json").read_text(encoding="utf-8"))
    for name, gold in docs.items():
        ex = extract(corpus_dir / name)
        for field in ("title", "doc_number", "jurisdiction", "date", "date_published", "genre", "report_year", "recipient"):
            gv, ov = gold.get(field), getattr(ex, field)
            if field == "title" and ex.title_derived:
                ov = None
            if field == "jurisdiction" and gv is not None:
                division = divisions.deepest(gv)
                gv = division.code if division else gv
                ov = ex.jurisdiction_code
            add(f"document.{field}", {(name, gv)} if gv is not None else set(), {(name, ov)} if ov is not None else set())
        add("document.issuers", {(name, i) for i in gold["issuers"]}, {(name, i) for i in ex.issuers})
        add("citation (target, relation)",
            {(name, _title_key(c["target"]), c["relation"]) for c in gold["citations"]},
            {(name, _title_key(c.target_title), c.relation) for c in ex.citations})
        add("citation (target)",
            {(name, _title_key(c["target"])) for c in gold["citations"]},
            {(name, _title_key(c.target_title)) for c in ex.citations})
        add("citation doc_number",
            {(name, _title_key(c["target"]), _number_key(c["doc_number"])) for c in gold["citations"] if c["doc_number"]},
            {(name, _title_key(c.target_title), _number_key(c.doc_number)) for c in ex.citations if c.doc_number})
        add("citation corrected",
            {(name, _title_key(c["target"])) for c in gold["citations"] if c["corrected"]},
            {(name, _title_key(c.target_title)) for c in ex.citations if c.corrected})
    for gold_file in sorted(gold_dir.glob("*_measures.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        ex = extract(corpus_dir / gold["document"])
        doc = gold["document"][:3]
        add("measure", {(doc, m["number"]) for m in gold["measures"]}, {(doc, m.number) for m in ex.measures})
        add("measure topic", {(doc, m["number"], m["topic"]) for m in gold["measures"]}, {(doc, m.number, m.topic) for m in ex.measures})
        add("measure text start", {(doc, m["number"], m["starts_with"]) for m in gold["measures"]},
            {(doc, m.number, gm["starts_with"]) for m in ex.measures for gm in gold["measures"]
             if gm["number"] == m.number and m.text.startswith(gm["starts_with"])})
        add("(measure, agency, role)",
            {(doc, m["number"], a["agency"], a["role"]) for m in gold["measures"] for a in m["assignments"]},
            {(doc, m.number, a.agency, a.role) for m in ex.measures for a in m.assignments})
        add("(measure, agency, collective)",
            {(doc, m["number"], a["agency"], a["collective"]) for m in gold["measures"] for a in m["assignments"]},
            {(doc, m.number, a.agency, a.collective) for m in ex.measures for a in m.assignments})
        add("(measure, deadline, default)",
            {(doc, m["number"], m["deadline"], m["deadline_default"]) for m in gold["measures"]},
            {(doc, m.number, m.deadline.date if m.deadline else None, m.deadline.default if m.deadline else False) for m in ex.measures})
    return [_score(k, g, o) for k, (g, o) in scores.items()]


def format_table(scores: list[Score]) -> str:
    width = max(len(s.field) for s in scores)
    rows = [f"{'field':<{width}}  precision  recall    tp   fp   fn"]
    for s in scores:
        rows.append(f"{s.field:<{width}}  {s.precision:9.3f}  {s.recall:6.3f}  {s.tp:4d} {s.fp:4d} {s.fn:4d}")
    return "\n".join(rows)
