"""The SPARQL 1.1 service at ``/sparql``: the Protocol, the Service Description, SPARQL Update
behind a token, and the limits the server enforces. The Graph Store Protocol is ``api.gsp``.

Protocol
    Query by GET, POST form (``application/x-www-form-urlencoded``) and POST direct
    (``application/sparql-query``). Results by ``Accept`` or ``format=``: SPARQL JSON, XML, CSV
    and TSV for SELECT and ASK; Turtle, N-Triples, N-Quads, TriG, JSON-LD and RDF/XML for
    CONSTRUCT and DESCRIBE (a graph: N-Quads and TriG write it as the default graph). No
    ``Accept``, an unreadable one or ``*/*`` get SPARQL JSON or Turtle; an ``Accept`` naming only
    formats we cannot write gets 406. ``default-graph-uri``/``named-graph-uri`` (URL or form)
    replace the query's dataset; without them the default graph is the union of all named
    graphs. Our prefixes (``lg:``, ``eli:``, ``prov:`` …) are predeclared and relative IRIs
    resolve against ``base_iri``. ``GET /sparql`` without a query answers the Service
    Description (Turtle, or any graph format by Accept). Federated queries (SERVICE) are off
    unless ``allow_service`` is set: the server would fetch whatever URL a query names.

Errors (the JSON error body of the app): 400 a malformed request or query (syntax errors name
the line and column), 401 a missing or wrong token, 403 an update while the service is
read-only, 405 a method /sparql does not take, 406 no acceptable format, 413 a query or
payload over the size limit, 415 a content type or charset we do not read, 503 a query stopped
at the time or memory limit, or every worker busy.

Updates
    Read-only unless the setting ``update_token`` is set; then SPARQL Update by POST form
    (``update=``) or POST direct (``application/sparql-update``), with
    ``using-graph-uri``/``using-named-graph-uri``, is accepted from requests that send
    ``Authorization: Bearer <token>``. Writes run one at a time in this process on the store;
    each update is one transaction. Afterwards the inferences of the documents whose graphs the
    update names (all of them when it names graphs by variable, ALL or NAMED) and the closure
    across graphs are recomputed, so the materialised entailments stay consistent.

Limits
    A query that runs past ``query_timeout`` seconds is stopped and answered 503; the next
    request is served normally. Oxigraph cannot cancel a running query, so queries are
    evaluated in a pool of ``query_workers`` processes (``Pool``), each holding the store open
    read-only; a worker that runs past the limit is killed and replaced. The workers read a
    snapshot (``_Snapshots``): a RocksDB checkpoint of an on-disk store (hard links, a few ms),
    or an on-disk copy of an in-memory store (about 1.3 s for the seeds with the full division
    vocabulary); a new one is taken at the first query after a write made through this service
    or announced with ``invalidate(store)``. Each worker may allocate ``query_memory_mb`` beyond
    what it holds at start; a query that needs more ends its worker and is answered 503. At most
    ``max_rows`` solutions or triples are returned; a cut result says so in the headers
    ``X-Policykg-Truncated: true`` and ``X-Policykg-Row-Limit``, and SPARQL JSON also in
    ``head.link``. With ``query_workers = 0`` queries run in the server process instead: the row
    cap holds, but the time limit is only checked between solutions, so a query that spends
    long on a single step (an aggregate, ORDER BY, a property-path closure) cannot be stopped.

    Measured on the seeds (180 k quads, 2 cores), on-disk store, median over 60 runs, pool vs
    evaluation in the server process: ASK +0.04 ms, 65 rows +0.07 ms, CONSTRUCT of 65 triples
    +0.16 ms, a GROUP BY +0.2 ms, 10,000 rows (2.2 MB of JSON) +4 ms on 58 ms. A write costs the
    next query 50–75 ms (checkpoint, workers reopen); a stopped query is answered 1.04 s after
    it started with a 1 s limit, and the next query takes 0.6 ms (the other worker serves while
    the replacement starts). SELECT results are serialised by Oxigraph: the first
    ``max_rows`` + 1 solutions as TSV (``_RowCap`` stops the serialiser there), re-read into
    the format asked for.
"""

from __future__ import annotations

import atexit
import hmac
import io
import json
import os
import pickle
import queue
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urljoin

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS
from starlette.concurrency import run_in_threadpool

from policykg import iris, settings
from policykg.errors import PolicyKGError, QueryError, StoreError
from policykg.graph import reasoning
from policykg.graph.store import Store
from policykg.namespaces import PREFIXES

T = TypeVar("T")

# --- errors -------------------------------------------------------------------------------------


class ProtocolError(QueryError):
    """A request the SPARQL Protocol does not allow: no query, two queries, an update by GET…"""


class PayloadTooLarge(ProtocolError):
    """A query, update or graph payload over the size limit."""

    status = 413


class UnsupportedMediaType(ProtocolError):
    """A request body in a media type or charset the service does not read."""

    status = 415


class NotAcceptable(ProtocolError):
    """No format the client accepts can be written for this result."""

    status = 406


class MethodNotAllowed(ProtocolError):
    """A method the endpoint does not take."""

    status = 405


class UpdatesDisabled(PolicyKGError):
    """A write (SPARQL Update, Graph Store PUT/POST/DELETE) while the service is read-only."""

    status = 403


class Unauthorized(PolicyKGError):
    """A write without the right ``Authorization: Bearer`` token."""

    status = 401


class LimitExceeded(PolicyKGError):
    """A query stopped by a limit the server enforces, or no worker free to run it."""

    status = 503


class QueryTimeout(LimitExceeded):
    """The query ran past ``query_timeout`` and was stopped."""


