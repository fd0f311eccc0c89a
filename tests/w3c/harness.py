"""Reading the W3C SPARQL 1.1 test manifests (Protocol, Graph Store Protocol, Service
Description) and running their HTTP exchanges against a live server.

The manifests are read at run time from ``tests/w3c/data/`` (the W3C's files, copied unchanged
with their licence and origin in ``data/LICENSE.md``), so the list of tests is the W3C's. A protocol or graph-store test is a sequence of
``ht:Request``s, each with the ``ht:Response`` expected (``mf:expectedStatus``,
``mf:expectedBoolean``, ``mf:expectedFormat``, response headers and an RDF body compared by
isomorphism, ``mf:expectedLocation`` whose value later requests use). Paths are rewritten for
our server: ``/sparql/`` → ``/sparql``, ``/gsp`` → ``/rdf-graphs/service``. The three service
description tests are prose only; ``SERVICE_DESCRIPTION_CHECKS`` says what each one checks.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from urllib.parse import unquote, urlsplit

from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import graph_diff, isomorphic

SUITE = Path(__file__).resolve().parent / "data"
MANIFESTS = {  # suite name → top manifest
    "protocol": SUITE / "protocol" / "manifest.ttl",
    "graph-store-protocol": SUITE / "graph-store-protocol" / "manifest.ttl",
    "service-description": SUITE / "service-description" / "manifest.ttl",
}
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
PATHS = (("/sparql/", "/sparql"), ("/gsp", "/rdf-graphs/service"))
RESULT_TYPES = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"}
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
             "application/n-quads": "nquads", "application/trig": "trig"}


@dataclass
class Expected:
    statuses: list[str]  # hts local names: StatusCode2xx, OK, Created, NotFound…
    boolean: bool | None = None
    format: str | None = None  # "boolean", "tabular" or "RDF"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    location: str | None = None  # the template variable the Location header fills


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected: Expected


@dataclass
class Case:
    suite: str
    name: str  # the entry's local name, e.g. query_post_form
    title: str
    kind: str  # ProtocolTest, GraphStoreProtocolTest, ServiceDescriptionTest
    requires: list[str]
    exchanges: list[Exchange]
    graph_data: dict[str, Path]  # graph IRI → N-Triples file to load first

    @property
    def id(self) -> str:
        return f"{self.suite}/{self.name}"

    def writes(self) -> bool:
        """Whether the test needs a write to succeed (an update or a graph-store write expected
        to give 2xx): such tests cannot pass on a read-only service."""
        for ex in self.exchanges:
            ok = any(s in {"StatusCode2xx", "OK", "Created", "NoContent"} for s in ex.expected.statuses)
            if ok and (ex.method in {"PUT", "DELETE"} or (ex.method == "POST" and _is_write(ex))):
                return True
        return False


def _is_write(ex: Exchange) -> bool:
    ctype = ex.headers.get("content-type", "")
    if "/rdf-graphs/service" in ex.path:
        return True
    return ctype.startswith("application/sparql-update") or (ex.body or b"").startswith(b"update=")


def _local(node: object) -> str:
    return re.split(r"[#/]", str(node))[-1]


def _items(g: Graph, node: object) -> list:
    return list(Collection(g, node)) if node is not None else []


def _headers(g: Graph, node: object) -> dict[str, str]:
    return {str(g.value(h, HT.fieldName)).lower(): str(g.value(h, HT.fieldValue)) for h in _items(g, g.value(node, HT.headers))}


def _body(g: Graph, node: object) -> tuple[str | None, str]:
    body = g.value(node, HT.body)
    if body is None:
        return None, "UTF-8"
    return str(g.value(body, CNT.chars)), str(g.value(body, CNT.characterEncoding) or "UTF-8")


def _exchange(g: Graph, req: object) -> Exchange:
    path = str(g.value(req, HT.absolutePath))
    for old, new in PATHS:
        if path.startswith(old):
            path = new + path[len(old):]
            break
    text, encoding = _body(g, req)
    resp = g.value(req, HT.resp)
    expected_text, _ = _body(g, resp)
    expected_bool = g.value(resp, MF.expectedBoolean)
    location = g.value(resp, MF.expectedLocation)
    return Exchange(
        method=str(g.value(req, HT.methodName)), path=path, headers=_headers(g, req),
        body=text.encode(encoding) if text is not None else None,
        expected=Expected(statuses=sorted(_local(s) for s in g.objects(resp, MF.expectedStatus)),
                          boolean=expected_bool.toPython() if expected_bool is not None else None,
                          format=str(g.value(resp, MF.expectedFormat)) if g.value(resp, MF.expectedFormat) else None,
                          headers=_headers(g, resp), body=expected_text,
                          location=str(location) if location is not None else None))


def _file(iri: object) -> Path:
    return Path(unquote(urlsplit(str(iri)).path))


def _manifest_files(top: Path) -> list[Path]:
    g = Graph().parse(top, format="turtle", publicID=top.resolve().as_uri())
    files = [top]
    for manifest in g.subjects(RDF.type, MF.Manifest):
        for inc in _items(g, g.value(manifest, MF.include)):
            files += _manifest_files(_file(inc))
    return files


def load_cases() -> list[Case]:
    """Every entry of the three manifests, in manifest order."""
    cases: list[Case] = []
    for suite, top in MANIFESTS.items():
        for path in _manifest_files(top):
            g = Graph().parse(path, format="turtle", publicID=path.resolve().as_uri())
            for manifest in g.subjects(RDF.type, MF.Manifest):
                for entry in _items(g, g.value(manifest, MF.entries)):
                    action = g.value(entry, MF.action)
                    requests = _items(g, g.value(action, HT.requests)) if action is not None else []
                    data = {str(g.value(d, RDFS.label)): _file(g.value(d, UT.graph))
                            for d in g.objects(entry, UT.graphData)}
                    cases.append(Case(suite, _local(entry), str(g.value(entry, MF.name)), _local(g.value(entry, RDF.type)),
                                      sorted(_local(r) for r in g.objects(entry, MF.requires)),
                                      [_exchange(g, r) for r in requests], data))
    return cases


# --- running -------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def media(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def send(base: str, method: str, path: str, headers: dict[str, str], body: bytes | None) -> Answer:
    """One request exactly as written (http.client sends the path and headers untouched)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


