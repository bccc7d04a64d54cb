"""Querysets compiled to SQL once per process, then run with each request's value.

A case detail's nested lists are small queries whose SQL takes longer to build than to run: the
visibility conditions are nested ``EXISTS``, and compiling the ten prefetch querysets was 43% of
a detail's time at 20,000 cases (running them 3%). A ``Statement`` builds its ``values()``
queryset once per process and database vendor, with a placeholder standing for the one value
that changes (a case's id), and afterwards runs that SQL with the request's value, converting
each column as Django's own ``values()`` would (dates from SQLite's text, booleans from its 0/1).

The SQL is Django's, built from the same querysets every other path uses: the visibility rules
keep their one home in ``cases.models.visibility``. Nothing is cached but the SQL text (and, for
``CompiledRows``, the compiler that maps its columns): every call runs the query.

A ``CompiledSubquery`` is the same for a filter's id set (``pk__in=``): a list filtered by region built
two querysets with nested subqueries for the union of a place's cases and compiled them twice a
request (the page's keys, then its rows), a fifth of a small region's list; as ``RawSQL`` the
outer query embeds the text.

A page's rows are read by their keys (``pagination``, ``CaseViewSet.prepare_rows``): ``key_set``
passes the keys as one parameter, so the SQL is the same text for a page of any size and a
``KeyStatement`` (rows as dicts) or ``CompiledRows`` (model instances) compiles it once. Compiling
the reload of a 20-row page and its themes query was a sixth of a small list's time; running them
a fiftieth.

On PostgreSQL the statements also skip the server's planning: ``statement_cursor`` binds their
parameters server-side, so psycopg prepares each on its first run on a connection (settings:
``prepare_threshold``) and PostgreSQL plans it once, then reuses a generic plan. Planning, not
running, was nine tenths of a case detail's SQL at 20,000 cases: the visibility ``EXISTS`` in an
``OR`` are planned twice each (per row and hashed), nested ones four times; the positions
statement alone planned in 7–12 ms and ran in 0.2. Django's own queries keep its client-side
binding, their parameters written into the SQL and planned for those values (a region's path
range needs that plan: a generic one guesses the range's size).
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import ModelIterable

# Stands for the value while compiling: an id no row has, within every integer column's range
# (Django compiles an out-of-range integer to an empty result instead of a parameter).
PLACEHOLDER = -2_000_000_007


def placeholder_slots(sql: str, params: list[Any], placeholder: Any) -> list[int]:
    """Where the placeholder sits among a compiled statement's parameters (a ``ValueError`` if nowhere)."""
    slots = [index for index, value in enumerate(params) if value == placeholder]
    if not slots:
        raise ValueError(f"the placeholder is not a parameter of {sql}")
    return slots


def filled(params: list[Any], slots: list[int], value: Any) -> list[Any]:
    """The parameters with ``value`` in the placeholder's slots."""
    params = list(params)
    for slot in slots:
        params[slot] = value
    return params


