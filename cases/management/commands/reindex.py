"""Rebuild the search index from scratch, tokenising in worker processes."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterator

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from tqdm import tqdm

from cases.models import SearchDocument
from cases.search import text
from cases.search.documents import DocumentData, Tokens, build_documents, public_ids, tokenise
from cases.search.index import BATCH_SIZE, all_ids, bulk_load, write_documents
from cases.search.registry import TYPES
from cases.search.schema import FTS_TABLE


def _tokenise_many(fields_list: list[list[list[str]]]) -> list[Tokens]:
    # Runs in a forked worker: the parent built the tokeniser before forking, so it is shared.
    return [tokenise(fields) for fields in fields_list]


def _planner_statistics() -> None:
    """SQLite: fresh approximate statistics before reading every record (a few milliseconds).

    SQLite plans without statistics until ANALYZE runs, and keeps old ones as tables grow. The
    visibility rules' EXISTS then walk every published case for each record instead of seeking
    from the record: ``Initiative.objects.public()`` over 100,000 cases, in a database filled by
    ``generate_cases`` without statistics, ran for 25 minutes (0.2 s after ANALYZE). PostgreSQL's
    autovacuum keeps its own statistics.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit = 1000")
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA analysis_limit = 0")


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index: every record of the indexed types "
        f"({', '.join(TYPES)}) is "
        "re-read, tokenised with jieba (in worker processes, one per core by default) and written "
        "in one transaction, so searches see the old index until the new one is complete."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--workers",
            type=int,
            default=min(os.cpu_count() or 1, 8),
            help="tokenising processes (default: one per core, at most 8; 1 tokenises in this process)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, workers: int, no_progress: bool, verbosity: int, **options) -> None:
        if workers < 1:
            raise CommandError(f"--workers must be at least 1, not {workers}")
        started = time.perf_counter()
        _planner_statistics()
        # Load the dictionary with today's names before forking, so every worker shares it.
        text.reset_tokenizer()
        text.install_tokenizer(text.database_names())
        ids = all_ids()
        total = sum(len(found) for found in ids.values())
        self._characters = 0
        bar = tqdm(total=total, unit="doc", disable=no_progress or verbosity == 0, smoothing=0.1)

        def batches() -> Iterator[list[DocumentData]]:
            for object_type, found in ids.items():
                public = public_ids(object_type)
                for start in range(0, len(found), BATCH_SIZE):
                    yield build_documents(object_type, found[start : start + BATCH_SIZE], public=public)

        def rows() -> Iterator[tuple[DocumentData, Tokens]]:
            if workers == 1:
                for batch in batches():
                    yield from self._finish((batch, None), bar)
                return
            # Build batches here (database work stays in this process and its transaction) while
            # the workers tokenise; a bounded queue keeps memory flat.
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                in_flight: deque = deque()
                for batch in batches():
                    in_flight.append((batch, pool.apply_async(_tokenise_many, ([data.fields for data in batch],))))
                    while len(in_flight) > workers * 2:
                        yield from self._finish(in_flight.popleft(), bar)
                while in_flight:
                    yield from self._finish(in_flight.popleft(), bar)

        with transaction.atomic(), bulk_load():
            written = write_documents(rows())
        bar.close()
        self._optimise()
        elapsed = time.perf_counter() - started
        characters = self._characters
        rate = characters / elapsed if elapsed else 0.0
        self.stdout.write(
            f"reindexed {written} documents ({characters:,} characters) in {elapsed:.1f} s "
            f"with {workers} worker(s): {rate:,.0f} characters/s"
        )

    def _finish(self, item, bar) -> Iterator[tuple[DocumentData, Tokens]]:
        batch, result = item
        tokens = result.get() if result is not None else _tokenise_many([data.fields for data in batch])
        self._characters += sum(len(value) for data in batch for _, value in data.fields)
        bar.update(len(batch))
        yield from zip(batch, tokens, strict=True)

    def _optimise(self) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                # Merge FTS5's segments into one b-tree: fewer pages to read per query.
                cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
            # Planner statistics for the rebuilt table: without them SQLite reads the documents'
            # wide rows where the covering join index would do.
            cursor.execute(f"ANALYZE {SearchDocument._meta.db_table}")