def status_matches(code: int, names: list[str]) -> bool:
    for name in names:
        m = re.fullmatch(r"StatusCode(\d)xx", name)
        if m and code // 100 == int(m.group(1)):
            return True
        if not m and HTTPStatus[re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).upper()] == code:
            return True
    return False


def boolean_of(answer: Answer) -> bool:
    if answer.media() == "application/sparql-results+json":
        return bool(json.loads(answer.body)["boolean"])
    root = ET.fromstring(answer.body)
    found = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert found is not None, answer.body[:200]
    return found.text == "true"


def rdf_of(answer: Answer, base: str) -> Graph:
    fmt = RDF_TYPES.get(answer.media())
    assert fmt, f"not an RDF media type: {answer.headers.get('content-type')}"
    return Graph().parse(data=answer.body.decode("utf-8"), format=fmt, publicID=base)


def check(answer: Answer, exp: Expected, where: str) -> None:
    """Assert the answer is what the manifest expects (``where`` names the request)."""
    detail = f"{where}: {answer.status} {answer.headers.get('content-type')} {answer.body[:300]!r}"
    assert status_matches(answer.status, exp.statuses), f"status not in {exp.statuses} — {detail}"
    if exp.format == "boolean":
        assert answer.media() in {"application/sparql-results+json", "application/sparql-results+xml"}, detail
        got = boolean_of(answer)
        assert exp.boolean is None or got is exp.boolean, f"boolean {got}, expected {exp.boolean} — {detail}"
    elif exp.format == "tabular":
        assert answer.media() in RESULT_TYPES, detail
    elif exp.format == "RDF":
        rdf_of(answer, "http://example.org/")
    for name, value in exp.headers.items():
        got = answer.headers.get(name, "")
        if name == "content-type":
            want = [p.strip().lower() for p in value.split(";")]
            have = [p.strip().lower().replace('"', "") for p in got.split(";")]
            assert have[0] == want[0] and set(want[1:]) <= set(have[1:]), f"{name}: {got!r}, expected {value!r} — {detail}"
        else:
            assert got == value, f"{name}: {got!r}, expected {value!r}"
    if exp.body is not None and exp.body.strip():
        fmt = RDF_TYPES[exp.headers.get("content-type", "text/turtle").split(";")[0].strip()]
        want_graph = Graph().parse(data=exp.body, format=fmt)
        got_graph = rdf_of(answer, "http://example.org/")
        if not isomorphic(want_graph, got_graph):
            _, only_want, only_got = graph_diff(want_graph, got_graph)
            raise AssertionError(f"{where}: graphs differ; only expected: {sorted(only_want)[:6]}; only received: {sorted(only_got)[:6]}")


