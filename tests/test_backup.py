"""Backups: a consistent SQLite copy through the online backup API, and the site runs from the copy."""

from __future__ import annotations

import sqlite3
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cases.models import Case, Status
from tests import factories
from tests.test_settings import manage

pytestmark = [
    # A test transaction would hold the in-memory database's lock that the backup waits for.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="pg_dump covers PostgreSQL (README, Backups)"),
]


def test_a_backup_holds_every_row_and_the_site_runs_from_it(tmp_path):
    place = factories.chengdu_tree()["changcheng"]
    case = factories.case(primary_locality=place, title_zh="备份中的案例", status=Status.PUBLISHED)
    target = tmp_path / "backup.sqlite3"
    out = StringIO()
    call_command("backup_sqlite", str(target), stdout=out)
    assert "integrity check ok" in out.getvalue()

    copy = sqlite3.connect(target)
    assert copy.execute("SELECT title_zh FROM cases_case WHERE id = ?", [case.pk]).fetchone() == ("备份中的案例",)
    copy.close()
    # Restore = the server started on the copy: the case is there, and so is its search document.
    script = (
        "from cases.models import Case, SearchDocument; "
        "print(Case.objects.published().count(), SearchDocument.objects.filter(object_type='case').count())"
    )
    result = manage("shell", "-v", "0", "-c", script, DEBUG="1", DATABASE_URL=f"sqlite:///{target}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == [str(Case.objects.published().count()), str(Case.objects.count())]


def test_a_backup_never_overwrites_a_file(tmp_path):
    target = tmp_path / "exists.sqlite3"
    target.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup_sqlite", str(target))
    assert target.read_bytes() == b"keep me"
