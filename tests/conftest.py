"""Shared fixtures: the seed corpus ingested once into an in-memory store, an in-process HTTP
client, and a real uvicorn server on loopback for client-library tests."""

from __future__ import annotations

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
        s.put_document(ex, derive=False)
    return s


@pytest.fixture(scope="session")
def extractions():
    return {p.name[:3]: extract(p) for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="session")
def store(extractions) -> Store:
    s = Store(None)
    s.ensure_vocabularies()
    for ex in extractions.values():
        s.put_document(ex, derive=False)
    s.recover()  # as ingest does: the batch's alignments and entailments
    return s


@pytest.fixture(scope="session")
def client(store):
    from fastapi.testclient import TestClient

    from policykg.api.app import create_app

    return TestClient(create_app(store))


@pytest.fixture(scope="session")
def server(store):
    """A real uvicorn server in a thread on a free loopback port; yields its base URL."""
    from policykg.api.app import create_app
    from tests.w3c.harness import serve

    with serve(create_app(store)) as url:
        yield url


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """List the browser tests' screenshots at the end of the run, so they come with its output."""
    folder = ROOT / "tests" / "artifacts"
    started = getattr(config, "_policykg_started", None)
    shots = sorted(p for p in folder.glob("*.png") if started is None or p.stat().st_mtime >= started) if folder.exists() else []
    if shots:
        terminalreporter.write_sep("-", f"browser screenshots ({len(shots)}) in {folder}")
        for p in shots:
            terminalreporter.write_line(f"{p.name}  {p.stat().st_size:,} bytes")


def pytest_configure(config):
    config._policykg_started = time.time()
