"""Security decided on the parsed request (issue 10, item 3): SERVICE and LOAD refused in every
spelling we could think of, and the server never fetches (a canary HTTP server on loopback
counts every request it gets); an allow-listed host works; updates cannot write the derived
graphs; CORS never lets another origin send the update token; the security headers; a zip bomb
.docx refused from its directory; malformed IRIs answered with the JSON 400."""

from __future__ import annotations

import http.server
import io
import re
import struct
import threading
import zipfile
from collections.abc import Iterator
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from policykg import iris
from policykg.errors import ArchiveTooLarge, QueryError
from policykg.graph import reasoning
from policykg.graph.sparql_policy import check_query, check_update, prepare, protected_graph
from policykg.graph.store import meta_graph_iri, vocab_graph_iri
from policykg.namespaces import PREFIXES
from tests.conftest import small_store
from tests.w3c.harness import make_app, serve

TOKEN = "security-test-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
EMPTY_RESULTS = b'{"head":{"vars":[]},"results":{"bindings":[]}}'


# --- a canary: an HTTP server on loopback that counts what it is asked -------------------------


class Canary:
    def __init__(self) -> None:
        self.hits: list[str] = []
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                canary.hits.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(EMPTY_RESULTS)))
                self.end_headers()
                self.wfile.write(EMPTY_RESULTS)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    c = Canary()
    yield c
    c.close()


@pytest.fixture(scope="module")
def writable(extractions):
    """An app with the update token over a small store of its own (SERVICE and LOAD: defaults)."""
    s = small_store([extractions["004"], extractions["001"]])
    s.refresh_inferences()
    return TestClient(make_app(s, update_token=TOKEN, query_workers=0)), s


def quads(store) -> int:
    return len(store.ox)


# --- SERVICE in queries, every spelling ---------------------------------------------------------


def service_queries(url: str, port: int) -> list[str]:
    host = f"http://127.0.0.1:{port}"
    esc_url = "".join(f"\\u{ord(ch):04X}" if ch in "sparql" else ch for ch in url)  # \u escapes in the IRI
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SeRvIcE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        # escapes of letters of the keyword (\u and \U), and of the whole keyword
        f"SELECT * WHERE {{ SERV\\u0049CE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\U00000053\\U00000045RVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { " + "".join(f"\\u{ord(c):04x}" for c in "service") + f" <{url}> {{ ?s ?p ?o }} }}",
        # escapes in the IRI, and the reported bypass: an IRI with a \u escape and then '#' hid
        # the rest of the line from the old tokenizer (on one line, and on the next)
        f"SELECT * WHERE {{ SERVICE <{esc_url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p <urn:x:\\u0061#x> . SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p <urn:x:\\u0061#x> .\nSERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p '\\u0023' . SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <{url}\\u003E {{ ?s ?p ?o }} }}",
        # prefixed names, BASE and relative IRIs, an escaped local name
        f"PREFIX c: <{host}/> SELECT * WHERE {{ SERVICE c:sparql {{ ?s ?p ?o }} }}",
        f"PREFIX c: <http://127.0.0.1:{port}> SELECT * WHERE {{ SERVICE c:\\/sparql {{ ?s ?p ?o }} }}",
        f"BASE <{host}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <//127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        # comments that hide text from one reader and not the other (see also defused_queries)
        f"ASK {{ ?s ?p ?o # a comment\rSERVICE <{url}> {{ ?s ?p ?o }}\n}}",
        f"ASK {{ ?s ?p ?o # a comment\r\nSERVICE <{url}> {{ ?s ?p ?o }}\n}}",
        f"ASK {{ ?s ?p ?o # a comment \\u000D SERVICE <{url}> {{ ?s ?p ?o }}\n}}",
        # nested groups, OPTIONAL, UNION, MINUS, subqueries, EXISTS, GRAPH, the other query forms
        f"SELECT * WHERE {{ {{ {{ {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} LIMIT 1 }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER (NOT EXISTS {{ {{ SERVICE <{url}> {{ }} }} }}) }} LIMIT 1",
        f"SELECT * WHERE {{ BIND(EXISTS {{ SERVICE <{url}> {{ }} }} AS ?x) }}",
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} GROUP BY ?s HAVING (EXISTS {{ SERVICE <{url}> {{ }} }})",
        f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"DESCRIBE ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"ASK {{ SERVICE <{url}> {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        # the endpoint from a variable, a long s, an escaped backslash that makes an escape
        f"SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \u017fERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u005Cu0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


def defused_queries(url: str) -> list[str]:
    """Texts where SERVICE was hidden from a reader that did not expand the escapes first (a
    comment ended by an escaped line break opens a long string): read as SPARQL says, SERVICE
    is inside the string, and that is the reading Oxigraph now runs too."""
    return [f'ASK {{ # \\u000A FILTER("""\nSERVICE <{url}> {{ ?s ?p ?o }}\n# """ = "")\n}}',
            f"ASK {{ # \\u000A FILTER('''\nSERVICE <{url}> {{ ?s ?p ?o }}\n# ''' = '')\n}}"]


def test_service_is_refused_in_every_spelling_and_nothing_is_fetched(client, canary):
    for text in defused_queries(canary.url):
        r = client.get("/sparql", params={"query": text})
        assert r.status_code == 200 and r.json()["boolean"] is False, (text, r.text)
    for text in service_queries(canary.url, canary.port):
        for r in (client.get("/sparql", params={"query": text}),
                  client.post("/sparql", data={"query": text}),
                  client.post("/sparql", content=text.encode(), headers={"content-type": "application/sparql-query"})):
            assert r.status_code in (400, 403), (text, r.status_code, r.text)
            body = r.json()
            assert body["ok"] is False and body["status"] == r.status_code, body
            if r.status_code == 403:
                assert body["error"] == "FetchRefused" and "SERVICE" in body["message"], body
    assert canary.hits == []


def test_service_refusals_say_why(client, canary):
    r = client.get("/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}"})
    assert r.status_code == 403 and "service_hosts" in r.json()["message"] and canary.url in r.json()["message"]
    r = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }"})
    assert r.status_code == 403 and "variable" in r.json()["message"]
    # a text that mentions SERVICE and does not parse is refused with a 400 that says so (fail closed)
    r = client.get("/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }}"})
    assert r.status_code == 400 and "syntax error" in r.json()["message"] and "SERVICE or LOAD" in r.json()["message"]
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p '\\uD800' }"})
    assert r.status_code == 400 and "not a Unicode character" in r.json()["message"]
    assert canary.hits == []


