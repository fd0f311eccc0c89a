"""A real Virtuoso (Debian's ``virtuoso-opensource``, 7.2.5) on loopback, for checking that our
SPARQL answers the same on a standard server as on the embedded store (tests/test_virtuoso.py,
benchmarks).

``unavailable()`` says why Virtuoso cannot be used here (None when it can); ``start(tmpdir)``
writes a ``virtuoso.ini`` into the folder (database, log and loadable files all there, free ports
on 127.0.0.1), runs ``virtuoso-t -f`` as a child process until its SPARQL endpoint answers, and
stops it on exit (use it as a context manager, or call ``stop()``); ``bulk_load`` loads an
N-Quads file through Virtuoso's own bulk loader and checks every quad arrived; ``select`` runs a
query on the endpoint (SPARQLWrapper) and returns rows as ``Store.select`` does.

The settings that matter for honest answers: the endpoint answers at most ``maxrows`` rows
(1,048,576 unless the request asks for more, and never more than ``[SPARQL] ResultSetMaxRows``
when that is positive): ``select`` asks for 2³¹−1 with ResultSetMaxRows set as high, and raises
when Virtuoso still flags a cut answer (its ``X-SPARQL-MaxRows`` header) or a partial "anytime"
answer (``X-SQL-State``). ``MaxQueryExecutionTime = 0`` and ``MaxQueryCostEstimationTime = 0``
turn off its time limit and its refusal of queries estimated to be slow.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from policykg.graph.export import dump
from policykg.graph.remote import term
from policykg.graph.store import Store, to_python

# where Debian puts the binaries (virtuoso-opensource-7-bin), and older layouts
SEARCH = ("/usr/bin", "/usr/lib/virtuoso-opensource-7/bin", "/usr/local/virtuoso-opensource/bin", "/opt/virtuoso-opensource/bin")
SERVER_NAMES = ("virtuoso-t",)
ISQL_NAMES = ("isql-vt", "isql")
DBA = ("dba", "dba")  # a new database's administrator and password (the server listens on loopback only)
MAX_ROWS = 2**31 - 1
START_TIMEOUT = 180.0  # seconds: creating a new database takes a few on a busy machine
DEFAULT_GRAPH = "urn:policykg:virtuoso:default"  # where the loader puts triples of a file's default graph


def _find(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
        for folder in SEARCH:
            path = Path(folder) / name
            if path.is_file() and os.access(path, os.X_OK):
                return str(path)
    return None


def _is_isql(path: str) -> bool:
    """``isql`` is also unixODBC's client; Virtuoso's is the one that says OpenLink in its help."""
    if Path(path).name == "isql-vt":
        return True
    try:
        out = subprocess.run([path, "-?"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "OpenLink" in out.stdout + out.stderr


def binaries() -> tuple[str | None, str | None]:
    """The Virtuoso server and its isql client, or None for each one not found."""
    isql = next((p for name in ISQL_NAMES if (p := _find((name,))) and _is_isql(p)), None)
    return _find(SERVER_NAMES), isql


def unavailable() -> str | None:
    """Why Virtuoso cannot be run here, for ``pytest.skip``; None when it can."""
    server, isql = binaries()
    missing = [what for what, found in (("virtuoso-t (the server)", server), ("isql-vt (its SQL client)", isql)) if not found]
    if missing:
        return (f"Virtuoso is not installed: no {' and no '.join(missing)} on PATH or in {', '.join(SEARCH)}; "
                "install the Debian package virtuoso-opensource (make system does)")
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


INI = """\
; written by tests/virtuoso.py: a throw-away database for tests, on loopback only
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{isql_port}
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 0
O_DIRECT                 = 0
CaseMode                 = 2
MaxStaticCursorRows      = 5000
CheckpointAuditTrail     = 0
AllowOSCalls             = 0
SchedulerInterval        = 10
DirsAllowed              = ., {dir}
ThreadCleanupInterval    = 0
ThreadThreshold          = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize        = 100000
SingleCPU                = 0
PrefixResultNames        = 0
RdfFreeTextRulesSize     = 100
IndexTreeMaps            = 64
MaxMemPoolSize           = 100000000
MaxQueryMem              = 1G
VectorSize               = 1000
MaxVectorSize            = 1000000
AdjustVectorSize         = 0
; one thread a query: with 2, on a loaded machine due-by once answered 14 rows of its 17
ThreadsPerQuery          = 1
AsyncQueueMaxThreads     = 4
; 8 KB pages: 20,000 buffers are 160 MB, plenty for a few hundred thousand quads
NumberOfBuffers          = 20000
MaxDirtyBuffers          = 15000

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = {dir}/vsp
MaxClientConnections        = 4
DavRoot                     = DAV
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
TempASPXDir                 = 0
ServerThreads               = 4
MaxKeepAlives               = 4
KeepAliveTimeout            = 10
HTTPThreadSize              = 280000
HttpPrintWarningsInOutput   = 0
Charset                     = UTF-8
EnabledGzipContent          = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[SPARQL]
; the endpoint caps an answer at its maxrows parameter (select asks for MAX_ROWS) and at this
ResultSetMaxRows           = {max_rows}
; 0: no time limit, no "anytime" partial answers, no refusal of queries estimated to be slow
MaxQueryExecutionTime      = 0
MaxQueryCostEstimationTime = 0
DeferInferenceRulesInit    = 0
"""


@dataclass
class Virtuoso:
    """A running Virtuoso: its folder, ports and process."""

    dir: Path
    isql_port: int
    http_port: int
    server: str
    isql: str
    process: subprocess.Popen[bytes] | None = None
    loaded: list[Path] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def log(self) -> Path:
        return self.dir / "virtuoso.log"

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's output (in the foreground it writes its log there too)."""
        path = self.dir / "stdout.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return f"--- the end of {path}:\n" + "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> Virtuoso:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self, timeout: float = 60.0) -> None:
        """Terminate the server and wait for it (killed if it does not exit in time)."""
        p, self.process = self.process, None
        if p is None or p.poll() is not None:
            return
        p.terminate()
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(10)

    def sql(self, statements: str, timeout: float = 600.0) -> str:
        """Run SQL statements (``;``-separated) through isql; raises with Virtuoso's message on an error."""
        command = [self.isql, f"127.0.0.1:{self.isql_port}", *DBA, "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF",
                   "ERRORS=STDOUT"]
        done = subprocess.run(command, input=statements.rstrip().rstrip(";") + ";\n", capture_output=True, text=True,
                              timeout=timeout, cwd=self.dir)
        out = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in out:
            raise RuntimeError(f"isql failed ({done.returncode}) on {statements.strip()[:300]!r}:\n{out.strip()[-3000:]}")
        return out

    def sql_value(self, query: str) -> str:
        """The single value a one-row, one-column SQL query answers (isql with VERBOSE=OFF prints
        only the values)."""
        lines = [line.strip() for line in self.sql(query).splitlines() if line.strip()]
        if len(lines) != 1:
            raise RuntimeError(f"expected one value from {query!r}, got:\n" + "\n".join(lines))
        return lines[0]


