"""Public-site benchmark: median time and queries of each page, in process (Django's test client).

Pages: home, the case list, a case page (the generated case with the most metrics), the place page
of the province with the most cases, search for a broad and a selective word, statistics, and a
conditional request answered with 304. Target (issue 16): p50 <= 50 ms per page.
"""

from __future__ import annotations

import statistics
import time

from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.models import Case, DocumentType, SearchDocument
from cases.site.places import child_counts, country

TARGET_MS = 50.0


def measure(client: Client, url: str, repeat: int, **headers) -> tuple[float, int, int]:
    """Median ms, query count and status of ``url`` (after one warm-up request)."""
    response = client.get(url, headers=headers)
    assert response.status_code in {200, 304}, (url, response.status_code, response.content[:300])
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, headers=headers)
    return statistics.median(samples), len(captured), response.status_code


def run(*, cases: int, quick: bool) -> None:
    published = Case.objects.published()
    indexed = SearchDocument.objects.filter(object_type=DocumentType.CASE).count()
    if indexed < published.count():
        started = time.perf_counter()
        call_command("reindex", "--no-progress", verbosity=0)
        print(f"Reindexed for search in {time.perf_counter() - started:.1f} s.")
    case = published.annotate(n=Count("metrics")).order_by("-n", "public_id").first()
    provinces = child_counts(country())
    province = max(provinces, key=lambda child: child.count).place
    county = case.primary_locality.ancestors()[-1] if case.primary_locality.level != "county" else case.primary_locality
    county_name = county.name if county.level == "county" else case.primary_locality.name
    client = Client()
    first = client.get("/")
    pages = [
        ("home", "/", {}),
        ("case list", "/cases/", {}),
        (f"case page ({case.public_id})", f"/cases/{case.public_id}/", {}),
        (f"place page, province {province.name}", f"/places/{province.code}/", {}),
        ("search, broad (物业)", "/search/?q=物业", {}),
        (f"search, selective ({county_name})", f"/search/?q={county_name}", {}),
        ("cases ?q=物业&region=province", f"/cases/?q=物业&region={province.code}", {}),
        ("statistics", "/stats/", {}),
        ("home, If-None-Match (304)", "/", {"if-none-match": first["ETag"]}),
    ]
    repeat = 5 if quick else 25
    print(f"Public site, {cases:,} generated cases ({published.count():,} published), median of {repeat}")
    print("API twin: the same URL under /api/v1 (the data alone), measured in the same run.")
    print(f"| page | median | queries | status | ≤ {TARGET_MS:.0f} ms | API twin |")
    print("|---|---:|---:|---:|:-:|---:|")
    for name, url, headers in pages:
        ms, queries, status = measure(client, url, repeat, **headers)
        twin = ""
        if url.startswith(("/cases/", "/search/", "/stats/")):
            twin = f"{measure(client, '/api/v1' + url, repeat)[0]:.1f} ms"
        print(f"| {name} | {ms:.1f} ms | {queries} | {status} | {'yes' if ms <= TARGET_MS else 'no'} | {twin} |")
