"""Ingest benchmark: one 13k-character page (median of repeats) and 1,000 distinct articles.

Runs against the configured database (the gazetteer must be loaded: `manage.py load_seeds`); all
writes happen inside a transaction that is rolled back, so the database is left as it was.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

BUDGET_ARTICLES, BUDGET_SECONDS = 1000, 600
PAGE = Path(__file__).resolve().parent.parent / "seeds" / "pages" / "000_b02ca641ce48e5ea.txt"


def _articles(page: str, count: int) -> list[str]:
    """Distinct 13k-character articles: the page with a numbered paragraph, so each hashes differently."""
    return [f"{page}\n\n第{n}篇:某某社区今年收集居民意见{n}条。" for n in range(count)]


def run(*, cases: int = 0, quick: bool = False, articles: int | None = None) -> None:
    """``cases`` is the shared runner's data size (unused here); ``quick`` ingests 20 articles instead of 1,000."""
    from django.db import transaction

    from cases.extraction.extract import extract
    from cases.extraction.gazetteer import get_gazetteer
    from cases.extraction.segmenter import posseg
    from cases.services.ingest import source_ingest

    articles = articles or (20 if quick else int(os.environ.get("INGEST_BENCH_ARTICLES", "1000")))
    # The seed page is ~4,500 characters; three copies make the 13k-character page the budget names.
    page = "\n\n".join([PAGE.read_text(encoding="utf-8")] * 3)
    started = time.perf_counter()
    posseg()
    get_gazetteer()
    print(f"ingest: jieba + gazetteer automaton loaded in {time.perf_counter() - started:.2f} s")
    timings = []
    for _ in range(5):
        t = time.perf_counter()
        extract(page)
        timings.append(time.perf_counter() - t)
    print(f"ingest: extract one {len(page):,}-character page: median {statistics.median(timings):.3f} s")
    with transaction.atomic():
        t = time.perf_counter()
        result = source_ingest(text=_articles(page, 1)[0])
        single = time.perf_counter() - t
        print(f"ingest: ingest + split + extract + store one page: {single:.3f} s ({result.candidates} candidates)")
        t = time.perf_counter()
        for text in _articles(page, articles)[1:]:
            source_ingest(text=text)
        total = time.perf_counter() - t + single
        # The budget is 1,000 articles in 10 minutes: a quick run's 20 are scaled to 1,000.
        projected = total / articles * BUDGET_ARTICLES
        print(
            f"ingest: {articles:,} articles in {total:.1f} s ({total / articles * 1000:.0f} ms each; "
            f"{BUDGET_ARTICLES:,} at this rate: {projected / BUDGET_SECONDS:.2f} of the 10-minute budget)"
        )
        transaction.set_rollback(True)


if __name__ == "__main__":
    import sys

    import django

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    django.setup()
    run()
