"""Full-text search benchmark, a section of ``bench/run.py`` (``--only search``).

On the runner's synthetic database (``generate_cases``: 100k cases by default, each with a source,
organisations and an initiative) it measures, in one run: a full ``reindex`` on 2 workers (time and
characters per second); median latency of selective queries (a county name; two terms) and a broad
one (物业) at the API layer (/api/v1/cases/?q= and /api/v1/search/ with facets), at the service
layer, for the bare FTS5/tsvector query (the floor) and for the ``icontains`` baseline; the cost of
one incremental update; resident memory of a process with jieba loaded. Never gates on time.
"""

from __future__ import annotations

import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.db.models import Count

BASE_DIR = Path(__file__).resolve().parent.parent
REPEATS = 25
WARM_UP = 5


def _median_ms(function: Callable[[], object], repeats: int = REPEATS) -> float:
    for _ in range(WARM_UP):
        function()  # warm caches (page cache, jieba, compiled regexes, SQLite's statement cache)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _floor(parsed) -> Callable[[], object]:
    """The bare full-text query: top 20 by rank and the match count, nothing else."""
    from django.db import connection

    from cases.search.schema import FTS_TABLE

    def sqlite() -> object:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY bm25({FTS_TABLE}) LIMIT 20",
                [parsed.fts5()],
            )
            cursor.fetchall()
            cursor.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [parsed.fts5()])
            return cursor.fetchone()

    def postgresql() -> object:
        with connection.cursor() as cursor:
            query = "to_tsquery('simple'::regconfig, %s)"
            cursor.execute(
                f"SELECT id FROM cases_searchdocument WHERE search_vector @@ {query} "
                f"ORDER BY ts_rank(search_vector, {query}) DESC LIMIT 20",
                [parsed.tsquery(), parsed.tsquery()],
            )
            cursor.fetchall()
            cursor.execute(
                f"SELECT count(*) FROM cases_searchdocument WHERE search_vector @@ {query}", [parsed.tsquery()]
            )
            return cursor.fetchone()

    return sqlite if connection.vendor == "sqlite" else postgresql


def _icontains(words: list[str]) -> Callable[[], object]:
    from django.db.models import Q

    from cases.models import Case

    def run() -> object:
        queryset = Case.objects.published()
        for word in words:
            queryset = queryset.filter(Q(title_zh__icontains=word) | Q(summary_zh__icontains=word))
        return list(queryset.order_by("pk")[:20]), queryset.count()

    return run


def _service(parsed) -> Callable[[], object]:
    """Page 1 (20 keys) and the count, through the service and paginator the API uses."""
    from cases.api.pagination import Head, KeysFirstPaginator
    from cases.models import Case
    from cases.search.service import searched_queryset

    def run() -> object:
        searched = searched_queryset(Case.objects.published(), parsed)
        head = None
        if searched.window is not None:
            head = Head(searched.window, searched.count_in_index, searched.counting)
        paginator = KeysFirstPaginator(searched.queryset, 20, head=head)
        return paginator.page(1).object_list, paginator.count

    return run


def _matches(parsed) -> int:
    from cases.models import Case
    from cases.search.service import filter_queryset

    return filter_queryset(Case.objects.published(), parsed).count()


def _api(client, path: str, q: str) -> Callable[[], object]:
    def run() -> object:
        response = client.get(path, {"q": q, "page_size": 20})
        assert response.status_code == 200, response.content[:300]
        return response

    return run


def _memory_with_jieba(names_file: str) -> dict[str, float]:
    """RSS of a fresh Django process before and after loading jieba with the database's names."""
    script = f"""
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
django.setup()
before = rss()
from cases.search import text
text.install_tokenizer(json.load(open({names_file!r}, encoding="utf-8")))
print(json.dumps({{"before_mib": before, "after_mib": rss()}}))
"""
    env = {**os.environ, "DEBUG": "1"}
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def _county_name() -> str:
    """The county (6-digit code) of a published case's primary locality: a selective query."""
    from cases.models import Case, Level, Locality

    for path in Case.objects.published().order_by("pk").values_list("primary_locality__path", flat=True)[:200]:
        codes = [segment for segment in path.split("/") if segment.isdigit() and len(segment) == 6]
        if codes:
            return Locality.objects.get(code=codes[0], level=Level.COUNTY).name
    raise RuntimeError("no published case lies in a coded county")


