"""Shared fixtures.

Every test runs with the cheap MD5 password hasher (PBKDF2 costs seconds a hash on a busy
machine) and over plain HTTP (production settings redirect to HTTPS and mark cookies secure;
the test client speaks HTTP). Both are set here once for the whole run.

``seeded`` loads the whole seed data set (gazetteer, vocabularies, curated page) once per
test module, inside a transaction that is rolled back when the module ends; each test
runs in a savepoint within it. Modules that use it must not use ``transactional_db``.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test.utils import override_settings

from seeds.loader import LoadSummary, load_all

TEST_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "SECURE_SSL_REDIRECT": False,
    "SESSION_COOKIE_SECURE": False,
    "CSRF_COOKIE_SECURE": False,
}


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    with override_settings(**TEST_SETTINGS):
        yield


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> LoadSummary:
    with django_db_blocker.unblock(), transaction.atomic():
        summary = load_all(progress=False)
        yield summary
        transaction.set_rollback(True)
