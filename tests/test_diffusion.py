"""Diffusion (issue 13): adoption of a plan by the divisions below it, the adoption curve and the
event-history table, on tests/fixtures/diffusion (made-up documents, see its README). Expected
answers from reading them: the 广西 plan (2016-06-20) adopted by 钦州市 on 2016-09-01 (73 days)
and 南宁市 on 2017-03-15 (268 days), of 广西's 14 prefectures; at county level by 钦南区 on
2017-07-18 (393 days, through the 钦州市 plan), not by 钦北区 (its 工作要点 is not a plan), and
南宁市's report is no adoption."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import policykg
from policykg.cli import cli
from policykg.graph.store import Store
from policykg.ingest import extract
from policykg.queries.diffusion import lag_days

FIXTURES = Path(__file__).parent / "fixtures" / "diffusion"
GUANGXI = "广西壮族自治区法治政府建设实施方案(2016—2020年)"


@pytest.fixture(scope="module")
def diffusion_store(vocabulary_store, tmp_path_factory) -> Path:
    import shutil

    path = Path(shutil.copytree(vocabulary_store, tmp_path_factory.mktemp("diffusion") / "store"))
    s = Store(path)
    for f in sorted(FIXTURES.glob("*.txt")):
        s.put_document(extract(f), derive=False)
    s.recover()
    s.compact()  # flushed to disk, as an ingest leaves it: a server's snapshot copies the files
    del s
    return path


def test_adoption_by_the_prefectures(diffusion_store):
    kg = policykg.open(diffusion_store)
    df = kg.adoption(GUANGXI, "prefectural")
    assert len(df) == 14 and set(df["divisionName"]) >= {"南宁市", "钦州市", "桂林市", "崇左市"}
    adopted = df[df["adopted"]].set_index("divisionName")
    assert sorted(adopted.index) == ["南宁市", "钦州市"]
    assert adopted.loc["钦州市", "adoptionDate"] == "2016-09-01" and lag_days(adopted.loc["钦州市", "lag"]) == 73
    assert adopted.loc["南宁市", "adoptionDate"] == "2017-03-15" and lag_days(adopted.loc["南宁市", "lag"]) == 268
    assert adopted.loc["南宁市", "firstTitle"] == "南宁市法治政府建设实施方案(2016—2020年)"  # not its report
    assert all(df["parentDivision"].str.endswith("/450000"))


def test_adoption_by_the_counties_goes_through_the_city_plan(diffusion_store):
    df = policykg.open(diffusion_store).adoption(GUANGXI, "county")
    adopted = df[df["adopted"]]
    assert list(adopted["divisionName"]) == ["钦南区"] and lag_days(adopted["lag"].iloc[0]) == 393
    assert not df.loc[df["divisionName"] == "钦北区", "adopted"].iloc[0]  # 工作要点 are not a plan
    assert len(df) > 100  # every county of 广西 is at risk


def test_the_adoption_curve(diffusion_store):
    c = policykg.open(diffusion_store).adoption_curve(GUANGXI, "prefectural")
    assert c[["year", "adopted", "cumulative"]].values.tolist() == [[2016, 1, 1], [2017, 1, 2]]
    assert c["share"].tolist() == [round(1 / 14, 4), round(2 / 14, 4)]


def test_the_event_history_table(diffusion_store):
    kg = policykg.open(diffusion_store)
    h = kg.event_history(GUANGXI, "prefectural")
    # 2016 to the last adoption (2017): 钦州 adopts in 2016 and leaves; 南宁 is at risk in 2016, adopts 2017; 12 others two years each
    assert len(h) == 1 + 2 + 12 * 2
    qinzhou = h[h["name"] == "钦州市"]
    assert qinzhou[["year", "adopted"]].values.tolist() == [[2016, 1]]
    nanning = h[h["name"] == "南宁市"]
    assert nanning[["year", "adopted"]].values.tolist() == [[2016, 0], [2017, 1]]
    assert set(h["parent_division_adopted_on"]) == {"2016-06-20"}  # the province, adopting on its own plan's date
    assert h["adopted"].sum() == 2
    county = kg.event_history(GUANGXI, "县级", years="2016-2018")
    qinnan = county[county["name"] == "钦南区"]
    assert qinnan[["year", "adopted"]].values.tolist() == [[2016, 0], [2017, 1]]
    assert set(qinnan["parent_division_adopted_on"]) == {"2016-09-01"}  # its city's adoption
    assert qinnan["parent_division_adopted_before"].tolist() == [False, True]
    assert county[county["name"] == "钦北区"]["year"].tolist() == [2016, 2017, 2018]


def test_diffusion_from_the_command_line(diffusion_store):
    r = CliRunner().invoke(cli, ["diffusion", GUANGXI, "--level", "prefectural", "--store", str(diffusion_store),
                                 "--table", "history", "--format", "csv"])
    assert r.exit_code == 0, r.output
    lines = r.output.strip().splitlines()
    assert lines[0].startswith("division,code,name,year,adopted") and len(lines) == 1 + 27
    r = CliRunner().invoke(cli, ["diffusion", GUANGXI, "--level", "prefectural", "--store", str(diffusion_store),
                                 "--table", "history", "--years", "2019-2016"])
    assert r.exit_code != 0 and "first year is after the last" in r.output


def test_in_force_on_a_date(diffusion_store):
    kg = policykg.open(diffusion_store)
    titles = set(kg.query("in-force", date="2017-01-31", area="广西")["title"])
    assert titles == {GUANGXI, "钦州市法治政府建设实施方案(2016—2020年)"}  # 南宁 and 钦南区 not yet issued
    later = set(kg.query("in-force", date="2018-06-30", area="钦州市")["title"])
    assert later == {"钦州市法治政府建设实施方案(2016—2020年)", "钦州市钦南区法治政府建设实施方案(2016—2020年)"}
    assert kg.query("in-force", date="2021-03-01", area="100000").empty  # every period ended in 2020


def test_diffusion_over_http(diffusion_store):
    from fastapi.testclient import TestClient

    from policykg.api.app import create_app

    client = TestClient(create_app(Store(diffusion_store, read_only=True)))
    adoption = client.get("/api/diffusion/adoption", params={"document": GUANGXI, "level": "prefectural"}).json()
    assert adoption["count"] == 14 and {r["divisionName"] for r in adoption["rows"] if r["adopted"]} == {"钦州市", "南宁市"}
    history = client.get("/api/diffusion/history", params={"document": GUANGXI, "level": "prefectural", "format": "csv"})
    lines = history.text.strip().splitlines()
    assert lines[0].startswith("division,code,name,year,adopted") and len(lines) == 1 + 27
    curve = client.get("/api/diffusion/curve", params={"document": GUANGXI, "level": "市级"}).json()
    assert [(r["year"], r["cumulative"]) for r in curve["rows"]] == [(2016, 1), (2017, 2)]
    assert client.get("/api/diffusion/gossip", params={"document": GUANGXI, "level": "county"}).status_code == 400
    assert client.get("/api/diffusion/adoption", params={"document": "没有这份文件", "level": "county"}).status_code == 404
    assert client.get("/api/diffusion/adoption", params={"document": GUANGXI}).status_code == 400


def test_curve_and_history_count_divisions_not_rows_and_leave_out_unknown_dates():
    from policykg.queries.diffusion import curve, event_history

    rows = [{"division": "a", "code": "1", "adopted": True, "adoptionDate": "2017-01-02", "parentDate": "2016-01-01"},
            {"division": "a", "code": "1", "adopted": True, "adoptionDate": "2017-01-02", "parentDate": "2016-01-01"},  # two plans that day
            {"division": "b", "code": "2", "adopted": True, "adoptionDate": None, "parentDate": "2016-01-01"},  # a plan with no date
            {"division": "c", "code": "3", "adopted": False, "adoptionDate": None, "parentDate": "2016-01-01"}]
    assert curve(rows) == [{"year": 2017, "adopted": 1, "cumulative": 1, "divisions": 3, "share": round(1 / 3, 4)}]
    history = event_history(rows, "county", (2016, 2018))
    assert [(h["division"], h["year"], h["adopted"]) for h in history] == [
        ("a", 2016, 0), ("a", 2017, 1), ("c", 2016, 0), ("c", 2017, 0), ("c", 2018, 0)]
