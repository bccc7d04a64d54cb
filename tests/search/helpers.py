"""The search index as data: every document's columns, theme links and (PostgreSQL) tsvectors, to compare
two ways of writing it."""

from __future__ import annotations

from django.db import connection

from cases.models import SearchDocument
from cases.search.index import _INSERT_COLUMNS

# Every column the index writes, but the record's key and the time it was written.
COLUMNS = tuple(name for name in _INSERT_COLUMNS if name not in {"object_type", "object_id", "indexed_at"})


def snapshot() -> tuple[dict, set, dict]:
    """Every document's columns and theme links by (type, record id), and PostgreSQL's tsvectors."""
    documents = {
        (object_type, object_id): values
        for object_type, object_id, *values in SearchDocument.objects.values_list("object_type", "object_id", *COLUMNS)
    }
    links = set(
        SearchDocument.themes.through.objects.values_list(
            "searchdocument__object_type", "searchdocument__object_id", "theme_id"
        )
    )
    vectors = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT object_type, object_id, search_vector::text FROM cases_searchdocument")
            vectors = {(object_type, object_id): vector for object_type, object_id, vector in cursor.fetchall()}
    return documents, links, vectors