class QueryAborted(LimitExceeded):
    """The query ended its worker process (most often: past ``query_memory_mb``)."""


class ServiceBusy(LimitExceeded):
    """Every query worker stayed busy for ``query_timeout``."""


_ERRORS = {cls.__name__: cls for cls in (QueryError, ProtocolError, NotAcceptable, QueryTimeout, StoreError)}


def error_response(exc: PolicyKGError) -> JSONResponse:
    """The app's JSON error body, with the headers the status calls for."""
    headers = {}
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="policykg"'
    elif isinstance(exc, MethodNotAllowed):
        headers["Allow"] = str(exc.context.get("allow", "GET, POST"))
    elif isinstance(exc, ServiceBusy):
        headers["Retry-After"] = "1"
    return JSONResponse({k: v for k, v in exc.to_dict().items() if k != "context"}, status_code=exc.status, headers=headers)


# --- formats and content negotiation ------------------------------------------------------------

_FMT = "http://www.w3.org/ns/formats/"
# key: (media type, Oxigraph format, W3C format IRI, other media types that ask for it)
RESULT_FORMATS: dict[str, tuple[str, Any, str, tuple[str, ...]]] = {
    "json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON, _FMT + "SPARQL_Results_JSON",
             ("application/json", "text/javascript", "application/javascript")),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML, _FMT + "SPARQL_Results_XML", ("application/xml", "text/xml")),
    "csv": ("text/csv", ox.QueryResultsFormat.CSV, _FMT + "SPARQL_Results_CSV", ()),
    "tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV, _FMT + "SPARQL_Results_TSV", ()),
}
GRAPH_FORMATS: dict[str, tuple[str, Any, str, tuple[str, ...]]] = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE, _FMT + "Turtle", ("application/turtle", "application/x-turtle", "text/n3", "text/rdf+n3")),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES, _FMT + "N-Triples", ("text/plain",)),
    "nq": ("application/n-quads", ox.RdfFormat.N_QUADS, _FMT + "N-Quads", ("text/x-nquads",)),
    "trig": ("application/trig", ox.RdfFormat.TRIG, _FMT + "TriG", ()),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD, _FMT + "JSON-LD", ("application/x-json+ld", "application/json")),
    "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML, _FMT + "RDF_XML", ()),
}
_WITH_PREFIXES = {"ttl", "trig", "rdfxml"}
_MEDIA_RANGE = re.compile(r"^(?:\*/\*|[\w!#$&^.+-]+/(?:\*|[\w!#$&^.+-]+))$")


def media_type(key: str) -> str:
    """The Content-Type we send for a format key (text types say they are UTF-8)."""
    mime = (RESULT_FORMATS.get(key) or GRAPH_FORMATS[key])[0]
    return mime + "; charset=utf-8" if mime.startswith("text/") else mime


