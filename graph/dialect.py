"""What the canned queries need to run fast on the embedded engine, kept in one place.

Oxigraph evaluates an ``OPTIONAL { … }`` whose right side is more than one plain triple pattern as
a hash join: the right side is computed over the whole store, then joined. A canned query that
finds 3 measures and then optionally reads their assignments so reads every assignment in the
store (at 1,000 generated documents ``implementers`` took 1.1 s and ``cascade-implementers`` 19 s).
Oxigraph's ``LATERAL`` (SPARQL 1.2 proposal SEP-0006) evaluates the right side once per solution
of the left side, with its bindings: ``LATERAL { OPTIONAL { … } }``. For the canned queries, whose
optional parts read what their left side has bound, the answers are the same (tests/test_queries.py
runs every canned query both ways); ``render`` keeps the standard text people read and copy.

The same holds for a subquery: Oxigraph evaluates ``{ SELECT … } P`` by computing P on its own over
the whole store and joining the two (at 1,000 generated documents, 659 measures found by their text
and then read in P read all 31,674 measures of the store: 0.9 s). ``{ SELECT … } LATERAL { P }``
evaluates P once per row of the subquery, with its bindings: the canned queries write first, in a
subquery, what selects their rows (a phrase, a date, a task area), and the rest of the group reads
those rows' fields. ``embedded`` applies both rewrites.
"""

from __future__ import annotations

import re

_OPTIONAL = re.compile(r"OPTIONAL\s*\{")
_VALUES = re.compile(r"(?:[\s.]|#[^\n]*)*VALUES\s*(?:\?\w+|\((?:\s*\?\w+)*\s*\))\s*\{", re.I)
_SELECT = re.compile(r"(?:\s|#[^\n]*)*SELECT\b", re.I)  # a subquery: its braces start with SELECT
# what may hold a brace that is not one: strings, IRIs and comments
_SKIP = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^\s<>"{}|^`\\]*>|#[^\n]*')


def _closing(text: str, start: int) -> int:
    """The index of the brace closing the one at ``start``."""
    depth, i = 0, start
    while i < len(text):
        m = _SKIP.match(text, i)
        if m:
            i = m.end()
            continue
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError("unbalanced braces in the query")


def lateral_optionals(text: str) -> str:
    """Every ``OPTIONAL { X }`` as ``LATERAL { OPTIONAL { X } }`` (nested ones too), outside
    strings, IRIs and comments."""
    out: list[str] = []
    i = 0
    while i < len(text):
        m = _SKIP.match(text, i)
        if m:
            out.append(m.group(0))
            i = m.end()
            continue
        if (o := _OPTIONAL.match(text, i)) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_:?$")):
            end = _closing(text, o.end() - 1)
            out.append("LATERAL { OPTIONAL {" + lateral_optionals(text[o.end():end]) + "} }")
            i = end + 1
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def embedded(text: str) -> str:
    """The text the embedded engine runs: each subquery's continuation and each OPTIONAL as LATERAL."""
    return lateral_optionals(lateral_subqueries(text))


def _blank(text: str) -> bool:
    """Whether ``text`` holds nothing but white space, comments and the dots that end a pattern."""
    i = 0
    while i < len(text):
        m = _SKIP.match(text, i)
        if m and m.group(0).startswith("#"):
            i = m.end()
        elif text[i].isspace() or text[i] == ".":
            i += 1
        else:
            return False
    return True


def lateral_subqueries(text: str, inside: bool = False) -> str:
    """In every group, what follows a subquery ``{ SELECT … }`` in the same group as
    ``LATERAL { … }`` (nested groups and subqueries too), outside strings, IRIs and comments.
    ``inside``: ``text`` is the inside of a group, whose own subqueries are looked for (the
    query's or a subquery's own braces are not a subquery of it)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        m = _SKIP.match(text, i)
        if m:
            out.append(m.group(0))
            i = m.end()
            continue
        if text[i] == "{":
            end = _closing(text, i)
            inner = text[i + 1:end]
            if inside and _SELECT.match(inner):
                out.append("{" + lateral_subqueries(inner) + "}")
                rest = text[end + 1:]
                # inline data right after it stays a join (Oxigraph refuses VALUES of a variable the
                # left side binds inside LATERAL): joins commute, the rows are the same
                while v := _VALUES.match(rest):
                    close = _closing(rest, v.end() - 1)
                    out.append(rest[:close + 1])
                    rest = rest[close + 1:]
                if not _blank(rest):
                    lead = len(rest) - len(rest.lstrip(" \t\n."))
                    space = rest[:lead].replace(".", "")
                    rest = ("\n" + space.rsplit("\n", 1)[1] if "\n" in space else " ") + "LATERAL { " + lateral_subqueries(rest[lead:], True) + "}"
                out.append(rest)
                return "".join(out)
            out.append("{" + lateral_subqueries(inner, True) + "}")
            i = end + 1
            continue
        out.append(text[i])
        i += 1
    return "".join(out)
