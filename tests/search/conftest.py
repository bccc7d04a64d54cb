"""Fixtures for search tests: the seed data with its index built once per module."""

from __future__ import annotations

import pytest

from cases.search import text
from cases.search.index import rebuild


@pytest.fixture(scope="module")
def seeded_index(snapshots, django_db_blocker, seed_data):
    """The seed data (the fixture gazetteer, see tests/conftest.py) with a freshly built index.

    The tokeniser is rebuilt so the corpus's names are in its dictionary, as after ``reindex``.
    Built once per process on the seed data's snapshot and restored per module, like ``seeded``
    (``tests/snapshots.py``).
    """

    def build(summary):
        text.reset_tokenizer()
        rebuild()
        return summary

    with django_db_blocker.unblock():
        summary = snapshots.module_data("seeded_index", build, on=seed_data)
        text.reset_tokenizer()
        yield summary
        snapshots.reset()
    text.reset_tokenizer()


@pytest.fixture(autouse=True)
def api_settings(settings):
    # Hundreds of requests would trip the anonymous throttle.
    settings.API_ANON_THROTTLE_RATE = None


@pytest.fixture
def client(db):
    from rest_framework.test import APIClient

    return APIClient()
