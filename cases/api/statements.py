"""Querysets compiled to SQL once per process, then run with each request's value.

A case detail's nested lists are small queries whose SQL takes longer to build than to run: the
visibility conditions are nested ``EXISTS``, and compiling the ten prefetch querysets was 43% of
a detail's time at 20,000 cases (running them 3%). A ``Statement`` builds its ``values()``
queryset once per process and database vendor, with a placeholder standing for the one value
that changes (a case's id), and afterwards runs that SQL with the request's value, converting
each column as Django's own ``values()`` would (dates from SQLite's text, booleans from its 0/1).

The SQL is Django's, built from the same querysets every other path uses: the visibility rules
keep their one home in ``cases.models.visibility``. Nothing is cached but the SQL text: every
call runs the query.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# Stands for the value while compiling: an id no row has, within every integer column's range
# (Django compiles an out-of-range integer to an empty result instead of a parameter).
PLACEHOLDER = -2_000_000_007


class Compiled:
    """One statement's SQL, its parameters with the placeholder's slots, and its column converters."""

    def __init__(self, queryset: QuerySet, placeholder: Any = PLACEHOLDER) -> None:
        compiler = queryset.query.get_compiler(using=queryset.db)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots = [index for index, value in enumerate(self.params) if value == placeholder]
        if not self.slots:
            raise ValueError(f"the placeholder is not a parameter of {self.sql}")
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
        params = list(self.params)
        for slot in self.slots:
            params[slot] = value
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
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
        self._compiled: dict[str, Compiled] = {}
        self._lock = threading.Lock()

    def compiled(self) -> Compiled:
        vendor = connections[DEFAULT_DB_ALIAS].vendor
        found = self._compiled.get(vendor)
        if found is None:
            with self._lock:
                found = self._compiled.get(vendor) or Compiled(self.build(self.placeholder), self.placeholder)
                self._compiled[vendor] = found
        return found

    def rows(self, value: Any) -> list[dict[str, Any]]:
        return self.compiled().rows(value)

    def cache_clear(self) -> None:
        self._compiled.clear()
