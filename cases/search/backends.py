"""The two database backends: SQLite FTS5 with bm25, PostgreSQL tsvector with ts_rank.

Both add the same three things to a queryset: a join to the index, the full-text condition and a
``search_rank`` column (higher is better). They work on ``SearchDocument`` querysets and on the
querysets of the indexed models (joined through ``object_type``/``object_id``), so a search can
be combined with any other filter. ``QuerySet.extra`` is used deliberately: the FTS5 table and the
generated tsvector column are not model fields, and ``extra`` lets the index join sit beside
whatever joins the caller's filters made.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Model, QuerySet

from cases.models import DocumentType, SearchDocument
from cases.search.query import ParsedQuery
from cases.search.schema import FTS_TABLE

DOCUMENT_TABLE = SearchDocument._meta.db_table

# Column weights: a title match counts more than a body match, a bare character least.
SQLITE_WEIGHTS = (8.0, 2.0, 0.5)
# Across types, a score is scaled by its record type. Cases are what researchers cite and compare;
# an organisation or initiative document is little more than a name, and both bm25's and ts_rank's
# length normalisation lift a short name containing the word above a case that is about it.
TYPE_WEIGHTS = {
    DocumentType.CASE: 1.0,
    DocumentType.SOURCE: 0.8,
    DocumentType.INITIATIVE: 0.75,
    DocumentType.ORGANISATION: 0.6,
}


def _type_weighted(rank_sql: str) -> str:
    cases = " ".join(f"WHEN '{object_type}' THEN {weight}" for object_type, weight in TYPE_WEIGHTS.items())
    return f"({rank_sql}) * (CASE {DOCUMENT_TABLE}.object_type {cases} ELSE 1.0 END)"


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class Backend:
    vendor = ""

    def match(self, parsed: ParsedQuery) -> tuple[list[str], list[str], list[object], str, list[object]]:
        """(extra tables, where clauses, where params, rank SQL, rank params) for a parsed query."""
        raise NotImplementedError

    def apply(self, queryset: QuerySet, parsed: ParsedQuery, *, object_type: str | None = None) -> QuerySet:
        """``queryset`` narrowed to matches, with a ``search_rank`` column; not yet ordered."""
        tables, where, params, rank_sql, rank_params = self.match(parsed)
        if queryset.model is not SearchDocument:
            model: type[Model] = queryset.model
            tables = [DOCUMENT_TABLE, *tables]
            pk_column = (
                f"{connection.ops.quote_name(model._meta.db_table)}.{connection.ops.quote_name(model._meta.pk.column)}"
            )
            where = [f"{DOCUMENT_TABLE}.object_type = %s", f"{DOCUMENT_TABLE}.object_id = {pk_column}", *where]
            params = [object_type, *params]
        else:
            rank_sql = _type_weighted(rank_sql)
        for phrase in parsed.verifications:
            where.append(f"{DOCUMENT_TABLE}.normalized LIKE %s ESCAPE '\\'")
            params.append(_like_pattern(phrase))
        return queryset.extra(
            select={"search_rank": rank_sql},
            select_params=rank_params,
            tables=tables,
            where=where,
            params=params,
        )


class SQLiteBackend(Backend):
    vendor = "sqlite"

    def match(self, parsed):
        weights = ", ".join(str(weight) for weight in SQLITE_WEIGHTS)
        return (
            [FTS_TABLE],
            # The unary + keeps the rowid join away from FTS5: matched rows are then found by one
            # MATCH scan and joined by primary key, never by a MATCH per candidate row.
            [f"+{FTS_TABLE}.rowid = {DOCUMENT_TABLE}.id", f"{FTS_TABLE} MATCH %s"],
            [parsed.fts5()],
            # bm25 is lower for better matches; negate it so every backend sorts descending.
            f"-bm25({FTS_TABLE}, {weights})",
            [],
        )


class PostgreSQLBackend(Backend):
    vendor = "postgresql"

    def match(self, parsed):
        expression = parsed.tsquery()
        return (
            [],
            [f"{DOCUMENT_TABLE}.search_vector @@ to_tsquery('simple'::regconfig, %s)"],
            [expression],
            # Normalisation 1 divides by 1 + log(length): long texts do not win by size alone.
            f"ts_rank({DOCUMENT_TABLE}.search_vector, to_tsquery('simple'::regconfig, %s), 1)",
            [expression],
        )


def backend() -> Backend:
    """The backend for the database in use."""
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    if connection.vendor == "postgresql":
        return PostgreSQLBackend()
    raise NotImplementedError(f"full-text search supports SQLite and PostgreSQL, not {connection.vendor}")
