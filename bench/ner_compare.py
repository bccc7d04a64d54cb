"""The extractor with and without the LAC spans on the dev set: precision / recall per type.

``DEBUG=1 .venv/bin/python bench/ner_compare.py`` (the gazetteer must be loaded). Tuned articles
(tests/ingest/fixtures/articles) and held-out ones (tests/ingest/fixtures/held_out) separately.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _scores(directory: Path) -> dict:
    from cases.extraction.evaluation import TYPES, Score, evaluate_article, load_gold_articles

    totals = {t: Score() for t in TYPES}
    for article in load_gold_articles(directory):
        for fact_type, score in evaluate_article(article).items():
            totals[fact_type].add(score)
    return totals


def run(*, cases: int = 0, quick: bool = False) -> None:
    from cases.extraction import ner

    fixtures = ROOT / "tests" / "ingest" / "fixtures"
    print(f"{'set':<10}{'fact type':<14}{'rules P/R':>12}{'rules+LAC P/R':>16}")
    for name in ("articles", "held_out"):
        results = {}
        for enabled in (False, True):
            ner.ENABLED = enabled
            ner.tokens.cache_clear()
            ner.token_starts.cache_clear()
            ner.entities.cache_clear()
            results[enabled] = _scores(fixtures / name)
        ner.ENABLED = True
        for fact_type in results[True]:
            off, on = results[False][fact_type], results[True][fact_type]
            print(
                f"{name:<10}{fact_type:<14}{off.precision:>6.2f}/{off.recall:.2f}{on.precision:>10.2f}/{on.recall:.2f}"
            )


if __name__ == "__main__":
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    django.setup()
    run()