def negotiate(accept: str | None, table: dict[str, tuple[str, Any, str, tuple[str, ...]]], default: str) -> str | None:
    """The key of the best format of ``table`` for an Accept header. q-values count; a media
    type's q is that of the most specific range naming it (type/subtype, then type/*, then */*);
    ties go to the earlier range, then to ``default``. Wildcards stand for a format's main media
    type, not its aliases (``text/*`` is CSV, not JSON as text/javascript). An absent or unreadable header gives
    ``default``; a header naming only formats we do not write gives None."""
    ranges = []
    for index, part in enumerate((accept or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        mime, q, readable = fields[0].lower(), 1.0, True
        for f in fields[1:]:
            name, _, value = f.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    readable = False
                readable = readable and 0.0 <= q <= 1.0
        if readable and _MEDIA_RANGE.match(mime):
            ranges.append((mime, q, index))
    if not ranges:
        return default
    offered = [(default, table[default])] + [(k, f) for k, f in table.items() if k != default]
    best: tuple[tuple[float, int, int, int], str] | None = None
    for rank, (key, (mime, _, _, aliases)) in enumerate(offered):
        for media in (mime, *aliases):  # wildcards stand for the main media type only
            match = None
            for rng, q, index in ranges:
                if rng == media:
                    specific = 3
                elif media != mime:
                    continue
                else:
                    specific = 2 if rng.endswith("/*") and rng != "*/*" and media.startswith(rng[:-1]) else 1 if rng == "*/*" else 0
                if specific and (match is None or specific > match[0]):
                    match = (specific, q, index)
            if match and match[1] > 0:
                score = (match[1], match[0], -match[2], -rank)
                if best is None or score > best[0]:
                    best = (score, key)
    return best[1] if best else None


# format=… names (ours, and those SPARQLWrapper sends beside Accept) → (results key, graph key)
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"), "sparql-json": ("json", None), "xml": ("xml", "rdfxml"), "sparql-xml": ("xml", None),
    "csv": ("csv", None), "tsv": ("tsv", None),
    "ttl": (None, "ttl"), "turtle": (None, "ttl"), "n3": (None, "ttl"), "nt": (None, "nt"), "n-triples": (None, "nt"),
    "nq": (None, "nq"), "n-quads": (None, "nq"), "trig": (None, "trig"), "jsonld": (None, "jsonld"), "json-ld": (None, "jsonld"),
    "rdfxml": (None, "rdfxml"), "rdf+xml": (None, "rdfxml"), "rdf": (None, "rdfxml"),
}


def _chosen(accept: str | None, fmt: str | None, table: dict[str, Any], default: str, form: str) -> str:
    if fmt:
        results, graph = FORMAT_NAMES[fmt.lower()]
        key = results if table is RESULT_FORMATS else graph
        if key is None:
            raise NotAcceptable(f"format={fmt} does not apply to {form} results; use one of {', '.join(table)}")
        return key
    key = negotiate(accept, table, default)
    if key is None:
        types = ", ".join(f[0] for f in table.values())
        raise NotAcceptable(f"none of the formats in Accept: {accept} can be written for {form} results; we write {types}")
    return key


# --- reading SPARQL text ------------------------------------------------------------------------

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


def uses_service(text: str) -> bool:
    return any(t.word == "SERVICE" for t in tokens(text))


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


# --- evaluation (in a worker process, or in the server with query_workers = 0) ------------------


@dataclass(frozen=True)
class Task:
    """One query to evaluate, in a form that pickles to a worker."""

    text: str
    base_iri: str
    default_graphs: tuple[str, ...] | None = None  # None (and no named graphs): the union of all graphs
    named_graphs: tuple[str, ...] | None = None
    accept: str | None = None
    format: str | None = None  # format=… overrides Accept
    max_rows: int = 10_000


@dataclass
class Outcome:
    status: int
    body: bytes = b""
    media_type: str = "application/json"
    rows: int = 0
    truncated: bool = False
    error: str = ""
    message: str = ""

    @classmethod
    def failure(cls, exc: PolicyKGError) -> Outcome:
        return cls(exc.status, error=type(exc).__name__, message=exc.message)

    def raise_for_error(self) -> None:
        if self.status >= 400:
            raise _ERRORS.get(self.error, QueryError)(self.message)


def _check_deadline(deadline: float | None, done: int) -> None:
    if deadline is not None and done % 64 == 0 and time.monotonic() > deadline:
        raise QueryTimeout("the query ran past the time limit and was stopped")


def evaluate(store: ox.Store, task: Task, deadline: float | None = None) -> Outcome:
    """Run ``task`` on ``store`` and serialise at most ``task.max_rows`` solutions or triples in
    the negotiated format. ``deadline`` (time.monotonic) is checked between solutions."""
    if task.default_graphs is None and task.named_graphs is None:
        dataset: dict[str, Any] = {"use_default_graph_as_union": True}
    else:  # the protocol's dataset replaces the query's FROM/FROM NAMED, both parts of it
        dataset = {"default_graph": [ox.NamedNode(g) for g in task.default_graphs or ()],
                   "named_graphs": [ox.NamedNode(g) for g in task.named_graphs or ()]}
    try:
        result = store.query(task.text, base_iri=task.base_iri, prefixes=PREFIXES, **dataset)
        if isinstance(result, ox.QueryBoolean):
            key = _chosen(task.accept, task.format, RESULT_FORMATS, "json", "ASK")
            return Outcome(200, result.serialize(format=RESULT_FORMATS[key][1]), media_type(key), rows=1)
        if isinstance(result, ox.QuerySolutions):
            key = _chosen(task.accept, task.format, RESULT_FORMATS, "json", "SELECT")
            return _solutions(result, key, task.max_rows, deadline)
        key = _chosen(task.accept, task.format, GRAPH_FORMATS, "ttl", "CONSTRUCT and DESCRIBE")
        return _triples(result, key, task.max_rows, deadline)
    except SyntaxError as exc:
        return Outcome.failure(QueryError(f"SPARQL syntax error: {syntax_message(exc)}"))
    except PolicyKGError as exc:
        return Outcome.failure(exc)
    except (OSError, ValueError, RuntimeError, TypeError) as exc:
        return Outcome.failure(QueryError(f"the query could not be evaluated: {exc}"))


def syntax_message(exc: SyntaxError) -> str:
    """Oxigraph's message ("error at LINE:COLUMN: expected one of …") without its long list of
    character ranges."""
    text = str(exc).split("\n")[0]
    return text if len(text) <= 240 else text[:240] + " …"


def truncation_link(max_rows: int) -> str:
    return f"urn:policykg:truncated:max-rows:{max_rows}"


class _Enough(Exception):
    """Raised into Oxigraph's serialiser to stop it once the row cap is reached."""


class _RowCap(io.RawIOBase):
    """Where Oxigraph writes SELECT results as TSV (one solution a line, escapes keep newlines
    out of terms): keeps the header and at most ``max_rows`` lines, then stops the query."""

    def __init__(self, max_rows: int, deadline: float | None) -> None:
        super().__init__()
        self.data, self.lines, self.limit, self.deadline = bytearray(), 0, max_rows + 1, deadline
        self.truncated = False

    def writable(self) -> bool:
        return True

    def write(self, chunk: Any) -> int:
        _check_deadline(self.deadline, 0)
        chunk = bytes(chunk)
        lines = chunk.count(b"\n")
        if self.lines + lines > self.limit:
            cut = 0
            for _ in range(self.limit - self.lines):
                cut = chunk.index(b"\n", cut) + 1
            self.data += chunk[:cut]
            self.lines, self.truncated = self.limit, True
            raise _Enough
        self.data += chunk
        self.lines += lines
        return len(chunk)


def _solutions(result: ox.QuerySolutions, key: str, max_rows: int, deadline: float | None) -> Outcome:
    # Oxigraph's own serialisers, fed at most max_rows solutions: the first max_rows + 1 are
    # written as TSV (lossless), then re-read and written in the format asked for.
    sink = _RowCap(max_rows, deadline)
    try:
        result.serialize(sink, format=ox.QueryResultsFormat.TSV)
    except _Enough:
        pass
    body = bytes(sink.data)
    if key != "tsv":
        body = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV).serialize(format=RESULT_FORMATS[key][1])  # type: ignore[union-attr]
    if sink.truncated and key == "json":  # the format's own place for "further information": head.link
        end = body.index(b"]")  # the end of head.vars (variable names have no brackets)
        body = body[:end + 1] + b',"link":' + json.dumps([truncation_link(max_rows)]).encode() + body[end + 1:]
    return Outcome(200, body, media_type(key), rows=max(sink.lines - 1, 0), truncated=sink.truncated)


