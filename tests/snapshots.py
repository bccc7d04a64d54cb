"""Database snapshots: build a module fixture's data once per test process, restore it per module.

The seed data set (``seeded``) and the API's small world (``world``) took 8–15 s each to build, and
about forty modules build one of them: most of a run. ``Snapshots.module_data`` builds the data
the first time a process asks for it, keeps a copy of the whole database, and afterwards restores
that copy instead of building again. When the module ends the database goes back to the copy
taken before anything was built, so the next module starts from the state it always had.

- SQLite (an in-memory test database): copies through SQLite's online backup API, in memory.
- PostgreSQL: a template database per snapshot; restoring drops the test database and creates it
  again from the template (``CREATE DATABASE … TEMPLATE``).

What a builder returns (the ``World``'s model instances, the load summary) is handed out as a deep
copy per module, so a test that changes an instance in memory cannot reach another module.

A builder may start from another snapshot (``on``): the search tests' indexed seed data is the seed
data set plus an index, built on the ``seeded`` copy instead of loading the seed data again.
"""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

# A snapshot's label and the function that builds its data.
Builder = tuple[str, Callable[[], Any]]


class _SqliteCopies:
    def take(self, label: str) -> sqlite3.Connection:
        connection.ensure_connection()
        snapshot = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(snapshot)
        return snapshot

    def restore(self, snapshot: sqlite3.Connection) -> None:
        connection.ensure_connection()
        snapshot.backup(connection.connection)

    def drop(self, snapshot: sqlite3.Connection) -> None:
        snapshot.close()


class _PostgresTemplates:
    def __init__(self) -> None:
        self.database = connection.settings_dict["NAME"]

    def _run(self, *statements: str) -> None:
        connection.close()
        with connection._nodb_cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def take(self, label: str) -> str:
        template = f"{self.database}_{label}"
        self._run(
            f'DROP DATABASE IF EXISTS "{template}"',
            f'CREATE DATABASE "{template}" TEMPLATE "{self.database}" STRATEGY FILE_COPY',
        )
        return template

    def restore(self, template: str) -> None:
        self._run(
            f'DROP DATABASE "{self.database}" WITH (FORCE)',
            f'CREATE DATABASE "{self.database}" TEMPLATE "{template}" STRATEGY FILE_COPY',
        )

    def drop(self, template: str) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{template}"')


class Snapshots:
    """The copies of one test process's database: the state before any module data, and one per builder."""

    def __init__(self) -> None:
        self._engine = _PostgresTemplates() if connection.vendor == "postgresql" else _SqliteCopies()
        self._empty = self._engine.take("empty")
        self._built: dict[str, tuple[Any, Any]] = {}

    def module_data(self, label: str, build: Callable[..., Any], *, on: Builder | None = None) -> Any:
        """The database as ``build`` leaves it, and a copy of what it returned.

        With ``on`` (another snapshot's label and builder), ``build`` starts from that snapshot,
        restored or built first, and is given a copy of what its builder returned.
        """
        if label in self._built:
            snapshot, result = self._built[label]
            self._restore(snapshot)
        else:
            arguments = () if on is None else (self.module_data(*on),)
            with transaction.atomic():
                result = build(*arguments)
            self._built[label] = (self._engine.take(label), result)
        return copy.deepcopy(result)

    def reset(self) -> None:
        """Back to the state before any module data was built."""
        self._restore(self._empty)

    def drop(self) -> None:
        for snapshot, _ in self._built.values():
            self._engine.drop(snapshot)
        self._engine.drop(self._empty)

    def _restore(self, snapshot: Any) -> None:
        self._engine.restore(snapshot)
        # Content type ids are cached per process; a flush by a transactional test may have renumbered them.
        ContentType.objects.clear_cache()
