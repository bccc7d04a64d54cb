"""python manage.py extraction_report — precision and recall of the extractor against curated sources."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.extraction.evaluation import (
    TYPES,
    Score,
    curated_sources,
    evaluate_article,
    evaluate_source,
    load_gold_articles,
)
from cases.extraction.extract import extract


class Command(BaseCommand):
    help = (
        "Run the extractor on curated sources and compare with what is curated for them: precision and "
        "recall per fact type (each type's matching rule in cases/extraction/facts.py, scoring in "
        "cases/extraction/evaluation.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", type=int, action="append", help="source id (repeatable); default: all curated")
        parser.add_argument("--verbose-misses", action="store_true", help="list every miss and extra proposal")
        parser.add_argument(
            "--articles",
            type=Path,
            help="a directory of NN_slug.txt articles with NN_slug.yaml gold annotations "
            "(e.g. tests/ingest/fixtures/articles): report on those instead of the curated sources",
        )

    def handle(self, *args, **options):
        if options["articles"]:
            return self.report_articles(options["articles"], verbose=options["verbose_misses"])
        sources = curated_sources()
        if options["source"]:
            sources = sources.filter(pk__in=options["source"])
        sources = list(sources)
        if not sources:
            raise CommandError("no curated sources to compare with (run `manage.py load_seeds` first)")
        started = time.perf_counter()
        totals = {t: Score() for t in TYPES}
        for source in sources:
            for fact_type, score in evaluate_source(source).items():
                totals[fact_type].add(score)
        self.write_table(totals, verbose=options["verbose_misses"])
        self.stdout.write(f"Compared {len(sources)} curated sources in {time.perf_counter() - started:.1f} s.")

    def write_table(self, totals: dict[str, Score], *, verbose: bool, indent: str = "") -> None:
        self.stdout.write(f"{indent}{'fact type':<14}{'proposed':>9}{'curated':>9}{'precision':>11}{'recall':>9}")
        for fact_type, score in totals.items():
            self.stdout.write(
                f"{indent}{fact_type:<14}{score.proposed:>9}{score.curated:>9}"
                f"{score.precision:>11.2f}{score.recall:>9.2f}"
            )
        if verbose:
            for fact_type, score in totals.items():
                for line in score.misses:
                    self.stdout.write(f"{indent}  missed {fact_type}: {line}")
                for line in score.extras:
                    self.stdout.write(f"{indent}  extra  {fact_type}: {line}")

    def report_articles(self, directory: Path, *, verbose: bool) -> None:
        if not directory.is_dir():
            raise CommandError(f"--articles {directory}: not a directory")
        articles = load_gold_articles(directory)
        if not articles:
            raise CommandError(f"--articles {directory}: no NN_slug.txt articles with gold annotations")
        started = time.perf_counter()
        totals = {t: Score() for t in TYPES}
        metrics = suggested = 0
        for article in articles:
            facts = extract(article.text, publication=article.publication)
            for fact in facts:
                if fact.fact_type == "metric":
                    metrics += 1
                    suggested += bool(fact.payload.get("indicator") or fact.payload.get("suggested_indicators"))
            scores = evaluate_article(article, facts)
            self.stdout.write(article.name)
            self.write_table(scores, verbose=verbose, indent="  ")
            for fact_type, score in scores.items():
                totals[fact_type].add(score)
        self.stdout.write("all articles")
        self.write_table(totals, verbose=False, indent="  ")
        self.stdout.write(f"Metrics with an indicator or suggested indicators: {suggested} of {metrics}.")
        self.stdout.write(f"Compared {len(articles)} annotated articles in {time.perf_counter() - started:.1f} s.")
