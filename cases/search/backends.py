"""The two database backends: SQLite FTS5 with bm25, PostgreSQL tsvector with ts_rank.

Both add the same three things to a queryset: a join to the index, the full-text condition and a
``search_rank`` column (higher is better). They work on ``SearchDocument`` querysets and on the
querysets of the indexed models (joined through ``object_type``/``object_id``), so a search can
be combined with any other filter. ``QuerySet.extra`` is used deliberately: the FTS5 table and the
generated tsvector column are not model fields, and ``extra`` lets the index join sit beside
whatever joins the caller's filters made.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.db import connection
from django.db.models import Model, QuerySet

from cases.models import SearchDocument
from cases.search.query import ParsedQuery
from cases.search.registry import TYPES
from cases.search.schema import FTS_TABLE, PUBLIC_TOKEN, TEXT_COLUMNS

DOCUMENT_TABLE = SearchDocument._meta.db_table

# Column weights: a title match counts more than a body match, a bare character least.
SQLITE_WEIGHTS = (8.0, 2.0, 0.5)
# Across types, a score is scaled by its record type. Cases are what researchers cite and compare;
# an organisation or initiative document is little more than a name, and both bm25's and ts_rank's
# length normalisation lift a short name containing the word above a case that is about it (by a
# factor of 2 to 3 at the seed data's lengths: ts_rank divides by 1 + log(length), bm25 by length
# against the average). Searching one type (``type=``, or ``?q=`` on a resource) ranks by text alone.
# Each type's weight is declared with the type (registry.TYPES); heaviest first.
TYPE_WEIGHTS = {entry.object_type: entry.weight for entry in sorted(TYPES.values(), key=lambda entry: -entry.weight)}


# Above this many matching documents a query (or one of its terms) is broad on SQLite.
BROAD_MATCHES = 2000
# A broad query ranks only its newest RANK_WINDOW matches by relevance (see SQLiteBackend.plan).
RANK_WINDOW = 2000


def _type_weighted(rank_sql: str) -> str:
    cases = " ".join(f"WHEN '{object_type}' THEN {weight}" for object_type, weight in TYPE_WEIGHTS.items())
    return f"({rank_sql}) * (CASE {DOCUMENT_TABLE}.object_type {cases} ELSE 1.0 END)"


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class Plan:
    """How a backend finds and ranks a query's documents: SQL for ``QuerySet.extra``.

    ``tables`` join the index, ``where``/``params`` select the matches, ``rank_sql``/``rank_params``
    compute ``search_rank`` (higher is better). A broad query on SQLite also carries ``window``,
    the same search narrowed to the documents it ranks, and ``count_in_index``, its matches
    counted inside the index alone (type and visibility included).
    """

    tables: list[str]
    where: list[str]
    params: list[object]
    rank_sql: str
    rank_params: list[object] = field(default_factory=list)
    window: Plan | None = None
    counting: Plan | None = None
    count_in_index: Callable[[], int] | None = None


@dataclass
class Searched:
    """A search applied to a queryset.

    ``queryset``: every match, best first; the truth for every consumer. ``window``: for a broad
    query, the ranked head of the same queryset (same rows, same order), cheap to page through;
    ``counting``: the same rows as ``queryset``, shaped for ``count()`` when the caller's own
    filters narrow a broad query (they drive, the matches are a set to probe).
    ``count_in_index``: the number of matches, counted in the index, valid only when the
    caller's queryset is exactly the (public) records of its type.
    """

    queryset: QuerySet
    window: QuerySet | None = None
    counting: QuerySet | None = None
    count_in_index: Callable[[], int] | None = None


class Backend:
    vendor = ""

    def plan(self, parsed: ParsedQuery, *, types: list[str] | None = None, public_only: bool = False) -> Plan:
        """The SQL for a parsed query. ``types`` and ``public_only`` are hints: the caller filters
        on them anyway, and a backend may use them to narrow its index scan."""
        raise NotImplementedError

    def search(
        self,
        queryset: QuerySet,
        parsed: ParsedQuery,
        *,
        object_type: str | None = None,
        types: list[str] | None = None,
        public_only: bool = False,
    ) -> Searched:
        """``queryset`` narrowed to matches, with a ``search_rank`` column, not yet ordered, and
        the broad-query shortcuts the paginators use (see ``Searched``).

        ``public_only`` also keeps only public documents; ``types`` only documents of these types.
        """
        if object_type is not None:
            types = [object_type]
        plan = self.plan(parsed, types=types, public_only=public_only)
        searched = self._narrow(queryset, plan, parsed, object_type=object_type, types=types, public_only=public_only)
        options = {"object_type": object_type, "types": types, "public_only": public_only}
        window = self._narrow(queryset, plan.window, parsed, **options) if plan.window else None
        counting = self._narrow(queryset, plan.counting, parsed, **options) if plan.counting else None
        return Searched(searched, window, counting, plan.count_in_index)

    def _narrow(self, queryset, plan: Plan, parsed, *, object_type, types, public_only) -> QuerySet:
        tables, where, params, rank_sql = list(plan.tables), list(plan.where), list(plan.params), plan.rank_sql
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
            select_params=plan.rank_params,
            tables=tables,
            where=where,
            params=params,
        )


class SQLiteBackend(Backend):
    """FTS5 with bm25, planned by how many documents the query and its terms match.

    bm25 costs two things: a pass over the whole posting list of every phrase in the expression
    (for its IDF, about 2 ms per 100k documents holding the word), and about 0.5 µs per ranked
    row. Three plans keep both bounded:

    - selective (at most BROAD_MATCHES matches), every term alike: exact bm25.
    - selective, with rare and common terms (a county and 党建): the matches are found first
      (one cheap pass without ranking), then bm25 ranks them on the rare terms only, so the
      common word's posting list is never walked. A word in more than BROAD_MATCHES documents
      carries little weight in bm25 anyway (its IDF is small); it still has to match.
    - broad: FTS5 drops other types and drafts itself (the meta tokens), and bm25 ranks the
      newest RANK_WINDOW matches; the others follow with rank 0, in key order. The ranked head
      is also offered as a window of its own (restricted to its rowid range, without the meta
      phrases whose IDF pass would cost more than ranking), so its pages never touch the rest.
    """

    vendor = "sqlite"

    def plan(self, parsed, *, types=None, public_only=False):
        terms = [self._columns(term) for term in parsed.fts5_terms()]
        expression = " AND ".join(terms)
        matches, counts = self._probe(expression, terms if len(terms) > 1 else [], limit=BROAD_MATCHES + 1)
        if len(matches) > BROAD_MATCHES:
            return self._broad_plan(expression, types=types, public_only=public_only)
        if counts:
            rare = [term for term, count in zip(terms, counts, strict=True) if count <= BROAD_MATCHES]
            if rare and len(rare) < len(terms):
                return self._plan(
                    " AND ".join(rare),
                    where=[f"+{FTS_TABLE}.rowid IN (SELECT value FROM json_each(%s))"],
                    params=[json.dumps(matches)],
                )
        return self._plan(expression)

    @staticmethod
    def _columns(term: str) -> str:
        # The meta column is a filter, never searched by user terms.
        return f"{{{' '.join(TEXT_COLUMNS)}}} : ({term})"

    @staticmethod
    def _rank() -> str:
        # The meta column weighs nothing: it is a filter, never a reason to rank higher. bm25 is
        # lower for better matches; negate it so every backend sorts descending.
        weights = ", ".join(str(weight) for weight in (*SQLITE_WEIGHTS, 0.0))
        return f"-bm25({FTS_TABLE}, {weights})"

    def _plan(self, expression: str, *, where: list[str] | None = None, params: list[object] | None = None) -> Plan:
        return Plan(
            tables=[FTS_TABLE],
            # The unary + keeps the rowid join away from FTS5: matched rows are then found by one
            # MATCH scan and joined by primary key, never by a MATCH per candidate row.
            where=[f"+{FTS_TABLE}.rowid = {DOCUMENT_TABLE}.id", f"{FTS_TABLE} MATCH %s", *(where or [])],
            params=[expression, *(params or [])],
            rank_sql=self._rank(),
        )

    def _broad_plan(self, expression: str, *, types, public_only) -> Plan:
        filtered = expression
        if types:
            # Type and visibility as tokens of the meta column: FTS5 merges their posting lists
            # with the query's, so rows of other types or drafts are never joined.
            filtered += " AND meta : (" + " OR ".join(f'"{object_type}"' for object_type in types) + ")"
        if public_only:
            filtered += f' AND meta : "{PUBLIC_TOKEN}"'
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT min(rowid), max(rowid), count(*) FROM (SELECT rowid FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH %s ORDER BY rowid DESC LIMIT %s)",
                [filtered, RANK_WINDOW],
            )
            low, high, ranked = cursor.fetchone()
        if ranked < RANK_WINDOW:
            # Drafts or other types made it selective after all: rank everything.
            return self._plan(filtered)

        in_window = f"{FTS_TABLE}.rowid BETWEEN %s AND %s"
        plan = self._plan(filtered)
        # CASE evaluates bm25 only for rows inside the window.
        plan.rank_sql = f"CASE WHEN {in_window} THEN {plan.rank_sql} ELSE 0 END"
        plan.rank_params = [low, high]
        plan.window = self._plan(expression, where=[in_window], params=[low, high])
        # The unary + keeps SQLite from driving the count from the 70k matches: the caller's
        # filters (a region: a few thousand cases) lead, each probing the matches' rowid set,
        # built once. 物业 in province 51: 26 ms instead of 54.
        plan.counting = Plan(
            tables=[],
            where=[f"+{DOCUMENT_TABLE}.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"],
            params=[filtered],
            rank_sql="0",
        )
        plan.count_in_index = partial(self._count, filtered)
        return plan

    @staticmethod
    def _count(expression: str) -> int:
        """Every document matching ``expression``, counted inside FTS5."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression])
            return cursor.fetchone()[0]

    @staticmethod
    def _probe(expression: str, terms: list[str], *, limit: int) -> tuple[list[int], list[int]]:
        """The first ``limit`` rowids matching ``expression`` (unranked), and how many documents
        each of ``terms`` matches, counted no further than ``limit``: one statement, < 1 ms.

        The counts are empty when nothing matches (a plan is then moot).
        """
        count = f"(SELECT count(*) FROM (SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT %s))"
        columns = ", ".join(["rowid", *[count] * len(terms)])
        params = [value for term in terms for value in (term, limit)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT %s", [*params, expression, limit]
            )
            rows = cursor.fetchall()
        return [row[0] for row in rows], list(rows[0][1:]) if rows else []


class PostgreSQLBackend(Backend):
    vendor = "postgresql"

    def plan(self, parsed, *, types=None, public_only=False):
        expression = parsed.tsquery()
        return Plan(
            tables=[],
            where=[f"{DOCUMENT_TABLE}.search_vector @@ to_tsquery('simple'::regconfig, %s)"],
            params=[expression],
            # No length normalisation: dividing by 1 + log(length) ranked a bare organisation name
            # above a case that discusses the word throughout; ts_rank already saturates repeats.
            rank_sql=f"ts_rank({DOCUMENT_TABLE}.search_vector, to_tsquery('simple'::regconfig, %s), 0)",
            rank_params=[expression],
        )


def backend() -> Backend:
    """The backend for the database in use."""
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    if connection.vendor == "postgresql":
        return PostgreSQLBackend()
    raise NotImplementedError(f"full-text search supports SQLite and PostgreSQL, not {connection.vendor}")
