"""The HTTP API in process: canned queries, resource operations, error shape and hostile input."""

from __future__ import annotations

import pytest

from tests.conftest import PLAN_TITLE


def test_implementers_canned_query_over_http(client):
    r = client.get("/api/queries/implementers", params={"document": PLAN_TITLE, "measure": "37"})
    assert r.status_code == 200
    rows = r.json()["rows"]
    assert {x["agencyLabel"] for x in rows if x["role"] == "lead"} == {"钦南区政务服务管理办", "钦南区法制办"}
    assert {x["deadline"] for x in rows} == {"2017-12-31"}


def test_measure_implementers_resource(client):
    r = client.get(f"/api/measures/{PLAN_TITLE}/37/implementers")
    body = r.json()
    assert r.status_code == 200 and body["number"] == 37 and body["deadline"] == "2017-12-31"
    assert body["text"].startswith("全面推行行政执法公示制度")
    same = client.get(f"/api/measures/{body['measure']}/implementers").json()
    assert same["implementers"] == body["implementers"]


def test_document_lineage_resource(client):
    body = client.get(f"/api/documents/{PLAN_TITLE}/lineage").json()
    assert body["chain"] == ["钦州市法治政府建设实施方案(2016—2020年)", "广西壮族自治区法治政府建设实施方案(2016—2020年)", "法治政府建设实施纲要(2015—2020年)"]


def test_agency_obligations_resource(client):
    body = client.get("/api/agencies/钦南区法制办/obligations").json()
    assert body["name"] == "广西壮族自治区钦州市钦南区人民政府法制办公室"
    assert sum(1 for o in body["obligations"] if o["role"] == "lead") == 12


def test_measure_text_search(client):
    body = client.get("/api/measures", params={"q": "行政执法公示"}).json()
    assert [int(r["number"]) for r in body["rows"]] == [37]


def test_paging_of_canned_queries(client):
    full = client.get("/api/queries/due-by", params={"date": "2017-12-31"}).json()
    page = client.get("/api/queries/due-by", params={"date": "2017-12-31", "limit": 5, "offset": 5}).json()
    assert full["count"] == page["count"] == 17
    assert page["rows"] == full["rows"][5:10]


def test_csv_by_accept(client):
    r = client.get("/api/queries/reports", params={"year": "2017"}, headers={"accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv") and "吴忠市" in r.text


@pytest.mark.parametrize(
    "path, params, status",
    [
        ("/api/queries/nope", {}, 404),
        ("/api/queries/due-by", {"date": "yesterday"}, 400),
        ("/api/queries/implementers", {"document": PLAN_TITLE}, 400),
        ("/api/queries/implementers", {"document": "} DROP ALL {", "measure": "1"}, 404),
        ("/api/agencies/法制办/obligations", {}, 404),
        ("/api/measures", {"q": ""}, 400),
        ("/api/queries/due-by", {"date": "2017-12-31", "limit": "-1"}, 400),
    ],
)
def test_errors_have_one_json_shape(client, path, params, status):
    r = client.get(path, params=params)
    assert r.status_code == status
    body = r.json()
    assert body["ok"] is False and body["status"] == status and body["message"]


def test_hostile_sparql_gets_4xx_and_leaves_the_server_healthy(client, store):
    before = store.stats().to_dict()
    for q in ["DROP ALL", "PREFIX x: <http://x/> INSERT DATA { <a> <b> <c> }", "SELECT * WHERE {", "#" + "x" * 200_000]:
        r = client.post("/sparql", data={"query": q})
        assert 400 <= r.status_code < 500, q[:40]
        assert r.json()["ok"] is False
    r = client.post("/sparql", content="DELETE WHERE { ?s ?p ?o }", headers={"content-type": "application/sparql-update"})
    assert r.status_code == 403 and "read-only" in r.json()["message"]  # no update token configured
    r = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"accept": "garbage/;;q=x"})
    assert r.status_code == 200 and r.json()["boolean"] is True
    assert store.stats().to_dict() == before


