"""Research API benchmark: medians in process, each beside its baselines from the same run.

Rows: list filtered by province + theme, a deep page, a detail, stats by prefecture, CSV of ~10k
metrics. Baselines: the same endpoint with prefetching and select_related switched off, and every
SQL statement the request runs, replayed (the floor: the database alone). The three take turns
every round. Ends with the region filters' query plans.
"""

from __future__ import annotations

import base64
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, QuerySet
from django.test import Client

from bench.http_bench import record_statements, replay
from cases.api import views
from cases.api.filters import CaseFilter, MetricFilter
from cases.models import Case, Locality, Metric, Theme

TARGET_MS = {"list": 30.0, "detail": 30.0, "csv": 2000.0}


def interleaved_medians(contenders: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Median milliseconds of each contender, taking turns every round, so a change in machine
    load hits them alike (timed one after the other, their ratios flipped under changing load)."""
    for action in contenders.values():
        action()  # warm caches and the connection
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, action in contenders.items():
            started = time.perf_counter()
            action()
            samples[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(times) for name, times in samples.items()}


def fetch(client: Client, url: str, params: dict) -> int:
    response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.status_code, response.content[:300])
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


class NoPrefetch:
    """Switch every viewset's select_related/prefetch_related off for the baseline."""

    def __enter__(self) -> None:
        self.saved = {}
        for name in dir(views):
            cls = getattr(views, name)
            if isinstance(cls, type) and issubclass(cls, views.PublicViewSet) and "get_queryset" in cls.__dict__:
                original = cls.__dict__["get_queryset"]
                self.saved[cls] = original

                def bare(self, original=original):
                    return original(self).prefetch_related(None).select_related(None)

                cls.get_queryset = bare

    def __exit__(self, *exc) -> None:
        for cls, original in self.saved.items():
            cls.get_queryset = original


def without_prefetch(client: Client, url: str, params: dict) -> int:
    with NoPrefetch():
        return fetch(client, url, params)


def pick_inputs() -> dict[str, Any]:
    """Choose realistic parameters from the data: the busiest province, its commonest theme, a region
    holding about 10k metrics."""
    published = Case.objects.published()
    provinces = {p.code: p for p in Locality.objects.filter(level="province")}
    counts: dict[str, int] = {}
    for path, n in published.values_list("primary_locality__path").annotate(n=Count("pk")).order_by():
        code = path.split("/")[1][:2]
        counts[code] = counts.get(code, 0) + n
    province = max(counts, key=counts.get)
    theme = (
        Theme.objects.filter(cases__in=published, cases__primary_locality__code__startswith=province)
        .annotate(n=Count("cases"))
        .order_by("-n")
        .first()
    )
    metric_regions: dict[str, int] = {}
    for path, n in (
        Metric.objects.public().values_list("case__primary_locality__path").annotate(n=Count("pk")).order_by()
    ):
        parts = [p for p in path.split("/") if p.isdigit()]
        for code in parts[:3]:
            metric_regions[code] = metric_regions.get(code, 0) + n
    csv_region = min(metric_regions, key=lambda code: abs(metric_regions[code] - 10_000))
    detail_id = published.order_by("pk")[published.count() // 2].public_id
    return {
        "province": province,
        "province_name": provinces[province].name,
        "theme": theme.code if theme else "",
        "csv_region": csv_region,
        "csv_rows": metric_regions[csv_region],
        "detail": detail_id,
        "deep_page": max(1, published.count() // 50 - 1),
    }


def run(*, cases: int, quick: bool) -> None:
    repeat = 3 if quick else 15
    csv_repeat = 2 if quick else 5
    client = Client()
    inputs = pick_inputs()
    published = Case.objects.published()
    print(f"== Research API ({cases:,} cases, {published.count():,} published; medians of {repeat} runs) ==")
    print(
        f"province {inputs['province']} {inputs['province_name']}, theme {inputs['theme']}, "
        f"deep page {inputs['deep_page']}, CSV region {inputs['csv_region']} (~{inputs['csv_rows']:,} metrics)"
    )

    list_params = {"region": inputs["province"], "theme": inputs["theme"]}
    province = Locality.objects.get(code=inputs["province"])
    deep_params = {"page": inputs["deep_page"]}
    # The same depth by cursor (what docs/api.md recommends for harvesting): DRF cursors encode the
    # last primary key seen, so one can be built for any position.
    offset = (inputs["deep_page"] - 1) * 50
    after = published.order_by("pk").values_list("pk", flat=True)[offset - 1]
    cursor_params = {"cursor": base64.b64encode(f"p={after}".encode()).decode()}
    csv_params = {"format": "csv", "region": inputs["csv_region"]}

    rows = [
        ("list: province + theme", "/api/v1/cases/", list_params, "list"),
        ("list: deep page", "/api/v1/cases/", deep_params, "list"),
        ("list: deep cursor", "/api/v1/cases/", cursor_params, "list"),
        ("detail", f"/api/v1/cases/{inputs['detail']}/", {}, "detail"),
        ("stats by prefecture", "/api/v1/stats/", {"region_level": "prefecture"}, None),
        ("CSV ~10k metrics", "/api/v1/metrics/", csv_params, "csv"),
        # Public organisations and people: visibility is decided per row (correlated EXISTS).
        ("organisations list", "/api/v1/organisations/", {}, "list"),
        ("people list", "/api/v1/people/", {}, "list"),
    ]
    header = f"{'endpoint':<24} {'p50 ms':>9} {'no prefetch':>12} {'its SQL':>9} {'target':>8}  {'ratio/SQL':>9}"
    print(header)
    print("-" * len(header))
    for label, url, params, target in rows:
        n = csv_repeat if target == "csv" else repeat
        path = f"{url}?{urlencode(params)}" if params else url
        # The floor: every statement the request runs (recorded once, replayed), not just its main query.
        floor = replay(record_statements(path))
        contenders = {"project": lambda url=url, params=params: fetch(client, url, params), "its SQL": floor}
        if url != "/api/v1/stats/":  # the stats are aggregate queries: no prefetching to switch off
            contenders["no prefetch"] = lambda url=url, params=params: without_prefetch(client, url, params)
        medians = interleaved_medians(contenders, n)
        goal = f"≤{TARGET_MS[target]:.0f}" if target else "-"
        bare = medians.get("no prefetch")
        bare_text = f"{bare:.1f}" if bare is not None else "-"
        p50, sql_ms = medians["project"], medians["its SQL"]
        print(f"{label:<24} {p50:>9.1f} {bare_text:>12} {sql_ms:>9.1f} {goal:>8}  {p50 / max(sql_ms, 0.01):>8.1f}x")

    tracemalloc.start()
    size = fetch(client, "/api/v1/metrics/", csv_params)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\nCSV stream: {size / 1e6:.1f} MB sent, peak Python memory {peak / 1e6:.1f} MB while streaming")
    whole: list[float] = []
    for _ in range(csv_repeat):
        started = time.perf_counter()
        response = client.get("/api/v1/metrics/", {"format": "csv"})
        rows = sum(chunk.count(b"\r\n") for chunk in response.streaming_content) - 1
        whole.append(time.perf_counter() - started)
    elapsed = statistics.median(whole)
    print(
        f"whole-table CSV: {rows:,} metrics in {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s, median of {len(whole)})"
    )

    region_qs = CaseFilter({"region": province.code}, queryset=published).qs
    township = Locality.objects.filter(level="township", cases__status="published").order_by("code").first()
    township_qs = CaseFilter({"region": township.code}, queryset=published).qs.order_by("public_id")[:51]
    metrics_qs = MetricFilter({"region": inputs["csv_region"]}, queryset=Metric.objects.public()).qs
    deep_keys = published.order_by("public_id").values("pk")[offset : offset + 50]
    years = published.order_by().values_list("period_start_date").annotate(n=Count("pk")).order_by()
    for title, queryset in (
        (f"region={province.code}", region_qs),
        (f"region={township.code} (a township), page 1", township_qs),
        (f"metrics in region={inputs['csv_region']}", metrics_qs),
        (f"the deep page's keys (page {inputs['deep_page']})", deep_keys),
        ("stats by year (grouped on the stored date)", years),
    ):
        print_plan(title, queryset)


def print_plan(title: str, queryset: QuerySet) -> None:
    """SQLite's EXPLAIN QUERY PLAN; PostgreSQL's EXPLAIN ANALYZE (the plan as run, with its times)."""
    sql, params = queryset.query.sql_with_params()
    sqlite = connection.vendor == "sqlite"
    print(f"\nQuery plan for {title} ({'EXPLAIN QUERY PLAN' if sqlite else 'EXPLAIN ANALYZE'}, {connection.vendor}):")
    with connection.cursor() as cursor:
        cursor.execute(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ANALYZE ") + sql, params)
        for row in cursor.fetchall():
            print("  ", row[-1])
