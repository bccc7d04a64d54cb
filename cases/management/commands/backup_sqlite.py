"""Write a consistent copy of the SQLite database while the site keeps running."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = (
        "Copy the SQLite database to PATH with SQLite's online backup API: a consistent snapshot even "
        "while editors save (copying the file by hand can catch a write half-done, and misses the WAL). "
        "Restore: stop the server, put the copy in the database's place, start it. On PostgreSQL use "
        "pg_dump (README, 'Backups')."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="file to write (must not exist yet)")
        parser.add_argument("--pages", type=int, default=1024, help="pages copied per step (default 1024)")

    def handle(self, *args, path: str, pages: int, **options) -> None:
        """Copy step by step (other connections may write between steps; SQLite restarts the copy
        if they do, so the result is always one consistent state), then check the copy."""
        if connection.vendor != "sqlite":
            raise CommandError(
                f"the database is {connection.vendor}, not SQLite: use pg_dump --format=custom (see README, 'Backups')"
            )
        target = Path(path)
        if target.exists():
            raise CommandError(f"{target} exists; give a new file name (nothing was written)")
        target.parent.mkdir(parents=True, exist_ok=True)
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination, pages=pages)
            check = destination.execute("PRAGMA integrity_check").fetchone()[0]
            tables = destination.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        finally:
            destination.close()
        if check != "ok":
            target.unlink(missing_ok=True)
            raise CommandError(f"the copy failed its integrity check ({check}); nothing was kept")
        size = target.stat().st_size
        self.stdout.write(f"Backed up {tables} tables ({size / 1e6:.1f} MB) to {target}; integrity check ok.")