def statement_cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor for a compiled statement, like ``connection.cursor()`` (health check, query log,
    ``execute_wrapper`` all apply), that on PostgreSQL binds parameters server-side, so that psycopg
    prepares the statement, when the connection prepares at all (``prepare_threshold`` set)."""
    cursor = connection.cursor()
    if connection.vendor == "postgresql" and connection.connection.prepare_threshold is not None:
        from django.db.backends.postgresql.base import ServerBindingCursor

        # Django's cursor binds client-side, which psycopg never prepares: swap in one that binds
        # server-side on the same connection, inside Django's wrapper.
        cursor.cursor.close()
        cursor.cursor = ServerBindingCursor(connection.connection)
    return cursor


class PerVendor:
    """What ``make()`` returns, made once per process and database vendor (the SQL is the vendor's)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._made: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self) -> Any:
        vendor = connections[DEFAULT_DB_ALIAS].vendor
        found = self._made.get(vendor)
        if found is None:
            with self._lock:  # again under the lock: another thread may have made it meanwhile
                found = self._made.get(vendor) or self._make()
                self._made[vendor] = found
        return found

    def clear(self) -> None:
        self._made.clear()


class Compiled:
    """One statement's SQL, its parameters with the placeholder's slots, and its column converters."""

    def __init__(self, queryset: QuerySet, placeholder: Any = PLACEHOLDER) -> None:
        compiler = queryset.query.get_compiler(using=queryset.db)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots = placeholder_slots(self.sql, self.params, placeholder)
        self.names = list(queryset.query.values_select)
        if len(self.names) != len(compiler.select):
            raise ValueError("a Statement selects plain fields only (values(*names), no annotations)")
        self.converters = [
            (position, functions, expression)
            for position, (functions, expression) in compiler.get_converters(
                [col for col, _, _ in compiler.select]
            ).items()
        ]

    def rows(self, value: Any) -> list[dict[str, Any]]:
        params = filled(self.params, self.slots, value)
        connection = connections[DEFAULT_DB_ALIAS]
        with statement_cursor(connection) as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        rows = []
        for raw in fetched:
            row = list(raw)
            for position, functions, expression in self.converters:
                for convert in functions:
                    row[position] = convert(row[position], expression, connection)
            rows.append(dict(zip(self.names, row, strict=True)))
        return rows


class Statement:
    """``build(value)`` (a ``values()`` queryset) compiled once with the placeholder; ``rows(value)`` runs it.

    The value goes into the SQL as a parameter exactly as given: a lookup that rewrites its value
    (``startswith`` makes it a ``LIKE`` pattern) cannot take the placeholder. A text value needs a
    text ``placeholder`` no real value equals.
    """

    def __init__(self, build: Callable[[Any], QuerySet], *, placeholder: Any = PLACEHOLDER) -> None:
        self.build = build
        self.placeholder = placeholder
        self._compiled = PerVendor(lambda: Compiled(self.build(self.placeholder), self.placeholder))

    def compiled(self) -> Compiled:
        return self._compiled.get()

    def rows(self, value: Any) -> list[dict[str, Any]]:
        return self.compiled().rows(value)

    def cache_clear(self) -> None:
        self._compiled.clear()


class CompiledSubquery:
    """``build(stand_in)`` (a one-column queryset) compiled once per process and vendor with a text
    ``stand_in``; ``sql(value)`` is that SQL as ``RawSQL`` for a filter, ``value`` put where the
    stand-in is in every parameter (``path__gte=value`` and ``path__lt=value + "~"`` alike).

    The stand-in must reach the SQL only inside parameters (a ``gte``/``lt`` range, not a
    ``startswith`` pattern, which Django escapes) and be text no real value contains.
    """

    def __init__(self, build: Callable[[str], QuerySet], *, stand_in: str) -> None:
        self.build = build
        self.stand_in = stand_in
        self._compiled = PerVendor(self._compile)

    def _compile(self) -> tuple[str, list[tuple[int, str]], list[Any]]:
        queryset = self.build(self.stand_in)
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
        slots = [(i, p) for i, p in enumerate(params) if isinstance(p, str) and self.stand_in in p]
        if not slots:
            raise ValueError(f"the stand-in is not in a parameter of {sql}")
        return sql, slots, list(params)

    def sql(self, value: str) -> RawSQL:
        sql, slots, params = self._compiled.get()
        params = list(params)
        for index, template in slots:
            params[index] = template.replace(self.stand_in, value)
        return RawSQL(sql, params)

    def cache_clear(self) -> None:
        self._compiled.clear()


def key_set(parameter: Any) -> RawSQL:
    """A subquery of the ids in one parameter, for ``pk__in=``: a JSON array read by ``json_each`` on
    SQLite, an array on PostgreSQL (``key_parameter`` makes the parameter from the ids)."""
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [parameter])
    return RawSQL("SELECT value FROM json_each(%s)", [parameter])


def key_parameter(keys: Iterable[int]) -> Any:
    """The parameter ``key_set`` reads: every key is an integer (each model's key is a BigAutoField)."""
    keys = [int(key) for key in keys]
    return keys if connections[DEFAULT_DB_ALIAS].vendor == "postgresql" else json.dumps(keys)


class KeyStatement(Statement):
    """A ``Statement`` over a set of ids: ``build(ids)`` filters by ``ids`` (a ``key_set``), ``rows(keys)``."""

    def __init__(self, build: Callable[[RawSQL], QuerySet]) -> None:
        super().__init__(lambda placeholder: build(key_set(placeholder)))

    def rows(self, keys: Iterable[int]) -> list[dict[str, Any]]:
        keys = list(keys)
        return super().rows(key_parameter(keys)) if keys else []


class CompiledRows:
    """``build(ids)`` (a model queryset filtered by a ``key_set``) compiled once per process and vendor;
    ``rows(keys)`` runs it and returns model instances, ``select_related`` relations attached.

    The instances are built by Django's own ``ModelIterable`` from the compiler of the first build,
    which keeps the select list and converters, from the rows the statement fetched (through
    ``statement_cursor``, prepared on PostgreSQL); the SQL text is not built again. Prefetches are
    the caller's (``prefetch_related_objects``).
    """

    def __init__(self, build: Callable[[RawSQL], QuerySet]) -> None:
        self.build = build
        self._compiled = PerVendor(self._compile)

    def _compile(self) -> tuple[QuerySet, Any, str, list[Any], list[int]]:
        queryset = self.build(key_set(PLACEHOLDER))
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        return queryset, compiler, sql, list(params), placeholder_slots(sql, list(params), PLACEHOLDER)

    def rows(self, keys: Iterable[int]) -> list[Model]:
        keys = list(keys)
        if not keys:
            return []
        queryset, compiler, sql, params, slots = self._compiled.get()
        params = filled(params, slots, key_parameter(keys))
        connection = connections[queryset.db]
        with statement_cursor(connection) as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if compiler.has_extra_select:  # as Django's execute_sql: ordering columns it added go
            fetched = [row[: compiler.col_count] for row in fetched]
        # A copy per call: the compiler holds a connection, and connections belong to their thread.
        # It reads the rows fetched above (one chunk) and builds the instances as for any queryset.
        run = copy.copy(compiler)
        run.connection = connection
        run.execute_sql = lambda *args, **kwargs: [fetched]
        chained = queryset.all()
        chained.query.get_compiler = lambda *args, **kwargs: run
        return list(ModelIterable(chained))

    def cache_clear(self) -> None:
        self._compiled.clear()
