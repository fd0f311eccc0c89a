"""Shared fixtures: the seed corpus ingested once into an in-memory store, an in-process HTTP
client, and a real uvicorn server on loopback for client-library tests."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from policykg.graph.store import Store
from policykg.ingest import extract

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus" / "seeds"
LAYOUTS = ROOT / "tests" / "fixtures" / "layouts"
GOLD = Path(__file__).resolve().parent / "gold"
PLAN = SEEDS / "004_8a0f2a3241cfe731.txt"
PLAN_TITLE = "钦州市钦南区法治政府建设实施方案(2016-2020年)"


def small_store(extractions) -> Store:
    """An in-memory store with these documents and, of the ~6,700 divisions, only those around
    the documents' jurisdictions (so owlrl, at ~1,000 triples a second, can close it)."""
    from policykg.ingest.divisions import load, neighbourhood

    divisions = load()
    codes = {ex.jurisdiction_code for ex in extractions} | {p.jurisdiction for ex in extractions for p in ex.issuer_parties}
    codes |= {a.party.jurisdiction for ex in extractions for m in ex.measures for a in m.assignments if a.party}
    s = Store(None)
    s.ensure_vocabularies(neighbourhood(divisions, {c for c in codes if c}))
    for ex in extractions:
        s.put_document(ex)
    return s


@pytest.fixture(scope="session")
def extractions():
    return {p.name[:3]: extract(p) for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="session")
def store(extractions) -> Store:
    s = Store(None)
    s.ensure_vocabularies()
    for ex in extractions.values():
        s.put_document(ex)
    s.refresh_alignments()  # as ingest does
    s.refresh_inferences()
    return s


@pytest.fixture(scope="session")
def client(store):
    from fastapi.testclient import TestClient

    from policykg.api.app import create_app

    return TestClient(create_app(store))


@pytest.fixture(scope="session")
def server(store):
    """A real uvicorn server in a thread on a free loopback port; yields its base URL."""
    import uvicorn

    from policykg.api.app import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not srv.started:
        if time.time() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=5)