def test_the_words_in_strings_and_comments_are_not_refused(client):
    for text in ("SELECT * WHERE { ?s ?p 'SERVICE <http://127.0.0.1:9/> { }' } LIMIT 1",
                 "# SERVICE <http://127.0.0.1:9/> { }\nASK { ?m a lg:Measure }",
                 "SELECT ?l WHERE { ?s rdfs:label ?l FILTER(CONTAINS(?l, 'download')) } LIMIT 1",
                 "SELECT ('caf\\u00e9 service' AS ?x) WHERE { }"):
        r = client.get("/sparql", params={"query": text})
        assert r.status_code == 200, (text, r.text)
    r = client.get("/sparql", params={"query": "SELECT ('caf\\u00e9 service' AS ?x) WHERE { }"})
    assert r.json()["results"]["bindings"][0]["x"]["value"] == "café service"


def test_every_canned_query_passes_the_check(client):
    """The YASGUI tabs send the canned queries to /sparql; agency-load mentions 'load'."""
    tabs = client.get("/ui/sparql.json").json()["tabs"]
    assert any("load" in t["query"].lower() for t in tabs)
    for t in tabs:
        prepared = prepare(t["query"])
        check_query(prepared, iris.base(), PREFIXES, frozenset())  # raises if refused
        r = client.post("/sparql", data={"query": t["query"]})
        assert r.status_code == 200, (t["name"], r.text)


def test_the_checked_text_is_the_text_run():
    """Escapes expanded over the whole text; CR line ends as LF; an escape that makes an escape refused."""
    assert prepare("SERV\\u0049CE \\U0001F600 a\\u0023b") == "SERVICE \U0001F600 a#b"
    assert prepare("a # x\rSERVICE\r\nb") == "a # x\nSERVICE\nb"
    with pytest.raises(QueryError, match="still has one"):
        prepare("'\\u005Cu0041'")
    with pytest.raises(QueryError, match="not a Unicode character"):
        prepare("\\U00110000")


# --- SERVICE and LOAD in updates (with the token) ------------------------------------------------


