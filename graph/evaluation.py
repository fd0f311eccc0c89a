"""Evaluation of extraction, on two kinds of documents kept apart:

* documents written beside the parser: the seeds and layout fixtures, against the hand-written gold
  annotations in ``tests/gold`` (precision and recall per field and layout: ``evaluate``);
* real pages nobody here wrote: a development set in the format of ``../shared/realworld/``,
  scored as its ``score.py`` scores them, with every miss listed by class (``evaluate_realworld``).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field as _field
from functools import lru_cache
from pathlib import Path
from typing import Any

from policykg.errors import InputError, PolicyKGError
from policykg.ingest import extract, extract_text
from policykg.ingest.characters import normalize_characters
from policykg.ingest.citations import match_known
from policykg.ingest.divisions import load as load_divisions
from policykg.ingest.indicators import scheme as indicator_scheme
from policykg.ingest.model import Extraction
from policykg.ingest.sources import sniff
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
        return {"set": SET_PARSER, "field": self.field, "layout": self.layout, "precision": round(self.precision, 4),
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


# --- the development set: real pages nobody here wrote ------------------------------------------
#
# A folder in the format of ../shared/realworld/: ``docs/*.txt`` (a header block, one blank line,
# then the body as obtained) and ``gold.json`` (a careful reading of each body). Only the body is
# extracted. The matching below MIRRORS ../shared/realworld/score.py in ``meta`` mode rule for rule
# (its norm(), same(), 文号 containment, level words, genre acceptance, citation matching with
# variants and optional ``transmits``), so the figures agree with that scorer's on the same pages;
# change it only together with score.py. score.py is a script outside the package and is not imported.

_PINYIN_GLOSS = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}\)")
# score.py: gold level → what must appear in the extraction's [jurisdiction, level]
LEVEL_WORDS = {"district": "district|county", "municipal": "municipal|prefect|city", "provincial": "provinc",
               "central": "central|national"}
SET_PARSER = "documents written beside the parser (seeds, fixtures)"
SET_REAL = "real pages nobody here wrote (development set)"


@lru_cache(maxsize=1)
def _t2s() -> Callable[[str], str]:
    try:  # as score.py: without opencc, no conversion
        import opencc

        convert: Callable[[str], str] = opencc.OpenCC("t2s").convert
        return convert
    except Exception:
        return lambda s: s


def rw_norm(t: str | None) -> str:
    """score.py ``norm``: glosses dropped, Simplified, one kind of quote, dash and bracket, no
    《》〈〉<>, 20152020 read as 2015-2020, no white space."""
    t = t or ""
    t = _t2s()(_PINYIN_GLOSS.sub("", t))
    t = t.replace("“", '"').replace("”", '"').replace("＂", '"')
    t = re.sub(r"[—–―－‐-]+", "-", t)
    t = t.replace("（", "(").replace("）", ")").replace("《", "").replace("》", "").replace("〈", "").replace("〉", "")
    t = t.replace("<", "").replace(">", "")
    t = re.sub(r"(?<!\d)((?:19|20)\d{2})((?:19|20)\d{2})(?!\d)", r"\1-\2", t)
    return re.sub(r"\s+", "", t)


def rw_same(a: str | None, b: str | None, strict_head: bool = False) -> bool:
    """score.py ``same``: equal after rw_norm, or the same numbers, (for citations) the same first
    two characters, and a difflib ratio ≥ 0.9."""
    a, b = rw_norm(a), rw_norm(b)
    if not a or not b:
        return False
    if a == b:
        return True
    if re.findall(r"\d+", a) != re.findall(r"\d+", b):
        return False
    if strict_head and a[:2] != b[:2]:
        return False
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.9


def page_body(text: str, name: str = "") -> str:
    """The body of a development-set page: everything after the first blank line, as score.py cuts it."""
    parts = text.split("\n\n", 1)
    if len(parts) < 2:
        raise InputError(f"{name}: no blank line after the header block; a development-set page is "
                         "a header block, one blank line, then the body")
    return parts[1]


@dataclass
class Miss:
    """One thing the development set's gold says that extraction did not give (or gave wrongly).
    ``counted`` is False for what score.py does not score (a citation's relation)."""

    page: str
    field: str  # title | 文号 | level | genre | citation
    kind: str  # the class a person can act on, e.g. "title: differs", "citation: missed"
    gold: str
    got: str
    counted: bool = True

    def to_dict(self) -> dict[str, object]:
        return {"page": self.page, "field": self.field, "class": self.kind, "gold": self.gold, "got": self.got,
                "counted": self.counted}


# score.py's keys, in its order, and how they are shown
FIELDS = {"title": "title", "docno": "文号", "level": "level", "genre": "genre"}


@dataclass
class RealPages:
    """Scores on a development set, accumulated page by page exactly as score.py does (``meta``)."""

    folder: str
    pages: int = 0
    rejected: list[tuple[str, str]] = _field(default_factory=list)  # (page, why)
    counts: dict[str, list[int]] = _field(default_factory=lambda: {k: [0, 0] for k in FIELDS})  # [correct, total]
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[Miss] = _field(default_factory=list)

    # score.py: P and R are 0.0 without a denominator, a field's accuracy 1.0 without gold
    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    def accuracy(self, key: str) -> float:
        ok, total = self.counts[key]
        return ok / total if total else 1.0

    def summary_line(self) -> str:
        """The line score.py prints in ``meta`` mode, character for character."""
        failed = [page.split("_")[0] for page, _ in self.rejected]
        return (f"{self.pages} docs: citations P={self.precision:.2f} R={self.recall:.2f} "
                f"(tp={self.tp} fp={self.fp} fn={self.fn}); "
                + " ".join(f"{k}={self.accuracy(k):.2f}" for k in FIELDS) + (f"; no JSON for {failed}" if failed else ""))

    def classes(self) -> dict[str, list[Miss]]:
        """Every miss by class, counted classes first, larger classes first."""
        out: dict[str, list[Miss]] = {}
        for m in self.misses:
            out.setdefault(m.kind, []).append(m)
        return dict(sorted(out.items(), key=lambda kv: (not kv[1][0].counted, -len(kv[1]), kv[0])))

    def add(self, gold: dict[str, Any], out: dict[str, Any] | None, why: str = "no extraction") -> None:
        """Score one page: ``out`` is what ``policykg extract --format json`` gives for its body
        (None when the page was rejected, ``why`` saying why)."""
        page = gold["file"]
        self.pages += 1
        rejected = out is None
        if out is None:
            self.rejected.append((page, why))
            out = {}
        b = gold["in_body"]

        def count(key: str, ok: bool, kind: str, want: str, got: str) -> None:
            self.counts[key][1] += 1
            self.counts[key][0] += ok
            if not ok:
                self.misses.append(Miss(page, FIELDS[key], "page: rejected" if rejected else kind, want, got))

        if b.get("title"):
            title = out.get("title")
            ok = any(rw_same(title, c) for c in [b["title"], *(b.get("title_alternatives") or [])])
            count("title", ok, _title_class(out), b["title"], _shown(title))
        if b.get("doc_number"):
            got = out.get("doc_number")
            ok = rw_norm(json.dumps(got, ensure_ascii=False)).find(rw_norm(b["doc_number"])) >= 0
            count("docno", ok, "文号: wrong" if got else "文号: missing", b["doc_number"], _shown(got))
        if b.get("level"):
            if b["level"] not in LEVEL_WORDS:
                raise InputError(f"{page}: gold level {b['level']!r} is none of {', '.join(LEVEL_WORDS)}")
            where = json.dumps([out.get("jurisdiction"), out.get("level")], ensure_ascii=False).lower()
            ok = bool(re.search(LEVEL_WORDS[b["level"]], where))
            kind = "level: wrong level" if out.get("jurisdiction") or out.get("level") else "level: no jurisdiction"
            count("level", ok, kind, b["level"], f"jurisdiction {_shown(out.get('jurisdiction'))}, level {_shown(out.get('level'))}")
        if b.get("genre"):
            accepted = list(b.get("genre_acceptable", [b["genre"]]))
            if "分工方案" in (b.get("title") or ""):
                accepted.append("工作方案")  # score.py: a 任务分工方案 is a 工作方案
            genre = json.dumps(out.get("genre"), ensure_ascii=False)
            ok = any(x in genre for x in accepted)
            count("genre", ok, "genre: wrong" if out.get("genre") else "genre: missing", " / ".join(accepted), _shown(out.get("genre")))
        self._citations(page, gold["citations"], out, rejected)

    def _citations(self, page: str, gold: list[dict[str, Any]], out: dict[str, Any], rejected: bool) -> None:
        want = [c for c in gold if c["relation"] != "transmits"]
        optional = [c for c in gold if c["relation"] == "transmits"]  # neither needed nor spurious
        got = [c for c in out.get("citations", []) if isinstance(c, dict)]
        # an alias mention (alias=true) is judged by the title it resolves to
        names = [[x.get("title")] + ([x.get("target_title")] if x.get("alias") and x.get("target_title") else []) for x in got]

        def hit(i: int, t: str | None) -> bool:
            return any(rw_same(n, t, True) for n in names[i])

        used: set[int] = set()
        for c in want:  # greedy, in gold order, first unused mention that matches
            i = next((i for i in range(len(got)) if i not in used and (hit(i, c["title_normalized"]) or hit(i, c["title"]))), None)
            if i is None:
                self.fn += 1
                self.misses.append(Miss(page, "citation", "page: rejected" if rejected else "citation: missed",
                                        f"《{c['title_normalized']}》 ({c['relation']})", _nearest(c["title_normalized"], got, used)))
                continue
            self.tp += 1
            used.add(i)
            accepted = c.get("relation_acceptable") or [c["relation"]]
            if got[i].get("relation") not in accepted:  # not scored by score.py: shown, not counted
                self.misses.append(Miss(page, "citation", "citation: relation differs (not scored)",
                                        f"《{c['title_normalized']}》 {' / '.join(accepted)}", str(got[i].get("relation")), counted=False))
        matched_targets = {got[i].get("target") for i in used if got[i].get("target")}
        for i, x in enumerate(got):
            if i in used:
                continue
            if x.get("target") and x.get("target") in matched_targets:
                continue  # the same document, another mention or relation
            if any(hit(i, c["title_normalized"]) for c in optional):
                continue
            if any(hit(i, v) for c in gold for v in c.get("title_variants", [])):
                continue
            self.fp += 1
            self.misses.append(Miss(page, "citation", "citation: spurious", "(not cited)", f"《{x.get('title')}》 ({x.get('relation')})"))

    def rows(self) -> list[dict[str, object]]:
        """The same data as the table, as rows for ``--format json``."""
        head: dict[str, object] = {"set": SET_REAL, "layout": "development set", "folder": self.folder}
        rows: list[dict[str, object]] = [{**head, "field": "pages extracted", "extracted": self.pages - len(self.rejected),
                                          "total": self.pages, "rejected": [{"page": p, "why": w} for p, w in self.rejected]}]
        for key, label in FIELDS.items():
            ok, total = self.counts[key]
            rows.append({**head, "field": label, "correct": ok, "total": total, "accuracy": round(self.accuracy(key), 4)})
        rows.append({**head, "field": "citations", "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                     "tp": self.tp, "fp": self.fp, "fn": self.fn})
        rows.append({**head, "field": "score.py meta summary", "summary": self.summary_line()})
        for kind, misses in self.classes().items():
            rows.append({**head, "field": "failure class", "class": kind, "count": len(misses), "counted": misses[0].counted,
                         "misses": [m.to_dict() for m in misses]})
        return rows


def _shown(value: object) -> str:
    return "—" if value in (None, "", []) else str(value)


def _title_class(out: dict[str, Any]) -> str:
    title = out.get("title") or ""
    if not title:
        return "title: missing"
    if title.startswith("(无标题)") or any("provisional title" in str(w) for w in out.get("warnings") or []):
        return "title: provisional"
    return "title: inferred, differs" if out.get("title_derived") else "title: differs"


def _nearest(title: str, got: list[dict[str, Any]], used: set[int]) -> str:
    """What extraction gave closest to a missed citation, to show beside the miss."""
    scored = [(difflib.SequenceMatcher(None, rw_norm(title), rw_norm(x.get("title"))).ratio(), str(x.get("title")))
              for i, x in enumerate(got) if i not in used]
    best = max(scored, default=None)
    return f"not found (nearest unmatched mention: 《{best[1]}》)" if best and best[0] >= 0.5 else "not found"


def extract_page(path: Path) -> tuple[dict[str, Any] | None, str]:
    """What ``policykg extract BODY --format json`` prints for a page's body, computed in process:
    the body goes through what reading a plain-text file does (line ends, glosses, Traditional →
    Simplified), then ``extract_text``. (None, why) when the page is rejected."""
    try:
        body = page_body(path.read_text(encoding="utf-8"), path.name)
        data = body.encode("utf-8")
        if not data.strip():
            return None, "the body is empty"
        if sniff(data, path) != "text":  # a body that is HTML: read it as that file would be read
            with tempfile.TemporaryDirectory() as folder:
                copy = Path(folder) / path.name
                copy.write_bytes(data)
                ex = extract(copy)
        else:
            text, _ = normalize_characters(body.replace("\r\n", "\n").replace("\r", "\n"))
            ex = extract_text(text, path.name, hashlib.sha256(data).hexdigest())
        out: dict[str, Any] = json.loads(json.dumps(ex.to_json(), ensure_ascii=False))
        return out, ""
    except PolicyKGError as exc:
        return None, exc.message
    except Exception as exc:  # a parser bug rejects the page too, as `policykg extract` would
        return None, f"internal error ({type(exc).__name__}: {exc})"


def evaluate_realworld(folder: Path) -> RealPages:
    """Scores on a development set (``folder/docs`` and ``folder/gold.json``), as score.py ``meta``."""
    docs, gold_path = folder / "docs", folder / "gold.json"
    if not docs.is_dir() or not gold_path.is_file():
        raise InputError(f"{folder}: a development set is a folder with docs/ and gold.json")
    report = RealPages(str(folder))
    for gold in json.loads(gold_path.read_text(encoding="utf-8")):
        path = docs / gold["file"]
        if not path.is_file():
            raise InputError(f"{path}: gold.json names this page but there is no such file")
        out, why = extract_page(path)
        report.add(gold, out, why)
    return report


def format_realworld(report: RealPages) -> str:
    """The development set as a table, with every miss listed by class."""
    rows = [f"pages extracted  {report.pages - len(report.rejected)} / {report.pages}"
            + ("" if not report.rejected else "  (rejected: " + "; ".join(f"{p}: {w}" for p, w in report.rejected) + ")"),
            "", f"{_pad('field', 8)}  correct  total  accuracy"]
    for key, label in FIELDS.items():
        ok, total = report.counts[key]
        rows.append(f"{_pad(label, 8)}  {ok:7d}  {total:5d}  {report.accuracy(key):8.3f}")
    rows += ["", f"{'citations':<9} precision {report.precision:.3f}  recall {report.recall:.3f}  "
                 f"tp {report.tp}  fp {report.fp}  fn {report.fn}",
             f"as score.py meta prints it: {report.summary_line()}"]
    classes = report.classes()
    counted = sum(1 for m in report.misses if m.counted)
    rows += ["", f"misses by class ({counted} counted" + (f", {len(report.misses) - counted} shown but not scored" if len(report.misses) > counted else "")
             + ")" + ("" if classes else ": none")]
    for kind, misses in classes.items():
        rows.append(f"  {kind} ({len(misses)})")
        for m in misses:
            rows.append(f"    {m.page} [{m.field}]: gold {m.gold}; got {m.got}")
    return "\n".join(rows)


def _pad(text: str, width: int) -> str:
    """Left-justify by display width (a Han character takes two columns)."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - shown)
