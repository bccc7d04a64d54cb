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
from cases.search.schema import FTS_TABLE, PUBLIC_TOKEN, TEXT_COLUMNS

DOCUMENT_TABLE = SearchDocument._meta.db_table

# Column weights: a title match counts more than a body match, a bare character least.
SQLITE_WEIGHTS = (8.0, 2.0, 0.5)
# Across types, a score is scaled by its record type. Cases are what researchers cite and compare;
# an organisation or initiative document is little more than a name, and both bm25's and ts_rank's
# length normalisation lift a short name containing the word above a case that is about it (by a
# factor of 2 to 3 at the seed data's lengths: ts_rank divides by 1 + log(length), bm25 by length
# against the average). Searching one type (``type=``, or ``?q=`` on a resource) ranks by text alone.
TYPE_WEIGHTS = {
    DocumentType.CASE: 1.0,
    DocumentType.SOURCE: 0.6,
    DocumentType.INITIATIVE: 0.4,
    DocumentType.ORGANISATION: 0.3,
}


# Above this many matching documents (all types, drafts included) the SQLite backend lets FTS5
# drop other types and drafts itself (see SQLiteBackend.match).
BROAD_MATCHES = 2000


def _type_weighted(rank_sql: str) -> str:
    cases = " ".join(f"WHEN '{object_type}' THEN {weight}" for object_type, weight in TYPE_WEIGHTS.items())
    return f"({rank_sql}) * (CASE {DOCUMENT_TABLE}.object_type {cases} ELSE 1.0 END)"


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class Backend:
    vendor = ""

    def match(
        self, parsed: ParsedQuery, *, types: list[str] | None = None, public_only: bool = False
    ) -> tuple[list[str], list[str], list[object], str, list[object]]:
        """(extra tables, where clauses, where params, rank SQL, rank params) for a parsed query.

        ``types`` and ``public_only`` are hints: the caller filters on them anyway, and a backend
        may use them to narrow its index scan.
        """
        raise NotImplementedError

    def apply(
        self,
        queryset: QuerySet,
        parsed: ParsedQuery,
        *,
        object_type: str | None = None,
        types: list[str] | None = None,
        public_only: bool = False,
    ) -> QuerySet:
        """``queryset`` narrowed to matches, with a ``search_rank`` column; not yet ordered.

        ``public_only`` also keeps only public documents; ``types`` only documents of these types.
        """
        if object_type is not None:
            types = [object_type]
        tables, where, params, rank_sql, rank_params = self.match(parsed, types=types, public_only=public_only)
        if public_only:
            where.append(f"{DOCUMENT_TABLE}.is_public")
        if types and queryset.model is SearchDocument:
            where.append(f"{DOCUMENT_TABLE}.object_type IN ({', '.join(['%s'] * len(types))})")
            params.extend(types)
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

    def match(self, parsed, *, types=None, public_only=False):
        # The meta column weighs nothing: it is a filter, never a reason to rank higher.
        weights = ", ".join(str(weight) for weight in (*SQLITE_WEIGHTS, 0.0))
        expression = f"{{{' '.join(TEXT_COLUMNS)}}} : ({parsed.fts5()})"
        if (types or public_only) and self._is_broad(expression):
            # Type and visibility as tokens of the meta column: FTS5 merges their posting lists
            # with the query's, so rows of other types or drafts are never looked up in the
            # documents table. Only for broad queries: bm25 reads the whole posting list of every
            # phrase in the expression (for its IDF), ~10 ms for "public", more than a selective
            # query's lookups cost.
            if types:
                expression += " AND meta : (" + " OR ".join(f'"{object_type}"' for object_type in types) + ")"
            if public_only:
                expression += f' AND meta : "{PUBLIC_TOKEN}"'
        return (
            [FTS_TABLE],
            # The unary + keeps the rowid join away from FTS5: matched rows are then found by one
            # MATCH scan and joined by primary key, never by a MATCH per candidate row.
            [f"+{FTS_TABLE}.rowid = {DOCUMENT_TABLE}.id", f"{FTS_TABLE} MATCH %s"],
            [expression],
            # bm25 is lower for better matches; negate it so every backend sorts descending.
            f"-bm25({FTS_TABLE}, {weights})",
            [],
        )

    @staticmethod
    def _is_broad(expression: str) -> bool:
        """Whether more than BROAD_MATCHES documents match (stops counting there: < 1 ms)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT %s)",
                [expression, BROAD_MATCHES + 1],
            )
            return cursor.fetchone()[0] > BROAD_MATCHES


class PostgreSQLBackend(Backend):
    vendor = "postgresql"

    def match(self, parsed, *, types=None, public_only=False):
        expression = parsed.tsquery()
        return (
            [],
            [f"{DOCUMENT_TABLE}.search_vector @@ to_tsquery('simple'::regconfig, %s)"],
            [expression],
            # No length normalisation: dividing by 1 + log(length) ranked a bare organisation name
            # above a case that discusses the word throughout; ts_rank already saturates repeats.
            f"ts_rank({DOCUMENT_TABLE}.search_vector, to_tsquery('simple'::regconfig, %s), 0)",
            [expression],
        )


def backend() -> Backend:
    """The backend for the database in use."""
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    if connection.vendor == "postgresql":
        return PostgreSQLBackend()
    raise NotImplementedError(f"full-text search supports SQLite and PostgreSQL, not {connection.vendor}")
