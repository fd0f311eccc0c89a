"""Helpers for tests that read made-up plans: extraction of a text (optionally in full-width
punctuation, as live pages write it) and the measures' roles and deadlines as plain values."""

from __future__ import annotations

from policykg.ingest import extract_text

# half-width → full-width, the way live pages write the same text
FULL_WIDTH = str.maketrans({",": "，", "(": "（", ")": "）", ":": "：", ";": "；"})


def extract(text: str, full_width: bool = False):
    return extract_text(text.translate(FULL_WIDTH) if full_width else text, "name.txt")


def by_number(ex):
    return {m.number: m for m in ex.measures}


def roles(m):
    return [(a.agency, str(a.role)) for a in m.assignments]


def deadline(m):
    return (m.deadline.date, m.deadline.precision) if m.deadline else None