def fetching_updates(url: str, port: int) -> list[str]:
    return [
        f"LOAD <{url}>",
        f"LOAD <{url}> INTO GRAPH <urn:x:loaded>",
        f"LOAD SILENT <{url}> INTO GRAPH <urn:x:loaded>",
        f"load <{url}> into graph <urn:x:loaded>",
        f"LO\\u0041D <{url}>",
        f"\\u004C\\u004F\\u0041\\u0044 <{url}>",
        f"PREFIX c: <http://127.0.0.1:{port}/> LOAD c:sparql INTO GRAPH <urn:x:loaded>",
        f"BASE <http://127.0.0.1:{port}/> LOAD <sparql>",
        f"INSERT DATA {{ <urn:x:a> <urn:x:b> 1 }} ; LOAD <{url}>",
        f"CLEAR SILENT GRAPH <urn:x:loaded> ; LOAD <{url}> INTO GRAPH <urn:x:loaded>",
        f"INSERT {{ GRAPH <urn:x:fed> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"INSERT {{ GRAPH <urn:x:fed> {{ ?s ?p ?o }} }} WHERE {{ SERV\\u0049CE <{url}> {{ ?s ?p ?o }} }}",
        f"DELETE {{ ?s ?p ?o }} INSERT {{ GRAPH <urn:x:fed> {{ ?s ?p ?o }} }} WHERE {{ OPTIONAL {{ {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"WITH <urn:x:fed> INSERT {{ ?s ?p ?o }} WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"INSERT {{ GRAPH <urn:x:fed> {{ ?s ?p ?o }} }} USING <urn:x:u> WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{url}> {{ }} }} }}",
        f"INSERT {{ GRAPH <urn:x:fed> {{ ?s ?p ?o }} }} WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"INSERT {{ GRAPH <urn:x:fed> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p <urn:x:\\u0061#x> . SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"INSERT DATA {{ <urn:x:a> <urn:x:b> 1 }} # a comment\rLOAD <{url}>\n",
        f"BASE <http://127.0.0.1:{port}/> INSERT DATA {{ }} ; INSERT {{ GRAPH <urn:x:fed> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <sparql> {{ }} }}",
        f"BASE <http://127.0.0.1:{port}/> INSERT DATA {{ }} ; LOAD <sparql>",
    ]


def test_load_and_service_in_updates_are_refused_with_the_token_and_nothing_changes(writable, canary):
    c, store = writable
    before = quads(store)
    for text in fetching_updates(canary.url, canary.port):
        for r in (c.post("/sparql", data={"update": text}, headers=AUTH),
                  c.post("/sparql", content=text.encode(), headers={"content-type": "application/sparql-update", **AUTH})):
            assert r.status_code in (400, 403), (text, r.status_code, r.text)
            assert r.json()["ok"] is False
    assert canary.hits == [] and quads(store) == before
    r = c.post("/sparql", data={"update": f"LOAD <{canary.url}> INTO GRAPH <urn:x:loaded>"}, headers=AUTH)
    assert r.status_code == 403 and r.json()["error"] == "FetchRefused" and "LOAD" in r.json()["message"]


def test_a_defused_load_is_only_a_string(writable, canary):
    """The update analogue of defused_queries: the escaped line break ends the comment, and the
    LOAD is the text of a literal."""
    c, store = writable
    text = f'INSERT DATA {{ <urn:x:a> <urn:x:b> 1 }} ; # \\u000A INSERT DATA {{ <urn:x:a> <urn:x:b> """\nLOAD <{canary.url}> ;\n# """ }}\n'
    r = c.post("/sparql", data={"update": text}, headers=AUTH)
    assert r.status_code == 200, r.text
    assert c.get("/sparql", params={"query": "ASK { <urn:x:a> <urn:x:b> ?o FILTER(CONTAINS(?o, 'LOAD <')) }"}).json()["boolean"] is True
    assert c.post("/sparql", data={"update": "DELETE WHERE { <urn:x:a> <urn:x:b> ?o }"}, headers=AUTH).status_code == 200
    assert canary.hits == []


def test_read_only_refuses_load_before_anything(client, canary):
    r = client.post("/sparql", data={"update": f"LOAD <{canary.url}>"}, headers=AUTH)
    assert r.status_code == 403 and "read-only" in r.json()["message"] and canary.hits == []


# --- an allow-listed host works ------------------------------------------------------------------


def test_an_allow_listed_host_is_fetched_from_and_no_other(extractions):
    """Our own app on loopback is the remote endpoint; 127.0.0.1 is allowed, localhost is not."""
    remote = small_store([extractions["004"]])
    local = small_store([extractions["001"]])
    with serve(make_app(remote, query_workers=0)) as url:
        c = TestClient(make_app(local, service_hosts="127.0.0.1", update_token=TOKEN, query_workers=1))
        count = "SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE <{}/sparql> {{ ?m a lg:Measure }} }}"
        r = c.get("/sparql", params={"query": count.format(url)})
        assert r.status_code == 200, r.text
        assert r.json()["results"]["bindings"][0]["n"]["value"] == "65"
        # the service description says it federates
        assert "BasicFederatedQuery" in c.get("/sparql").text
        r = c.get("/sparql", params={"query": count.format(url.replace("127.0.0.1", "localhost"))})
        assert r.status_code == 403 and "127.0.0.1" in r.json()["message"]
        r = c.get("/sparql", params={"query": count.format(url.replace("http://", "http://127.0.0.1@localhost.invalid/x@"))})
        assert r.status_code in (400, 403)
        # an update: SERVICE in its WHERE, and LOAD
        r = c.post("/sparql", data={"update": f"INSERT {{ GRAPH <urn:x:fed> {{ ?m a <urn:x:Measure> }} }} "
                                              f"WHERE {{ SERVICE <{url}/sparql> {{ ?m a lg:Measure }} }}"}, headers=AUTH)
        assert r.status_code == 200, r.text
        graph = quote(iris.doc_graph(extractions["004"].key), safe="")
        r = c.post("/sparql", data={"update": f"LOAD <{url}/rdf-graphs/service?graph={graph}> INTO GRAPH <urn:x:loaded>"}, headers=AUTH)
        assert r.status_code == 200, r.text
        n = "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{}> {{ ?s ?p ?o }} }}"
        assert c.get("/sparql", params={"query": n.format("urn:x:fed")}).json()["results"]["bindings"][0]["n"]["value"] == "65"
        assert int(c.get("/sparql", params={"query": n.format("urn:x:loaded")}).json()["results"]["bindings"][0]["n"]["value"]) > 1000
        # an allowed host cannot be a way into a derived graph
        r = c.post("/sparql", data={"update": f"LOAD <{url}/rdf-graphs/service?graph={graph}> INTO GRAPH <{reasoning.closure_graph()}>"},
                   headers=AUTH)
        assert r.status_code == 403 and r.json()["error"] == "ComputedGraph"


# --- derived graphs cannot be written by update --------------------------------------------------


def derived_writes(key: str) -> list[str]:
    closure, inferred = reasoning.closure_graph(), reasoning.doc_inferred_graph(key)
    onto, vocab, meta = iris.ontology_graph(), vocab_graph_iri(), meta_graph_iri()
    root = iris.base() + "graph/"
    t = "<urn:x:s> <urn:x:p> <urn:x:o>"
    return [
        f"INSERT DATA {{ GRAPH <{closure}> {{ {t} }} }}",
        f"INSERT DATA {{ GRAPH <{inferred}> {{ {t} }} }}",
        f"DELETE DATA {{ GRAPH <{onto}> {{ {t} }} }}",
        f"INSERT DATA {{ GRAPH <{vocab}> {{ {t} }} }}",
        f"INSERT DATA {{ GRAPH <{meta}> {{ {t} }} }}",
        f"INSERT DATA {{ GRAPH <{root}journal> {{ {t} }} }}",
        f"INSERT DATA {{ GRAPH <{root}agencies> {{ {t} }} }}",  # shared descriptions, rebuilt from the documents
        f"DROP GRAPH <{root}cited>",
        f"INSERT DATA {{ GRAPH <graph/meta> {{ {t} }} }}",  # relative to the base
        f"INSERT DATA {{ GRAPH <graph/doc/../meta> {{ {t} }} }}",
        f"PREFIX g: <{root}> INSERT DATA {{ GRAPH g:meta {{ {t} }} }}",
        f"PREFIX b: <{iris.base()}> INSERT DATA {{ GRAPH b:graph\\/meta {{ {t} }} }}",  # an escaped local name
        f"INSERT DATA {{ GRAPH <{root}\\u006Deta> {{ {t} }} }}",
        f"INSERT DATA {{ GRAPH <{iris.doc_graph(key)}> {{ {t} }} GRAPH <{closure}> {{ {t} }} }}",
        f"DELETE WHERE {{ GRAPH <{closure}> {{ ?s ?p ?o }} }}",
        f"WITH <{vocab}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
        f"WITH <{inferred}> INSERT {{ {t} }} WHERE {{ }}",
        f"INSERT {{ GRAPH <{onto}> {{ {t} }} }} WHERE {{ }}",
        "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }",
        f"INSERT {{ GRAPH ?g {{ {t} }} }} WHERE {{ BIND(<{closure}> AS ?g) }}",
        "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
        f"DROP GRAPH <{onto}>",
        f"DROP SILENT GRAPH <{inferred}>",
        f"CLEAR GRAPH <{vocab}>",
        f"CREATE GRAPH <{root}journal>",
        f"MOVE <{vocab}> TO <urn:x:stolen>",
        f"COPY <urn:x:any> TO <{onto}>",
        f"ADD DEFAULT TO <{closure}>",
        f"INSERT DATA {{ {t} }} ; DROP GRAPH <{meta}>",
        f"insert data {{ graph <{closure}> {{ {t} }} }}",
        # where rdflib's own reading differs from Oxigraph's, and the check must read as Oxigraph does
        f"BASE <{root}> INSERT DATA {{ {t} }} ; INSERT DATA {{ GRAPH <meta> {{ {t} }} }}",  # BASE carries on
        f"BASE <{reasoning.inferred_prefix()}> INSERT DATA {{ GRAPH <DEFAULT> {{ {t} }} }}",  # an IRI, not the keyword
        f"INSERT DATA {{ GRAPH <graph/inferred/x:y> {{ {t} }} }}",  # relative, with a colon
        f"PREFIX : <{root}> INSERT DATA {{ GRAPH :meta {{ {t} }} }}",
        f"PREFIX g: <graph/> INSERT DATA {{ GRAPH g:meta {{ {t} }} }}",  # a relative prefix
        f"PREFIX dc: <http://purl.org/dc/terms/> PREFIX g: <{root}> INSERT DATA {{ GRAPH g:vocab {{ {t} }} }} ; "
        f"INSERT DATA {{ GRAPH g:meta {{ {t} }} }}",
    ]


def test_updates_cannot_write_derived_graphs(writable, extractions):
    c, store = writable
    key = extractions["004"].key
    protected = [reasoning.closure_graph(), reasoning.doc_inferred_graph(key), iris.ontology_graph(), vocab_graph_iri(), meta_graph_iri()]
    sizes = {g: sum(1 for _ in store.ox.quads_for_pattern(None, None, None, ox.NamedNode(g))) for g in protected}
    assert sizes[reasoning.closure_graph()] > 0 and sizes[iris.ontology_graph()] > 0 and sizes[vocab_graph_iri()] > 0
    before = quads(store)
    for text in derived_writes(key):
        r = c.post("/sparql", data={"update": text}, headers=AUTH)
        assert r.status_code == 403, (text, r.text)
        body = r.json()
        assert body["error"] == "ComputedGraph" and body["status"] == 403, body
    assert quads(store) == before
    r = c.post("/sparql", data={"update": f"INSERT DATA {{ GRAPH <{reasoning.closure_graph()}> {{ <urn:x:a> <urn:x:b> 1 }} }}"}, headers=AUTH)
    assert "inferences" in r.json()["message"]
    r = c.post("/sparql", data={"update": "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }"}, headers=AUTH)
    assert "variable" in r.json()["message"]


def test_the_graph_store_follows_the_same_rule(writable, extractions):
    c, _ = writable
    for graph in (reasoning.closure_graph(), iris.ontology_graph(), vocab_graph_iri(), meta_graph_iri(), f"{iris.base()}graph/agencies"):
        assert protected_graph(graph)
        r = c.put("/rdf-graphs/service", params={"graph": graph}, content=b"", headers={"content-type": "text/turtle", **AUTH})
        assert r.status_code == 403 and r.json()["error"] == "ComputedGraph", r.text
        r = c.delete("/rdf-graphs/service", params={"graph": graph}, headers=AUTH)
        assert r.status_code == 403
    assert protected_graph(iris.doc_graph("k")) is None and protected_graph(f"{iris.base()}graph/posted/1") is None
    assert protected_graph("urn:x:g") is None and protected_graph(iris.doc_graph("")) is not None


def test_updates_may_write_documents_the_default_graph_and_other_graphs(writable, extractions):
    c, store = writable
    key = extractions["004"].key
    t = "<urn:x:s> <urn:x:p> <urn:x:o>"
    r = c.post("/sparql", data={"update": f"INSERT DATA {{ GRAPH <{iris.doc_graph(key)}> {{ {t} }} }}"}, headers=AUTH)
    assert r.status_code == 200 and r.json()["inferences"]["documents"] == [key]
    r = c.post("/sparql", data={"update": f"DELETE DATA {{ GRAPH <graph/doc/{key}> {{ {t} }} }}"}, headers=AUTH)  # relative
    assert r.status_code == 200 and r.json()["inferences"]["documents"] == [key]
    for text in (f"INSERT DATA {{ {t} }}", f"DELETE DATA {{ {t} }}", f"INSERT DATA {{ GRAPH <{iris.base()}graph/posted/x> {{ {t} }} }}",
                 f"DROP GRAPH <{iris.base()}graph/posted/x>", f"INSERT {{ GRAPH <urn:x:out> {{ {t} }} }} WHERE {{ }}",
                 "DROP SILENT GRAPH <urn:x:out>", "CLEAR DEFAULT"):
        r = c.post("/sparql", data={"update": text}, headers=AUTH)
        assert r.status_code == 200 and r.json()["inferences"]["documents"] == [], (text, r.text)


def test_drop_all_and_clear_named_leave_the_derived_graphs_and_recompute(extractions):
    s = small_store([extractions["004"], extractions["001"]])
    s.refresh_inferences()
    c = TestClient(make_app(s, update_token=TOKEN, query_workers=0))
    key = extractions["001"].key
    ontology = sum(1 for q in s.ox.quads_for_pattern(None, None, None, ox.NamedNode(iris.ontology_graph())))
    r = c.post("/sparql", data={"update": "PREFIX x: <urn:x:> CLEAR NAMED ; INSERT DATA { GRAPH x:g { x:a x:b x:c } }"}, headers=AUTH)
    assert r.status_code == 200 and r.json()["inferences"]["documents"] == "all", r.text
    names = {g.value for g in s.ox.named_graphs()}
    assert {iris.ontology_graph(), vocab_graph_iri()} <= names and "urn:x:g" in names
    assert not any(True for _ in s.ox.quads_for_pattern(None, None, None, ox.NamedNode(iris.doc_graph(key))))
    assert sum(1 for q in s.ox.quads_for_pattern(None, None, None, ox.NamedNode(iris.ontology_graph()))) == ontology
    r = c.post("/sparql", content=b"DROP ALL ; INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }",
               headers={"content-type": "application/sparql-update", **AUTH})
    assert r.status_code == 200, r.text
    names = {g.value for g in s.ox.named_graphs()}
    assert {iris.ontology_graph(), vocab_graph_iri()} <= names and "urn:x:g" not in names
    assert not any(n.startswith(iris.doc_graph("")) for n in names)
    assert not any(n.startswith(reasoning.inferred_prefix() + "doc/") for n in names)  # the documents' inferences went
    assert c.get("/sparql", params={"query": "ASK { <urn:x:a> <urn:x:b> <urn:x:c> }"}).json()["boolean"] is True
    r = c.post("/sparql", data={"update": "DROP SILENT NAMED"}, headers=AUTH)  # nothing left to drop
    assert r.status_code == 200, r.text


def test_the_update_plan_reads_the_parsed_text():
    def plan(text: str):
        return check_update(prepare(text), iris.base(), PREFIXES, frozenset())

    assert plan(f"INSERT DATA {{ GRAPH <{iris.doc_graph('abc')}> {{ <a:a> <a:b> 'x;{{' }} }}").documents == ["abc"]
    assert plan("PREFIX g: <" + iris.doc_graph("") + "> DELETE WHERE { GRAPH g:k1 { ?s ?p ?o } }").documents == ["k1"]
    assert plan("INSERT DATA { <urn:a> <urn:b> <urn:c> }").graphs == {"DEFAULT"}
    assert plan("CLEAR ALL").documents is None
    p = plan("PREFIX x: <urn:x:> DROP ALL ; INSERT DATA { <urn:a> <urn:b> 'DROP ALL' } ; CLEAR SILENT NAMED")
    final = p.final([iris.doc_graph("a"), meta_graph_iri(), "urn:g"])
    assert meta_graph_iri() not in final and "'DROP ALL'" in final and final.count("DROP SILENT GRAPH") == 2


# --- CORS -------------------------------------------------------------------------------------


def preflight(c: TestClient, origin: str, method: str, headers: str = "") -> object:
    h = {"origin": origin, "access-control-request-method": method}
    if headers:
        h["access-control-request-headers"] = headers
    return c.options("/sparql" if method in ("GET", "POST") else "/rdf-graphs/service?graph=urn:x:g", headers=h)


def test_cors_by_default_reads_from_anywhere_writes_from_nowhere(client):
    for method, headers in (("PUT", "content-type"), ("DELETE", ""), ("PATCH", ""), ("POST", "content-type, authorization"),
                            ("POST", "Authorization"), ("GET", "authorization")):
        r = preflight(client, "https://evil.example", method, headers)
        assert r.status_code == 403, (method, headers)
        assert not any(k.startswith("access-control-allow") for k in r.headers), r.headers
    r = preflight(client, "https://yasgui.example", "POST", "content-type")
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    assert "PUT" not in r.headers["access-control-allow-methods"]
    # an actual request carrying the token from another origin: no allow header, so the page cannot read it
    r = client.post("/sparql", data={"update": "CLEAR ALL"}, headers={"origin": "https://evil.example", **AUTH})
    assert "access-control-allow-origin" not in r.headers
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "https://evil.example"})
    assert r.headers["access-control-allow-origin"] == "*"


