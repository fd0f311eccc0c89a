"""One query path with limits for every route: canned queries, linked-data pages, UI views and
/sparql all query the store through the executor (a worker process, the time limit, the row cap,
LIMIT/OFFSET in the query, parameters as Oxigraph substitutions), and wait for a worker in a
bounded, per-client fair queue that never holds a thread of the server, so cheap requests are
answered while slow queries pile up."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from policykg import queries
from policykg.api.admission import Admission
from policykg.errors import ServiceBusy, TooManyRequests
from policykg.graph.executor import PAGES, Reader, Task, _Enough, _RowCap, evaluate, service
from policykg.graph.resolve import Resolver
from policykg.graph.store import Store
from tests.conftest import PLAN_TITLE, small_store
from tests.w3c.harness import make_app, serve

API = Path(__file__).resolve().parent.parent / "api"
AGENCY = "/id/agency/450702/人民政府法制办公室"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def capped(store):
    return TestClient(make_app(store, max_rows=3))


@pytest.fixture(scope="module")
def capped10(store):  # an agency page needs its types whole to know it is an agency's
    return TestClient(make_app(store, max_rows=10))


# --- the row cap and paging pushed into the query -------------------------------------------------


def test_measures_search_is_cut_at_the_row_cap_and_pages_on(client, capped):
    full = client.get("/api/queries/measures-search", params={"phrase": "行政"}).json()
    assert full["count"] > 10 and "truncated" not in full
    r = capped.get("/api/queries/measures-search", params={"phrase": "行政"})
    body = r.json()
    assert len(body["rows"]) == 3 and body["truncated"] is True and body["row_limit"] == 3
    assert r.headers["x-policykg-truncated"] == "true" and r.headers["x-policykg-row-limit"] == "3"
    assert body["count"] == full["count"] and body["rows"] == full["rows"][:3]  # counted in the worker
    assert "offset=3" in body["next"]
    second = capped.get(body["next"]).json()
    assert second["rows"] == full["rows"][3:6]
    csv = capped.get("/api/queries/measures-search", params={"phrase": "行政", "format": "csv"})
    assert len(csv.text.strip().splitlines()) == 1 + 3 and csv.headers["x-policykg-truncated"] == "true"
    search = capped.get("/api/measures", params={"q": "行政"})
    assert len(search.json()["rows"]) == 3 and search.json()["truncated"] and "offset=3" in search.json()["next"]


def test_a_page_within_the_cap_is_not_truncated(client):
    page = client.get("/api/queries/obligations", params={"agency": "钦南区法制办", "limit": 5, "offset": 15}).json()
    assert len(page["rows"]) == 5 and page["count"] == 20 and "next" not in page and "truncated" not in page
    beyond = client.get("/api/queries/obligations", params={"agency": "钦南区法制办", "offset": 40}).json()
    assert beyond["rows"] == [] and beyond["count"] == 20


def test_resource_pages_and_ui_twins_are_cut_by_the_row_cap(client, capped, capped10):
    agency = capped10.get(AGENCY + ".json")
    body = agency.json()
    assert len(client.get(AGENCY + ".json").json()["obligations"]) == 20
    assert body["kind"] == "agency" and len(body["obligations"]) == 10 and body["truncated"] is True
    assert agency.headers["x-policykg-truncated"] == "true" and agency.headers["x-policykg-row-limit"] == "10"
    page = capped10.get(AGENCY, headers={"accept": "text/html"})
    assert page.status_code == 200 and page.headers["x-policykg-truncated"] == "true"
    lineage = capped.get("/ui/lineage.json")
    assert len(lineage.json()["corpus"]) == 3 and lineage.json()["truncated"] is True
    assert len(client.get("/ui/lineage.json").json()["corpus"]) == 5
    # the search reads a table a page of the cap at a time, at most PAGES pages of it
    search = capped.get("/ui/search.json", params={"q": "行政"})
    whole = client.get("/ui/search.json", params={"q": "行政"}).json()["count"]
    assert whole > 5 + PAGES * 3  # five documents, and more items than PAGES pages of three rows
    assert search.status_code == 200 and search.json()["truncated"] is True
    assert 5 < search.json()["count"] <= 5 + PAGES * 3 < whole


# --- parameters as escaped terms ------------------------------------------------------------------


HOSTILE = ['" } ; DROP ALL ; #', "x\") } UNION { ?s ?p ?o } #", '?phrase } } SELECT * WHERE { ?s ?p ?o', "行政 \\u0022 <x>"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_parameter_is_written_only_as_one_escaped_literal(client, store, hostile):
    q = queries.named("measures-search")
    text = q.executable(q.bind({"phrase": hostile}, Resolver(store)))
    assert str(ox.Literal(hostile)) in text  # escaped by the RDF library, as one term
    rest = text.replace(str(ox.Literal(hostile)), "")
    assert rest.count("SELECT") == q.sparql.count("SELECT") and "DROP" not in rest and "UNION" not in rest
    quads = len(store.ox)
    r = client.get("/api/queries/measures-search", params={"phrase": hostile})
    assert r.status_code == 200 and r.json()["rows"] == [] and r.json()["count"] == 0
    assert len(store.ox) == quads
    assert client.get("/api/queries/measures-search", params={"phrase": "行政"}).json()["rows"]



@pytest.mark.parametrize("offset,size,count", [(0, 5, False), (0, 30, False), (7, 4, False), (7, 4, True), (20, 5, True),
                                               (0, 23, True), (30, 5, True), (22, 1, False)])
def test_the_row_cap_keeps_the_page_after_an_offset_however_the_answer_is_cut(offset, size, count):
    header = b"?n\t?label\n"
    lines = [f'"{i}"\t"第{i}项"\n'.encode() for i in range(23)]
    body = header + b"".join(lines)
    for chunk in (1, 2, 5, 13, 64, len(body)):
        sink = _RowCap(size, None, offset, count)
        try:
            for i in range(0, len(body), chunk):
                sink.write(body[i:i + chunk])
        except _Enough:
            assert not count, "a counting sink reads the answer to its end"
        assert bytes(sink.data) == header + b"".join(lines[offset:offset + size]), chunk
        assert sink.truncated == (offset + size < 23)
        if count:
            assert sink.lines == 1 + 23


def test_a_page_and_the_count_of_the_whole_answer_are_one_evaluation(store):
    text = "SELECT ?n WHERE { VALUES ?n { " + " ".join(str(i) for i in range(23)) + " } } ORDER BY DESC(?n)"
    outcome = evaluate(store.ox, Task(text, "http://example.org/", max_rows=4, offset=5, count=True))
    assert outcome.total == 23 and outcome.rows == 4 and outcome.truncated
    reader = Reader(service(store), 30.0, 10_000)
    rows, total = reader.page(text, 4, 5)
    assert [r["n"] for r in rows] == [17, 16, 15, 14] and total == 23 and rows.truncated and reader.queries == 1
    rows, total = reader.page(text, 10, 20)
    assert [r["n"] for r in rows] == [2, 1, 0] and total == 23 and not rows.truncated
    rows, total = reader.page(text, 10, 40)
    assert rows == [] and total == 23

# --- every route through the executor -------------------------------------------------------------


def test_no_route_queries_the_store_directly(store, monkeypatch):
    for path in API.glob("*.py"):
        code = path.read_text(encoding="utf-8")
        assert not re.search(r"\bstore\.(select|query|stats)\(|\.ox\.query\(", code), path.name
    app = make_app(store)  # built before the store's own query methods are taken away

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("a route queried the store directly")

    for name in ("select", "query", "documents"):  # (Store.stats is run on a Store reading through the gate)
        monkeypatch.setattr(Store, name, refused)
    c = TestClient(app)
    for path, params in [("/api/queries/implementers", {"document": PLAN_TITLE, "measure": "37"}),
                         ("/api/queries/obligations", {"agency": "钦南区法制办", "format": "csv"}),
                         (f"/api/measures/{PLAN_TITLE}/37/implementers", {}), (f"/api/measures/{PLAN_TITLE}/37/cascade", {}),
                         ("/api/measures", {"q": "公示"}), (f"/api/documents/{PLAN_TITLE}/lineage", {}),
                         (f"/api/documents/{PLAN_TITLE}/coverage", {}), ("/api/agencies/钦南区法制办/obligations", {}),
                         ("/api/agencies/钦南区法制办/successor", {}), (AGENCY + ".json", {}), (AGENCY, {}),
                         ("/ui/lineage.json", {"document": PLAN_TITLE}), ("/ui/responsibility.json", {"agency": "钦南区法制办"}),
                         ("/ui/search.json", {"q": "公示"}), ("/api/stats", {}), ("/", {}),
                         ("/sparql", {"query": "ASK { ?m a lg:Measure }"})]:
        r = c.get(path, params=params)
        assert r.status_code == 200, (path, r.text[:300])


# --- admission ------------------------------------------------------------------------------------


def _jobs(admission: Admission, plan: list[tuple[str, threading.Event | None]], release: threading.Event,
          after: float, pause: float = 0.05) -> list[object]:
    """Submit ``(client, event)`` jobs in order, ``pause`` apart; a job with an event blocks until it
    is set, and ``release`` is set ``after`` seconds (asyncio's timers keep this order even on a
    loaded machine). Returns each job's result: the order it ran in, or the error it got."""
    order: list[str] = []

    async def main() -> list[object]:
        async def one(i: int, client: str, event: threading.Event | None) -> object:
            await asyncio.sleep(i * pause)

            def job() -> int:
                order.append(f"{client}{i}")
                if event is not None:
                    event.wait(10)
                return len(order)
            try:
                return await admission.run(client, job)
            except (ServiceBusy, TooManyRequests) as exc:
                return exc
        everything = asyncio.gather(*(one(i, c, e) for i, (c, e) in enumerate(plan)))
        await asyncio.sleep(after)
        release.set()
        return await everything

    return asyncio.run(main())


