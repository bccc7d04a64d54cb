"""python manage.py ingest PATH... — store pages, cut them into sources and propose candidates."""

from __future__ import annotations

import datetime
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.extraction.reading import MAX_BYTES, IngestError
from cases.services.ingest import source_ingest


class Command(BaseCommand):
    help = "Ingest text or HTML files (UTF-8, UTF-16 with BOM, GB18030 or Big5, detected): one document each, cut into sources, with proposed candidates."  # noqa: E501

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--outlet", default="", help="e.g. 人民日报")
        parser.add_argument("--date", default="", help="publication date, YYYY-MM-DD, to resolve 今年 and the like")

    def handle(self, *args, **options):
        publication = None
        if options["date"]:
            try:
                publication = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date {options['date']!r} is not a date (YYYY-MM-DD)") from None
        started = time.perf_counter()
        totals = {"documents": 0, "already": 0, "sources": 0, "candidates": 0}
        for path in options["paths"]:
            try:
                size = path.stat().st_size
                if size > MAX_BYTES:
                    raise CommandError(
                        f"{path}: file is {size:,} bytes; the limit is {MAX_BYTES:,} bytes (5 MB). Nothing was ingested."  # noqa: E501
                    )
                data = path.read_bytes()
            except OSError as error:
                raise CommandError(f"{path}: cannot read: {error.strerror}") from None
            try:
                result = source_ingest(
                    data=data, filename=path.name, outlet=options["outlet"], publication_date=publication
                )
            except IngestError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"{path}: read as {result.document.encoding}. {result.summary()}")
            totals["documents"] += 0 if result.already else 1
            totals["already"] += 1 if result.already else 0
            totals["sources"] += result.created_sources
            totals["candidates"] += result.candidates
        self.stdout.write(
            f"Ingested {totals['documents']} documents ({totals['already']} already present), "
            f"{totals['sources']} new sources, {totals['candidates']} candidates "
            f"in {time.perf_counter() - started:.1f} s."
        )
