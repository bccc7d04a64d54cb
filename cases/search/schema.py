"""Database-specific full-text structures beside ``cases_searchdocument``, created by migration.

SQLite: an FTS5 table over the token columns (external content: the text lives once, in the
model's table) with triggers that keep it in step on insert, delete and token changes; updates
that touch only metadata (published flag, region, themes) leave FTS5 alone.

PostgreSQL: a stored generated tsvector column ('simple' configuration, weights A/B/D for
title/body/characters) with a GIN index; PostgreSQL maintains it on every write.
"""

from __future__ import annotations

FTS_TABLE = "cases_searchdocument_fts"

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        title_tokens, body_tokens, chars,
        content='cases_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER IF NOT EXISTS cases_searchdocument_fts_insert AFTER INSERT ON cases_searchdocument BEGIN
        INSERT INTO {FTS_TABLE}(rowid, title_tokens, body_tokens, chars)
        VALUES (new.id, new.title_tokens, new.body_tokens, new.chars);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS cases_searchdocument_fts_delete AFTER DELETE ON cases_searchdocument BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title_tokens, body_tokens, chars)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens, old.chars);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS cases_searchdocument_fts_update
        AFTER UPDATE OF title_tokens, body_tokens, chars ON cases_searchdocument BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title_tokens, body_tokens, chars)
        VALUES ('delete', old.id, old.title_tokens, old.body_tokens, old.chars);
        INSERT INTO {FTS_TABLE}(rowid, title_tokens, body_tokens, chars)
        VALUES (new.id, new.title_tokens, new.body_tokens, new.chars);
    END""",
    # Rows written before the table existed (none on a fresh database) enter the index.
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS cases_searchdocument_fts_update",
    "DROP TRIGGER IF EXISTS cases_searchdocument_fts_delete",
    "DROP TRIGGER IF EXISTS cases_searchdocument_fts_insert",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
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

POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS cases_searchdocument_vector_gin",
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


def drop_index(apps, schema_editor) -> None:
    """Remove the full-text structures (the migration's reverse)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_DROP)