def test_admission_refuses_past_the_queue_and_past_the_per_client_limit():
    gate = threading.Event()
    a = Admission(slots=1, queue=3, per_client=3, max_wait=10)
    plan = [("a", gate), ("a", None), ("a", None), ("a", None), ("b", None), ("c", None), ("b", None)]
    results = _jobs(a, plan, gate, after=0.6)
    # a3: a has three under way already
    assert isinstance(results[3], TooManyRequests) and results[3].status == 429 and int(results[3].headers()["Retry-After"]) >= 1
    # c5 finds the queue full (a1 a2 b4): a, with the most under way, loses its newest; b6 would be as heavy as a: refused
    for refused in (results[2], results[6]):
        assert isinstance(refused, ServiceBusy) and refused.status == 503 and "query_queue" in refused.message
        assert int(refused.headers()["Retry-After"]) >= 1
    # when a slot frees, the waiting client with the fewest under way goes first (the oldest among equals)
    assert [results[i] for i in (0, 4, 1, 5)] == [1, 2, 3, 4]
    assert a.counts["refused_client"] == 1 and a.counts["pushed_out"] == 1 and a.counts["refused_queue"] == 1
    assert a._running == 0 and not a._clients and not a._waiting


def test_a_request_waits_at_most_max_wait():
    gate = threading.Event()
    a = Admission(slots=1, queue=5, per_client=5, max_wait=0.3)
    started = time.monotonic()
    results = _jobs(a, [("a", gate), ("b", None)], gate, after=1.0)
    assert results[0] == 1 and isinstance(results[1], ServiceBusy) and "waited" in results[1].message
    assert time.monotonic() - started >= 1.0 and a._running == 0


