"""Task areas (任务领域) of the 纲要 and their topics: the scheme, and classifying a measure or a
reported activity into it with the words that are the evidence."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import yaml

from policykg.ingest.model import Classification, Span


@dataclass(frozen=True)
class Concept:
    id: str
    zh: str
    en: str
    keywords: tuple[str, ...]
    area: str | None = None  # for a topic: the area it belongs to


@lru_cache(maxsize=1)
def scheme() -> tuple[tuple[Concept, ...], tuple[Concept, ...]]:
    """(areas, topics) from ``ingest/data/task_areas.yaml``."""
    rows = yaml.safe_load((files("policykg.ingest") / "data" / "task_areas.yaml").read_text(encoding="utf-8"))
    areas = tuple(Concept(r["id"], r["zh"], r["en"], tuple(r["keywords"])) for r in rows)
    topics = tuple(
        Concept(t["id"], t["zh"], t["en"], tuple(t["keywords"]), r["id"]) for r in rows for t in r.get("topics", ())
    )
    return areas, topics


def _hits(concept: Concept, text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for word in concept.keywords:
        start = text.find(word)
        while start >= 0:
            if not any(s <= start < s + len(w) and w != word and word in w for s, w in out):
                out.append((start, word))
            start = text.find(word, start + 1)
    return out


def area_of_heading(heading: str) -> str | None:
    """The area a section heading names (坚持严格规范公正文明执法 → enforcement), or None."""
    areas, _ = scheme()
    for area in areas:
        if area.zh in heading or heading.strip() in area.zh:
            return area.id
    best = max(areas, key=lambda a: len({w for _, w in _hits(a, heading)}))
    return best.id if _hits(best, heading) else None


def classify(text: str, offset: int, source: str, heading: str | None = None,
             heading_span: Span | None = None) -> Classification | None:
    """The task area of a measure or activity ``text`` (at ``offset`` in ``source``): the area its
    section heading names, else the area whose cue words it uses most; with the topics matched."""
    areas, topics = scheme()
    area_id: str | None = None
    method = "keywords"
    evidence: list[Span] = []
    if heading and (area_id := area_of_heading(heading)) is not None:
        method = "section-heading"
        if heading_span is not None:
            evidence.append(heading_span)
    scored = []
    for area in areas:
        hits = _hits(area, text)
        if hits:
            # distinct cue words count most; the earliest use breaks ties (the activity's subject comes first)
            scored.append((len({w for _, w in hits}), len(hits), -min(p for p, _ in hits), area, hits))
    scored.sort(key=lambda s: s[:3], reverse=True)
    if area_id is None:
        if not scored:
            return None
        area_id = scored[0][3].id
    for _, _, _, area, hits in scored:
        if area.id == area_id:
            for pos, word in sorted(hits)[:3]:
                evidence.append(Span(offset + pos, offset + pos + len(word), source[offset + pos:offset + pos + len(word)]))
    matched_topics = [t.id for t in topics if t.area == area_id and _hits(t, text)]
    score = 1.0 if method == "section-heading" else round(min(1.0, 0.5 + 0.1 * (scored[0][0] if scored else 0)), 2)
    return Classification(area=area_id, topics=matched_topics, method=method, score=score, evidence=evidence)