def _triples(result: ox.QueryTriples, key: str, max_rows: int, deadline: float | None) -> Outcome:
    triples: list[ox.Triple] = []
    truncated = False
    for triple in result:
        if len(triples) >= max_rows:
            truncated = True
            break
        _check_deadline(deadline, len(triples))
        triples.append(triple)
    body = ox.serialize(triples, format=GRAPH_FORMATS[key][1], prefixes=PREFIXES if key in _WITH_PREFIXES else None)
    return Outcome(200, body, media_type(key), rows=len(triples), truncated=truncated)


# --- the worker processes -----------------------------------------------------------------------

_LENGTH = struct.Struct("!Q")
_WORKER = "from policykg.api.sparql import _worker_main; _worker_main()"


def _send(fd: int, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _read(fd: int, size: int, deadline: float | None) -> bytes:
    buf = bytearray()
    while len(buf) < size:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(size - len(buf), 1 << 20))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)


def _receive(fd: int, deadline: float | None) -> Any:
    (size,) = _LENGTH.unpack(_read(fd, _LENGTH.size, deadline))
    return pickle.loads(_read(fd, size, deadline))


def _vm_bytes() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))


def _worker_main() -> None:
    """A query worker: reads (snapshot path, Task) on stdin, writes an Outcome on stdout, until
    stdin closes or the server process is gone."""
    import gc

    rfd, wfd = sys.stdin.fileno(), sys.stdout.fileno()
    sys.stdout = sys.stderr  # nothing printed may reach the answer pipe
    parent = os.getppid()

    def watch_parent() -> None:  # queries release the GIL, so this runs while one is evaluated
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch_parent, daemon=True).start()
    memory_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 0

    def limit_memory(on: bool) -> None:
        """Cap the address space at what the worker holds now plus memory_mb (only the soft
        limit, so it can be lifted again to open the next snapshot: the store starts threads)."""
        if memory_mb <= 0:
            return
        try:
            import resource

            soft = _vm_bytes() + memory_mb * 2**20 if on else resource.RLIM_INFINITY
            resource.setrlimit(resource.RLIMIT_AS, (soft, resource.RLIM_INFINITY))
        except (ImportError, OSError, ValueError):
            pass

    _send(wfd, ("ready", os.getpid()))
    store: ox.Store | None = None
    opened = None
    while True:
        try:
            path, task = _receive(rfd, None)
        except EOFError:
            return
        if path != opened:
            store, opened = None, None
            gc.collect()
            limit_memory(False)
            try:
                store, opened = ox.Store.read_only(path), path
            except OSError as exc:
                _send(wfd, Outcome.failure(StoreError(f"the query worker cannot open the store snapshot: {exc}")))
                continue
            limit_memory(True)
        _send(wfd, evaluate(store, task))  # type: ignore[arg-type]


