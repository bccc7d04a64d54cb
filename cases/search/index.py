"""Writing the index: refresh documents for changed records, in the caller's transaction.

Signals (``signals.py``) call ``mark`` for every record a write affects. Outside ``deferred()``
the documents are refreshed at once, inside the same transaction as the write, so a rolled-back
write leaves the index as it was. Inside ``deferred()`` (bulk imports, seed loading, admin bulk
actions) keys are collected and refreshed once, in batches, when the block ends.

A refresh rebuilds each record's texts and metadata; when the texts are unchanged (a status
change, a new theme) it updates only the metadata and skips tokenising.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone

from cases.models import SearchDocument
from cases.search.documents import DocumentData, Tokens, build_documents, public_ids, tokenise

BATCH_SIZE = 500
_local = threading.local()


def _pending() -> list[dict[str, set[int]]]:
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


def mark(object_type: str, ids: Iterable[int]) -> None:
    """Note that these records changed: refresh now, or at the end of the enclosing ``deferred()``."""
    ids = {int(pk) for pk in ids if pk is not None}
    if not ids:
        return
    stack = _pending()
    if stack:
        stack[-1].setdefault(object_type, set()).update(ids)
    else:
        refresh(object_type, ids)


@contextmanager
def deferred(*, after_error: bool = False) -> Iterator[None]:
    """Collect index refreshes inside the block and run them once at its end (nesting is fine).

    A block that raises is normally rolled back with its transaction, and what it collected is
    dropped. ``after_error`` refreshes it anyway, for a block whose writes commit one by one
    (``candidates_accept_each``): those that committed before the error must not be left stale.
    A refresh reads the records as they are, so refreshing one that was rolled back is harmless.
    """
    stack = _pending()
    stack.append({})
    try:
        yield
    except BaseException:
        collected = stack.pop()
        if after_error and not connection.needs_rollback:
            _mark_each(collected)
        raise
    _mark_each(stack.pop())


def _mark_each(collected: dict[str, set[int]]) -> None:
    for object_type, ids in collected.items():
        mark(object_type, ids)


def _metadata(data: DocumentData) -> dict[str, object]:
    return {
        "title": data.title[:300],
        "is_public": data.is_public,
        "locality_id": data.locality_id,
        "province_code": data.province_code,
        "prefecture_code": data.prefecture_code,
    }


def _token_fields(tokens: Tokens) -> dict[str, str]:
    return {
        "normalized": tokens.normalized,
        "title_tokens": tokens.title_tokens,
        "body_tokens": tokens.body_tokens,
        "chars": tokens.chars,
    }


@transaction.atomic
def refresh(object_type: str, ids: Iterable[int]) -> None:
    """Bring the documents of these records up to date; delete those whose record is gone."""
    ids = sorted(set(ids))
    for start in range(0, len(ids), BATCH_SIZE):
        _refresh_batch(object_type, ids[start : start + BATCH_SIZE])


def _refresh_batch(object_type: str, ids: list[int]) -> None:
    built = {data.object_id: data for data in build_documents(object_type, ids)}
    existing = {
        document.object_id: document
        for document in SearchDocument.objects.filter(object_type=object_type, object_id__in=ids).prefetch_related(
            "themes"
        )
    }
    gone = [pk for pk in ids if pk not in built and pk in existing]
    if gone:
        SearchDocument.objects.filter(object_type=object_type, object_id__in=gone).delete()
    for pk, data in built.items():
        document = existing.get(pk)
        values = _metadata(data)
        if document is None:
            document = SearchDocument(object_type=object_type, object_id=pk, fields=data.fields, **values)
            for name, value in _token_fields(tokenise(data.fields)).items():
                setattr(document, name, value)
            document.save()
        else:
            changed = [name for name, value in values.items() if getattr(document, name) != value]
            if document.fields != data.fields:
                document.fields = data.fields
                tokens = _token_fields(tokenise(data.fields))
                changed += ["fields", *tokens]
                for name, value in tokens.items():
                    setattr(document, name, value)
            for name in changed:
                if name in values:
                    setattr(document, name, values[name])
            if changed:
                document.save(update_fields=[*changed, "indexed_at"])
        if {theme.pk for theme in document.themes.all()} != set(data.theme_ids):
            document.themes.set(data.theme_ids)


_INSERT_COLUMNS = (
    "object_type",
    "object_id",
    "is_public",
    "title",
    "fields",
    "normalized",
    "title_tokens",
    "body_tokens",
    "chars",
    "locality_id",
    "province_code",
    "prefecture_code",
    "indexed_at",
)


def write_documents(rows: Iterable[tuple[DocumentData, Tokens]]) -> int:
    """Insert freshly built documents (``reindex``, after clearing); returns the count.

    PostgreSQL: ``COPY`` (``_copy_documents``). SQLite: plain ``executemany`` rather than
    ``bulk_create``: at hundreds of thousands of rows the ORM's per-object work costs more than
    the database's. Values go through the fields' own ``get_db_prep_save`` so JSON and datetimes
    are stored exactly as the ORM would store them.
    """
    if connection.vendor == "postgresql":
        return _copy_documents(rows)
    opts = SearchDocument._meta
    prep = {name: opts.get_field("locality" if name == "locality_id" else name) for name in _INSERT_COLUMNS}
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    insert = (
        f"INSERT INTO {table} ({', '.join(quote(name) for name in _INSERT_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(_INSERT_COLUMNS))})"
    )
    through = SearchDocument.themes.through
    now = timezone.now()
    count = 0
    batch: list[tuple[DocumentData, Tokens]] = []

    def flush() -> None:
        params = []
        for data, tokens in batch:
            values = _row_values(data, tokens, now)
            params.append([prep[name].get_db_prep_save(values[name], connection) for name in _INSERT_COLUMNS])
        with connection.cursor() as cursor:
            cursor.executemany(insert, params)
        themed = {(data.object_type, data.object_id): data.theme_ids for data, _ in batch if data.theme_ids}
        if themed:
            ids = SearchDocument.objects.filter(
                object_type=batch[0][0].object_type, object_id__in=[key[1] for key in themed]
            ).values_list("object_type", "object_id", "pk")
            through.objects.bulk_create(
                [
                    through(searchdocument_id=pk, theme_id=theme_id)
                    for object_type, object_id, pk in ids
                    for theme_id in themed.get((object_type, object_id), [])
                ]
            )
        batch.clear()

    for row in rows:
        # One object type per batch keeps the id look-up a single indexed query.
        if batch and (len(batch) >= BATCH_SIZE or batch[0][0].object_type != row[0].object_type):
            flush()
        batch.append(row)
        count += 1
    if batch:
        flush()
    return count


def _row_values(data: DocumentData, tokens: Tokens, now) -> dict[str, object]:
    return {
        "object_type": data.object_type,
        "object_id": data.object_id,
        "fields": data.fields,
        "indexed_at": now,
        **_metadata(data),
        **_token_fields(tokens),
    }


# Documents per COPY statement, each followed by one COPY of their theme links.
COPY_ROWS = 5000


def _copy_documents(rows: Iterable[tuple[DocumentData, Tokens]]) -> int:
    """PostgreSQL: the documents and their theme links by ``COPY``, 20–50 times faster than
    row inserts. Ids are numbered here, after the highest present (none, after ``bulk_load``), so
    the links need no look-up; the id sequence is moved past them at the end."""
    quote = connection.ops.quote_name
    table = quote(SearchDocument._meta.db_table)
    through = quote(SearchDocument.themes.through._meta.db_table)
    copy_documents = f"COPY {table} (id, {', '.join(quote(name) for name in _INSERT_COLUMNS)}) FROM STDIN"
    copy_links = f"COPY {through} (searchdocument_id, theme_id) FROM STDIN"
    now = timezone.now()
    rows = iter(rows)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        last = first = cursor.fetchone()[0]
        while chunk := list(islice(rows, COPY_ROWS)):
            links = []
            with cursor.copy(copy_documents) as copy:
                for data, tokens in chunk:
                    last += 1
                    values = _row_values(data, tokens, now)
                    # jsonb reads JSON text; what it stores is the same as for the ORM's own dump.
                    values["fields"] = json.dumps(values["fields"], ensure_ascii=False)
                    copy.write_row((last, *(values[name] for name in _INSERT_COLUMNS)))
                    links.extend((last, theme_id) for theme_id in data.theme_ids)
            if links:
                with cursor.copy(copy_links) as copy:
                    for link in links:
                        copy.write_row(link)
        if last > first:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, last])
    return last - first


@contextmanager
def bulk_load() -> Iterator[None]:
    """Empty the index for a full reload, the fast way for the database in use (inside a transaction).

    SQLite: the sync triggers are dropped, the rows and the FTS5 index emptied in one statement each,
    and after the block FTS5 indexes everything in one pass ('rebuild') before the triggers come
    back; per-row trigger work would cost more than the whole rebuild. PostgreSQL: TRUNCATE and the
    GIN index dropped, then built over the loaded rows after the block (the generated tsvector
    column is computed as rows are copied in).
    """
    from cases.search.schema import (
        FTS_TABLE,
        POSTGRESQL_GIN_CREATE,
        POSTGRESQL_GIN_DROP,
        SQLITE_DROP_TRIGGERS,
        SQLITE_REBUILD,
        SQLITE_TRIGGERS,
    )

    through = connection.ops.quote_name(SearchDocument.themes.through._meta.db_table)
    table = connection.ops.quote_name(SearchDocument._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in SQLITE_DROP_TRIGGERS:
                cursor.execute(statement)
            cursor.execute(f"DELETE FROM {through}")
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
        else:
            # TRUNCATE refuses to run while deferred foreign-key checks are pending in this
            # transaction: run them now, then defer again as Django expects.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {through}, {table}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            # Maintaining the GIN index row by row costs more than building it once, sorted.
            cursor.execute(POSTGRESQL_GIN_DROP)
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in [*SQLITE_TRIGGERS, SQLITE_REBUILD]:
                cursor.execute(statement)
        else:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(POSTGRESQL_GIN_CREATE)


def missing_documents() -> dict[str, set[int]]:
    """Records without a document, by type (a health check for the sync mechanism)."""
    from cases.search.registry import TYPES

    result: dict[str, set[int]] = defaultdict(set)
    for object_type, entry in TYPES.items():
        model = entry.model
        indexed = set(SearchDocument.objects.filter(object_type=object_type).values_list("object_id", flat=True))
        present = set(model.objects.values_list("pk", flat=True))
        if present - indexed:
            result[object_type] = present - indexed
    return dict(result)


@contextmanager
def suspended() -> Iterator[None]:
    """Drop index refreshes inside the block; the caller promises a ``rebuild()`` afterwards."""
    stack = _pending()
    stack.append({})
    try:
        yield
    finally:
        stack.pop()


def all_ids() -> dict[str, list[int]]:
    """Every indexed record's id, by type."""
    from cases.search.registry import TYPES

    return {
        object_type: list(entry.model._default_manager.order_by("pk").values_list("pk", flat=True))
        for object_type, entry in TYPES.items()
    }


@transaction.atomic
def rebuild() -> int:
    """Replace the whole index in this process (small databases, tests, seed loading)."""
    rows = (
        (data, tokenise(data.fields))
        for object_type, ids in all_ids().items()
        for public in [public_ids(object_type)]
        for start in range(0, len(ids), BATCH_SIZE)
        for data in build_documents(object_type, ids[start : start + BATCH_SIZE], public=public)
    )
    with bulk_load():
        return write_documents(rows)
