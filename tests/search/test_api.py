"""The search API on small built data: drafts stay out, filters combine, query counts stay flat."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Status
from cases.search.index import deferred
from tests import factories

pytestmark = pytest.mark.django_db

DRAFT_WORD = "草稿专用词"


@pytest.fixture
def places():
    tree = factories.chengdu_tree()
    shandong = factories.locality(name="山东省", level="province", code="37")
    zibo = factories.locality(name="淄博市", level="prefecture", parent=shandong, code="3703")
    yiyuan = factories.locality(name="沂源县", level="county", parent=zibo, code="370323")
    return {"chengdu": tree["changcheng"], "yiyuan": yiyuan}


def make_cases(places, n: int, batch: str = "") -> None:
    theme = factories.theme(code=f"property_{n}{batch}")
    # Index refreshes batched at the end of the block: the data, not the indexing, is under test.
    with deferred():
        _add_cases(places, n, batch, theme)


def _add_cases(places, n: int, batch: str, theme) -> None:
    for i in range(n):
        case = factories.case(
            primary_locality=places["chengdu" if i % 2 else "yiyuan"],
            title_zh=f"物业党建案例{i}",
            summary_zh="社区党委牵头成立红色物业联盟，物业公司加入党支部。",
        )
        case.themes.add(theme)
        source = factories.source(text=f"物业公司与业委会共建{batch}{i}。")
        case.sources.add(source)


def test_drafts_appear_in_neither_results_nor_facets(places, client):
    make_cases(places, 2)
    draft = factories.case(primary_locality=places["chengdu"], status=Status.DRAFT, title_zh=f"物业{DRAFT_WORD}")
    draft.sources.add(factories.source(text=f"只在草稿里出现的来源：{DRAFT_WORD}"))
    draft.themes.add(factories.theme(code="draft_only_theme"))

    for q in (DRAFT_WORD, f'"{DRAFT_WORD}"', "物业"):
        payload = client.get("/api/v1/search/", {"q": q, "page_size": 200}).json()
        assert DRAFT_WORD not in str(payload["results"]), q
        assert "draft_only_theme" not in str(payload["facets"]), q
        assert sum(row["count"] for row in payload["facets"]["type"]) == payload["count"]
    cases = client.get("/api/v1/cases/", {"q": DRAFT_WORD}).json()
    assert cases["count"] == 0


def test_q_combines_with_the_resource_filters(places, client):
    make_cases(places, 4)
    everywhere = client.get("/api/v1/cases/", {"q": "物业"}).json()
    in_chengdu = client.get("/api/v1/cases/", {"q": "物业", "region": "5101"}).json()
    assert everywhere["count"] == 4
    assert in_chengdu["count"] == 2


def test_search_filters_by_type_province_prefecture_and_theme(places, client):
    make_cases(places, 4)
    base = client.get("/api/v1/search/", {"q": "物业"}).json()
    assert {row["value"]: row["count"] for row in base["facets"]["province"]} == {"51": 4, "37": 4}
    assert client.get("/api/v1/search/", {"q": "物业", "province": "37"}).json()["count"] == 4
    assert client.get("/api/v1/search/", {"q": "物业", "prefecture": "5101", "type": "case"}).json()["count"] == 2
    assert client.get("/api/v1/search/", {"q": "物业", "theme": "property_4", "type": "source"}).json()["count"] == 4
    bad = client.get("/api/v1/search/", {"q": "物业", "province": "Sichuan", "type": "nothing"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"province", "type"}
    assert client.get("/api/v1/search/", {"q": "物业", "colour": "red"}).status_code == 400


@pytest.mark.parametrize(
    ("region", "legacy"),
    [("37", {"province": "37"}), ("5101", {"prefecture": "5101"}), ("山东省", {"province": "37"})],
)
def test_search_takes_region_like_every_other_endpoint_and_answers_as_the_old_parameters(
    places, client, region, legacy
):
    make_cases(places, 4)
    by_region = client.get("/api/v1/search/", {"q": "物业", "region": region}).json()
    by_legacy = client.get("/api/v1/search/", {"q": "物业", **legacy}).json()
    assert by_region["count"] == by_legacy["count"] > 0
    assert by_region["results"] == by_legacy["results"]


def test_search_region_below_a_prefecture_finds_the_records_placed_there(places, client):
    make_cases(places, 4)
    county = client.get("/api/v1/search/", {"q": "物业", "region": "370323", "type": "case"}).json()
    cases = client.get("/api/v1/cases/", {"q": "物业", "region": "370323"}).json()
    assert county["count"] == cases["count"] == 2
    assert client.get("/api/v1/search/", {"q": "物业", "region": "99"}).status_code == 400


def test_an_explicit_ordering_wins_over_relevance(places, client):
    make_cases(places, 3)
    ordered = client.get("/api/v1/cases/", {"q": "物业", "ordering": "-title_zh"}).json()["results"]
    titles = [row["title_zh"] for row in ordered]
    assert titles == sorted(titles, reverse=True)


@pytest.mark.parametrize("path", ["/api/v1/search/", "/api/v1/cases/", "/api/v1/sources/"])
def test_query_count_does_not_grow_with_the_data(places, client, path):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, {"q": "物业", "page_size": 50})
        assert response.status_code == 200
        assert response.json()["count"] > 0
        return len(queries)

    make_cases(places, 3)
    small = count_queries()
    make_cases(places, 30, batch="more")
    assert count_queries() == small
