"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description tests, read from
their manifests at run time and run over HTTP against our server in two configurations:

- ``read-only`` (the default deployment): no update token. Tests that need a write to succeed
  are skipped here, with that reason; the bad-update tests run and must get a 4xx.
- ``update-enabled``: ``update_token`` set and sent as ``Authorization: Bearer``. Every test
  starts from an empty store (DROP ALL over the protocol), then loads its ``ut:graphData``
  with Graph Store PUTs.

Both use an on-disk store in a temporary folder. Skipped everywhere: the tests that require
direct graph identification (graphs named by URLs of this server), since our graphs are
named by IRIs under ``base_iri`` and reached by ``?graph=`` (indirect identification).
Run with ``-rs`` to see each skip's reason."""

from __future__ import annotations

from urllib.parse import quote

import pyoxigraph as ox
import pytest

from tests.w3c.harness import MANIFESTS, SERVICE_DESCRIPTION_CHECKS, SUITE, Case, load_cases, make_app, run, send, serve

pytestmark = pytest.mark.server

TOKEN = "w3c-test-token"
CONFIGS = ("read-only", "update-enabled")
DIRECT = ("the test requires direct graph identification (graph IRI = a URL of this server); our graphs are named by "
          "IRIs under base_iri and reached by ?graph=IRI or ?default (indirect identification)")


def _cases() -> list[Case]:
    if not all(p.exists() for p in MANIFESTS.values()):
        return []
    return load_cases()


CASES = _cases()


def _app(store_dir, token: str | None):
    from policykg.graph.store import Store

    store = Store(store_dir)
    if token is None:  # read-only: the tests' data is there from the start
        for case in CASES:
            for graph, path in case.graph_data.items():
                store.ox.load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
        store.refresh_inferences()
    return make_app(store, update_token=token or "", query_workers=1)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    read_only = _app(tmp_path_factory.mktemp("w3c-read-only") / "store", None)
    writable = _app(tmp_path_factory.mktemp("w3c-update") / "store", TOKEN)
    with serve(read_only) as ro_url, serve(writable) as rw_url:
        yield {"read-only": ro_url, "update-enabled": rw_url}


def _reset(base: str, case: Case) -> None:
    auth = {"authorization": f"Bearer {TOKEN}"}
    r = send(base, "POST", "/sparql", {"content-type": "application/sparql-update", **auth}, b"DROP ALL")
    assert r.status == 200, r.body
    for graph, path in case.graph_data.items():
        r = send(base, "PUT", f"/rdf-graphs/service?graph={quote(graph, safe='')}",
                 {"content-type": "application/n-triples", **auth}, path.read_bytes())
        assert r.status in (200, 201), r.body


def _skip_reason(case: Case, config: str) -> str | None:
    if "DirectGraphIdentification" in case.requires:
        return DIRECT
    if config == "read-only" and case.writes():
        return "needs SPARQL Update or Graph Store writes, which the read-only service refuses (403); runs in update-enabled"
    if case.kind == "ServiceDescriptionTest" and case.name not in SERVICE_DESCRIPTION_CHECKS:
        return f"no translation of the service-description test {case.name!r} into requests yet"
    if case.kind != "ServiceDescriptionTest" and not case.exchanges:
        return "the manifest entry has no HTTP exchange to run"
    return None


def _params() -> list:
    if not CASES:
        return [pytest.param(None, None, id="manifests-missing")]
    return [pytest.param(case, config, id=f"{case.id}[{config}]") for case in CASES for config in CONFIGS]


@pytest.mark.parametrize(("case", "config"), _params())
def test_w3c(servers, case: Case | None, config: str | None):
    if case is None:
        pytest.fail(f"the W3C manifests are not at {SUITE} (tests/w3c/data in the repository)")
    reason = _skip_reason(case, config)
    if reason:
        pytest.skip(reason)
    base = servers[config]
    if case.kind == "ServiceDescriptionTest":
        SERVICE_DESCRIPTION_CHECKS[case.name](base)
        return
    if config == "update-enabled":
        _reset(base, case)
    run(case, base, {"authorization": f"Bearer {TOKEN}"} if config == "update-enabled" else {})