class _Worker:
    def __init__(self, memory_mb: int) -> None:
        env = {**os.environ, "RUST_BACKTRACE": "0"}
        self.proc = subprocess.Popen([sys.executable, "-c", _WORKER, str(memory_mb)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, close_fds=True)
        self.snapshot: str | None = None
        try:
            _receive(self.proc.stdout.fileno(), time.monotonic() + 120)  # type: ignore[union-attr]
        except (EOFError, TimeoutError, OSError) as exc:
            self.kill()
            raise RuntimeError(f"a query worker did not start (exit code {self.proc.returncode}, {exc!r})") from None

    def ask(self, snapshot: str, task: Task, deadline: float) -> Outcome:
        self.snapshot = snapshot
        _send(self.proc.stdin.fileno(), (snapshot, task))  # type: ignore[union-attr]
        return _receive(self.proc.stdout.fileno(), deadline)  # type: ignore[union-attr,no-any-return]

    def kill(self) -> int | None:
        self.proc.kill()
        code = self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe:
                pipe.close()
        return code


class Pool:
    """``size`` worker processes. A task waits at most ``timeout`` for a free worker and at most
    ``timeout`` for its answer; a worker that overruns is killed and a new one started in the
    background (about half a second), while the others keep serving."""

    def __init__(self, size: int, memory_mb: int) -> None:
        self.size, self.memory_mb = size, memory_mb
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._failure: str | None = None
        self.closed = False
        for _ in range(size):
            self._start()

    def _start(self) -> None:
        def start() -> None:
            try:
                worker = _Worker(self.memory_mb)
            except RuntimeError as exc:
                self._failure = str(exc)
                return
            with self._lock:
                if self.closed:
                    worker.kill()
                    return
                self._workers.add(worker)
            self._idle.put(worker)

        threading.Thread(target=start, name="policykg-sparql-worker-start", daemon=True).start()

    def _retire(self, worker: _Worker) -> int | None:
        with self._lock:
            self._workers.discard(worker)
        code = worker.kill()
        if not self.closed:
            self._start()
        return code

    def run(self, snapshot: str, task: Task, timeout: float) -> Outcome:
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            if self._failure:
                raise QueryAborted(f"the query workers cannot start: {self._failure}") from None
            raise ServiceBusy(f"all {self.size} query workers stayed busy for {timeout:g} s; try again shortly") from None
        started = time.monotonic()
        try:
            outcome = worker.ask(snapshot, task, started + timeout)
        except TimeoutError:
            self._retire(worker)
            raise QueryTimeout(f"the query ran longer than the limit of {timeout:g} s and was stopped; "
                               "narrow it (more specific patterns, LIMIT) or ask for a longer query_timeout") from None
        except (EOFError, OSError, pickle.UnpicklingError):
            code = self._retire(worker)
            raise QueryAborted(f"the query ended its worker process (exit code {code}) after {time.monotonic() - started:.1f} s; "
                               f"most likely it needed more memory than the limit of {self.memory_mb} MB (query_memory_mb)") from None
        self._idle.put(worker)
        return outcome

    def snapshots_in_use(self) -> set[str]:
        with self._lock:
            return {w.snapshot for w in self._workers if w.snapshot}

    def close(self) -> None:
        with self._lock:
            self.closed = True
            workers, self._workers = list(self._workers), set()
        for w in workers:
            w.kill()


class _Snapshots:
    """Read-only copies of the store for the workers: one per generation of writes, taken when
    first needed, and removed once no worker has it open."""

    def __init__(self, store: Store) -> None:
        if store.path is not None:  # beside the store, so the checkpoint hard-links its files
            self.root = store.path.parent / f".{store.path.name}.sparql-snapshots"
            shutil.rmtree(self.root, ignore_errors=True)
            self.root.mkdir(parents=True)
        else:
            self.root = Path(tempfile.mkdtemp(prefix="policykg-sparql-"))
        self.current: tuple[int, str] | None = None
        self.made: list[str] = []

    def path(self, store: Store, generation: int) -> str:
        if self.current and self.current[0] == generation:
            return self.current[1]
        target = self.root / f"{generation}-{uuid.uuid4().hex[:8]}"
        if store.path is not None:
            store.ox.backup(str(target))
        else:
            copy = ox.Store(str(target))
            copy.bulk_extend(store.ox)
            copy.flush()
            del copy  # closed: the workers open it read-only
        self.current = (generation, str(target))
        self.made.append(str(target))
        return str(target)

    def prune(self, in_use: set[str]) -> None:
        """Remove the snapshots no worker has open, keeping the last two (a reader that took the
        previous one while a write ran may not have handed it to a worker yet)."""
        for path in list(self.made[:-2]):
            if path not in in_use:
                shutil.rmtree(path, ignore_errors=True)
                self.made.remove(path)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class Service:
    """What the SPARQL and Graph Store routers share for one store: the lock that orders writes
    and snapshots, the worker pool, and the generation of writes the snapshots follow."""

    def __init__(self, store: Store) -> None:
        self._store = weakref.ref(store)
        self.lock = threading.RLock()
        self.workers = int(settings.get("query_workers"))  # type: ignore[arg-type]
        self.memory_mb = int(settings.get("query_memory_mb"))  # type: ignore[arg-type]
        self.generation = 0
        self._pool: Pool | None = None
        self._snapshots: _Snapshots | None = None

    @property
    def store(self) -> Store:
        store = self._store()
        if store is None:
            raise LimitExceeded("the store behind this endpoint is closed")
        return store

    def query(self, task: Task, timeout: float) -> Outcome:
        store = self.store
        if self.workers <= 0:
            return evaluate(store.ox, task, deadline=time.monotonic() + timeout)
        current = self._snapshots.current if self._snapshots else None
        if self.lock.acquire(timeout=-1 if current is None else 0):
            try:
                if self._pool is None:
                    self._snapshots = _Snapshots(store)
                    self._pool = Pool(self.workers, self.memory_mb)
                snapshot = self._snapshots.path(store, self.generation)  # type: ignore[union-attr]
            finally:
                self.lock.release()
        else:  # a write is under way: read the store as it was before it, rather than wait
            snapshot = current[1]  # type: ignore[index]
        pool = self._pool
        try:
            return pool.run(snapshot, task, timeout)  # type: ignore[union-attr]
        finally:
            if self.lock.acquire(timeout=0):
                try:
                    if self._snapshots is not None:
                        self._snapshots.prune(pool.snapshots_in_use())  # type: ignore[union-attr]
                finally:
                    self.lock.release()

    def invalidate(self) -> None:
        """The store changed: the next query reads a new snapshot."""
        with self.lock:
            self.generation += 1

    def write(self, change: Callable[[Store], T], documents: list[str] | None) -> tuple[T, float]:
        """Apply ``change`` to the store (one writer at a time), then recompute the inferences of
        ``documents`` (all when None) and the closure across graphs. Returns the change's result
        and the seconds the inferences took."""
        store = self.store
        with self.lock:
            try:
                result = change(store)
            finally:
                self.generation += 1
            started = time.perf_counter()
            for key in documents or ():  # a document graph the change dropped: drop its inferences too
                if not store.ox.contains_named_graph(ox.NamedNode(iris.doc_graph(key))):
                    reasoning.forget(store.ox, key)
            # measures re-aligned with their parents' (and children's with theirs), as ingest does
            aligned = store.refresh_alignments(documents)
            store.refresh_inferences(None if documents is None else sorted({*documents, *aligned}))
            return result, time.perf_counter() - started

    def close(self) -> None:
        with self.lock:
            if self._pool:
                self._pool.close()
            if self._snapshots:
                self._snapshots.close()
            self._pool = self._snapshots = None


_SERVICES: weakref.WeakKeyDictionary[Store, Service] = weakref.WeakKeyDictionary()
_SERVICES_LOCK = threading.Lock()


def service(store: Store) -> Service:
    """The one Service of a store (apps serving the same store share its workers)."""
    with _SERVICES_LOCK:
        found = _SERVICES.get(store)
        if found is None:
            found = _SERVICES[store] = Service(store)
            weakref.finalize(store, found.close)
        return found


def invalidate(store: Store) -> None:
    """Tell the SPARQL endpoint that ``store`` was changed outside it (e.g. ``put_document``
    after the app was created), so its next query reads the store as it is now."""
    with _SERVICES_LOCK:
        found = _SERVICES.get(store)
    if found:
        found.invalidate()


@atexit.register
def _close_all() -> None:
    for svc in list(_SERVICES.values()):
        svc.close()


# --- the HTTP layer -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """The settings the endpoints read, once, when the app is created."""

    timeout: float
    max_rows: int
    max_query_bytes: int
    max_upload_bytes: int
    update_token: str
    allow_service: bool

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(timeout=float(settings.get("query_timeout")),  # type: ignore[arg-type]
                   max_rows=int(settings.get("max_rows")),  # type: ignore[arg-type]
                   max_query_bytes=int(settings.get("max_query_bytes")),  # type: ignore[arg-type]
                   max_upload_bytes=int(settings.get("max_upload_bytes")),  # type: ignore[arg-type]
                   update_token=str(settings.get("update_token") or ""),
                   allow_service=bool(settings.get("allow_service")))

    def authorize(self, request: Request) -> None:
        """Writes need the update token: 403 while none is configured, 401 without the right one."""
        if not self.update_token:
            raise UpdatesDisabled("this service is read-only: SPARQL Update and Graph Store writes are enabled only when "
                                  "the server runs with the setting update_token (POLICYKG_UPDATE_TOKEN)")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), self.update_token.encode()):
            raise Unauthorized("a write needs the header Authorization: Bearer <update_token>; it was "
                               + ("missing" if not scheme else "not the configured token"))