# --- a real server under a burst of slow queries ----------------------------------------------------


async def _burst(url: str, slow: int, clients: int) -> tuple[list[tuple[int, dict, dict, float]], dict[str, tuple[int, float]]]:
    """``slow`` cross joins from ``clients`` loopback addresses at once, then probes from
    127.0.0.1; every answer with the time it came, from the start."""
    started = time.monotonic()
    senders = [httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address=f"127.0.0.{2 + i}"), timeout=120)
               for i in range(clients)]
    probe = httpx.AsyncClient(timeout=120)

    async def one(http: httpx.AsyncClient) -> tuple[int, dict, dict, float]:
        r = await http.get(f"{url}/sparql", params={"query": CARTESIAN})
        return r.status_code, r.json(), dict(r.headers), time.monotonic() - started

    async def probed(path: str, params: dict[str, str] | None = None) -> tuple[int, float]:
        await asyncio.sleep(0.8)  # the slow queries are in: both workers busy, the queue full
        r = await probe.get(f"{url}{path}", params=params)
        return r.status_code, time.monotonic() - started

    try:
        tasks = [one(senders[i % clients]) for i in range(slow)]
        probes = {"settings": probed("/api/settings"), "static": probed("/static/ui.css"),
                  "ask": probed("/sparql", {"query": "ASK { ?m a lg:Measure }"})}
        results = await asyncio.gather(*tasks, *probes.values())
    finally:
        for http in (*senders, probe):
            await http.aclose()
    return results[:slow], dict(zip(probes, results[slow:]))  # type: ignore[arg-type]