def test_cors_write_origins_are_exact_and_never_a_wildcard(store):
    c = TestClient(make_app(store, write_origins="https://admin.example, https://ops.example/"))
    for origin in ("https://admin.example", "https://ops.example"):
        r = preflight(c, origin, "PUT", "content-type, authorization")
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == origin
        assert "PUT" in r.headers["access-control-allow-methods"] and "authorization" in r.headers["access-control-allow-headers"]
        assert "origin" in r.headers["vary"].lower()
    for origin in ("https://admin.example.evil", "http://admin.example", "https://evil.example", "null"):
        r = preflight(c, origin, "POST", "authorization")
        assert r.status_code == 403 and "access-control-allow-origin" not in r.headers, origin
    r = c.post("/sparql", data={"query": "ASK {}"}, headers={"origin": "https://admin.example", **AUTH})
    assert r.headers["access-control-allow-origin"] == "https://admin.example"
    c = TestClient(make_app(store, write_origins="*"))
    assert preflight(c, "https://any.example", "DELETE").status_code == 403
    c = TestClient(make_app(store, cors_origins="https://a.example", write_origins=""))
    assert preflight(c, "https://a.example", "GET").headers["access-control-allow-origin"] == "https://a.example"
    assert preflight(c, "https://b.example", "GET").status_code == 403
    assert "access-control-allow-origin" not in c.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "https://b.example"}).headers
    c = TestClient(make_app(store, cors_origins="", write_origins=""))
    r = c.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "https://a.example"})
    assert r.status_code == 200 and not any(k.startswith("access-control") for k in r.headers)


