"""Reading SPARQL text without parsing it: a small tokenizer and what the service needs to know
before a query or update reaches Oxigraph. Whether a text is an update (``is_update``); an
update with the Protocol's ``using-graph-uri`` and ``using-named-graph-uri`` written into it
(``with_using``); and the document graphs an update names (``written_documents``). Nothing
here decides what a request may do: a tokenizer can be misled (escapes, comments), so SERVICE,
LOAD and the graphs an update writes are decided on the parsed text (``graph.sparql_policy``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from policykg import iris
from policykg.errors import ProtocolError
from policykg.namespaces import PREFIXES

_LEX = re.compile(r"""
    (?P<ws>\s+) | (?P<comment>\#[^\r\n]*) |
    (?P<string>'''(?:[^'\\]|\\.|'(?!''))*''' | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\" | '(?:[^'\\\r\n]|\\.)*' | "(?:[^"\\\r\n]|\\.)*") |
    (?P<iri><[^<>"{}|^`\\\x00-\x20]*>) |
    (?P<var>[?$]\w+) |
    (?P<name>[\w:%\\-]+(?:\.[\w:%\\-]+)*) |
    (?P<punct>.)""", re.X | re.S)
_UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


@dataclass(frozen=True)
class Token:
    kind: str
    value: str
    start: int

    @property
    def word(self) -> str:
        return self.value.upper() if self.kind == "name" else ""


def tokens(text: str) -> list[Token]:
    """The tokens of a SPARQL query or update that matter here: keywords and prefixed names,
    IRIs, variables, braces and semicolons (strings and comments are skipped)."""
    return [Token(m.lastgroup, m.group(), m.start()) for m in _LEX.finditer(text)  # type: ignore[arg-type]
            if m.lastgroup not in ("ws", "comment", "string")]


def _operations(toks: list[Token]) -> list[list[Token]]:
    """An update's operations: the tokens between top-level semicolons."""
    ops: list[list[Token]] = [[]]
    depth = 0
    for t in toks:
        if t.value in "{[(" and t.kind == "punct":
            depth += 1
        elif t.value in "}])" and t.kind == "punct":
            depth -= 1
        if t.kind == "punct" and t.value == ";" and depth == 0:
            ops.append([])
        else:
            ops[-1].append(t)
    return [op for op in ops if op]


def _body(op: list[Token]) -> list[Token]:
    """An operation without its prologue (PREFIX and BASE declarations)."""
    i = 0
    while i < len(op) and op[i].word in {"PREFIX", "BASE"}:
        i += 3 if op[i].word == "PREFIX" else 2
    return op[i:]


def is_update(text: str) -> bool:
    body = _body(tokens(text))
    return bool(body) and body[0].word in _UPDATE_KEYWORDS


def with_using(update: str, using: list[str], using_named: list[str]) -> str:
    """The update with ``using-graph-uri``/``using-named-graph-uri`` written into each
    DELETE/INSERT … WHERE operation as USING/USING NAMED clauses; an operation that has its own
    USING or WITH conflicts with them (the Protocol says the request fails)."""
    if not using and not using_named:
        return update
    clause = "".join(f" USING <{g}>" for g in using) + "".join(f" USING NAMED <{g}>" for g in using_named) + " "
    inserts: list[int] = []
    for op in _operations(tokens(update)):
        body = _body(op)
        if not body or body[0].word not in {"INSERT", "DELETE", "WITH"}:
            continue
        if len(body) > 1 and body[1].word in {"DATA", "WHERE"}:  # INSERT DATA, DELETE DATA, DELETE WHERE
            continue
        depth, where = 0, None
        for t in body:
            if t.kind == "punct" and t.value in "{}":
                depth += 1 if t.value == "{" else -1
            elif depth == 0 and t.word in {"USING", "WITH"}:
                raise ProtocolError("the update names its dataset (USING or WITH) and the request also sends "
                                    "using-graph-uri/using-named-graph-uri; send one or the other")
            elif depth == 0 and t.word == "WHERE":
                where = t.start
        if where is not None:
            inserts.append(where)
    for at in sorted(inserts, reverse=True):
        update = update[:at] + clause + update[at:]
    return update


def written_documents(update: str) -> list[str] | None:
    """The keys of the document graphs an update names (conservatively: anywhere in it); None
    when it may touch any graph (a graph variable, ALL or NAMED)."""
    toks = tokens(update)
    prefixes = dict(PREFIXES)
    base = iris.base()
    mentioned: set[str] = set()
    for i, t in enumerate(toks):
        if t.word == "PREFIX" and i + 2 < len(toks):
            prefixes[toks[i + 1].value.rstrip(":")] = toks[i + 2].value[1:-1]
        elif t.word == "BASE" and i + 1 < len(toks):
            base = urljoin(base, toks[i + 1].value[1:-1])
        elif t.word in {"ALL", "NAMED"} or (t.word == "GRAPH" and i + 1 < len(toks) and toks[i + 1].kind == "var"):
            return None
        elif t.kind == "iri":
            mentioned.add(urljoin(base, t.value[1:-1]))
        elif t.kind == "name" and ":" in t.value:
            prefix, _, local = t.value.partition(":")
            if prefix in prefixes:
                mentioned.add(prefixes[prefix] + local)
    docs = iris.doc_graph("")
    return sorted({g[len(docs):] for g in mentioned if g.startswith(docs) and len(g) > len(docs)})
