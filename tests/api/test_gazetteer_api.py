"""The fifth level through the API: 12-digit and zero-padded codes, level-5 names, locality search.

Runs on the seed data with the fixture gazetteer (tests/conftest.py): levels 1-4 whole, the
villages and communities of a few townships, the curated page's cases under 长城社区.
"""

from __future__ import annotations

import csv

import pytest

from cases.models import Case, Level, Locality
from tests.conftest import FIXTURE_VILLAGES

pytestmark = pytest.mark.usefixtures("seeded")


def case_ids(client, **params) -> set[str]:
    response = client.get("/api/v1/cases/", {**params, "page_size": 200})
    assert response.status_code == 200, response.json()
    return {row["public_id"] for row in response.json()["results"]}


def locality_codes(client, **params) -> list[str]:
    response = client.get("/api/v1/localities/", {**params, "page_size": 200})
    assert response.status_code == 200, response.json()
    return [row["code"] for row in response.json()["results"]]


def fixture_villages_under(prefix: str) -> list[str]:
    with FIXTURE_VILLAGES.open(encoding="utf-8") as handle:
        return sorted(row["code"] for row in csv.DictReader(handle) if row["code"].startswith(prefix))


def test_a_12_digit_community_code_returns_the_cases_under_it(client):
    community = Locality.objects.get(code="510105005007")
    expected = {
        case.public_id
        for case in Case.objects.published()
        if case.primary_locality.path.startswith(community.path)
        or any(place.path.startswith(community.path) for place in case.localities.all())
    }
    assert expected
    assert case_ids(client, region="510105005007") == expected


@pytest.mark.parametrize(
    ("padded", "code"),
    [("510000", "51"), ("510100", "5101"), ("510100000000", "5101"), ("510105005000", "510105005")],
)
def test_zero_padded_codes_mean_the_shorter_code(client, padded, code):
    assert case_ids(client, region=padded) == case_ids(client, region=code)
    level = Locality.objects.get(code=code).level
    assert locality_codes(client, region=padded, level=level) == [code]


def test_a_padded_code_of_nothing_is_still_a_clear_400(client):
    response = client.get("/api/v1/cases/", {"region": "990000"})
    assert response.status_code == 400
    assert "no locality has the statistical code 990000" in response.json()["error"]["message"]


def test_an_ambiguous_community_name_lists_its_candidates(client):
    response = client.get("/api/v1/cases/", {"region": "长城社区"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "ambiguous_region"
    assert {c["code"] for c in error["candidates"]} == {"510105005007", "510107010002"}


def test_a_unique_village_name_is_a_region(client):
    assert client.get("/api/v1/cases/", {"region": "东于架村"}).status_code == 200
    assert client.get("/api/v1/localities/", {"region": "东于架村"}).json()["results"][0]["code"] == "371403108256"


def test_localities_q_finds_by_name_prefix_short_form_committee_name_and_code(client):
    assert "510105005007" in locality_codes(client, q="长城社")
    assert locality_codes(client, q="东于架") == ["371403108256"]  # the short form of 东于架村
    assert locality_codes(client, q="东于架村委") == ["371403108256"]  # the committee name
    assert locality_codes(client, q="371403108") == ["371403108", *fixture_villages_under("371403108")]
    assert "371403108256" not in locality_codes(client, q="于架")


def test_localities_q_with_match_contains_finds_inside_names(client):
    found = locality_codes(client, q="于架", match="contains")
    assert "371403108256" in found
    for code in found:
        place = Locality.objects.get(code=code)
        assert "于架" in place.name or any("于架" in alias for alias in place.aliases.values_list("name", flat=True))


def test_localities_parent_lists_the_children_and_level_narrows(client):
    assert locality_codes(client, parent="371403108") == fixture_villages_under("371403108")
    assert locality_codes(client, parent="青羊区", level=Level.TOWNSHIP)[0].startswith("510105")
    communities = locality_codes(client, region="510105005", level=Level.COMMUNITY)
    assert communities == fixture_villages_under("510105005")


@pytest.mark.parametrize("params", [{"match": "fuzzy", "q": "长城"}, {"parent": "不存在的地方"}])
def test_bad_locality_search_parameters_are_a_400(client, params):
    assert client.get("/api/v1/localities/", params).status_code == 400
