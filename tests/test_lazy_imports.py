"""A fresh process imports what its database and its requests need, not every optional package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql",
    reason="the PostgreSQL backend imports psycopg itself",
)
def test_a_process_on_sqlite_starts_without_psycopg_or_requests():
    script = (
        "import sys, django; django.setup(); "
        "from django.test import Client; Client().get('/api/v1/'); "
        "print(sorted(name for name in ('psycopg', 'psycopg2', 'requests') if name in sys.modules))"
    )
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "governance.settings"}
    env.pop("DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
