"""Region filters find their rows through indexes, so their cost grows with the region, not the
table: the metrics and cases in a region are one id set, the ``UNION`` of two index paths (by
place; by the region's cases), never an ``OR`` across a join that reads every metric or walks
every case probing a hashed list.

SQLite (no statistics in the test database) shows the index paths themselves. PostgreSQL's
choice of index depends on its statistics (a tiny table is rightly read whole, and autovacuum may
have analysed it mid-run), so there the test checks what no statistics change: the union is there
and no node filters rows on a subplan's hashed list.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import QuerySet

from cases.api.filters import CaseFilter, MetricFilter
from cases.api.prefetch import metrics_queryset
from cases.models import Case, Locality, Metric
from tests import factories

pytestmark = pytest.mark.django_db

REGIONS = ["sichuan", "chengdu", "qingyang", "shaocheng", "changcheng", "jinquan", "beijing", "bj_chaoyang"]


@pytest.fixture
def placed_metrics(world):
    """A metric placed outside its case's region, and one with no case, beside the world's."""
    compounds = world.indicators["compounds"]
    return [
        factories.metric(
            indicator_obj=compounds,
            value=Decimal(3),
            case=world.cases["changcheng"],
            locality=world.places["bj_chaoyang"],
        ),
        factories.metric(
            indicator_obj=compounds,
            value=Decimal(5),
            organisation=world.organisations["committee"],
            locality=world.places["jinquan"],
        ),
    ]


def expected_metrics(place: Locality) -> set[int]:
    """Public metrics whose own place, or (with none) whose case's place, is at or beneath ``place``."""

    def inside(locality: Locality | None) -> bool:
        return locality is not None and locality.path.startswith(place.path)

    metrics = Metric.objects.public().select_related("locality", "case__primary_locality")
    return {
        metric.pk
        for metric in metrics
        if (inside(metric.locality) if metric.locality_id else metric.case_id and inside(metric.case.primary_locality))
    }


@pytest.mark.parametrize("key", REGIONS)
def test_metric_region_filter_finds_metrics_placed_there_or_without_a_place_on_a_case_there(
    world, placed_metrics, client, key
):
    place = world.places[key]
    response = client.get("/api/v1/metrics/", {"region": place.code or f"id:{place.pk}", "page_size": 200})
    assert response.status_code == 200, response.json()
    found = {row["id"] for row in response.json()["results"]}
    assert found == expected_metrics(place)


def plan(queryset: QuerySet) -> list:
    """SQLite: the plan's detail lines. PostgreSQL: every node as (type, table, filter)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [row[-1] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        found = cursor.fetchone()[0]
    nodes, steps = [(json.loads(found) if isinstance(found, str) else found)[0]["Plan"]], []
    while nodes:
        node = nodes.pop()
        nodes.extend(node.get("Plans", []))
        conditions = " ".join(node.get(key, "") for key in ("Filter", "Join Filter"))
        steps.append((node["Node Type"], node.get("Relation Name", ""), conditions))
    return steps


def metrics_in(code: str) -> QuerySet:
    return MetricFilter({"region": code}, queryset=metrics_queryset(public_only=True)).qs


@pytest.mark.parametrize("code", ["51", "5101", "510105005"])
def test_metric_region_filter_reads_metrics_by_place_and_by_case_never_all_of_them(world, code):
    steps = plan(metrics_in(code))
    if connection.vendor == "sqlite":
        assert not [step for step in steps if step.startswith("SCAN")], steps
        metric_searches = [step for step in steps if "cases_metric" in step or "metric_case" in step]
        assert any("(case_id=?)" in step for step in metric_searches), steps
        assert any("(locality_id=?)" in step for step in metric_searches), steps
    else:
        assert any(node_type == "Append" for node_type, _, _ in steps), steps
        assert not [step for step in steps if "SubPlan" in step[2] and "locality_id" in step[2]], steps


@pytest.mark.parametrize("code", ["5101", "510105", "510105005"])
def test_case_region_filter_below_a_province_is_one_id_set_not_a_hashed_probe_per_case(world, code):
    steps = plan(CaseFilter({"region": code}, queryset=Case.objects.published()).qs.order_by("public_id")[:50])
    if connection.vendor == "sqlite":
        assert not [step for step in steps if step.startswith("SCAN")], steps
        assert any("primary_locality_id=?" in step for step in steps), steps
    else:
        assert any(node_type == "Append" for node_type, _, _ in steps), steps
        assert not [step for step in steps if step[1] == "cases_case" and "SubPlan" in step[2]], steps
