"""Shared fixtures.

``seeded`` loads the whole seed data set (gazetteer, vocabularies, curated page) once per
test module, inside a transaction that is rolled back when the module ends; each test
runs in a savepoint within it. Modules that use it must not use ``transactional_db``.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from seeds.loader import LoadSummary, load_all


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> LoadSummary:
    with django_db_blocker.unblock(), transaction.atomic():
        summary = load_all(progress=False)
        yield summary
        transaction.set_rollback(True)
