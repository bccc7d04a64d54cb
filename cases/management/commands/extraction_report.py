"""python manage.py extraction_report — precision and recall of the extractor against curated sources."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from cases.ingest.evaluation import TYPES, Score, curated_sources, evaluate_source


class Command(BaseCommand):
    help = (
        "Run the extractor on curated sources and compare with what is curated for them: precision and "
        "recall per fact type (matching rules in cases/ingest/evaluation.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", type=int, action="append", help="source id (repeatable); default: all curated")
        parser.add_argument("--verbose-misses", action="store_true", help="list every miss and extra proposal")

    def handle(self, *args, **options):
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
        self.stdout.write(f"{'fact type':<14}{'proposed':>9}{'curated':>9}{'precision':>11}{'recall':>9}")
        for fact_type, score in totals.items():
            self.stdout.write(
                f"{fact_type:<14}{score.proposed:>9}{score.curated:>9}{score.precision:>11.2f}{score.recall:>9.2f}"
            )
        if options["verbose_misses"]:
            for fact_type, score in totals.items():
                for line in score.misses:
                    self.stdout.write(f"  missed {fact_type}: {line}")
                for line in score.extras:
                    self.stdout.write(f"  extra  {fact_type}: {line}")
        self.stdout.write(f"Compared {len(sources)} curated sources in {time.perf_counter() - started:.1f} s.")