def test_slow_queries_wait_in_a_bounded_queue_and_never_block_cheap_requests(extractions):
    s = small_store([extractions["004"]])
    with serve(make_app(s, query_workers=2, query_timeout=4, query_queue=32, per_client_queries=8)) as url:
        assert httpx.get(f"{url}/sparql", params={"query": "ASK { ?m a lg:Measure }"}, timeout=60).json()["boolean"]
        slow, probes = asyncio.run(_burst(url, slow=48, clients=6))
        refused = [r for r in slow if r[1]["error"] == "ServiceBusy" and "query_queue" in r[1]["message"]]
        ran = [r for r in slow if r not in refused]
        # past the two running and the 32 waiting: 503 at once, with Retry-After
        assert len(refused) >= 48 - 2 - 32 and all(r[0] == 503 and int(r[2]["retry-after"]) >= 1 for r in refused)
        assert all(r[0] == 503 and r[1]["error"] in ("QueryTimeout", "ServiceBusy") for r in ran), ran
        assert all(status == 200 for status, _ in probes.values()), probes  # probes are never refused
        first_done = min(t for *_, t in ran)
        assert probes["settings"][1] < first_done and probes["static"][1] < first_done  # cheap: no wait for a worker
        assert probes["ask"][1] < max(t for *_, t in ran)  # a query from another client goes ahead of the queue
        assert httpx.get(f"{url}/api/settings", timeout=10).status_code == 200
        assert httpx.get(f"{url}/sparql", params={"query": "ASK { ?m a lg:Measure }"}, timeout=60).json()["boolean"]


def test_a_client_past_its_limit_gets_429(extractions):
    s = small_store([extractions["004"]])
    with serve(make_app(s, query_workers=2, query_timeout=2, per_client_queries=2)) as url:
        async def burst() -> list[httpx.Response]:
            async with httpx.AsyncClient(timeout=60) as http:
                return await asyncio.gather(*(http.get(f"{url}/sparql", params={"query": CARTESIAN}) for _ in range(3)))
        answers = asyncio.run(burst())
        assert sorted(r.status_code for r in answers) == [429, 503, 503]
        limited = next(r for r in answers if r.status_code == 429)
        assert limited.json()["error"] == "TooManyRequests" and int(limited.headers["retry-after"]) >= 1


def test_two_processes_reading_one_store_keep_their_own_snapshots(tmp_path):
    """Each process's workers read their own snapshot folder beside the store: a second server (or
    a command) opening the store leaves the first's snapshots alone, and a folder left by a process
    that ended is removed. (Before, the second removed the folder of all snapshots, and the first's
    next query failed: "No such file or directory … .sst".)"""
    from policykg.graph.executor import _Snapshots

    store = Store(tmp_path / "store")
    store.ox.add(ox.Quad(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"), ox.Literal("o"),
                         ox.NamedNode("https://example.org/g")))
    store.ox.flush()
    base = tmp_path / ".store.sparql-snapshots"
    dead = base / "999999999-0dead0"  # no such process
    dead.mkdir(parents=True)
    first = _Snapshots(store)
    taken = Path(first.path(store, 0))
    second = _Snapshots(store)
    assert taken.is_dir() and not dead.exists()
    assert list(ox.Store.read_only(str(taken)).quads_for_pattern(None, None, None, None))  # still readable
    assert first.root != second.root and first.root.parent == second.root.parent == base
    first.close()
    assert not first.root.exists() and second.root.is_dir()
    second.close()
    assert not base.exists()


def test_a_store_that_cannot_be_read_is_the_servers_fault_not_the_querys():
    """An IO error while a query is evaluated (a snapshot's file gone) answers 503 StoreError, not
    400 as if the query were wrong; an error of the query itself stays a 400."""

    class Unreadable:
        def query(self, *args, **kwargs):
            raise OSError("IO error: No such file or directory: While open a file for random read: 000123.sst")

    class Wrong:
        def query(self, *args, **kwargs):
            raise RuntimeError("a type error in the query")

    task = Task("SELECT * WHERE { ?s ?p ?o }", "https://example.org/", format="tsv", max_rows=10)
    io = evaluate(Unreadable(), task)
    assert io.status == 503 and io.error == "StoreError" and "could not be read" in (io.message or "")
    wrong = evaluate(Wrong(), task)
    assert wrong.status == 400 and wrong.error == "QueryError"