def config(folder: Path, isql_port: int, http_port: int, settings: dict[str, object] | None = None) -> str:
    """The ``virtuoso.ini`` text; ``settings`` replace the values of keys of INI (e.g. VectorSize)."""
    text = INI.format(dir=folder, isql_port=isql_port, http_port=http_port, max_rows=MAX_ROWS)
    for key, value in (settings or {}).items():
        line = re.compile(rf"^({re.escape(key)}\s*)=.*$", re.M)
        text, n = line.subn(lambda m, v=value: f"{m.group(1)}= {v}", text)
        if n != 1:
            raise KeyError(f"virtuoso.ini has no single setting {key!r} to replace")
    return text


def _die_with_parent() -> Callable[[], object] | None:
    """For the child: be sent SIGTERM when the process that started it dies (Linux's
    PR_SET_PDEATHSIG), so a test run that is killed leaves no server behind. Looked up here, in
    the parent: the child only makes the one call."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(1, signal.SIGTERM)


def start(tmpdir: str | Path, timeout: float = START_TIMEOUT, settings: dict[str, object] | None = None) -> Virtuoso:
    """Start Virtuoso on a new database in ``tmpdir`` and wait until its SPARQL endpoint answers;
    ``settings`` override the ini's (``{"VectorSize": 1}``: no vectored execution)."""
    reason = unavailable()
    if reason:
        raise RuntimeError(reason)
    server, isql = binaries()
    assert server and isql
    folder = Path(tmpdir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vsp").mkdir(exist_ok=True)
    v = Virtuoso(folder, free_port(), free_port(), server, isql)
    while v.http_port == v.isql_port:
        v.http_port = free_port()
    (folder / "virtuoso.ini").write_text(config(folder, v.isql_port, v.http_port, settings))
    with open(folder / "stdout.log", "wb") as out:
        v.process = subprocess.Popen([server, "-f", "-c", str(folder / "virtuoso.ini")], cwd=folder, stdout=out,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent())
    try:
        _wait_ready(v, timeout)
    except BaseException:
        v.stop()
        raise
    return v


def _wait_ready(v: Virtuoso, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    url = v.endpoint + "?" + urllib.parse.urlencode({"query": "ASK { }", "format": "application/sparql-results+json"})
    last = "no answer yet"
    while time.monotonic() < deadline:
        assert v.process is not None
        if v.process.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with status {v.process.returncode} while starting:\n{v.log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200 and b"boolean" in response.read():
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.25)
    raise RuntimeError(f"Virtuoso's SPARQL endpoint {v.endpoint} did not answer within {timeout:.0f} s ({last}):\n{v.log_tail()}")


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _count_lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as f:
        for line in f:
            stripped = line.strip()
            if stripped and not stripped.startswith(b"#"):
                n += 1
    return n


@contextlib.contextmanager
def for_test(folder: Path, store: Store | None = None) -> Iterator[Virtuoso]:
    """A Virtuoso for tests, in ``folder``: holding ``store`` (bulk-loaded from the N-Quads that
    `policykg export --format nq` writes, every quad counted in) or empty. The test is skipped, with
    the reason, where Virtuoso is not installed or cannot start here."""
    import pytest

    reason = unavailable()
    if reason:
        pytest.skip(reason)
    try:
        v = start(folder / "db")
    except RuntimeError as exc:
        pytest.skip(f"Virtuoso is installed but could not be started here: {exc}")
    with v:
        if store is not None:
            (folder / "seeds.nq").write_bytes(dump(store, "nq"))
            loaded = bulk_load(v, folder / "seeds.nq")
            if loaded != len(store.ox):
                raise RuntimeError(f"Virtuoso holds {loaded:,} quads of the store's {len(store.ox):,}")
        yield v


def quad_count(v: Virtuoso) -> int:
    """Every quad in the database, Virtuoso's own graphs included."""
    return int(v.sql_value("SELECT COUNT(*) FROM DB.DBA.RDF_QUAD"))


def bulk_load(v: Virtuoso, nquads_path: str | Path) -> int:
    """Load an N-Quads file (its named graphs kept) with Virtuoso's bulk loader (``ld_add``,
    ``rdf_loader_run``, ``checkpoint``); returns the number of quads added, which must be the
    file's number of statements (lines, blank lines and comments aside). The file is copied into
    the server's folder (``DirsAllowed``) with the ``.nq`` suffix the loader needs."""
    source = Path(nquads_path)
    expected = _count_lines(source)
    (v.dir / "load").mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=v.dir / "load"))  # a folder of its own: the loader records files by path
    target = folder / (source.stem + ".nq")
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    before = quad_count(v)
    v.sql(f"ld_add({_sql_string(str(target))}, {_sql_string(DEFAULT_GRAPH)})")
    v.sql("rdf_loader_run()")
    v.sql("checkpoint")
    v.loaded.append(target)
    where = f"WHERE ll_file = {_sql_string(str(target))}"
    state = v.sql_value(f"SELECT sprintf('%d %s', ll_state, coalesce(ll_error, 'ok')) FROM DB.DBA.LOAD_LIST {where}")
    if state != "2 ok":  # 2: done
        raise RuntimeError(f"Virtuoso's bulk loader did not load {source} cleanly (state, error: {state}):\n{v.log_tail()}")
    added = quad_count(v) - before
    if added != expected:
        raise RuntimeError(f"Virtuoso's bulk loader added {added:,} quads from {source}, which has {expected:,} statements "
                           f"({expected - added:,} missing): it skips a statement it cannot parse, and a duplicate, "
                           f"without an error; see {v.log}")
    return added