def content_type(request: Request) -> tuple[str, str | None]:
    """The media type of the request body (lower case) and its charset, if stated."""
    mime, *params = (request.headers.get("content-type") or "").split(";")
    charset = None
    for p in params:
        name, _, value = p.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return mime.strip().lower(), charset


def require_utf8(charset: str | None, what: str) -> None:
    if charset not in (None, "utf-8", "utf8"):
        raise UnsupportedMediaType(f"{what} must be UTF-8; the request says charset={charset}")


async def read_body(request: Request, limit: int, what: str = "the request body") -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"{what} is {int(declared):,} bytes, more than the limit of {limit:,}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"{what} is more than the limit of {limit:,} bytes")
    return bytes(body)


def endpoint_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}{request.url.path}"


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"{what} is not UTF-8 (byte {exc.start})") from None


def _graph_iris(values: list[str], param: str) -> tuple[str, ...]:
    for v in values:
        try:
            ox.NamedNode(v)
        except ValueError as exc:
            raise ProtocolError(f"{param}={v!r} is not an absolute IRI: {exc}") from None
    return tuple(values)


@dataclass
class Operation:
    """A request read: a query, an update, or neither (the service description)."""

    kind: str  # "query", "update" or "describe"
    text: str = ""
    graphs: list[str] = field(default_factory=list)  # default-graph-uri / using-graph-uri
    named: list[str] = field(default_factory=list)  # named-graph-uri / using-named-graph-uri
    dataset_given: bool = False


def _operation(fields: dict[str, list[str]]) -> Operation:
    queries, updates = fields.get("query", []), fields.get("update", [])
    if queries and updates:
        raise ProtocolError("the request has both query= and update=; send one operation")
    for name, values in (("query", queries), ("update", updates)):
        if len(values) > 1:
            raise ProtocolError(f"the request has {len(values)} {name}= parameters; send exactly one")
    if updates:
        return Operation("update", updates[0], fields.get("using-graph-uri", []), fields.get("using-named-graph-uri", []))
    if queries:
        graphs, named = fields.get("default-graph-uri", []), fields.get("named-graph-uri", [])
        return Operation("query", queries[0], graphs, named, bool(graphs or named))
    return Operation("describe")


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return out


_ERROR_SCHEMA = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_ALL_TYPES = [f[0] for f in RESULT_FORMATS.values()] + [f[0] for f in GRAPH_FORMATS.values()]
SPARQL_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Query results (SELECT, ASK) or a graph (CONSTRUCT, DESCRIBE, the service description) "
                         "in the negotiated format; X-Policykg-Truncated: true when the row cap cut it",
          "content": {m: {} for m in _ALL_TYPES}},
    400: {"description": "Malformed request or query; the message names the problem", **_ERROR_SCHEMA},
    401: {"description": "A write without the right Authorization: Bearer token", **_ERROR_SCHEMA},
    403: {"description": "A write while the service is read-only (no update_token configured)", **_ERROR_SCHEMA},
    406: {"description": "No format in Accept can be written for this result", **_ERROR_SCHEMA},
    413: {"description": "The query or update is larger than the limit", **_ERROR_SCHEMA},
    415: {"description": "A body in a media type or charset the endpoint does not read", **_ERROR_SCHEMA},
    503: {"description": "The query ran past the time or memory limit and was stopped, or every worker was busy", **_ERROR_SCHEMA},
}
_FORMAT_PARAM = {"name": "format", "in": "query", "required": False, "description": "A format instead of Accept",
                 "schema": {"type": "string", "enum": list(FORMAT_NAMES)}}
