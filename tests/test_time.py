"""Time (issue 13): what was in force, and which obligations were open, on a date. Expected answers
from reading the 钦南区 plan (published 2017-07-18, for 2016—2020; each measure's deadline as
hand-annotated in tests/gold/004_measures.json, the plan's default 2019-12-31 for the measures
without one)."""

from __future__ import annotations

import json
from pathlib import Path

import policykg
from tests.conftest import PLAN_TITLE

GOLD = json.loads((Path(__file__).parent / "gold" / "004_measures.json").read_text(encoding="utf-8"))


def _open_on(date: str) -> set[int]:
    return {m["number"] for m in GOLD["measures"] if m["assignments"] and m["deadline"] >= date}


def test_the_plan_is_in_force_within_its_period_once_published(store):
    kg = policykg.open(store)
    assert list(kg.query("in-force", date="2018-06-30", area="广西")["title"]) == [PLAN_TITLE]
    assert list(kg.query("in-force", date="2020-12-31", area="100000")["title"]) == [PLAN_TITLE]
    assert kg.query("in-force", date="2017-07-17", area="钦南区").empty  # the day before it was published
    assert kg.query("in-force", date="2021-01-01", area="钦南区").empty  # its period is over
    assert kg.query("in-force", date="2018-06-30", area="山东省").empty  # 张店区's is a report: no period
    row = kg.query("in-force", date="2018-06-30", area="钦州市").iloc[0]
    assert (row["periodStart"], row["periodEnd"], row["issued"], row["genre"]) == (2016, 2020, "2017-07-18", "实施方案")


def test_obligations_open_on_a_date_are_the_measures_not_yet_due(store):
    kg = policykg.open(store)
    for date in ("2017-12-31", "2018-06-30", "2019-12-31"):
        df = kg.query("open-obligations", date=date, jurisdiction="钦南区")
        assert set(df["number"].astype(int)) == _open_on(date), date
        assert (df["deadline"] >= date).all()
    assert kg.query("open-obligations", date="2020-01-01", jurisdiction="钦南区").empty  # every deadline passed
    assert kg.query("open-obligations", date="2017-07-01", jurisdiction="钦南区").empty  # not yet published
    fzb = kg.query("open-obligations", date="2018-06-30", agency="钦南区法制办")
    led = {m["number"] for m in GOLD["measures"] if m["deadline"] >= "2018-06-30"
           and any(a["agency"] == "区法制办" for a in m["assignments"])}
    assert set(fzb["number"].astype(int)) == led and set(fzb["bodyLabel"]) == {"钦南区法制办"}


def test_who_held_the_duties_of_a_body_on_a_date(store):
    """钦南区法制办 was merged into 钦南区司法局 in the 2018 round: decided by the State Council's
    plan of 2018-03-17, done at county level by 2019-03-31 (ingest/data/reforms.yaml and its sources)."""
    kg = policykg.open(store)

    def holders(date: str, agency: str = "钦南区法制办") -> set[tuple[str, str]]:
        return {(r["holderLabel"], r["status"]) for _, r in kg.query("duty-holder", agency=agency, date=date).iterrows()}

    assert holders("2018-01-01") == {("钦南区法制办", "certain")}
    assert holders("2018-06-30") == {("钦南区法制办", "possible"), ("钦南区司法局", "possible")}
    assert holders("2019-03-30") == {("钦南区法制办", "possible"), ("钦南区司法局", "possible")}
    assert holders("2019-03-31") == {("钦南区司法局", "certain")}
    assert holders("2019-06-30", agency="钦南区编办") == {("钦南区编办", "certain")}  # no reform took its duties
