"""The views' prefetch querysets are built once per process and each request gets its own copy."""

from __future__ import annotations

import pytest
from django.db.models import Prefetch

from cases.api import detail_lists, prefetch
from cases.models.visibility import EvidenceQuerySet

BUILDERS = [
    prefetch.public_evidence,
    prefetch.metrics_queryset,
    prefetch.case_metrics,
    prefetch.public_positions,
    prefetch.published_cases_prefetch,
    prefetch.public_initiatives,
    prefetch.case_details,
]


@pytest.fixture
def cold():
    built = [*BUILDERS, *detail_lists.every_statement()]
    for builder in built:
        builder.cache_clear()
    yield
    for builder in built:
        builder.cache_clear()


def querysets(lookups) -> list:
    """Every queryset in a tree of lookups, nested prefetches included."""
    found = []
    for lookup in lookups:
        if isinstance(lookup, Prefetch) and lookup.queryset is not None:
            found.append(lookup.queryset)
            found.extend(querysets(lookup.queryset._prefetch_related_lookups))
    return found


def test_case_details_visibility_querysets_are_built_on_the_first_request_only(world, client, cold, monkeypatch):
    built = []
    original = EvidenceQuerySet.public
    monkeypatch.setattr(EvidenceQuerySet, "public", lambda self: built.append(1) or original(self))
    assert client.get(f"/api/v1/cases/{world.cases['changcheng'].public_id}/").status_code == 200
    first = len(built)
    assert first >= 1
    for key in ("qingyang", "changcheng"):
        assert client.get(f"/api/v1/cases/{world.cases[key].public_id}/").status_code == 200
    assert len(built) == first


def test_each_call_hands_out_querysets_of_its_own_down_to_nested_prefetches(cold):
    first, second = prefetch.case_details(public_facts=True), prefetch.case_details(public_facts=True)
    mine, theirs = querysets(first), querysets(second)
    assert len(mine) == len(theirs) >= 5
    assert all(a is not b and a.query is not b.query for a, b in zip(mine, theirs, strict=True))
    assert [str(a.query) for a in mine] == [str(b.query) for b in theirs]


def test_two_details_in_a_row_each_show_their_own_metrics(world, client):
    for key in ("changcheng", "bj_chaoyang", "changcheng"):
        case = world.cases[key]
        body = client.get(f"/api/v1/cases/{case.public_id}/").json()
        expected = sorted(metric.pk for metric in world.metrics if metric.case_id == case.pk)
        assert sorted(metric["id"] for metric in body["metrics"]) == expected
