"""``reindex`` loads the index in bulk (``COPY`` on PostgreSQL, its GIN index built after the load;
``executemany`` and one FTS5 rebuild on SQLite) and must write exactly what the per-record path
(``index.refresh``, the one every edit takes) writes for the same records."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from cases.models import SearchDocument
from cases.search import index
from cases.search.index import all_ids, refresh
from cases.search.query import parse
from cases.search.service import search_documents
from tests.search.helpers import snapshot

pytestmark = pytest.mark.django_db


def test_reindex_writes_the_same_index_as_refreshing_every_record_one_by_one(seeded_index, monkeypatch):
    SearchDocument.objects.all().delete()
    for object_type, ids in all_ids().items():
        refresh(object_type, ids)
    per_record = snapshot()
    assert len(per_record[0]) > 50 and per_record[1], "the seed data should give documents with themes"

    # Small writes, so the load spans many statements (COPYs, inserts) as at scale.
    monkeypatch.setattr(index, "COPY_ROWS", 7)
    monkeypatch.setattr(index, "BATCH_SIZE", 7)
    call_command("reindex", workers=1, no_progress=True, stdout=io.StringIO())

    documents, links, vectors = snapshot()
    assert documents == per_record[0]
    assert links == per_record[1]
    assert vectors == per_record[2]


def test_after_reindex_search_finds_records_and_new_documents_get_fresh_ids(seeded_index):
    if connection.vendor == "postgresql":
        # As on a database whose index was only ever bulk-loaded: its id sequence never used.
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('cases_searchdocument', 'id'), 1, false)")
    call_command("reindex", workers=1, no_progress=True, stdout=io.StringIO())
    assert search_documents(parse("社区"), public_only=True).exists()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'cases_searchdocument_vector_gin'")
            assert cursor.fetchone(), "the GIN index is built again after the load"
    # The id sequence was moved past the copied rows: a document written afterwards gets a new id.
    highest = SearchDocument.objects.order_by("-pk").values_list("pk", flat=True).first()
    last = SearchDocument.objects.order_by("-pk").first()
    last.delete()
    refresh(last.object_type, [last.object_id])
    assert SearchDocument.objects.get(object_type=last.object_type, object_id=last.object_id).pk > highest


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps no planner statistics unless asked")
def test_reindex_gives_sqlite_planner_statistics_for_the_visibility_rules_first(seeded_index):
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    call_command("reindex", "--workers", "1", "--no-progress", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        analysed = {row[0] for row in cursor.fetchall()}
        cursor.execute("PRAGMA analysis_limit")
        limit = cursor.fetchone()[0]
    # The links the visibility rules seek through, and the cases they check.
    assert {"cases_case", "cases_case_initiatives", "cases_caseorganisation"} <= analysed
    assert limit == 0  # the connection's later ANALYZE runs are exact again
