"""/api/v1/stats/: every figure recomputed here from the rows themselves, for several filters."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from cases.models import Case, Metric

WIDTHS = {"province": 2, "prefecture": 4, "county": 6}


def code_at(path: str, level: str) -> str | None:
    """The code of ``level`` on a locality path (n1/51/5101/…), None when the place is above it."""
    return next((part for part in path.split("/") if part.isdigit() and len(part) == WIDTHS[level]), None)


def matching_cases(client, params: dict) -> list[Case]:
    ids = [row["public_id"] for row in client.get("/api/v1/cases/", {**params, "page_size": 200}).json()["results"]]
    return list(Case.objects.filter(public_id__in=ids).select_related("primary_locality"))


@pytest.mark.parametrize(
    "params",
    [{}, {"region": "5101"}, {"theme": "property"}, {"indicator": "firms"}, {"region": "51", "indicator": "compounds"}],
)
@pytest.mark.parametrize("level", ["province", "prefecture", "county"])
def test_metric_counts_and_sums_match_the_metrics_of_the_matching_cases(world, client, params, level):
    cases = matching_cases(client, params)
    metrics = Metric.objects.filter(case__in=cases).select_related("indicator", "locality", "case__primary_locality")
    if "indicator" in params:
        metrics = metrics.filter(indicator__code=params["indicator"])
    by_indicator: dict[str, list] = {}
    by_region: dict[tuple[str, str | None], list] = {}
    for metric in metrics:
        place = metric.locality or metric.case.primary_locality
        for key, table in (
            (metric.indicator.code, by_indicator),
            ((metric.indicator.code, code_at(place.path, level)), by_region),
        ):
            entry = table.setdefault(key, [0, Decimal(0)])
            entry[0] += 1
            entry[1] += metric.value
    assert by_indicator, "the parameters should match some metrics"

    stats = client.get("/api/v1/stats/", {**params, "region_level": level}).json()["metrics"]
    got_indicator = {row["indicator"]: [row["count"], Decimal(str(row["sum"]))] for row in stats["by_indicator"]}
    got_region = {
        (row["indicator"], row["code"]): [row["count"], Decimal(str(row["sum"]))]
        for row in stats["by_indicator_and_region"]
    }
    assert got_indicator == by_indicator
    assert got_region == by_region
    assert [row["indicator"] for row in stats["by_indicator"]] == sorted(by_indicator)


@pytest.mark.parametrize("params", [{}, {"region": "510105"}, {"theme": "education"}])
def test_case_counts_by_year_and_theme_match_the_cases(world, client, params):
    cases = matching_cases(client, params)
    stats = client.get("/api/v1/stats/", params).json()["cases"]
    years = Counter(case.period_start_date.year if case.period_start_date else None for case in cases)
    assert {row["year"]: row["count"] for row in stats["by_year"]} == years
    assert [row["year"] for row in stats["by_year"]] == sorted(years, key=lambda year: (year is None, year or 0))
    themes = Counter(theme.code for case in cases for theme in case.themes.all())
    assert {row["code"]: row["count"] for row in stats["by_theme"]} == themes
    assert stats["total"] == len(cases)
