"""SQLite's query plans at scale, forced on a handful of records by shrinking their thresholds.

A broad query ranks only its newest matches (the window) and lists the rest after them; a
query mixing rare and common words ranks on the rare ones. Either way the records found, their
count and the order every consumer sees must be one and the same.
"""

from __future__ import annotations

import pytest
from django.db import connection

from cases.models import Case, DocumentType, Level, Status
from cases.search import backends
from cases.search.query import parse
from cases.search.service import search_documents, searched_queryset
from tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the plans are SQLite's FTS5 only"),
]


@pytest.fixture
def records():
    chengdu = factories.chengdu_tree()["changcheng"]
    tianjin = factories.locality(name="天津市", level=Level.PROVINCE, code="12")
    # Different repetitions give different bm25 scores, so order is tested, not just membership.
    in_chengdu = [
        factories.case(primary_locality=chengdu, title_zh="网格化" * (n % 3 + 1) + f"试点{n}") for n in range(5)
    ]
    in_tianjin = factories.case(primary_locality=tianjin, title_zh="网格化天津试点", summary_zh="楼栋长负责")
    in_chengdu[1].summary_zh = "楼栋长和网格员"
    in_chengdu[1].save()
    draft = factories.case(primary_locality=chengdu, status=Status.IN_REVIEW, title_zh="网格化草稿")
    return {"published": [*in_chengdu, in_tianjin], "chengdu": in_chengdu, "tianjin": in_tianjin, "draft": draft}


@pytest.fixture
def tiny_window(monkeypatch):
    monkeypatch.setattr(backends, "BROAD_MATCHES", 1)
    monkeypatch.setattr(backends, "RANK_WINDOW", 2)


def exact_order(q: str) -> list[int]:
    """The order with every match ranked (the thresholds as shipped, far above these records)."""
    return list(searched_queryset(Case.objects.published(), parse(q)).queryset.values_list("pk", flat=True))


def pages(client, q: str, **params) -> tuple[int, list[str]]:
    found, count, page = [], None, 1
    while True:
        response = client.get("/api/v1/cases/", {"q": q, "page_size": 1, "page": page, **params})
        if response.status_code == 404:
            return count, found
        assert response.status_code == 200, response.content
        count = response.json()["count"]
        found.extend(row["public_id"] for row in response.json()["results"])
        page += 1


def public_ids(pks: list[int]) -> list[str]:
    names = dict(Case.objects.filter(pk__in=pks).values_list("pk", "public_id"))
    return [names[pk] for pk in pks]


def test_a_broad_query_ranks_its_newest_matches_and_lists_every_other_after_them(records, monkeypatch):
    exact = exact_order("网格化")
    monkeypatch.setattr(backends, "BROAD_MATCHES", 1)
    monkeypatch.setattr(backends, "RANK_WINDOW", 2)
    searched = searched_queryset(Case.objects.published(), parse("网格化"))
    assert searched.window is not None
    rows = list(searched.queryset.values_list("pk", "search_rank"))
    assert sorted(pk for pk, _ in rows) == sorted(exact) == sorted(case.pk for case in records["published"])
    ranked = [pk for pk, rank in rows if rank > 0]
    # The two newest public matches (the draft is newer, and not public), in bm25 order.
    assert set(ranked) == {records["chengdu"][4].pk, records["tianjin"].pk}
    assert ranked == [pk for pk in exact if pk in ranked]
    assert ranked == list(searched.window.values_list("pk", flat=True))
    # The rest follow, unranked, by key.
    rest = [pk for pk, rank in rows[len(ranked) :]]
    assert rest == sorted(rest) and all(rank == 0 for _, rank in rows[len(ranked) :])
    assert searched.count_in_index() == len(records["published"])


def test_api_pages_of_a_broad_query_follow_the_one_order_with_an_exact_count(records, client, tiny_window):
    full = public_ids(
        list(searched_queryset(Case.objects.published(), parse("网格化")).queryset.values_list("pk", flat=True))
    )
    count, found = pages(client, "网格化")
    assert count == len(records["published"])
    assert found == full


def test_a_filtered_broad_query_counts_only_what_the_filter_keeps(records, client, tiny_window):
    count, found = pages(client, "网格化", region="5101")
    assert count == len(records["chengdu"])
    assert set(found) == {case.public_id for case in records["chengdu"]}
    assert records["draft"].public_id not in found


def test_the_cross_type_search_pages_through_the_window_in_order(records, client, tiny_window):
    expected = list(search_documents(parse("网格化")).values_list("object_type", "object_id"))
    seen = []
    for page in (1, 2, 3):
        response = client.get("/api/v1/search/", {"q": "网格化", "page_size": 2, "page": page})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == len(expected)
        # The facets count the ranked window only, and say how much they counted.
        assert body["facets_cover"] == 2
        assert sum(facet["count"] for facet in body["facets"]["type"]) == 2
        seen.extend((row["type"], row["id"]) for row in body["results"])
    by_key = dict(Case.objects.values_list("pk", "public_id"))
    assert seen == [(kind, by_key[pk] if kind == DocumentType.CASE else pk) for kind, pk in expected]


def test_rare_and_common_words_rank_on_the_rare_and_find_what_both_find(records, monkeypatch):
    exact = exact_order("网格化 楼栋长")
    assert sorted(exact) == sorted([records["chengdu"][1].pk, records["tianjin"].pk])
    # 网格化 is in 7 documents, 楼栋长 in 2: with the threshold between them, only 楼栋长 ranks.
    monkeypatch.setattr(backends, "BROAD_MATCHES", 3)
    searched = searched_queryset(Case.objects.published(), parse("网格化 楼栋长"))
    assert "json_each" in str(searched.queryset.query)
    assert sorted(searched.queryset.values_list("pk", flat=True)) == sorted(exact)
    assert searched.window is None


def test_facets_cover_every_match_below_the_threshold(records, client):
    body = client.get("/api/v1/search/", {"q": "网格化"}).json()
    assert body["facets_cover"] == body["count"] == len(records["published"])
    assert sum(facet["count"] for facet in body["facets"]["type"]) == body["count"]


def test_a_broad_search_of_one_type_counts_it_in_the_index(records, client, tiny_window):
    body = client.get("/api/v1/search/", {"q": "网格化", "type": "case", "page_size": 50}).json()
    assert body["count"] == len(records["published"]) == len(body["results"])
    filtered = client.get("/api/v1/search/", {"q": "网格化", "prefecture": "5101", "page_size": 50}).json()
    assert filtered["count"] == len(records["chengdu"]) == len(filtered["results"])