# --- security headers ---------------------------------------------------------------------------


def test_every_response_has_nosniff_and_deny_and_pages_a_strict_csp(client, extractions):
    doc = f"/id/doc/{extractions['004'].key}"
    pages = ["/", "/docs", "/ontology.html", "/ui/sparql", "/ui/lineage", "/ui/search?q=法治", "/ui/responsibility", doc]
    others = [("GET", "/sparql?query=ASK%20%7B%7D"), ("GET", "/api/stats"), ("GET", "/static/graph.js"), ("GET", "/no/such/path"),
              ("GET", "/rdf-graphs/service?graph=urn:x:none"), ("POST", "/sparql"), ("GET", "/ontology.ttl"), ("GET", doc + ".json")]
    for method, path in [("GET", p) for p in pages] + others:
        r = client.request(method, path, headers={"accept": "text/html"} if path == doc else {})
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["x-frame-options"] == "DENY", path
        if r.headers["content-type"].startswith("text/html"):
            csp = r.headers["content-security-policy"]
            assert "default-src 'self'" in csp and "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
            assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    r = preflight(client, "https://evil.example", "PUT")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert client.get("/").headers["content-type"].startswith("text/html")


def test_pages_have_no_inline_script_or_style(client, extractions):
    """What the CSP would block: only <script src> and JSON data blocks (application/json, and a
    document's schema.org application/ld+json: data, which browsers do not run), no <style>, no
    style= or on…= attributes."""
    doc = f"/id/doc/{extractions['004'].key}"
    for path in ["/", "/docs", "/ontology.html", "/ui/sparql", "/ui/lineage?document=" + quote(extractions["004"].title),
                 "/ui/search?q=法治", "/ui/responsibility?jurisdiction=450702", doc]:
        html = client.get(path, headers={"accept": "text/html"}).text
        assert "<style" not in html, path
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert " src=" in tag or 'type="application/json"' in tag or 'type="application/ld+json"' in tag, (path, tag)
        assert not re.search(r"<[^>]+\s(style|on[a-z]+)\s*=", html), path
        # and what they load instead is there, on our origin
        for url in re.findall(r'<(?:link rel="stylesheet"[^>]*href|script[^>]*src)="([^"]+)"', html):
            assert url.startswith("/") and client.get(url).status_code == 200, (path, url)


