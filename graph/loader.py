"""Loading files into the store, in parallel and in bounded memory.

Parsing a file and building its graph (most of the work) runs on the workers of a Dask cluster: a
local one, one process per core, by default, or any running scheduler (``dask_scheduler``) for a
batch larger than one machine. Workers are sent the file's bytes, not its path, and hand back its
``Prepared`` graph. This process alone writes: each document in one transaction with its journal
entry, in the order of the files (so which of two same-titled documents keeps the bare title key
does not depend on which worker finished first), and after each ``ingest_chunk`` documents it
derives their data (``Store.recover``: alignments with parent plans, each document's entailments,
and the closure across documents, extended from what the chunk changed while documents are only
added; made from scratch, which reads the whole store, once at the end when one was replaced)
and flushes the store.
At most a window of files is in flight, so memory does not grow with the batch.

Resumable: a file whose content is stored as this extraction version would store it is skipped
before it is parsed (``Store.unchanged``), so a batch run again after a kill goes on where it
stopped; what a kill interrupted is in the store's journal and finished when the store is opened.
One bad file never stops the batch and never leaves a document half-written.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from pathlib import Path

from policykg import settings
from policykg.errors import ConfigError, PolicyKGError
from policykg.graph.rdf import document_ntriples
from policykg.graph.shared import Split, split
from policykg.graph.store import Store
from policykg.ingest import extract
from policykg.ingest.batch import FileResult, naming
from policykg.ingest.model import Extraction
from policykg.ingest.sources import read_bytes


@dataclass
class Prepared:
    """What a worker makes of one file: its extraction and its graph as N-Triples (and split as the
    store keeps a new document's), or the error."""

    extraction: Extraction | None = None
    ntriples: str = ""
    split: Split | None = None  # the graph as the store keeps a new document's (``graph.shared``)
    error: str | None = None
    seconds: float = 0.0


def prepare(path: Path, data: bytes) -> Prepared:
    """Parse one file's bytes and build its document graph (runs on a worker; touches no store)."""
    started = time.perf_counter()
    try:
        ex = extract(path, data)
        ntriples = document_ntriples(ex)
        return Prepared(ex, ntriples, split(ex.key, ntriples), seconds=time.perf_counter() - started)
    except PolicyKGError as exc:
        return Prepared(error=naming(path, exc.message), seconds=time.perf_counter() - started)
    except Exception as exc:  # a parser bug must not stop the batch; the store is untouched
        return Prepared(error=f"{path}: internal error while parsing ({type(exc).__name__}: {exc}); please report it with the file",
                        seconds=time.perf_counter() - started)


def workers() -> int:
    """Worker processes of the local cluster: the ``ingest_workers`` setting, or one per core."""
    n = int(settings.get("ingest_workers"))
    if n < 0:
        raise ConfigError(f"POLICYKG_INGEST_WORKERS={n} is not a number of workers (0: one per core)")
    return n or os.cpu_count() or 1


@contextlib.contextmanager
def cluster(n_workers: int | None = None, scheduler: str | None = None) -> Iterator[Executor | None]:
    """A Dask executor: on the scheduler at ``scheduler`` (default: the ``dask_scheduler``
    setting), else on a local cluster of ``n_workers`` processes (default: ``workers()``); None
    (parse in this process) for one worker and no scheduler. ``n_workers`` 0 or None: ``workers()``."""
    address = str(settings.get("dask_scheduler")) if scheduler is None else scheduler
    n = n_workers or workers()
    if not address and n <= 1:
        yield None
        return
    from distributed import Client, LocalCluster

    try:
        if address:
            client = Client(address, timeout=10)
            local = None
        else:
            import dask

            # One parse sent to a worker at a time: a worker that dies (out of memory, killed) then
            # takes only the file it was parsing with it, not a queued neighbour as well.
            with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
                local = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                                     silence_logs=logging.ERROR)
            client = Client(local)
    except (OSError, TimeoutError) as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {address or 'a local cluster'}: {exc}") from None
    try:
        executor = client.get_executor(pure=False)
        executor.slots = sum(client.nthreads().values())  # parses that can run at once
        yield executor
    finally:
        client.close()
        if local is not None:
            local.close()


