"""The migrations: the label migration (one ``AlterFieldOptions``) touches no schema on either engine."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_the_label_migration_writes_no_sql():
    out = StringIO()
    call_command("sqlmigrate", "cases", "0014", stdout=out)
    statements = [line for line in out.getvalue().splitlines() if line and not line.startswith("--")]
    assert statements in ([], ["BEGIN;", "COMMIT;"]), statements
    assert "Alter the options (labels, help texts) of 103 fields" in out.getvalue()
