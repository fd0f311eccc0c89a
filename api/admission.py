"""Admission control: the one way routes reach the query workers, and the queue in front of them.

Every route that queries the store (``/sparql``, the canned queries, the linked-data pages, the
UI views, the resource API) hands its work to ``Gate.run``: the work runs in a thread of the
gate's own pool, with as many threads as there are query workers, and reads the store only
through a ``graph.executor.Reader`` (each query in a worker process, within ``query_timeout`` and
``max_rows``, parameters bound as substitutions). The routes are ``async``: while a request waits
for its turn it holds no thread, so the server's thread pool (anyio's 40 threads, which FastAPI's
sync routes run in) stays free for the requests that do not query: settings, static files and
assets, the ontology, pages answered from a cache.

``Admission`` decides who runs. At most ``slots`` requests run at once; up to ``query_queue``
more wait, each at most ``max_wait`` seconds (twice ``query_timeout``); past either the answer is
503 ``ServiceBusy`` with ``Retry-After``. One client (remote address) may have at most
``per_client_queries`` requests running or waiting; past it the answer is 429 with
``Retry-After``. The queue's room is shared: when it is full, a client with fewer requests
under way than the heaviest waiting client takes the place of that client's newest request
(which gets the 503). When a slot frees, the waiting client with the fewest requests under way
goes first (the oldest request among equals). So a client that sends one query is neither
refused nor queued behind another's burst: it waits for the first slot to free, at most
``query_timeout``. Behind a reverse proxy every request comes from the proxy's address unless
uvicorn is told to trust its ``X-Forwarded-For`` (``--proxy-headers``, ``--forwarded-allow-ips``).
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from policykg import settings
from policykg.errors import ServiceBusy, TooManyRequests
from policykg.graph.executor import Reader, Service, service
from policykg.graph.remote import RemoteStore
from policykg.graph.store import Store


@dataclass(eq=False)
class _Waiter:
    client: str
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[None]
    since: float = field(default_factory=time.monotonic)
    granted: bool = False
    pushed_out: bool = False  # refused to make room in the queue for a client with less under way


class Admission:
    """A bounded, per-client fair queue in front of ``slots`` threads (see the module). Safe to
    share between event loops (the test client runs each request in a loop of its own)."""

    def __init__(self, slots: int, queue: int, per_client: int, max_wait: float) -> None:
        self.slots, self.queue, self.per_client, self.max_wait = max(1, slots), max(0, queue), max(1, per_client), max_wait
        self._lock = threading.Lock()
        self._running = 0
        self._waiting: dict[str, deque[_Waiter]] = {}
        self._clients: dict[str, int] = {}  # requests running or waiting, per client
        self._seconds = 1.0  # a moving average of how long a request runs, for Retry-After
        self._pool = ThreadPoolExecutor(max_workers=self.slots, thread_name_prefix="policykg-query")
        weakref.finalize(self, self._pool.shutdown, wait=False)
        self.counts = {"admitted": 0, "queued": 0, "refused_queue": 0, "pushed_out": 0, "refused_client": 0, "gave_up_waiting": 0}

    def waiting(self) -> int:
        return sum(len(q) for q in self._waiting.values())

    def _retry_after(self, ahead: int) -> int:
        """Seconds until a retry is likely to run: the requests ahead of it, ``slots`` at a time."""
        return max(1, min(math.ceil(self._seconds * (1 + ahead / self.slots)), math.ceil(self.max_wait) or 1))

    async def run(self, client: str, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in one of the slots' threads, once admitted."""
        loop = asyncio.get_running_loop()
        waiter = None
        with self._lock:
            if self._clients.get(client, 0) >= self.per_client:
                self.counts["refused_client"] += 1
                limited = TooManyRequests(f"this client already has {self.per_client} queries running or waiting "
                                          "(per_client_queries); send the next when one has been answered")
                limited.retry_after = self._retry_after(0)
                raise limited
            if self._running < self.slots and not self._waiting:
                self._running += 1
            else:
                if self.waiting() >= self.queue and not self._push_out(client):
                    self.counts["refused_queue"] += 1
                    raise self._full()
                waiter = _Waiter(client, loop, loop.create_future())
                self._waiting.setdefault(client, deque()).append(waiter)
                self.counts["queued"] += 1
            self._clients[client] = self._clients.get(client, 0) + 1
            self.counts["admitted"] += 1
        try:
            if waiter is not None:
                await self._wait(waiter)
            started = time.monotonic()
            try:
                return await loop.run_in_executor(self._pool, fn, *args)
            finally:
                self._release(time.monotonic() - started)
        finally:
            if waiter is None or not waiter.pushed_out:  # (a request pushed out is no longer counted)
                with self._lock:
                    self._forget(client)

    def _forget(self, client: str) -> None:
        self._clients[client] -= 1
        if not self._clients[client]:
            del self._clients[client]

    def _full(self) -> ServiceBusy:
        busy = ServiceBusy(f"the {self.slots} query workers are busy and {self.queue} requests already wait for them "
                           "(query_queue); try again shortly")
        busy.retry_after = self._retry_after(self.waiting())
        return busy

    def _push_out(self, client: str) -> bool:
        """The queue is full: make room for ``client`` by refusing the newest waiting request of
        the client with the most under way, if that is more than ``client`` would have. So the
        queue's room is shared: a burst from one client cannot keep the others out."""
        if not self._waiting:
            return False
        heaviest = max(self._waiting, key=lambda c: (self._clients.get(c, 0), len(self._waiting[c])))
        if self._clients.get(heaviest, 0) <= self._clients.get(client, 0) + 1:
            return False
        queue = self._waiting[heaviest]
        waiter = queue.pop()
        if not queue:
            del self._waiting[heaviest]
        waiter.pushed_out = True
        self._forget(heaviest)
        self.counts["pushed_out"] += 1
        try:
            waiter.loop.call_soon_threadsafe(_wake, waiter.future)
        except RuntimeError:
            pass
        return True

    async def _wait(self, waiter: _Waiter) -> None:
        try:
            await asyncio.wait_for(asyncio.shield(waiter.future), self.max_wait)
            if waiter.pushed_out:
                raise self._full()
        except (TimeoutError, asyncio.CancelledError) as exc:
            with self._lock:
                granted = waiter.granted
                if not granted and not waiter.pushed_out:
                    queue = self._waiting.get(waiter.client)
                    if queue is not None and waiter in queue:
                        queue.remove(waiter)
                        if not queue:
                            del self._waiting[waiter.client]
            if isinstance(exc, asyncio.CancelledError):
                if granted:  # the slot was handed to us as we left: pass it on
                    self._release(None)
                raise
            if waiter.pushed_out:
                raise self._full() from None
            if not granted:
                self.counts["gave_up_waiting"] += 1
                busy = ServiceBusy(f"waited {self.max_wait:g} s for one of the {self.slots} query workers (twice "
                                   "query_timeout) without getting one; try again shortly")
                busy.retry_after = self._retry_after(self.waiting())
                raise busy from None

    def _release(self, seconds: float | None) -> None:
        """A request is done with its slot: hand it to the next waiter, or free it."""
        with self._lock:
            if seconds is not None:
                self._seconds = 0.8 * self._seconds + 0.2 * seconds
            while self._waiting:
                # the client with the fewest requests under way; among equals, the oldest request
                client = min(self._waiting, key=lambda c: (self._clients.get(c, 0), self._waiting[c][0].since))
                queue = self._waiting[client]
                waiter = queue.popleft()
                if not queue:
                    del self._waiting[client]
                waiter.granted = True
                try:
                    waiter.loop.call_soon_threadsafe(_wake, waiter.future)
                    return
                except RuntimeError:  # its event loop is gone: the request with it
                    waiter.granted = False
            self._running -= 1


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class Gate:
    """What an app's routes query the store through: the store's ``Service`` (worker pool), the
    limits read from the settings when the app is made, and the ``Admission`` in front of them."""

    def __init__(self, store: Store | RemoteStore) -> None:
        self.svc: Service = service(store)
        self.timeout = float(settings.get("query_timeout"))
        self.max_rows = int(settings.get("max_rows"))
        slots = self.svc.workers if self.svc.workers > 0 else 2  # in the server process: two at a time
        self.admission = Admission(slots, int(settings.get("query_queue")), int(settings.get("per_client_queries")),
                                   max_wait=2 * self.timeout)

    def reader(self) -> Reader:
        return Reader(self.svc, self.timeout, self.max_rows)

    async def call(self, request: Request, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` once admitted (``/sparql`` hands its Task to ``Service.query`` this way)."""
        return await self.admission.run(client_of(request), fn, *args)

    async def run(self, request: Request, job: Callable[..., Any], *args: Any) -> Any:
        """``job(reader, *args)`` once admitted, reading through a new Reader. When the row cap cut
        a result, the answer says so: a dict gets ``truncated`` and ``row_limit``, and a dict or a
        Response the headers ``X-Policykg-Truncated: true`` and ``X-Policykg-Row-Limit``."""
        reader = self.reader()
        result = await self.call(request, job, reader, *args)
        if not reader.truncated:
            return result
        headers = {"X-Policykg-Truncated": "true", "X-Policykg-Row-Limit": str(self.max_rows)}
        if isinstance(result, dict):
            return JSONResponse({**result, "truncated": True, "row_limit": self.max_rows}, headers=headers)
        if isinstance(result, Response):
            result.headers.update(headers)
        return result
