"""Public-site fixtures: the API tests' small world (with its draft canary), built once per module."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client

from tests.api.world import World, build_world


@pytest.fixture(autouse=True)
def site_settings(settings, tmp_path):
    settings.API_ANON_THROTTLE_RATE = None
    settings.SECURE_SSL_REDIRECT = False
    # Each test sees only the releases it writes.
    settings.RELEASES_DIR = tmp_path / "releases"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def client(db) -> Client:
    # Through ``db``: pytest-django creates the test database only for tests that ask for one.
    return Client()
