"""The whole graph over HTTP, citable. ``GET /api/dump`` streams every quad of the store as
N-Quads (every named graph: documents, shared descriptions, vocabulary, ontology, entailments);
``GET /api/dump/manifest`` describes that dump (``graph.export.release``: quads per graph, size,
SHA-256, ontology, extraction and package versions, date). Both read the workers' snapshot of the
store as it is when they are asked (``Service.snapshot``), so a write meanwhile changes neither;
the same snapshot gives the same bytes, which is what the manifest's hash checks. The dump is the
one route that reads a snapshot whole rather than through a query; at most ``dump_streams`` run
at once (then 503 with ``Retry-After``), outside the query workers' admission."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import queue
import threading
import typing
from collections.abc import Iterator
from typing import IO, Any

import pyoxigraph as ox
from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from policykg import settings
from policykg.errors import ParameterError, ServiceBusy
from policykg.graph.executor import Service
from policykg.graph.export import RELEASE_FORMATS, release, write_release

_CHUNK = 1 << 20
_STALLED = 300.0  # seconds a reader may take no bytes before its stream is given up


class _Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, chunk: Any) -> int:
        return len(chunk)


class _Gone(Exception):
    """The client stopped reading: the dump is stopped."""


class _Pipe(io.RawIOBase):
    """Where the dump is written in its thread: chunks of about 1 MB handed to the response."""

    def __init__(self, chunks: queue.Queue[bytes | None], stop: threading.Event) -> None:
        super().__init__()
        self.chunks, self.stop, self.buffer = chunks, stop, bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk: Any) -> int:
        self.buffer += bytes(chunk)
        if len(self.buffer) >= _CHUNK:
            self.hand_over()
        return len(chunk)

    def hand_over(self) -> None:
        data, self.buffer = bytes(self.buffer), bytearray()
        waited = 0.0
        while True:
            if self.stop.is_set():
                raise _Gone
            try:
                self.chunks.put(data, timeout=1.0)
                return
            except queue.Full:
                waited += 1.0
                if waited > _STALLED:
                    raise _Gone from None


def router(svc: Service) -> APIRouter:
    r = APIRouter(tags=["dump"])
    streams = threading.BoundedSemaphore(int(settings.get("dump_streams")))
    manifests: dict[tuple[str, str], dict[str, Any]] = {}  # (snapshot path, format) → its release manifest
    lock = threading.Lock()

    def manifest_of(path: str, snapshot: ox.Store, fmt: str) -> dict[str, Any]:
        with lock:
            found = manifests.get((path, fmt))
        if found is None:
            found = release(snapshot, typing.cast(IO[bytes], _Discard()), fmt)  # the bytes hashed, not kept
            with lock:
                manifests[(path, fmt)] = found
                for old in list(manifests)[:-2 * len(RELEASE_FORMATS)]:
                    del manifests[old]
        return found

    def checked(fmt: str) -> str:
        if fmt not in RELEASE_FORMATS:
            raise ParameterError(f"format must be one of {', '.join(RELEASE_FORMATS)}, got {fmt!r}", param="format")
        return fmt

    def admitted() -> None:
        if not streams.acquire(blocking=False):
            busy = ServiceBusy(f"{settings.get('dump_streams')} downloads of the whole graph are under way (dump_streams); "
                               "try again when one has finished")
            busy.retry_after = 60
            raise busy

    @r.get("/api/dump/manifest", summary="The manifest of the whole-graph dump: counts per graph, SHA-256, versions, date")
    async def manifest(format: str = Query("nq", description="The dump it describes: nq, trig or jsonld")) -> JSONResponse:
        fmt = checked(format)
        admitted()
        try:
            def made() -> dict[str, Any]:
                with svc.snapshot() as (path, snapshot):
                    return manifest_of(path, snapshot, fmt)

            found = await run_in_threadpool(made)
        finally:
            streams.release()
        return JSONResponse({"ok": True, **found, "dump": f"/api/dump?format={fmt}"}, headers={"ETag": f'"{found["sha256"]}"'})

    @r.get("/api/dump", summary="Every quad of the store as N-Quads (or TriG, JSON-LD), streamed (its manifest: /api/dump/manifest)",
           response_class=Response, responses={200: {"content": {media: {} for _, media, _ in RELEASE_FORMATS.values()}}})
    async def dump(format: str = Query("nq", description="nq (N-Quads), trig or jsonld")) -> StreamingResponse:
        fmt = checked(format)
        admitted()
        held = contextlib.ExitStack()
        held.callback(streams.release)
        try:
            path, snapshot = held.enter_context(svc.snapshot())
            found = await run_in_threadpool(manifest_of, path, snapshot, fmt)
        except BaseException:
            held.close()
            raise
        _, media_type, suffix = RELEASE_FORMATS[fmt]
        name = f"policykg-{dt.date.today().isoformat()}-{found['sha256'][:12]}{suffix}"
        headers = {"Content-Length": str(found["bytes"]), "ETag": f'"{found["sha256"]}"', "Content-Disposition": f'attachment; filename="{name}"',
                   "Link": f'</api/dump/manifest?format={fmt}>; rel="describedby"'}
        return StreamingResponse(_Stream(snapshot, held, fmt), media_type=media_type, headers=headers)

    return r


class _Stream:
    """The snapshot in format ``fmt``, in chunks written by a thread (Oxigraph's serialiser releases
    the GIL) and handed to the response as the client takes them. The writer thread lets go of the
    snapshot and the download slot (``held``) when it ends: at the end of the dump, when the client
    has gone (``stop``, seen within a second), or when nobody read for ``_STALLED`` seconds. A stream
    whose response never started (the client left before the first byte) lets go of them when it
    is dropped."""

    def __init__(self, snapshot: ox.Store, held: contextlib.ExitStack, fmt: str) -> None:
        self.snapshot, self.held, self.fmt = snapshot, held, fmt
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=8)
        self.stop = threading.Event()
        self.started = False

    def __iter__(self) -> Iterator[bytes]:
        self.started = True
        threading.Thread(target=self._write, name="policykg-dump", daemon=True).start()
        try:
            while True:
                try:
                    chunk = self.chunks.get(timeout=_STALLED)
                except queue.Empty:  # the writer is gone without an end: end the response short
                    return
                if chunk is None:
                    return
                yield chunk
        finally:
            self.stop.set()

    def _write(self) -> None:
        pipe = _Pipe(self.chunks, self.stop)
        try:
            write_release(self.snapshot, typing.cast(IO[bytes], pipe), self.fmt)
            pipe.hand_over()
        except _Gone:
            pass
        finally:
            self.held.close()  # before the end is handed over: the slot is free once the client has it all
            if not self.stop.is_set():  # the reader waits for the end; when it has gone, nobody does
                with contextlib.suppress(queue.Full):
                    self.chunks.put(None, timeout=_STALLED)

    def __del__(self) -> None:
        if not self.started:
            self.held.close()
