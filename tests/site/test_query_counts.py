"""Queries per page do not grow with the data: the same page costs the same number of queries with
a handful of cases and with many more (and a case with one of everything costs what one with
twenty of everything does)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases.models import Level
from cases.search.index import deferred
from cases.site.places import place_key
from tests import factories
from tests.api.test_query_counts import populate_case, small_and_large_cases
from tests.api.world import build_world

PAGES = [
    "/",
    "/cases/",
    "/cases/?region=51",
    "/cases/?q=测试",
    "/cases/?theme=property&page_size=50",
    "/search/?q=测试",
    "/search/?q=测试&region=51",
    "/places/51/",
    "/places/510105005/",
    "/stats/",
    "/releases/",
]


@pytest.fixture(scope="module")
def grown(django_db_setup, django_db_blocker):
    """The world, and a function that adds ``n`` more cases with everything attached under its places."""
    with django_db_blocker.unblock(), transaction.atomic():
        # Search-index refreshes batched once at the end: the data, not the indexing, is under test.
        with deferred():
            world = build_world()
            small_and_large_cases(world, "qc-small", "qc-large", 20)
            place, theme, indicator = world.places["shaocheng"], world.themes["property"], world.indicators["compounds"]

        def grow(n: int, tag: str) -> None:
            with deferred():
                for i in range(n):
                    community = factories.locality(
                        name=f"{tag}社区{i}", level=Level.COMMUNITY, parent=place, code=f"510105005{i + 100:03d}"
                    )
                    case = factories.case(primary_locality=community, public_id=f"{tag}-{i}", title_zh=f"测试{tag}{i}")
                    populate_case(case, community, theme, indicator, 2, f"{tag}{i}")

        yield world, grow
        transaction.set_rollback(True)


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
    return len(captured)


def test_every_page_costs_the_same_queries_with_more_data(grown, client, django_assert_num_queries):
    world, grow = grown
    pages = [*PAGES, f"/places/{place_key(world.places['changcheng'])}/"]
    before = {url: queries(client, url) for url in pages}
    grow(25, "多")
    for url in pages:
        with django_assert_num_queries(before[url]):
            client.get(url)


def test_a_case_page_costs_the_same_whatever_hangs_off_it(grown, client):
    assert queries(client, "/cases/qc-small/") == queries(client, "/cases/qc-large/")


@pytest.mark.parametrize("kind", ["organisation", "source"])
def test_detail_pages_cost_the_same_for_a_small_and_a_large_record(grown, client, kind):
    from cases.models import Organisation, Source

    model = Organisation if kind == "organisation" else Source
    small = model.objects.filter(
        **{"name__startswith" if kind == "organisation" else "headline__startswith": "小"}
    ).first()
    large = model.objects.filter(
        **{"name__startswith" if kind == "organisation" else "headline__startswith": "大"}
    ).first()
    assert queries(client, f"/{kind}s/{small.pk}/") == queries(client, f"/{kind}s/{large.pk}/")
