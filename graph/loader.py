"""Loading files into the store: each file is read, parsed and stored on its own, so one bad file
never stops the batch and never leaves a document half-written. Results come back one by one for
progress reporting and a summary."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from policykg.errors import PolicyKGError
from policykg.graph.store import Store
from policykg.ingest import extract
from policykg.ingest.batch import FileResult, naming


def ingest_files(files: list[Path], store: Store) -> Iterator[FileResult]:
    """Ingest each file into ``store``; yield one result per file, in order. Each document's graph
    is written with its journal entry in one transaction; its derived data (alignments,
    entailments) is computed once for the whole batch by ``store.recover()`` when the files are
    all in (the caller's last step; a store opened after a crash does it itself)."""
    for path in files:
        started = time.perf_counter()
        try:
            ex = extract(path)
            admission = store.add_document(ex, derive=False)
        except PolicyKGError as exc:
            yield FileResult(path, False, error=naming(path, exc.message), seconds=time.perf_counter() - started)
            continue
        except Exception as exc:  # a parser bug must not stop the batch; the store is untouched
            yield FileResult(path, False, seconds=time.perf_counter() - started,
                             error=f"{path}: internal error while parsing ({type(exc).__name__}: {exc}); "
                                   "please report it with the file")
            continue
        result = FileResult(
            path, True, title=ex.title, key=admission.key, measures=len(ex.measures), citations=len(ex.citations),
            observations=len(ex.observations), triples=admission.triples, seconds=time.perf_counter() - started,
            status=admission.status, related=admission.related, note=admission.reason, warnings=list(ex.warnings),
        )
        yield result
