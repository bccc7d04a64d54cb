"""API test fixtures: an anonymous client, a staff client, and a small world built once per module."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def api_settings(settings):
    # Throttling has its own test; elsewhere hundreds of requests would trip it.
    settings.API_ANON_THROTTLE_RATE = None


@pytest.fixture
def client(db) -> APIClient:
    return APIClient()


@pytest.fixture
def staff_client(db, django_user_model) -> APIClient:
    user = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    api = APIClient()
    api.force_authenticate(user)
    return api
