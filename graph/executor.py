"""Running SPARQL queries within the limits the server enforces: a time limit, a memory cap and
a row cap, in worker processes over a snapshot of the store (``Service``, one per store). No
HTTP here: the endpoint (``api.sparql``) reads the request into a ``Task``, ``Service.query``
answers it with an ``Outcome`` (the serialised result, or the error to raise), and writes go
through ``Service.write``.

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

The server's other routes read the store the same way (``Reader``): the canned queries, the
linked-data pages and the UI views hand each query to ``Service.query`` as a ``Task`` and get
rows back, within the same time limit and row cap; a Task carries the query's text (values of
parameters written in as the RDF library serialises the checked term: ``CannedQuery.executable``)
and whether the materialised entailments count (``inferred``). Waiting for a worker, and who
waits, is ``api.admission``'s business. A SPARQL server in place of the store
(``graph.remote.RemoteService``) answers the same Tasks.

Measured on the seeds (180 k quads, 2 cores), on-disk store, median over 60 runs, pool vs
evaluation in the server process: ASK +0.04 ms, 65 rows +0.07 ms, CONSTRUCT of 65 triples
+0.16 ms, a GROUP BY +0.2 ms, 10,000 rows (2.2 MB of JSON) +4 ms on 58 ms. A write costs the
next query 50–75 ms (checkpoint, workers reopen); a stopped query is answered 1.04 s after
it started with a 1 s limit, and the next query takes 0.6 ms (the other worker serves while
the replacement starts). SELECT results are serialised by Oxigraph: the first
``max_rows`` + 1 solutions as TSV (``_RowCap`` stops the serialiser there), re-read into
the format asked for. A page of a canned query on the store (``Reader.page``) is one pass: the
solutions before ``offset`` are skipped, a page is kept and the rest only counted, so the page
and the whole answer's count cost one evaluation, not two (a query ordered by its answer is
evaluated in full for any page of it).
"""

from __future__ import annotations

import atexit
import contextlib
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
import typing
import uuid
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyoxigraph as ox

from policykg import iris, settings
from policykg.errors import (
    LimitExceeded,
    NotAcceptable,
    PolicyKGError,
    ProtocolError,
    QueryAborted,
    QueryError,
    QueryTimeout,
    ServiceBusy,
    StoreError,
)
from policykg.graph.store import Store, to_python
from policykg.graph.terms import serialized
from policykg.namespaces import PREFIXES
from policykg.negotiation import GRAPH_FORMATS, RESULT_FORMATS, WITH_PREFIXES, chosen, media_type

if TYPE_CHECKING:
    from policykg.graph.remote import RemoteStore

T = TypeVar("T")

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
    # values of variables, bound by Oxigraph (SEP-0007: the variable must be projected), as
    # (name, term) pairs: pyoxigraph's terms pickle, so they travel to the worker as they are
    substitutions: tuple[tuple[str, ox.NamedNode | ox.Literal], ...] = ()
    inferred: bool = True  # False: without a dataset, the default graph is the asserted graphs only
    offset: int = 0  # SELECT: solutions skipped before the max_rows kept
    count: bool = False  # SELECT: go on past the kept rows and count them all (Outcome.total)


# the errors an Outcome can carry back from a worker, by name
_ERRORS = {cls.__name__: cls for cls in (QueryError, ProtocolError, NotAcceptable, QueryTimeout, StoreError)}