def test_ontology_served_as_turtle_and_html(client):
    r = client.get("/ontology", headers={"accept": "text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle") and "lg:Measure" in r.text
    html = client.get("/ontology", headers={"accept": "text/html"}).text
    assert "措施" in html and "Measure" in html and "<table>" in html


def test_home_docs_and_openapi(client):
    spec = client.get("/openapi.json").json()
    assert "/api/queries/implementers" in spec["paths"] and "/sparql" in spec["paths"]
    docs = client.get("/docs").text
    assert "/api/documents/{document_id}/lineage" in docs and "cdn" not in docs.lower()
    home = client.get("/").text
    assert "implementers" in home and "/api/stats" in home


def test_implementers_of_the_second_measure_with_a_repeated_number(tmp_path):
    """A plan whose numbering restarts in each section: 1-2 is the second measure numbered 1."""
    from fastapi.testclient import TestClient

    from policykg.api.app import create_app
    from policykg.graph.store import Store
    from policykg.ingest import extract

    plan = tmp_path / "plan.txt"
    plan.write_text("钦南区法治政府建设实施方案(2016—2020年)\n一、主要任务\n(一)依法全面履行政府职能\n"
                    "1.推行权力清单制度。(区编办负责,2017年底前完成)\n(二)严格规范公正文明执法\n"
                    "1.落实三项制度。(区法制办负责,2018年底前完成)\n", encoding="utf-8")
    store = Store(None)
    store.ensure_vocabularies()
    ex = extract(plan)
    store.put_document(ex)
    client = TestClient(create_app(store))
    second = client.get(f"/api/measures/{ex.key}/1-2/implementers").json()
    assert second["id"] == "1-2" and second["text"].startswith("落实三项制度")
    assert [i["agencyLabel"] for i in second["implementers"]] == ["钦南区法制办"]
    assert second["deadline"] == "2018-12-31"
    ambiguous = client.get(f"/api/measures/{ex.key}/1/implementers")
    assert ambiguous.status_code == 404 and "1-1, 1-2" in ambiguous.json()["message"]


def test_lineage_api_gives_paths_with_evidence(client):
    body = client.get("/api/documents/钦州市钦南区法治政府建设实施方案(2016-2020年)/lineage").json()
    ancestors = {a["title"]: a for a in body["ancestors"]}
    city = ancestors["钦州市法治政府建设实施方案(2016—2020年)"]
    assert city["depth"] == 1 and city["path"][0]["relation"] == "based_on"
    assert "钦州市法治政府建设实施方案" in city["path"][0]["evidence"]["quote"]
    assert body["descendants"] == []


def test_coverage_api_groups_divisions(client):
    body = client.get("/api/documents/钦州市法治政府建设实施方案(2016—2020年)/coverage").json()
    assert [d["name"] for d in body["covered"]] == ["钦南区"]
    assert body["covered"][0]["documents"][0]["title"].startswith("钦州市钦南区法治政府建设实施方案")
    # GB/T 2260: 钦州市 has 钦南区, 钦北区, 灵山县 and 浦北县; only 钦南区 has a plan in the seeds
    assert {d["name"] for d in body["not_covered"]} == {"钦北区", "灵山县", "浦北县"}


def test_cascade_api_on_the_seeds_returns_the_measure_itself_with_its_bodies(client):
    """On the seeds alone 004's parents are not in the corpus, so measure 37 is carried by itself."""
    body = client.get(f"/api/measures/{PLAN_TITLE}/37/cascade").json()
    assert body["ok"] and len(body["carriers"]) == 1
    top = body["carriers"][0]
    assert top["depth"] == 0 and top["path"] == [] and top["jurisdiction"] == "钦南区"
    assert {i["agencyLabel"] for i in top["implementers"] if i["role"] == "lead"} == {"钦南区政务服务管理办", "钦南区法制办"}
