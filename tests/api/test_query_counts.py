"""Query counts do not grow with page size (2 vs 50 rows) or with how much hangs off one object."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases.models import (
    CaseOrganisation,
    Evidence,
    Initiative,
    InitiativeParticipant,
    Level,
    Position,
    SourceCredit,
)
from cases.search.index import deferred
from tests import factories
from tests.api.world import build_world

ROWS = 50


def populate_case(case, place, theme, indicator, n: int, tag: str) -> None:
    """Give ``case`` n of everything: organisations with roles, people with posts, metrics with evidence."""
    compound = factories.locality(name=f"{tag}小区", level=Level.COMPOUND, parent=place)
    case.localities.add(compound)
    case.themes.add(theme)
    for i in range(n):
        org = factories.organisation(name=f"{tag}组织{i}", locality=place)
        CaseOrganisation.objects.create(case=case, organisation=org, role="成员")
        person = factories.person(name=f"{tag}人{i}")
        case.people.add(person)
        Position.objects.create(person=person, organisation=org, title="书记")
        source = factories.source(headline=f"{tag}报道{i}")
        SourceCredit.objects.create(source=source, role="reporter", person=person, as_printed=f"记者{i}")
        case.sources.add(source)
        initiative = Initiative.objects.create(name=f"{tag}举措{i}", kind="mechanism")
        initiative.localities.add(compound, place)
        InitiativeParticipant.objects.create(initiative=initiative, organisation=org, role="lead")
        case.initiatives.add(initiative)
        metric = factories.metric(indicator_obj=indicator, value=Decimal(i), case=case, locality=compound)
        Evidence.objects.create(source=source, start=0, end=2, quote=source.text[:2], metric=metric)
        Evidence.objects.create(source=source, start=0, end=2, quote=source.text[:2], case=case)


def small_and_large_cases(world, small_id: str, large_id: str, rows: int):
    """Two cases in the world's 少城街道: one with one of everything, one with ``rows`` of everything."""
    place, theme, indicator = world.places["shaocheng"], world.themes["property"], world.indicators["compounds"]
    small = factories.case(primary_locality=place, public_id=small_id)
    populate_case(small, place, theme, indicator, 1, "小")
    large = factories.case(primary_locality=place, public_id=large_id)
    populate_case(large, place, theme, indicator, rows, "大")
    return small, large


@pytest.fixture(scope="module")
def big(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        # Search-index refreshes batched once at the end: the data, not the indexing, is under test.
        with deferred():
            world = build_world()
            place, theme = world.places["shaocheng"], world.themes["property"]
            small, large = small_and_large_cases(world, "small-case", "large-case", ROWS)
            for i in range(ROWS):
                factories.locality(name=f"社区{i}", level=Level.COMMUNITY, parent=place, code=f"510105005{i:03d}")
                factories.case(primary_locality=place, public_id=f"filler-{i:03d}").themes.add(theme)
        yield {"small": small, "large": large}
        transaction.set_rollback(True)


def count_queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        assert response.status_code == 200, response.content[:300]
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


LISTS = ["cases", "localities", "organisations", "people", "initiatives", "metrics", "sources", "themes", "indicators"]


@pytest.mark.parametrize("endpoint", LISTS)
def test_list_query_count_is_constant_between_2_and_50_rows(big, client, endpoint):
    url = f"/api/v1/{endpoint}/"
    listed = client.get(url, {"page_size": ROWS}).json()
    if endpoint not in {"themes", "indicators"}:
        assert len(listed["results"]) == ROWS, f"{endpoint} needs {ROWS} rows for this test"
    assert count_queries(client, url, {"page_size": 2}) == count_queries(client, url, {"page_size": ROWS})


@pytest.mark.parametrize("endpoint", ["cases", "organisations", "metrics"])
def test_cursor_pages_are_constant_too(big, client, endpoint):
    url = f"/api/v1/{endpoint}/"
    assert count_queries(client, url, {"cursor": "", "page_size": 2}) == count_queries(
        client, url, {"cursor": "", "page_size": ROWS}
    )


def test_case_detail_query_count_does_not_grow_with_related_rows(big, client):
    small = count_queries(client, "/api/v1/cases/small-case/", {})
    large = count_queries(client, "/api/v1/cases/large-case/", {})
    assert small == large


@pytest.mark.parametrize("endpoint", ["organisations", "people", "initiatives", "sources", "metrics", "localities"])
def test_detail_query_count_is_the_same_for_small_and_large_objects(big, client, endpoint):
    small, large = big["small"], big["large"]
    pick = {
        "organisations": lambda c: c.organisations.first().pk,
        "people": lambda c: c.people.first().pk,
        "initiatives": lambda c: c.initiatives.first().pk,
        "sources": lambda c: c.sources.first().pk,
        "metrics": lambda c: c.metrics.first().pk,
        "localities": lambda c: c.localities.first().pk,
    }[endpoint]
    assert count_queries(client, f"/api/v1/{endpoint}/{pick(small)}/", {}) == count_queries(
        client, f"/api/v1/{endpoint}/{pick(large)}/", {}
    )


def test_csv_export_query_count_is_constant(big, client):
    few = count_queries(client, "/api/v1/cases/", {"format": "csv", "region": "510105005", "theme": "education"})
    many = count_queries(client, "/api/v1/cases/", {"format": "csv", "region": "510105005"})
    assert few == many


def test_stats_query_count_is_constant(big, client):
    assert count_queries(client, "/api/v1/stats/", {"theme": "education"}) == count_queries(
        client, "/api/v1/stats/", {}
    )