def run(*, cases: int, quick: bool = False, reindex: bool | None = None) -> dict[str, object]:
    """Reindex the runner's database, measure, print a table; returns the numbers.

    ``reindex=False`` (or ``BENCH_SEARCH_REINDEX=0``) measures queries against the index as it is
    (for quick iterations).
    """
    if reindex is None:
        reindex = os.environ.get("BENCH_SEARCH_REINDEX", "1") not in {"0", "false", "no"}
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.test import APIClient

    from cases.models import Case, DocumentType, SearchDocument
    from cases.search import text
    from cases.search.query import parse

    repeats = 5 if quick else REPEATS
    results: dict[str, object] = {"cases": cases, "database": connection.vendor}
    output = io.StringIO()
    started = time.perf_counter()
    if reindex:
        call_command("reindex", workers=2, no_progress=True, stdout=output)
    results["reindex_s"] = time.perf_counter() - started if reindex else None
    match = re.search(r"\(([\d,]+) characters\)", output.getvalue())
    characters = int(match.group(1).replace(",", "")) if match else 0
    results["reindex_chars_per_s"] = characters / results["reindex_s"] if reindex else None
    results["documents"] = dict(
        SearchDocument.objects.order_by()
        .values_list("object_type")
        .annotate(n=Count("id"))
        .values_list("object_type", "n")
    )
    print(output.getvalue().strip(), flush=True)

    county = _county_name()
    queries = {
        "selective: county name": county,
        "selective: two terms": f"{county} 党建",
        "broad: 物业": "物业",
    }
    client = APIClient()
    rows = []
    for label, q in queries.items():
        parsed = parse(q)
        words = [term.verify or term.surfaces[0] for term in parsed.terms]
        row = {
            "query": label,
            "q": q,
            "matches": _matches(parsed),
            "api_cases_ms": _median_ms(_api(client, "/api/v1/cases/", q), repeats),
            "api_search_ms": _median_ms(_api(client, "/api/v1/search/", q), repeats),
            "service_ms": _median_ms(_service(parsed), repeats),
            "floor_ms": _median_ms(_floor(parsed), repeats),
            "icontains_ms": _median_ms(_icontains(words), min(repeats, 5)),
        }
        row["icontains_over_api"] = row["icontains_ms"] / row["api_cases_ms"]
        rows.append(row)
    results["queries"] = rows
    # A broad query narrowed by a filter: the index cannot count it alone, so the count joins
    # every match (the window still serves page 1).
    province = Case.objects.published().order_by("pk").values_list("primary_locality__path", flat=True).first()
    province_code = next(segment for segment in province.split("/") if segment.isdigit())[:2]
    filtered = {"q": "物业", "region": province_code, "page_size": 20}
    results["broad_filtered"] = {
        "region": province_code,
        "api_cases_ms": _median_ms(lambda: client.get("/api/v1/cases/", filtered), repeats),
    }

    sample = list(Case.objects.published().order_by("pk").values_list("pk", flat=True)[:: max(cases // 20, 1)][:20])
    timings = []
    for pk in sample:
        case = Case.objects.get(pk=pk)
        case.title_zh = case.title_zh + "更新"
        started = time.perf_counter()
        case.save()
        timings.append((time.perf_counter() - started) * 1000)
    results["incremental_update_ms"] = statistics.median(timings)
    document = SearchDocument.objects.get(object_type=DocumentType.CASE, object_id=sample[0])
    assert document.title.endswith("更新"), "the index did not follow the update"

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(text.database_names(), handle, ensure_ascii=False)
    results["memory"] = _memory_with_jieba(handle.name)
    os.unlink(handle.name)
    _print(results)
    return results


def _print(results: dict[str, object]) -> None:
    print()
    print(f"## Search benchmark: {results['cases']:,} synthetic cases on {results['database']}")
    print()
    print(
        "| query | matches | API /cases/?q= p50 | API /search/ p50 (facets) | service p50 (page 1 + count) | floor p50 "
        "| icontains p50 | icontains ÷ API |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in results["queries"]:
        print(
            f"| {row['query']} (`{row['q']}`) | {row['matches']:,} | {row['api_cases_ms']:.1f} ms | "
            f"{row['api_search_ms']:.1f} ms | {row['service_ms']:.1f} ms | {row['floor_ms']:.1f} ms | "
            f"{row['icontains_ms']:.1f} ms | {row['icontains_over_api']:.0f}× |"
        )
    filtered = results["broad_filtered"]
    print()
    print(
        f"- broad with a filter (`/cases/?q=物业&region={filtered['region']}`): "
        f"{filtered['api_cases_ms']:.1f} ms p50 at the API"
    )
    memory = results["memory"]
    documents = results["documents"]
    listed = ", ".join(f"{count:,} {kind}" for kind, count in sorted(documents.items()))
    if results["reindex_s"] is None:
        print(f"- index as found: {sum(documents.values()):,} documents ({listed}); reindex not run")
    else:
        print(
            f"- full reindex: {sum(documents.values()):,} documents ({listed}) in {results['reindex_s']:.1f} s "
            f"({results['reindex_chars_per_s']:,.0f} characters/s, 2 workers)"
        )
    print(f"- one incremental update (case save + index refresh): {results['incremental_update_ms']:.1f} ms (median)")
    print(
        f"- resident memory: {memory['before_mib']:.0f} MiB after Django set-up, "
        f"{memory['after_mib']:.0f} MiB with jieba and the database's names loaded"
    )
