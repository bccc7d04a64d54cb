"""Filters on cases and metrics: expected rows computed from the objects, table-driven."""

from __future__ import annotations

import datetime

import pytest

from cases.api.filters import CaseFilter
from cases.models import Case, DatePrecision
from tests.api.world import World


def rows(client, endpoint: str, **params) -> list[dict]:
    response = client.get(f"/api/v1/{endpoint}/", {"page_size": 200, **params})
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def case_ids(client, **params) -> set[str]:
    return {row["public_id"] for row in rows(client, "cases", **params)}


def period_end(case: Case) -> datetime.date | None:
    """The last day a fuzzy end (or, lacking one, start) covers."""
    date, precision = case.period_end_date, case.period_end_precision
    if date is None:
        date, precision = case.period_start_date, case.period_start_precision
    if date is None:
        return None
    if precision == DatePrecision.YEAR:
        return date.replace(month=12, day=31)
    if precision == DatePrecision.MONTH:
        return (date.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    return date


CASE_FILTERS = [
    ("theme", lambda w: w.themes["property"].code, lambda w, v: {c for c in w.published if c.themes.filter(code=v)}),
    (
        "organisation_kind",
        lambda w: "property_firm",
        lambda w, v: {c for c in w.published if c.organisations.filter(kind=v)},
    ),
    ("initiative_kind", lambda w: "alliance", lambda w, v: {c for c in w.published if c.initiatives.filter(kind=v)}),
    ("indicator", lambda w: "firms", lambda w, v: {c for c in w.published if c.metrics.filter(indicator__code=v)}),
    (
        "organisation",
        lambda w: w.organisations["committee"].pk,
        lambda w, v: {c for c in w.published if c.organisations.filter(pk=v)},
    ),
    ("source", lambda w: w.sources["other"].pk, lambda w, v: {c for c in w.published if c.sources.filter(pk=v)}),
    ("has_metrics", lambda w: "true", lambda w, v: {c for c in w.published if c.metrics.exists()}),
    ("has_metrics", lambda w: "false", lambda w, v: {c for c in w.published if not c.metrics.exists()}),
    ("level", lambda w: "county", lambda w, v: {c for c in w.published if c.primary_locality.level == v}),
    (
        "date_from",
        lambda w: "2019-03-01",
        lambda w, v: {c for c in w.published if period_end(c) and period_end(c) >= datetime.date(2019, 3, 1)},
    ),
    (
        "date_to",
        lambda w: "2017-12-31",
        lambda w, v: {
            c for c in w.published if c.period_start_date and c.period_start_date <= datetime.date(2017, 12, 31)
        },
    ),
]


@pytest.mark.parametrize(("name", "value", "expected"), CASE_FILTERS, ids=[f[0] for f in CASE_FILTERS])
def test_case_filter_returns_exactly_the_matching_published_cases(world: World, client, name, value, expected):
    wanted = {case.public_id for case in expected(world, value(world))}
    assert wanted, f"the test world has cases matching {name}"
    assert wanted != {case.public_id for case in world.published}, f"{name} must actually filter"
    assert case_ids(client, **{name: value(world)}) == wanted


def test_filters_combine_with_and(world, client):
    both = case_ids(client, theme="property", region="510105005")
    assert both == case_ids(client, theme="property") & case_ids(client, region="510105005")
    assert both


def test_period_overlap_counts_a_coarse_end_to_its_last_day(world, client):
    # 2019's case ends "2019-06" (month precision): it overlaps 2019-06-30 but not 2019-07-01.
    case = next(c for c in world.published if c.period_end_date == datetime.date(2019, 6, 1))
    assert case.public_id in case_ids(client, date_from="2019-06-30")
    assert case.public_id not in case_ids(client, date_from="2019-07-01")


def test_ordering_on_an_explicit_field_list(world, client):
    ordered = [row["public_id"] for row in rows(client, "cases", ordering="-public_id")]
    assert ordered == sorted(ordered, reverse=True)
    response = client.get("/api/v1/cases/", {"ordering": "summary_zh"})
    assert response.status_code == 400
    assert "ordering" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"indicator": "compounds"}, lambda w: {m.pk for m in w.metrics if m.indicator.code == "compounds"}),
        ({"value_min": "13"}, lambda w: {m.pk for m in w.metrics if m.value >= 13}),
        ({"value_max": "13"}, lambda w: {m.pk for m in w.metrics if m.value <= 13}),
        ({"case": "__changcheng__"}, lambda w: {m.pk for m in w.metrics if m.case == w.cases["changcheng"]}),
        ({"date_from": "2020-03-15"}, lambda w: {w.metrics[2].pk}),
        ({"source": "__report__"}, lambda w: {w.metrics[0].pk}),
    ],
)
def test_metric_filters(world, client, params, expected):
    params = {
        key: world.cases["changcheng"].public_id
        if value == "__changcheng__"
        else world.sources["report"].pk
        if value == "__report__"
        else value
        for key, value in params.items()
    }
    assert {row["id"] for row in rows(client, "metrics", **params)} == expected(world)


def test_case_filter_on_a_draft_public_id_finds_nothing(world, client):
    for endpoint in ("organisations", "people", "initiatives", "sources", "metrics"):
        assert rows(client, endpoint, case=world.draft.public_id) == []


def test_filtersets_share_one_form_class_but_each_binds_its_own_values(world):
    province, prefecture = world.places["sichuan"].code, world.places["chengdu"].code
    first = CaseFilter({"region": province}, queryset=Case.objects.published())
    second = CaseFilter({"region": prefecture}, queryset=Case.objects.published())
    assert type(first.form) is type(second.form)
    assert first.form is not second.form
    assert first.is_valid() and second.is_valid()
    assert (first.form.cleaned_data["region"].code, second.form.cleaned_data["region"].code) == (province, prefecture)


def test_a_filterset_for_the_api_holds_only_the_filters_the_request_names(world, client):
    region = world.places["chengdu"].code
    named = CaseFilter({"region": region, "theme": "x"}, queryset=Case.objects.published(), named_only=True)
    assert list(named.filters) == ["region", "theme"]
    full = CaseFilter({"region": region, "theme": "x"}, queryset=Case.objects.published())
    assert set(named.qs) == set(full.qs)
    # A bad value of a named filter is still a 400 naming it.
    response = client.get("/api/v1/cases/", {"region": "nowhere-at-all", "level": "county"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"region"}