@dataclass
class Outcome:
    status: int
    body: bytes = b""
    media_type: str = "application/json"
    rows: int = 0
    truncated: bool = False
    total: int | None = None  # the solutions of the whole answer (a Task that asked to count them)
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
        if not task.inferred:  # the materialised entailments left out
            from policykg.graph.reasoning import asserted_graphs

            dataset = {"default_graph": [ox.NamedNode(g) for g in asserted_graphs(store)]}
    else:  # the protocol's dataset replaces the query's FROM/FROM NAMED, both parts of it
        dataset = {"default_graph": [ox.NamedNode(g) for g in task.default_graphs or ()],
                   "named_graphs": [ox.NamedNode(g) for g in task.named_graphs or ()]}
    try:
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None = {
            ox.Variable(name): term for name, term in task.substitutions} or None
        result = store.query(task.text, base_iri=task.base_iri, prefixes=PREFIXES, substitutions=substitutions, **dataset)
        return answer(result, task, deadline)
    except SyntaxError as exc:
        return Outcome.failure(QueryError(f"SPARQL syntax error: {syntax_message(exc)}"))
    except PolicyKGError as exc:
        return Outcome.failure(exc)
    except OSError as exc:  # the store's files, not the query: the server's fault (503), not the client's
        return Outcome.failure(StoreError(f"the store could not be read: {exc}"))
    except (ValueError, RuntimeError, TypeError) as exc:
        return Outcome.failure(QueryError(f"the query could not be evaluated: {exc}"))