# --- DOCX archives ------------------------------------------------------------------------------


def docx_archive(extra: dict[str, bytes] | None = None) -> bytes:
    from tests.fixtures.build import docx_bytes

    data = docx_bytes("标题\n正文一段。\n")
    if not extra:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        for name, content in extra.items():
            dst.writestr(name, content)
    return out.getvalue()


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """The archive with the central directory saying that ``name`` unpacks to ``size`` bytes."""
    raw = bytearray(data)
    at = 0
    while True:
        at = raw.index(b"PK\x01\x02", at)
        length = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46: at + 46 + length].decode() == name:
            struct.pack_into("<I", raw, at + 24, size)
            return bytes(raw)
        at += 4


def test_a_zip_bomb_docx_is_refused_from_its_directory(tmp_path, monkeypatch):
    from policykg.ingest import docx
    from policykg.ingest.sources import read_source

    ok = tmp_path / "ok.docx"
    ok.write_bytes(docx_archive())
    assert "正文一段" in read_source(ok).text
    # the directory declares 4 GB for one part (nothing is unpacked to find out)
    bomb = tmp_path / "declared.docx"
    bomb.write_bytes(declare_size(docx_archive({"word/media/image1.png": b"x"}), "word/media/image1.png", 0xF0000000))
    with pytest.raises(ArchiveTooLarge) as err:
        read_source(bomb)
    assert err.value.status == 400 and err.value.context["limit"] == "unpacked_bytes"
    assert "would unpack to 4,02" in err.value.message and str(bomb) in err.value.message
    # too many entries
    many = tmp_path / "many.docx"
    many.write_bytes(docx_archive({f"customXml/extra{i}.xml": b"<a/>" for i in range(docx.MAX_ENTRIES + 1)}))
    with pytest.raises(ArchiveTooLarge) as err:
        read_source(many)
    assert err.value.context["limit"] == "entries" and f"{docx.MAX_ENTRIES:,}" in err.value.message
    # a real bomb: 32 MB of zeros in 32 KB, against a lower cap
    monkeypatch.setattr(docx, "MAX_UNPACKED_BYTES", 16_000_000)
    zeros = tmp_path / "zeros.docx"
    zeros.write_bytes(docx_archive({"word/media/zeros.bin": bytes(32_000_000)}))
    assert zeros.stat().st_size < 200_000
    with pytest.raises(ArchiveTooLarge, match="16,000,000"):
        read_source(zeros)


