"""The canned queries as API operations: one documented operation per .rq file, typed and
validated parameters from the front matter (enumerations, lists, integers, dates), paging, the
same content negotiation as /sparql, no SPARQL injection, and a new query file served and
documented with no code change."""

from __future__ import annotations

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET

import pytest

from policykg import queries
from tests.conftest import PLAN_TITLE


def test_every_query_file_is_a_documented_operation_with_typed_parameters(client):
    spec = client.get("/openapi.json").json()
    for q in queries.all_queries().values():
        op = spec["paths"][f"/api/queries/{q.name}"]["get"]
        assert op["summary"] == q.summary and q.sparql.strip()[:30] in op["description"]
        names = {p["name"] for p in op["parameters"]}
        assert {p.name for p in q.params} | {"limit", "offset", "inferred", "format"} <= names
    implementers = {p["name"]: p for p in spec["paths"]["/api/queries/implementers"]["get"]["parameters"]}
    assert implementers["measure"]["schema"]["type"] == "integer" and implementers["measure"]["required"]
    due = {p["name"]: p for p in spec["paths"]["/api/queries/due-by"]["get"]["parameters"]}
    assert due["date"]["schema"]["format"] == "date"
    roles = {p["name"]: p for p in spec["paths"]["/api/queries/obligations"]["get"]["parameters"]}["roles"]
    assert roles["schema"]["type"] == "array" and "lead" in roles["schema"]["items"]["enum"] and not roles["required"]
    level = {p["name"]: p for p in spec["paths"]["/api/queries/documents"]["get"]["parameters"]}["level"]
    assert "county" in level["schema"]["enum"]


def test_lists_and_enumerations_are_validated(client):
    all_roles = client.get("/api/queries/obligations", params={"agency": "钦南区法制办"}).json()
    leads = client.get("/api/queries/obligations", params={"agency": "钦南区法制办", "roles": "lead"}).json()
    assert leads["count"] < all_roles["count"] and {r["role"] for r in leads["rows"]} == {"lead"}
    both = client.get("/api/queries/obligations?agency=钦南区法制办&roles=lead&roles=cooperating").json()
    assert {r["role"] for r in both["rows"]} == {"lead", "cooperating"}
    bad = client.get("/api/queries/obligations", params={"agency": "钦南区法制办", "roles": "boss"})
    assert bad.status_code == 400 and "must be one of" in bad.json()["message"]
    assert client.get("/api/queries/documents", params={"level": "city-ish"}).status_code == 400
    assert client.get("/api/queries/due-by", params={"date": "2017-13-45"}).status_code == 400
    assert client.get("/api/queries/implementers", params={"document": PLAN_TITLE, "measure": "3x"}).status_code == 400


def test_paging_with_a_next_link(client):
    first = client.get("/api/queries/obligations", params={"agency": "钦南区法制办", "limit": 5}).json()
    assert len(first["rows"]) == 5 and first["count"] == 20
    second = client.get(first["next"]).json()
    assert second["offset"] == 5 and second["rows"][0] != first["rows"][0]


def test_content_negotiation_like_the_sparql_endpoint(client):
    params = {"document": PLAN_TITLE, "measure": "37"}
    sj = client.get("/api/queries/implementers", params=params, headers={"accept": "application/sparql-results+json"})
    assert sj.headers["content-type"].startswith("application/sparql-results+json")
    assert "role" in json.loads(sj.text)["head"]["vars"]
    xml = client.get("/api/queries/implementers", params=params, headers={"accept": "application/sparql-results+xml"})
    assert ET.fromstring(xml.text).tag.endswith("sparql")
    rows = list(csv.DictReader(io.StringIO(client.get("/api/queries/implementers", params={**params, "format": "csv"}).text)))
    assert {r["agencyLabel"] for r in rows if r["role"] == "lead"} == {"钦南区政务服务管理办", "钦南区法制办"}
    tsv = client.get("/api/queries/implementers", params=params, headers={"accept": "text/tab-separated-values"})
    assert tsv.text.splitlines()[0].startswith("?") and "\t" in tsv.text
    assert client.get("/api/queries/implementers", params={**params, "format": "yaml"}).status_code == 400