def ingest_files(files: list[Path], store: Store, executor: Executor | None = None,
                 chunk: int | None = None, window: int | None = None) -> Iterator[FileResult]:
    """Ingest ``files`` into ``store``, parsed by ``executor`` (None: in this process); yield one
    result per file, in order. Every ``chunk`` documents written (default: the ``ingest_chunk``
    setting), and at the end, their derived data is computed and the store flushed. ``window``:
    files in flight at once (default: four per worker thread of the cluster)."""
    chunk = int(settings.get("ingest_chunk")) if chunk is None else chunk
    if chunk < 1:
        raise ConfigError(f"POLICYKG_INGEST_CHUNK={chunk} must be at least 1")
    window = window or 4 * max(1, getattr(executor, "slots", 1))
    written = 0
    for path, job in _parsed(files, store, executor, window):
        started = time.perf_counter()
        if isinstance(job, FileResult):  # stored already, or unreadable
            yield job
            continue
        try:
            prepared = job()
        except Exception as exc:  # the worker died (out of memory, killed) or the cluster went away
            yield FileResult(path, False, seconds=time.perf_counter() - started,
                             error=f"{path}: the Dask worker parsing it failed ({type(exc).__name__}: {exc}); "
                                   "the file is not stored, run the batch again to retry it")
            continue
        result = _write(path, prepared, store)
        result.seconds = prepared.seconds + time.perf_counter() - started
        if result.ok and result.status != "unchanged":
            written += 1
            if written % chunk == 0:  # a closure from scratch reads the whole store: it waits for the end
                store.recover(closure=False)
                store.compact()
        yield result
    store.recover()


def _parsed(files: list[Path], store: Store, executor: Executor | None,
            window: int) -> Iterator[tuple[Path, FileResult | Callable[[], Prepared]]]:
    """Each file with what is known of it at once (a result) or a call that waits for its parse;
    in order, with at most ``window`` parses in flight."""
    pending: deque[tuple[Path, FileResult | Callable[[], Prepared]]] = deque()
    for path in files:
        started = time.perf_counter()
        try:
            data = read_bytes(path)
        except PolicyKGError as exc:
            pending.append((path, FileResult(path, False, error=naming(path, exc.message), seconds=time.perf_counter() - started)))
        else:
            stored = store.unchanged(hashlib.sha256(data).hexdigest())
            if stored is not None:
                admission, title = stored
                pending.append((path, FileResult(path, True, title=title, key=admission.key, status=admission.status,
                                                 related=admission.related, note=admission.reason,
                                                 seconds=time.perf_counter() - started)))
            elif executor is None:
                pending.append((path, lambda path=path, data=data: prepare(path, data)))  # type: ignore[misc]
            else:
                future: Future[Prepared] = executor.submit(prepare, path, data)
                pending.append((path, future.result))
        while sum(not isinstance(j, FileResult) for _, j in pending) >= window or (pending and isinstance(pending[0][1], FileResult)):
            yield pending.popleft()
    while pending:
        yield pending.popleft()


def _write(path: Path, prepared: Prepared, store: Store) -> FileResult:
    ex = prepared.extraction
    if ex is None:
        return FileResult(path, False, error=prepared.error)
    try:
        admission = store.add_document(ex, derive=False, ntriples=prepared.ntriples, split=prepared.split)
    except PolicyKGError as exc:
        return FileResult(path, False, error=naming(path, exc.message))
    return FileResult(path, True, title=ex.title, key=admission.key, measures=len(ex.measures), citations=len(ex.citations),
                      observations=len(ex.observations), triples=admission.triples, status=admission.status,
                      related=admission.related, note=admission.reason, warnings=list(ex.warnings))
