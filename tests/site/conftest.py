"""Public-site fixtures; ``world`` (the API tests' small world with its draft canary) is in the root conftest."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def site_settings(settings, tmp_path):
    settings.API_ANON_THROTTLE_RATE = None
    # Each test sees only the releases it writes.
    settings.RELEASES_DIR = tmp_path / "releases"


@pytest.fixture
def client(db) -> Client:
    # Through ``db``: pytest-django creates the test database only for tests that ask for one.
    return Client()