@pytest.mark.parametrize("hostile", ['" } ; DROP ALL ; #', "x\") } UNION { ?s ?p ?o } #", "<http://evil/> ?s ?p"])
def test_user_input_never_becomes_sparql(client, hostile):
    before = client.get("/api/stats").json()["triples"]
    r = client.get("/api/queries/measures-search", params={"phrase": hostile})
    assert r.status_code == 200 and r.json()["rows"] == []  # searched for as text, found nowhere
    assert client.get("/api/stats").json()["triples"] == before


def test_a_new_query_file_needs_no_code_change(client, tmp_path, monkeypatch):
    folder = tmp_path / "queries"
    shutil.copytree(queries.QUERY_DIR, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (folder / "measure-count.rq").write_text(
        "#+ summary: How many measures a plan has\n#+ params:\n#+   document: {type: document, description: The plan}\n"
        "SELECT (COUNT(?m) AS ?n) WHERE { ?m lg:document ?document ; a lg:Measure }\n", encoding="utf-8")
    monkeypatch.setattr(queries, "QUERY_DIR", folder)
    assert "/api/queries/measure-count" in client.get("/openapi.json").json()["paths"]
    body = client.get("/api/queries/measure-count", params={"document": PLAN_TITLE}).json()
    assert body["rows"] == [{"n": 65}]  # the 钦南区 plan's 65 measures


def test_hostile_parameters_get_a_clear_4xx_and_the_server_stays_healthy(client):
    huge = client.get("/api/queries/measures-search", params={"phrase": "法" * 5_000})
    assert huge.status_code == 400 and "limit" in huge.json()["message"]
    odd_accept = client.get("/api/queries/obligations", params={"agency": "钦南区法制办"}, headers={"accept": "*/*;q=nonsense, ,;"})
    assert odd_accept.status_code == 200 and odd_accept.json()["count"] == 20
    unknown = client.get("/api/queries/obligations", params={"agency": "钦南区法制办", "agencyX": "1"})
    assert unknown.status_code == 400 and "no parameter agencyX" in unknown.json()["message"]
    assert client.get("/api/queries/no-such-query").json()["error"] == "QueryNotFound"
    assert client.get("/api/no/such/path").json() == {"ok": False, "error": "NotFound", "message": "no such path: /api/no/such/path", "status": 404}
    assert client.get("/api/stats").json()["ok"]  # still serving


def test_values_are_substituted_in_one_pass(store, tmp_path):
    """A value that looks like another parameter's variable stays inside its literal."""
    from policykg.graph.resolve import Resolver

    path = tmp_path / "two.rq"
    path.write_text("#+ summary: two strings\n#+ params:\n#+   a: {type: string}\n#+   b: {type: string}\n"
                    "SELECT ?m WHERE { ?m lg:text ?t . FILTER(CONTAINS(?t, ?a) && CONTAINS(?t, ?b)) }\n", encoding="utf-8")
    q = queries.get(str(path))
    text = q.render(q.bind({"a": "?b", "b": "') || true || CONTAINS(?t, '"}, Resolver(store)))
    assert 'CONTAINS(?t, "?b")' in text
    assert store.select(text) == []  # the hostile value is only searched for


def test_the_http_api_runs_only_the_queries_folder(client, tmp_path, monkeypatch):
    (tmp_path / "evil.rq").write_text("#+ summary: x\nSELECT * WHERE { ?s ?p ?o } LIMIT 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert client.get("/api/queries/evil.rq").status_code == 404


def test_next_link_keeps_inferred(client):
    first = client.get("/api/queries/obligations", params={"agency": "钦南区法制办", "limit": 5, "inferred": "false"}).json()
    assert "inferred=false" in first["next"]
