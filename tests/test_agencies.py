"""Agencies across documents: the same body gets the same IRI in every document of its
jurisdiction and across years; party bodies, leading groups, branch offices, other
jurisdictions spelt out, and collectives with the area they range over. Expected names are read
from the fixture texts (tests/fixtures/layouts) and the 钦南区 seed plan."""

from __future__ import annotations

import pytest

from policykg.ingest import extract
from tests.conftest import LAYOUTS, PLAN

AGENCY = "https://w3id.org/policykg/id/agency/"


@pytest.fixture(scope="module")
def parties():
    """surface form → {party IRI} per document, over the 钦南区 documents of 2016, 2017 and 2018."""
    out = {}
    for path in (PLAN, LAYOUTS / "qinnan_task_table.html", LAYOUTS / "qinnan_labelled_lines.txt"):
        ex = extract(path)
        out[path.name] = {(a.agency): a.party for m in ex.measures for a in m.assignments}
    return out


def test_same_agency_same_iri_in_every_document_and_year(parties):
    plan, table, lines = parties[PLAN.name], parties["qinnan_task_table.html"], parties["qinnan_labelled_lines.txt"]
    for name in ("区法制办", "区编办", "区发改局"):
        iris = {p[name].iri for p in (plan, table, lines) if name in p}
        assert len(iris) == 1, (name, iris)
    assert plan["区法制办"].iri == AGENCY + "450702/人民政府法制办公室"
    assert plan["公安钦南分局"].iri == table["公安钦南分局"].iri


def test_party_bodies_and_leading_groups(parties):
    lines = parties["qinnan_labelled_lines.txt"]
    org = lines["区委组织部"]
    assert (org.kind, org.full_name, org.jurisdiction) == ("party-body", "中共钦南区委组织部", "450702")
    assert lines["区委政法委"].kind == "party-body"
    group = lines["区推进依法行政工作领导小组办公室"]
    assert group.kind == "leading-group" and group.jurisdiction == "450702"


def test_branch_office_is_a_unit_of_the_municipal_bureau(parties):
    branch = parties[PLAN.name]["公安钦南分局"]
    assert branch.kind == "branch-office"
    assert branch.full_name == "钦州市公安局钦南分局"
    assert branch.branch_of == AGENCY + "450700/公安局"


def test_a_higher_level_body_spelt_out_in_a_district_document(parties):
    bureau = parties["qinnan_task_table.html"]["钦州市公安局"]
    assert bureau.iri == AGENCY + "450700/公安局" and bureau.jurisdiction == "450700"


def test_provincial_abbreviations_and_collectives():
    ex = extract(LAYOUTS / "guangxi_carry_over.txt")
    by_name = {a.agency: a.party for m in ex.measures for a in m.assignments}
    assert by_name["自治区法制办"].full_name == "广西壮族自治区人民政府法制办公室"
    assert by_name["自治区党委组织部"].kind == "party-body"
    assert by_name["自治区党委组织部"].iri == AGENCY + "450000/委组织部"
    carried = by_name["各市、县(市、区)人民政府"]
    assert carried.collective and carried.jurisdiction == "450000"
    direct = by_name["自治区直属各有关部门"]
    assert direct.collective and direct.iri.endswith("450000/有关部门")


def test_a_two_character_county_names_its_own_bodies():
    """In a document of 沛县 or 徽县 (county names of two characters, read only where the document
    supports them), 沛县司法局 is the county's 司法局, the same body as 县司法局; and the 2018 reform
    that merged its 法制办 into the 司法局 ends in that same body, not in a "沛县沛县司法局"."""
    from policykg.ingest import agencies, reforms
    from policykg.ingest.divisions import load

    divisions = load()
    for code in ("320322", "621227"):  # 沛县 (徐州市), 徽县 (陇南市)
        county = divisions.get(code)
        spelt = agencies.resolve(f"{county.name}司法局", county, divisions)
        bare = agencies.resolve("县司法局", county, divisions)
        assert spelt.iri == bare.iri and spelt.iri.endswith(f"/{code}/司法局"), spelt.iri
        assert spelt.full_name.endswith(f"{county.name}司法局") and f"{county.name}{county.name}" not in spelt.full_name
        office = agencies.resolve(f"{county.name}人民政府法制办公室", county, divisions)
        merged = reforms.succession(office, divisions)
        assert merged is not None and merged.successor.iri == bare.iri