def answer(result: ox.QueryBoolean | ox.QuerySolutions | Iterable[ox.Triple], task: Task, deadline: float | None) -> Outcome:
    """The outcome of a query's ``result`` (an engine's, or a SPARQL server's answer read back):
    at most ``task.max_rows`` solutions or triples, serialised in the format the task asks for."""
    if isinstance(result, ox.QueryBoolean):
        key = chosen(task.accept, task.format, RESULT_FORMATS, "json", "ASK")
        return Outcome(200, serialized(result.serialize(format=RESULT_FORMATS[key][1])), media_type(key), rows=1)
    if isinstance(result, ox.QuerySolutions):
        key = chosen(task.accept, task.format, RESULT_FORMATS, "json", "SELECT")
        return _solutions(result, key, task, deadline)
    key = chosen(task.accept, task.format, GRAPH_FORMATS, "ttl", "CONSTRUCT and DESCRIBE")
    return _triples(result, key, task.max_rows, deadline)


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
    out of terms): keeps the header (line 0) and, after ``offset`` solutions, at most ``max_rows``
    of them; then stops the query at the next solution (``truncated``), or with ``count`` goes on
    reading the answer to the end, only counting its lines."""

    def __init__(self, max_rows: int, deadline: float | None, offset: int = 0, count: bool = False) -> None:
        super().__init__()
        self.data, self.lines, self.deadline, self.count = bytearray(), 0, deadline, count
        self.first, self.stop = 1 + offset, 1 + offset + max_rows  # the kept solutions' lines: [first, stop)
        self.truncated = False

    def writable(self) -> bool:
        return True

    def write(self, chunk: Any) -> int:
        _check_deadline(self.deadline, 0)
        chunk = bytes(chunk)
        start, end = self.lines, self.lines + chunk.count(b"\n")  # the chunk's lines: [start, end], the last unfinished

        def at(line: int) -> int:  # where ``line`` starts in the chunk (its end past the last)
            cut = 0
            for _ in range(max(0, min(line, end + 1) - start)):
                cut = chunk.find(b"\n", cut) + 1 or len(chunk)
            return cut

        for a, b in ((0, 1), (self.first, self.stop)):
            if a <= end and b > start:
                self.data += chunk[at(a):at(b)]
        self.lines = end
        if end > self.stop:  # a solution after the kept ones is complete
            self.truncated = True
            if not self.count:
                raise _Enough
        return len(chunk)


def _solutions(result: ox.QuerySolutions, key: str, task: Task, deadline: float | None) -> Outcome:
    # Oxigraph's own serialisers, fed at most max_rows solutions: the first max_rows + 1 after
    # the offset are written as TSV (lossless), then re-read and written in the format asked for.
    max_rows = task.max_rows
    sink = _RowCap(max_rows, deadline, task.offset, task.count)
    try:
        result.serialize(typing.cast(typing.IO[bytes], sink), format=ox.QueryResultsFormat.TSV)  # a raw byte stream
    except _Enough:
        pass
    body = bytes(sink.data)
    if key != "tsv":
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
        assert isinstance(parsed, ox.QuerySolutions)
        body = serialized(parsed.serialize(format=RESULT_FORMATS[key][1]))
    if sink.truncated and key == "json":  # the format's own place for "further information": head.link
        end = body.index(b"]")  # the end of head.vars (variable names have no brackets)
        body = body[:end + 1] + b',"link":' + json.dumps([truncation_link(max_rows)]).encode() + body[end + 1:]
    kept = max(0, min(sink.lines, sink.stop) - sink.first)
    return Outcome(200, body, media_type(key), rows=kept, truncated=sink.truncated,
                   total=max(sink.lines - 1, 0) if task.count else None)


def _triples(result: Iterable[ox.Triple], key: str, max_rows: int, deadline: float | None) -> Outcome:
    triples: list[ox.Triple] = []
    truncated = False
    for triple in result:
        if len(triples) >= max_rows:
            truncated = True
            break
        _check_deadline(deadline, len(triples))
        triples.append(triple)
    body = serialized(ox.serialize(triples, format=GRAPH_FORMATS[key][1], prefixes=PREFIXES if key in WITH_PREFIXES else None))
    return Outcome(200, body, media_type(key), rows=len(triples), truncated=truncated)


# --- the worker processes -----------------------------------------------------------------------

_LENGTH = struct.Struct("!Q")
_WORKER = "from policykg.graph.executor import _worker_main; _worker_main()"


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
            # one folder per process: two servers (or a server and a command) reading one store
            # each keep their own snapshots; those of a process that ended are removed here
            base = store.path.parent / f".{store.path.name}.sparql-snapshots"
            base.mkdir(parents=True, exist_ok=True)
            for old in base.iterdir():
                owner = old.name.split("-", 1)[0]
                if not owner.isdigit() or not _alive(int(owner)):
                    shutil.rmtree(old, ignore_errors=True)
            self.root = base / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
            self.root.mkdir(parents=True)  # (base again, if another process's close just removed it)
            self.base: Path | None = base
        else:
            self.base = None
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
        if self.base is not None:
            with contextlib.suppress(OSError):
                self.base.rmdir()  # the store's snapshots folder, when no other process has one there


def _alive(pid: int) -> bool:
    """Whether process ``pid`` is running (one of another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Service:
    """What the SPARQL and Graph Store routers share for one store: the lock that orders writes
    and snapshots, the worker pool, and the generation of writes the snapshots follow."""

    lateral = True  # canned queries run with their OPTIONALs as LATERAL (graph.dialect)
    one_pass_pages = True  # a page and the count of the whole answer from one evaluation (Task.count)
    cjk_regex = True  # REGEX finds Han characters in a character class ([执直][法发]): the search pre-filter uses it

    def __init__(self, store: Store) -> None:
        self._store = weakref.ref(store)
        self.lock = threading.RLock()
        self.workers = int(settings.get("query_workers"))
        self.memory_mb = int(settings.get("query_memory_mb"))
        self.generation = 0
        self._pool: Pool | None = None
        self._held: Counter[str] = Counter()  # snapshots handed out by ``snapshot`` and not yet given back
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
                    if self._snapshots is None:  # a dump may have taken one already: it holds a snapshot of it
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
                        self._snapshots.prune(pool.snapshots_in_use() | set(self._held))  # type: ignore[union-attr]
                finally:
                    self.lock.release()

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[tuple[str, ox.Store]]:
        """The graph as it is now, read-only, for reads too long for a query (a whole dump): the
        workers' snapshot of this generation (taken if there is none yet), kept on disk while it
        is held, so writes go on meanwhile. Yields its path (the same for every reader of this
        generation) and the store."""
        store = self.store
        with self.lock:
            if self._snapshots is None:
                self._snapshots = _Snapshots(store)
            path = self._snapshots.path(store, self.generation)
            self._held[path] += 1
        try:
            yield path, ox.Store.read_only(path)
        finally:
            with self.lock:
                self._held[path] -= 1
                if self._held[path] <= 0:
                    del self._held[path]
                if self._snapshots is not None:  # (without workers, no query prunes them)
                    self._snapshots.prune((self._pool.snapshots_in_use() if self._pool else set()) | set(self._held))

    def invalidate(self) -> None:
        """The store changed: the next query reads a new snapshot."""
        with self.lock:
            self.generation += 1

    def write(self, change: Callable[[Store], T], documents: list[str] | None) -> tuple[T, float]:
        """Apply ``change`` to the store as one unit of work (``Store.write``: journalled, then the
        derived data of ``documents``, all when None, recomputed), one writer at a time. Returns
        the change's result and the seconds the whole write took."""
        store = self.store
        with self.lock:
            started = time.perf_counter()
            try:
                result = store.write(change, documents)
            finally:
                self.generation += 1
            return result, time.perf_counter() - started

    def close(self) -> None:
        with self.lock:
            if self._pool:
                self._pool.close()
            if self._snapshots:
                self._snapshots.close()
            self._pool = self._snapshots = None


# --- reading for the server's own routes --------------------------------------------------------


class Rows(list[dict[str, Any]]):
    """The rows of a SELECT as dicts of Python values (as ``Store.select`` gives them);
    ``truncated``: there were more than the rows asked for (the row cap, or a page's size)."""

    truncated = False


PAGES = 20  # pages of the row cap a view may read of one table (Reader.select_all)


class Reader:
    """How the server's routes read the store (canned queries, linked-data pages, UI views): each
    query is a ``Task`` answered by ``Service.query`` within the limits ``/sparql`` has (a worker
    process, ``timeout`` seconds, at most ``max_rows`` rows). ``select`` has the signature of
    ``Store.select``, so view code written for a Store reads through a Reader. Make one per
    request: ``truncated`` says whether the row cap cut any of its results, ``queries`` counts
    them."""

    def __init__(self, svc: Service, timeout: float, max_rows: int) -> None:
        self.svc, self.timeout, self.max_rows = svc, timeout, max_rows
        self.lateral = svc.lateral  # what CannedQuery.executable should write for this engine
        self.cjk_regex = svc.cjk_regex  # what the search pre-filter may write for this engine
        self.truncated = False
        self.queries = 0

    def run(self, sparql: str, substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None, inferred: bool = True,
            fmt: str = "tsv", max_rows: int | None = None, offset: int = 0, count: bool = False) -> Outcome:
        """The outcome of one query in format ``fmt`` (a ``FORMAT_NAMES`` key) with at most
        ``max_rows`` rows, and never more than the row cap (which sets ``truncated`` when it
        cuts); errors raised. ``offset`` and ``count``: as ``Task``'s."""
        cap = self.max_rows if max_rows is None else max(1, min(max_rows, self.max_rows))
        task = Task(sparql, iris.base(), format=fmt, max_rows=cap, substitutions=tuple((substitutions or {}).items()),
                    inferred=inferred, offset=offset, count=count)
        self.queries += 1
        outcome = self.svc.query(task, self.timeout)
        outcome.raise_for_error()
        if outcome.truncated and (max_rows is None or max_rows > self.max_rows):  # cut by the row cap, not the page
            self.truncated = True
        return outcome

    def select(self, sparql: str, substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
               inferred: bool = True, max_rows: int | None = None) -> Rows:
        """Rows of a SELECT as dicts of Python values (None when unbound), at most ``max_rows``."""
        return _rows(self.run(sparql, substitutions, inferred, "tsv", max_rows))

    def select_all(self, sparql: str, inferred: bool = True, most: int | None = None) -> Rows:
        """Every row of a SELECT, at most ``PAGES`` times the row cap (and at most ``most``); past
        them, ``truncated``. For the views that must read a whole table past the row cap (the
        search reads every document of a national corpus). On the store, one evaluation within
        the time limit; a SPARQL server, which caps a result itself (Virtuoso's ResultSetMaxRows),
        is asked a page of the row cap at a time (LIMIT and OFFSET, no ORDER BY, which Virtuoso
        refuses past 10,000 rows: the pages follow the engine's order of the rows, the same for
        the same query over the same data)."""
        bound = min(most or self.max_rows * PAGES, self.max_rows * PAGES)
        if self.svc.one_pass_pages:
            task = Task(sparql, iris.base(), format="tsv", max_rows=bound, inferred=inferred)
            self.queries += 1
            outcome = self.svc.query(task, self.timeout)
            outcome.raise_for_error()
            self.truncated = self.truncated or outcome.truncated
            return _rows(outcome)
        rows = Rows()
        while True:
            page, total = self.page(sparql, min(self.max_rows, bound - len(rows)), len(rows), inferred)
            rows += page
            if not page or len(rows) >= total:
                return rows
            if len(rows) >= bound:
                self.truncated = True
                return rows

    def page(self, sparql: str, size: int, offset: int = 0, inferred: bool = True) -> tuple[Rows, int]:
        """At most ``size`` rows of a SELECT after the first ``offset`` (``truncated``: more
        follow; past the row cap, ``truncated`` of the Reader too), and the rows of its whole
        answer (``paged``)."""
        outcome, total = self.paged(sparql, size, offset, inferred)
        return _rows(outcome), total

    def paged(self, sparql: str, size: int, offset: int = 0, inferred: bool = True, fmt: str = "tsv") -> tuple[Outcome, int]:
        """A page of a SELECT serialised in ``fmt`` (``truncated``: more rows follow) and the rows
        of its whole answer. On the store, one evaluation; a SPARQL server is asked for the page
        (LIMIT and OFFSET) and, when more follow, for a COUNT."""
        if self.svc.one_pass_pages:
            outcome = self.run(sparql, None, inferred, fmt, size, offset, count=True)
            return outcome, outcome.total or 0
        outcome = self.run(f"{sparql}\nLIMIT {min(size, self.max_rows) + 1} OFFSET {offset}", None, inferred, fmt, max_rows=size)
        if not outcome.truncated and (outcome.rows or not offset):
            return outcome, offset + outcome.rows
        prologue = _PROLOGUE.match(sparql).group()  # type: ignore[union-attr]
        counted = self.select(f"{prologue}SELECT (COUNT(*) AS ?count) WHERE {{ {{\n{sparql[len(prologue):]}\n}} }}",
                              None, inferred)
        return outcome, int(counted[0]["count"]) if counted else 0

    def ask(self, sparql: str, substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None, inferred: bool = True) -> bool:
        return bool(json.loads(self.run(sparql, substitutions, inferred, "json").body)["boolean"])

    def triples(self, sparql: str, substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
                inferred: bool = True) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE (at most the row cap)."""
        body = self.run(sparql, substitutions, inferred, "nt").body
        return [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]

    def documents(self) -> list[str]:
        """The documents of the corpus (as ``Store.documents``)."""
        return [str(r["d"]) for r in self.select("SELECT ?d WHERE { ?d lg:inCorpus true }")]


def _rows(outcome: Outcome) -> Rows:
    parsed = ox.parse_query_results(outcome.body, format=ox.QueryResultsFormat.TSV)
    variables = [v.value for v in parsed.variables]  # type: ignore[union-attr]
    rows = Rows({v: to_python(solution[v]) for v in variables} for solution in parsed)  # type: ignore[union-attr]
    rows.truncated = outcome.truncated
    return rows


_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*|(?:PREFIX\s+[\w.-]*:\s*|BASE\s*)<[^>\s]*>)*", re.I)  # a query's prologue

_SERVICES: weakref.WeakKeyDictionary[Store | RemoteStore, Service] = weakref.WeakKeyDictionary()
_SERVICES_LOCK = threading.Lock()


def service(store: Store | RemoteStore) -> Service:
    """The one Service of a store (apps serving the same store share its workers); for a SPARQL
    server, a ``RemoteService`` that sends each query there."""
    with _SERVICES_LOCK:
        found = _SERVICES.get(store)
        if found is None:
            found = Service(store) if isinstance(store, Store) else store.service()
            _SERVICES[store] = found
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
