"""python manage.py load_seeds — load the gazetteer, vocabularies and curated corpus."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from seeds.gazetteer_loader import GAZETTEER_FILES
from seeds.loader import SeedError, load_all


class Command(BaseCommand):
    help = (
        "Load the national gazetteer (seeds/gazetteer/divisions.csv and villages.csv.xz, 665,276 "
        "places), the theme and indicator vocabularies and the curated corpus (seeds/corpus/*.yaml) "
        "in one transaction. "
        "Idempotent: a second run changes nothing. A broken file changes nothing and the error "
        "names the file, record and field."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("corpus", nargs="*", type=Path, help="corpus files to load (default: all)")
        parser.add_argument("--skip-gazetteer", action="store_true", help="do not (re)load the gazetteer")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--check-gazetteer",
            action="store_true",
            help="compare every gazetteer row even when the files and row counts match the last load",
        )

    def handle(self, *args, **options) -> None:
        try:
            summary = load_all(
                gazetteer=None if options["skip_gazetteer"] else GAZETTEER_FILES,
                corpus=options["corpus"] or None,
                progress=not options["no_progress"] and options["verbosity"] > 0,
                full_check=options["check_gazetteer"],
            )
        except SeedError as error:
            raise CommandError(f"Nothing loaded. {error}") from None
        if summary.changed:
            # Fresh statistics let the planners use the path and code indexes on a new database.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(summary.line())