# --- malformed IRIs: the JSON 400, never a 500 --------------------------------------------------


BAD_IRIS = ["not an iri", "http://a b", "http://a/{b}", "http://a/\\b", "http://[::1", "https://x/<y>"]


def test_malformed_iris_in_parameters_get_the_json_400(store, writable):
    c = TestClient(make_app(store), raise_server_exceptions=False)
    w, _ = writable
    for bad in BAD_IRIS:
        answers = [
            c.get("/sparql", params={"query": "ASK {}", "default-graph-uri": bad}),
            c.get("/sparql", params={"query": "ASK {}", "named-graph-uri": bad}),
            c.post("/sparql", data={"query": "ASK {}", "default-graph-uri": bad}),
            c.post(f"/sparql?named-graph-uri={quote(bad)}", content=b"ASK {}", headers={"content-type": "application/sparql-query"}),
            w.post("/sparql", data={"update": "INSERT DATA { }", "using-graph-uri": bad}, headers=AUTH),
            w.post("/sparql", data={"update": "INSERT DATA { }", "using-named-graph-uri": bad}, headers=AUTH),
            c.get("/rdf-graphs/service", params={"graph": bad}),
            c.head("/rdf-graphs/service", params={"graph": bad}),
            w.put("/rdf-graphs/service", params={"graph": bad}, content=b"", headers={"content-type": "text/turtle", **AUTH}),
            w.delete("/rdf-graphs/service", params={"graph": bad}, headers=AUTH),
        ]
        if bad.startswith("http"):  # values that look like IRIs are taken as IRIs by the resolver
            answers += [
                c.get("/api/queries/lineage", params={"document": bad}),
                c.get("/api/queries/obligations", params={"agency": bad}),
                c.get("/api/queries/implementers", params={"document": bad, "measure": "1"}),
                c.get(f"/api/documents/{bad}/lineage"), c.get(f"/api/documents/{bad}/coverage"),
                c.get(f"/api/measures/{bad}/implementers"), c.get(f"/api/measures/{bad}/cascade"),
                c.get(f"/api/agencies/{bad}/obligations"), c.get(f"/api/agencies/{bad}/successor"),
                c.get("/ui/lineage.json", params={"document": bad}), c.get("/ui/responsibility.json", params={"agency": bad}),
                c.get("/ui/responsibility.json", params={"measure": bad}),
            ]
        for r in answers:
            assert r.status_code == 400, (bad, r.request.method, str(r.request.url), r.status_code, r.text[:200])
            if r.request.method != "HEAD":
                body = r.json()
                assert body["ok"] is False and body["status"] == 400 and body["message"], body
    # a jurisdiction IRI whose code is known but which is not an IRI
    r = c.get("/ui/responsibility.json", params={"jurisdiction": "http://x y/450702"})
    assert r.status_code == 400 and r.json()["ok"] is False
    for path in ("/id/doc/%EF%BF%BF", "/id/a b", "/id/doc/<x>"):
        r = c.get(path)
        assert 400 <= r.status_code < 500 and r.json()["ok"] is False, (path, r.status_code)


def test_the_canary_was_never_asked(canary):
    """Run last in this file: nothing above made the server fetch from a host not allowed."""
    assert canary.hits == []
