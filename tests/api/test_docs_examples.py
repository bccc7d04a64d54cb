"""docs/api.md and the README cannot drift: every curl example in them answers as documented on the
seed data."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = (ROOT / "docs" / "api.md", ROOT / "README.md")
CURL = re.compile(r"^curl -s '(?P<url>http://127\.0\.0\.1:8000[^']+)'[^#]*(?:#\s*(?P<status>\d{3}))?")


def examples() -> list[tuple[str, int]]:
    found = []
    for doc in DOCS:
        for line in doc.read_text(encoding="utf-8").splitlines():
            match = CURL.match(line.strip())
            if match:
                found.append((match["url"], int(match["status"] or 200)))
    return found


def get(client, url: str):
    parts = urlsplit(url)
    return client.get(parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)))


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_the_docs_have_examples_for_region_csv_and_stats(doc):
    urls = " ".join(
        CURL.match(line)["url"] for line in doc.read_text(encoding="utf-8").splitlines() if CURL.match(line)
    )
    assert "region=" in urls and "format=csv" in urls and "/stats/" in urls


@pytest.mark.parametrize(("url", "status"), examples())
def test_every_documented_example_answers_as_documented(seeded, client, url, status):
    response = get(client, url)
    assert response.status_code == status, response.content[:300]


@pytest.mark.parametrize(
    ("region", "case"),
    [
        ("51", "chengdu-changcheng-red-property-alliance"),
        ("510105005", "chengdu-changcheng-red-property-alliance"),
        ("少城街道", "chengdu-changcheng-red-property-alliance"),
        ("沂源", "yiyuan-party-building-communities"),
        ("金牛区", "chengdu-langjia-xian-guandi-co-building"),
    ],
)
def test_seed_regions_find_their_cases(seeded, client, region, case):
    rows = client.get("/api/v1/cases/", {"region": region}).json()["results"]
    assert case in {row["public_id"] for row in rows}


@pytest.mark.parametrize(
    ("name", "codes"), [("朝阳区", {"110105", "220104"}), ("金泉街道", {"510106040", "522636001"})]
)
def test_real_gazetteer_ambiguities_list_their_candidates(seeded, client, name, codes):
    response = client.get("/api/v1/cases/", {"region": name})
    assert response.status_code == 400
    assert {c["code"] for c in response.json()["error"]["candidates"]} >= codes


def test_page_size_is_capped_at_200(seeded, client):
    body = client.get("/api/v1/localities/", {"page_size": 5000}).json()
    assert body["count"] > 200
    assert len(body["results"]) == 200


def test_cursor_harvest_returns_every_row_once(seeded, client):
    seen: list[str] = []
    url, params = "/api/v1/organisations/", {"cursor": "", "page_size": 7}
    while url:
        body = get(client, url).json() if not params else client.get(url, params).json()
        seen += [row["name"] for row in body["results"]]
        url, params = body["next"], None
    assert len(seen) == client.get("/api/v1/organisations/").json()["count"]


def test_stats_agree_with_the_case_list(seeded, client):
    for params in ({}, {"region": "51"}, {"theme": "conduct_and_discipline"}):
        stats = client.get("/api/v1/stats/", {**params, "region_level": "prefecture"}).json()["cases"]
        count = client.get("/api/v1/cases/", params).json()["count"]
        assert stats["total"] == count
        assert sum(row["count"] for row in stats["by_region"]) == count


def test_stats_group_by_region_theme_kind_and_year(seeded, client):
    stats = client.get("/api/v1/stats/", {"region_level": "county"}).json()
    by_region = {row["code"]: row for row in stats["cases"]["by_region"]}
    assert by_region["370323"]["full_name"] == "山东省淄博市沂源县" and by_region["370323"]["count"] == 1
    # The Tianjin case sits at province level and the national one above it: neither has a county.
    assert by_region[None]["count"] == 2
    themes = {row["code"]: row["count"] for row in stats["cases"]["by_theme"]}
    assert themes["conduct_and_discipline"] == 3
    yiyuan_metrics = client.get("/api/v1/metrics/", {"case": "yiyuan-party-building-communities"}).json()["count"]
    metric_rows = [row for row in stats["metrics"]["by_indicator_and_region"] if row["code"] == "370323"]
    assert sum(row["count"] for row in metric_rows) == yiyuan_metrics


def test_the_page_structure_reaches_the_api(seeded, client):
    organisations = client.get("/api/v1/organisations/", {"page_size": 200}).json()["results"]
    by_name = {row["name"]: row for row in organisations}
    community = by_name["沂源乡村振兴党建共同体"]
    assert community["predecessor"] == by_name["鲁村镇联村党委"]["id"]
    assert community["name_basis"] == "printed"
    assert by_name["淳安县纪委监委"]["name_basis"] == "inferred"
    sources = client.get("/api/v1/sources/", {"page_size": 200}).json()["results"]
    report = next(row for row in sources if row["headline"] == "改善社区治理 优化社区服务")
    assert report["intertitles"] == [
        "物业建起党组织,大事小情有看落",
        "党组织联建,居民参与治理",
        "凝聚力量,抗疫更有信心",
    ]