def _value(binding: dict[str, str]) -> object:
    """A term of SPARQL JSON results as ``Store.select`` gives it (the remote store's reading)."""
    return to_python(term(binding))


def select(v: Virtuoso, sparql: str, timeout: float = 600.0) -> list[dict[str, object]]:
    """Rows of a SELECT on Virtuoso's endpoint, as ``Store.select`` gives them (``to_python``:
    int, float, bool, str; None when unbound), over the union of all graphs (no FROM: Virtuoso's
    default graph is every graph). Raises SPARQLWrapper's error, with Virtuoso's message, when
    the query fails, and RuntimeError when Virtuoso says the answer was cut."""
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    client = SPARQLWrapper(v.endpoint)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setTimeout(int(timeout))
    client.addParameter("maxrows", str(MAX_ROWS))
    client.setQuery(sparql)
    result = client.query()
    headers = {k.lower(): val for k, val in result.info().items()}
    if "x-sparql-maxrows" in headers:
        raise RuntimeError(f"Virtuoso cut the answer at {headers['x-sparql-maxrows']} rows")
    if "x-sql-state" in headers:
        raise RuntimeError(f"Virtuoso answered in part: {headers['x-sql-state']} {headers.get('x-sql-message', '')}")
    data = result.convert()
    assert isinstance(data, dict)
    variables = data["head"]["vars"]
    return [{name: _value(row[name]) if name in row else None for name in variables} for row in data["results"]["bindings"]]
