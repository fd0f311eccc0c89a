"""What the canned queries need to run fast on the embedded engine, kept in one place.

Oxigraph evaluates an ``OPTIONAL { … }`` whose right side is more than one plain triple pattern as
a hash join: the right side is computed over the whole store, then joined. A canned query that
finds 3 measures and then optionally reads their assignments so reads every assignment in the
store (at 1,000 generated documents ``implementers`` took 1.1 s and ``cascade-implementers`` 19 s).
Oxigraph's ``LATERAL`` (SPARQL 1.2 proposal SEP-0006) evaluates the right side once per solution
of the left side, with its bindings: ``LATERAL { OPTIONAL { … } }``. For the canned queries, whose
optional parts read what their left side has bound, the answers are the same (tests/test_queries.py
runs every canned query both ways); ``render`` keeps the standard text people read and copy.
"""

from __future__ import annotations

import re

_OPTIONAL = re.compile(r"OPTIONAL\s*\{")
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
