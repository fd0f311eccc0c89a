"""Every operation answers format=csv as well as JSON, and a page says it is a page (issue 14): a
canned query's CSV carries the total and a link to the next page, so ``pd.read_csv(url)`` users can
tell they have 100 rows of more; a resource operation's CSV is the table its JSON gives. Expected
rows are read from the 钦南区 plan (measure 37: led by 钦南区政务服务管理办 and 钦南区法制办)."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

import pytest

from tests.conftest import PLAN_TITLE


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_canned_query_page_in_csv_says_how_many_rows_and_where_the_next_page_is(client):
    whole = client.get("/api/queries/obligations", params={"agency": "钦南区法制办", "limit": 1000}).json()
    total = whole["count"]
    assert total > 5
    first = client.get("/api/queries/obligations", params={"agency": "钦南区法制办", "limit": 5, "format": "csv"})
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/csv")
    assert first.headers["x-total-count"] == str(total)
    link = first.headers["link"]
    assert link.endswith('>; rel="next"') and "offset=5" in link and "format=csv" in link
    second = client.get(link[1:link.index(">")])
    rows = _csv(first.text) + _csv(second.text)
    assert len(_csv(first.text)) == 5 and len(_csv(second.text)) == min(5, total - 5)
    assert [r["measure"] for r in rows] == [r["measure"] for r in whole["rows"][:len(rows)]]
    last = client.get("/api/queries/obligations", params={"agency": "钦南区法制办", "limit": 5, "offset": total - 2, "format": "csv"})
    assert "link" not in last.headers and len(_csv(last.text)) == 2
    json_page = client.get("/api/queries/obligations", params={"agency": "钦南区法制办", "limit": 5})
    assert json_page.headers["x-total-count"] == str(total) and 'rel="next"' in json_page.headers["link"]


def test_implementers_of_a_measure_as_csv(client):
    r = client.get(f"/api/measures/{quote(PLAN_TITLE)}/37/implementers", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = _csv(r.text)
    assert {x["agencyLabel"] for x in rows if x["role"] == "lead"} == {"钦南区政务服务管理办", "钦南区法制办"}
    assert {x["collective"] for x in rows} == {"true", "false"}


@pytest.mark.parametrize("path", [
    f"/api/measures/{quote(PLAN_TITLE)}/37/cascade", f"/api/documents/{quote(PLAN_TITLE)}/lineage",
    f"/api/documents/{quote(PLAN_TITLE)}/coverage", f"/api/documents/{quote('法治政府建设实施纲要(2015-2020年)')}/coverage", f"/api/agencies/{quote('钦南区法制办')}/obligations",
    f"/api/agencies/{quote('钦南区法制办')}/successor", "/api/measures?q=" + quote("执法公示"), "/api/stats"])
def test_every_resource_operation_answers_csv_and_refuses_an_unknown_format(client, path):
    sep = "&" if "?" in path else "?"
    as_csv = client.get(f"{path}{sep}format=csv")
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv"), as_csv.text[:200]
    header = as_csv.text.splitlines()[0] if as_csv.text else ""
    assert header and "," in header  # a header row of at least two columns
    assert client.get(f"{path}{sep}format=json").status_code == 200
    bad = client.get(f"{path}{sep}format=xlsx")
    assert bad.status_code == 400 and bad.json()["error"] == "ParameterError"


def test_the_lineage_csv_is_the_lineage_the_json_gives(client):
    body = client.get(f"/api/documents/{quote(PLAN_TITLE)}/lineage").json()
    rows = _csv(client.get(f"/api/documents/{quote(PLAN_TITLE)}/lineage?format=csv").text)
    assert [r["title"] for r in rows] == body["chain"] == [
        "钦州市法治政府建设实施方案(2016—2020年)", "广西壮族自治区法治政府建设实施方案(2016—2020年)", "法治政府建设实施纲要(2015—2020年)"]