_GRAPH_PARAMS = [
    {"name": name, "in": "query", "required": False, "style": "form", "explode": True, "description": text,
     "schema": {"type": "array", "items": {"type": "string"}}}
    for name, text in (("default-graph-uri", "A graph of the query's default graph (replaces FROM)"),
                       ("named-graph-uri", "A named graph of the query's dataset (replaces FROM NAMED)"),
                       ("using-graph-uri", "For an update: a graph of the WHERE clause's default graph"),
                       ("using-named-graph-uri", "For an update: a named graph of the WHERE clause's dataset"))
]
_GET_PARAMS = [{"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
                "description": "The SPARQL query; without one the service description is returned"},
               _FORMAT_PARAM, *_GRAPH_PARAMS[:2]]
_FORM_SCHEMA = {"type": "object", "properties": {
    "query": {"type": "string"}, "update": {"type": "string"},
    **{p["name"]: {"type": "array", "items": {"type": "string"}} for p in _GRAPH_PARAMS}}}
_POST_BODY = {"required": True, "content": {
    "application/x-www-form-urlencoded": {"schema": _FORM_SCHEMA},
    "application/sparql-query": {"schema": {"type": "string"}},
    "application/sparql-update": {"schema": {"type": "string"}}}}


def router(store: Store) -> APIRouter:
    """``/sparql`` and, through ``api.gsp``, ``/rdf-graphs/service``, reading the settings now."""
    from policykg.api import gsp

    limits = Limits.from_settings()
    svc = service(store)
    r = APIRouter(tags=["SPARQL"])

    async def answer(request: Request, op: Operation, fmt: str | None) -> Response:
        accept = request.headers.get("accept")
        if fmt and "/" in fmt:  # media types in format= (SPARQLWrapper sends its Accept list there) act as Accept
            accept, fmt = fmt, None
        try:
            if fmt and fmt.lower() not in FORMAT_NAMES:
                raise ProtocolError(f"format={fmt} is not one we write; use one of {', '.join(FORMAT_NAMES)}, or media types")
            if op.kind == "describe":
                return describe(accept, endpoint_url(request), store, limits, fmt)
            if op.kind == "update":
                return await update(request, op)
            return await query(op, accept, fmt)
        except PolicyKGError as exc:
            return error_response(exc)

    async def query(op: Operation, accept: str | None, fmt: str | None) -> Response:
        text = op.text
        if not text.strip():
            raise ProtocolError("the query is empty: pass it as query=… or as an application/sparql-query body")
        size = len(text.encode("utf-8"))
        if size > limits.max_query_bytes:
            raise PayloadTooLarge(f"the query is {size:,} bytes, more than the limit of {limits.max_query_bytes:,} (max_query_bytes)")
        if is_update(text):
            raise ProtocolError("this is a SPARQL Update, not a query: POST it as update=… or as an application/sparql-update "
                                "body (updates need the update token)")
        if not limits.allow_service and uses_service(text):
            raise ProtocolError("federated queries (SERVICE) are turned off on this endpoint (setting allow_service)")
        task = Task(text, iris.base(),
                    _graph_iris(op.graphs, "default-graph-uri") if op.dataset_given else None,
                    _graph_iris(op.named, "named-graph-uri") if op.dataset_given else None,
                    accept, fmt, limits.max_rows)
        outcome = await run_in_threadpool(svc.query, task, limits.timeout)
        outcome.raise_for_error()
        headers = {"Vary": "Accept", "X-Policykg-Rows": str(outcome.rows)}
        if outcome.truncated:
            headers |= {"X-Policykg-Truncated": "true", "X-Policykg-Row-Limit": str(limits.max_rows)}
        return Response(outcome.body, media_type=outcome.media_type, headers=headers)

    async def update(request: Request, op: Operation) -> Response:
        limits.authorize(request)
        size = len(op.text.encode("utf-8"))
        if size > limits.max_upload_bytes:
            raise PayloadTooLarge(f"the update is {size:,} bytes, more than the limit of {limits.max_upload_bytes:,} (max_upload_bytes)")
        if not op.text.strip():
            raise ProtocolError("the update is empty")
        text = with_using(op.text, list(_graph_iris(op.graphs, "using-graph-uri")), list(_graph_iris(op.named, "using-named-graph-uri")))
        documents = written_documents(text)

        def change(s: Store) -> None:
            s.ox.update(text, base_iri=iris.base(), prefixes=PREFIXES)

        try:
            _, seconds = await run_in_threadpool(svc.write, change, documents)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL Update syntax error: {syntax_message(exc)}") from None
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"the update failed and changed nothing: {exc}") from None
        return JSONResponse({"ok": True, "message": "update applied",
                             "inferences": {"documents": documents if documents is not None else "all", "seconds": round(seconds, 3)}})

    @r.get("/sparql", summary="SPARQL 1.1 query by GET; without a query, the service description",
           response_class=Response, responses=SPARQL_RESPONSES, openapi_extra={"parameters": _GET_PARAMS})
    async def sparql_get(request: Request) -> Response:
        params = request.query_params
        try:
            if "update" in params:
                raise ProtocolError("SPARQL Update is sent by POST (update=… in a form, or an application/sparql-update body), never by GET")
            op = _operation(_multi(list(params.multi_items())))
        except PolicyKGError as exc:
            return error_response(exc)
        return await answer(request, op, params.get("format"))

    @r.post("/sparql", summary="SPARQL 1.1 query or update by POST (form, or a direct query or update body)",
            response_class=Response, responses=SPARQL_RESPONSES,
            openapi_extra={"parameters": [_FORMAT_PARAM, *_GRAPH_PARAMS], "requestBody": _POST_BODY})
    async def sparql_post(request: Request) -> Response:
        try:
            op = await post_operation(request)
        except PolicyKGError as exc:
            return error_response(exc)
        return await answer(request, op, request.query_params.get("format"))

    async def post_operation(request: Request) -> Operation:
        ctype, charset = content_type(request)
        url = _multi(list(request.query_params.multi_items()))
        url.pop("format", None)
        if ctype not in ("application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update"):
            raise UnsupportedMediaType(
                f"a POST to /sparql needs Content-Type application/x-www-form-urlencoded (query= or update=), "
                f"application/sparql-query or application/sparql-update; this one has {ctype or 'none'}")
        require_utf8(charset, "the body")
        body = await read_body(request, max(limits.max_query_bytes, limits.max_upload_bytes))
        if ctype == "application/x-www-form-urlencoded":
            try:
                pairs = parse_qsl(_decode(body, "the form"), keep_blank_values=True, encoding="utf-8", errors="strict")
            except UnicodeDecodeError:
                raise ProtocolError("a percent-encoded value of the form is not UTF-8") from None
            fields = _multi(pairs)
            for k, v in url.items():
                fields.setdefault(k, []).extend(v)
            op = _operation(fields)
            if op.kind == "describe":
                raise ProtocolError("the form has neither query= nor update=")
            return op
        if "query" in url or "update" in url:
            raise ProtocolError("the operation is in the body; do not also send query= or update= in the URL")
        text = _decode(body, "the body")
        if ctype == "application/sparql-query":
            graphs, named = url.get("default-graph-uri", []), url.get("named-graph-uri", [])
            return Operation("query", text, graphs, named, bool(graphs or named))
        return Operation("update", text, url.get("using-graph-uri", []), url.get("using-named-graph-uri", []))

    @r.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
    async def sparql_other(request: Request) -> Response:
        return error_response(MethodNotAllowed(f"/sparql takes GET and POST, not {request.method}", allow="GET, POST"))

    r.include_router(gsp.router(store, svc, limits))
    return r


