"""Database-specific full-text structures beside ``cases_searchdocument``, created by migration.

SQLite: an FTS5 table over the token columns (external content: the text lives once, in the
model's table, read through a view) with triggers that keep it in step on insert, delete, token
changes and publication. A fourth column, ``meta``, holds the record type and ``public`` for
public documents, so a search restricted to public cases of one type is answered inside FTS5
(merging two posting lists) instead of looking up each matching row in the wide documents table.
Updates that touch only other metadata (region, themes) leave FTS5 alone. A covering index on
(id, object_type, is_public, object_id, province_code, prefecture_code) serves the join from
FTS5 rows to records, and region filters and facets, without reading the wide rows.

PostgreSQL: a stored generated tsvector column ('simple' configuration, weights A/B/D for
title/body/characters) with a GIN index; PostgreSQL maintains it on every write.
"""

from __future__ import annotations

FTS_TABLE = "cases_searchdocument_fts"
FTS_CONTENT_VIEW = "cases_searchdocument_fts_content"
# The FTS5 columns searched by user terms; ``meta`` only ever by the backend's own filters.
TEXT_COLUMNS = ("title_tokens", "body_tokens", "chars")
PUBLIC_TOKEN = "public"

SQLITE_TABLE = [
    f"""CREATE VIEW IF NOT EXISTS {FTS_CONTENT_VIEW} AS
        SELECT id, title_tokens, body_tokens, chars,
               object_type || CASE WHEN is_public THEN ' {PUBLIC_TOKEN}' ELSE '' END AS meta
        FROM cases_searchdocument""",
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        title_tokens, body_tokens, chars, meta,
        content='{FTS_CONTENT_VIEW}', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    # Covering: joins to records and the region filters and facets of /search/ never read the wide
    # rows (whose region codes sit behind the texts, in overflow pages).
    """CREATE INDEX IF NOT EXISTS cases_searchdocument_fts_join
        ON cases_searchdocument (id, object_type, is_public, object_id, province_code, prefecture_code)""",
]

_META_NEW = f"new.object_type || CASE WHEN new.is_public THEN ' {PUBLIC_TOKEN}' ELSE '' END"
_META_OLD = f"old.object_type || CASE WHEN old.is_public THEN ' {PUBLIC_TOKEN}' ELSE '' END"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS cases_searchdocument_fts_insert AFTER INSERT ON cases_searchdocument BEGIN
        INSERT INTO {FTS_TABLE}(rowid, title_tokens, body_tokens, chars, meta)
        VALUES (new.id, new.title_tokens, new.body_tokens, new.chars, {_META_NEW});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS cases_searchdocument_fts_delete AFTER DELETE ON cases_searchdocument BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title_tokens, body_tokens, chars, meta)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens, old.chars, {_META_OLD});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS cases_searchdocument_fts_update
        AFTER UPDATE OF title_tokens, body_tokens, chars, object_type, is_public ON cases_searchdocument BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title_tokens, body_tokens, chars, meta)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens, old.chars, {_META_OLD});
        INSERT INTO {FTS_TABLE}(rowid, title_tokens, body_tokens, chars, meta)
        VALUES (new.id, new.title_tokens, new.body_tokens, new.chars, {_META_NEW});
    END""",
]

# Rows written before the table existed (none on a fresh database) enter the index.
SQLITE_REBUILD = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"

SQLITE_CREATE = [*SQLITE_TABLE, *SQLITE_TRIGGERS, SQLITE_REBUILD]

SQLITE_DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS cases_searchdocument_fts_update",
    "DROP TRIGGER IF EXISTS cases_searchdocument_fts_delete",
    "DROP TRIGGER IF EXISTS cases_searchdocument_fts_insert",
]

SQLITE_DROP = [
    *SQLITE_DROP_TRIGGERS,
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
    f"DROP VIEW IF EXISTS {FTS_CONTENT_VIEW}",
    "DROP INDEX IF EXISTS cases_searchdocument_fts_join",
]

POSTGRESQL_CREATE = [
    """ALTER TABLE cases_searchdocument ADD COLUMN IF NOT EXISTS search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('simple'::regconfig, title_tokens), 'A')
            || setweight(to_tsvector('simple'::regconfig, body_tokens), 'B')
            || setweight(to_tsvector('simple'::regconfig, chars), 'D')
        ) STORED""",
    "CREATE INDEX IF NOT EXISTS cases_searchdocument_vector_gin ON cases_searchdocument USING gin (search_vector)",
]
POSTGRESQL_GIN_CREATE = POSTGRESQL_CREATE[-1]
POSTGRESQL_GIN_DROP = "DROP INDEX IF EXISTS cases_searchdocument_vector_gin"

POSTGRESQL_DROP = [
    POSTGRESQL_GIN_DROP,
    "ALTER TABLE cases_searchdocument DROP COLUMN IF EXISTS search_vector",
]


def _run(schema_editor, statements: list[str]) -> None:
    for statement in statements:
        schema_editor.execute(statement)


def create_index(apps, schema_editor) -> None:
    """Create the full-text structures for the database in use (a migration's RunPython)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_CREATE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_CREATE)
    else:
        raise NotImplementedError(f"full-text search supports SQLite and PostgreSQL, not {vendor}")


def recreate_sqlite_index(apps, schema_editor) -> None:
    """Replace SQLite's full-text structures with the current ones (re-reading every document).

    PostgreSQL's are unchanged, and left alone.
    """
    if schema_editor.connection.vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
        _run(schema_editor, SQLITE_CREATE)


def recreate_sqlite_join_index(apps, schema_editor) -> None:
    """Replace SQLite's covering join index with the current definition (PostgreSQL has none)."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS cases_searchdocument_fts_join")
        schema_editor.execute(next(statement for statement in SQLITE_TABLE if "fts_join" in statement))
        # Dropping the index dropped its planner statistics; without them SQLite keeps reading the
        # wide rows by primary key.
        schema_editor.execute("ANALYZE cases_searchdocument_fts_join")


def drop_index(apps, schema_editor) -> None:
    """Remove the full-text structures (the migration's reverse)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_DROP)