def run(case: Case, base: str, extra_headers: dict[str, str]) -> None:
    """The case's requests in order, each checked; Location values fill later requests."""
    variables: dict[str, str] = {}
    for i, ex in enumerate(case.exchanges, 1):
        path, body = ex.path, ex.body
        for var, value in variables.items():
            path = path.replace(var, value)
            body = body.replace(var.encode(), value.encode()) if body is not None else None
        answer = send(base, ex.method, path, {**ex.headers, **extra_headers}, body)
        check(answer, ex.expected, f"request {i} ({ex.method} {path})")
        if ex.expected.location:
            assert "location" in answer.headers, f"request {i}: no Location header"
            variables[ex.expected.location] = answer.headers["location"]


# --- the service description tests -------------------------------------------------------------

SD_LANGUAGES = {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
SD_FEATURES = {SD.DereferencesURIs, SD.UnionDefaultGraph, SD.RequiresDataset, SD.EmptyGraphs, SD.BasicFederatedQuery}


def _description(base: str) -> tuple[Answer, Graph]:
    answer = send(base, "GET", "/sparql", {}, None)
    return answer, rdf_of(answer, base + "/sparql")


def sd_returns_rdf(base: str) -> None:
    """GET on the endpoint without a query returns RDF."""
    answer, g = _description(base)
    assert answer.status == 200 and len(g) > 0, answer.body[:300]


def sd_has_endpoint_triple(base: str) -> None:
    """The description has ``?service sd:endpoint <the URL that was dereferenced>``."""
    _, g = _description(base)
    assert (None, SD.endpoint, URIRef(base + "/sparql")) in g, sorted(g.objects(None, SD.endpoint))


def sd_conforms_to_schema(base: str) -> None:
    """The description follows the domains and ranges of the SD vocabulary: services have
    endpoints (IRIs) and only the defined languages; features are sd:Feature instances; formats
    are IRIs; a default dataset is an sd:Dataset whose default graph is an sd:Graph and whose
    named graphs are sd:NamedGraphs with exactly one IRI sd:name."""
    _, g = _description(base)
    services = set(g.subjects(RDF.type, SD.Service))
    assert services, "no sd:Service"
    for s in services:
        endpoints = list(g.objects(s, SD.endpoint))
        assert endpoints and all(isinstance(e, URIRef) for e in endpoints)
        languages = set(g.objects(s, SD.supportedLanguage))
        assert languages and languages <= SD_LANGUAGES, languages
        assert set(g.objects(s, SD.feature)) <= SD_FEATURES
        for p in (SD.resultFormat, SD.inputFormat, SD.defaultEntailmentRegime):
            assert all(isinstance(o, URIRef) for o in g.objects(s, p)), p
        for ds in g.objects(s, SD.defaultDataset):
            assert (ds, RDF.type, SD.Dataset) in g
            for dg in g.objects(ds, SD.defaultGraph):
                assert (dg, RDF.type, SD.Graph) in g
            for ng in g.objects(ds, SD.namedGraph):
                assert (ng, RDF.type, SD.NamedGraph) in g
                names = list(g.objects(ng, SD.name))
                assert len(names) == 1 and isinstance(names[0], URIRef), names
                assert all((gr, RDF.type, SD.Graph) in g for gr in g.objects(ng, SD.graph))


SERVICE_DESCRIPTION_CHECKS = {"returns-rdf": sd_returns_rdf, "has-endpoint-triple": sd_has_endpoint_triple,
                              "conforms-to-schema": sd_conforms_to_schema}


# --- a live server ----------------------------------------------------------------------------


def make_app(store: object, **values: object) -> object:
    """Our app over ``store`` with these settings (``query_timeout=1`` …), which the app reads
    when it is created."""
    import pytest

    from policykg.api.app import create_app

    with pytest.MonkeyPatch.context() as mp:
        for name, value in values.items():
            mp.setenv(f"POLICYKG_{name.upper()}", str(value))
        return create_app(store)  # type: ignore[arg-type]


@contextmanager
def serve(app: object) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a thread on a free loopback port; yields its base URL."""
    import uvicorn

    from policykg.api.server import config

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(config(app, "127.0.0.1", port, log_level="warning"))  # as `policykg serve` runs it
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