# --- the service description --------------------------------------------------------------------

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")


def service_description(endpoint: str, store: Store, limits: Limits) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint: languages, result and input formats,
    features, the default dataset with its named graphs, and the limits in words."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("format", Namespace(_FMT))
    s = URIRef(endpoint + "#service")
    g.add((s, RDF.type, SD.Service))
    g.add((s, SD.endpoint, URIRef(endpoint)))
    g.add((s, SD.supportedLanguage, SD.SPARQL11Query))
    if limits.update_token:
        g.add((s, SD.supportedLanguage, SD.SPARQL11Update))
        for key in GRAPH_FORMATS:
            g.add((s, SD.inputFormat, URIRef(GRAPH_FORMATS[key][2])))
    for _, _, iri, _ in [*RESULT_FORMATS.values(), *GRAPH_FORMATS.values()]:
        g.add((s, SD.resultFormat, URIRef(iri)))
    g.add((s, SD.feature, SD.UnionDefaultGraph))
    g.add((s, SD.feature, SD.EmptyGraphs))
    if limits.allow_service:
        g.add((s, SD.feature, SD.BasicFederatedQuery))
    g.add((s, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    gsp_url = endpoint.rsplit("/sparql", 1)[0] + "/rdf-graphs/service"
    g.add((s, RDFS.seeAlso, URIRef(gsp_url)))
    g.add((s, RDFS.label, Literal("policykg SPARQL endpoint", lang="en")))
    writes = ("SPARQL Update and Graph Store writes need Authorization: Bearer <update_token>."
              if limits.update_token else "Read-only: no SPARQL Update, Graph Store reads only.")
    g.add((s, RDFS.comment, Literal(
        f"Chinese government policy documents (法治政府建设), the agencies they name and the obligations they assign. "
        f"Without FROM, GRAPH or default-graph-uri the default graph is the union of all named graphs. "
        f"Prefixes lg:, eli:, org:, prov:, dcterms:, skos:, time:, rdf:, rdfs:, owl:, xsd: are predeclared; relative IRIs "
        f"resolve against {iris.base()}. Each query runs at most {limits.timeout:g} s and returns at most {limits.max_rows:,} "
        f"rows or triples (X-Policykg-Truncated: true when cut). {writes} Graph Store Protocol: {gsp_url}?graph=IRI or ?default.",
        lang="en")))
    dataset, default = BNode(), BNode()
    g.add((s, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDFS.comment, Literal("The union of all named graphs.", lang="en")))
    for name in sorted(n.value for n in store.ox.named_graphs() if isinstance(n, ox.NamedNode)):
        named, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
    return g


_RDFLIB_FORMATS = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld", "rdfxml": "xml"}


def describe(accept: str | None, endpoint: str, store: Store, limits: Limits, fmt: str | None) -> Response:
    key = _chosen(accept, fmt, GRAPH_FORMATS, "ttl", "the service description")
    g = service_description(endpoint, store, limits)
    return Response(g.serialize(format=_RDFLIB_FORMATS[key], encoding="utf-8"), media_type=media_type(key), headers={"Vary": "Accept"})


# --- CORS ---------------------------------------------------------------------------------------


def add_cors(app: FastAPI) -> None:
    """Let pages on other origins (YASGUI, notebooks in the browser) call the service: the
    origins of the setting ``cors_origins`` (``*`` for any; empty turns CORS off)."""
    from starlette.middleware.cors import CORSMiddleware

    origins = [o.strip() for o in str(settings.get("cors_origins") or "").split(",") if o.strip()]
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
                           allow_headers=["*"], max_age=600,
                           expose_headers=["Location", "Retry-After", "X-Policykg-Truncated", "X-Policykg-Row-Limit", "X-Policykg-Rows"])
