"""python manage.py load_seeds — load the gazetteer, vocabularies and curated corpus."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from seeds.loader import SeedError, load_all


class Command(BaseCommand):
    help = (
        "Load the national gazetteer (seeds/gazetteer/divisions.csv), the theme and indicator "
        "vocabularies and the curated corpus (seeds/corpus/*.yaml) in one transaction. "
        "Idempotent: a second run changes nothing. A broken file changes nothing and the error "
        "names the file, record and field."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("corpus", nargs="*", type=Path, help="corpus files to load (default: all)")
        parser.add_argument("--skip-gazetteer", action="store_true", help="do not (re)load the gazetteer")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options) -> None:
        try:
            summary = load_all(
                gazetteer=None
                if options["skip_gazetteer"]
                else Path(__file__).resolve().parents[2] / "gazetteer" / "divisions.csv",
                corpus=options["corpus"] or None,
                progress=not options["no_progress"] and options["verbosity"] > 0,
            )
        except SeedError as error:
            raise CommandError(f"Nothing loaded. {error}") from None
        if summary.changed:
            # Fresh statistics let the planners use the path and code indexes on a new database.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(summary.line())
