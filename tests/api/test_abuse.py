"""Abuse limits: the anonymous throttle counts real client addresses in a cache every worker shares,
whole-table CSV exports have their own lower rate, one address cannot spray passwords over many
usernames, and the example SECRET_KEY never runs in production."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache

from tests.editorial import make_user
from tests.test_settings import manage


@pytest.fixture
def throttled(settings, tmp_path):
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)},
    }
    settings.API_ANON_THROTTLE_RATE = "3/minute"
    settings.API_ANON_EXPORT_RATE = None
    yield settings
    caches["throttle"].clear()


def statuses(client, count: int, path: str = "/api/v1/themes/", **headers) -> list[int]:
    return [client.get(path, **headers).status_code for _ in range(count)]


def test_a_forged_forwarded_for_header_does_not_reset_the_count(world, client, throttled):
    forged = [client.get("/api/v1/themes/", HTTP_X_FORWARDED_FOR=str(uuid.uuid4())).status_code for _ in range(4)]
    assert forged == [200, 200, 200, 429]


def test_behind_one_proxy_the_address_it_saw_is_the_client(world, client, throttled):
    throttled.REST_FRAMEWORK = {**throttled.REST_FRAMEWORK, "NUM_PROXIES": 1}
    first = statuses(client, 4, HTTP_X_FORWARDED_FOR="203.0.113.7")
    other = statuses(client, 1, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert first == [200, 200, 200, 429] and other == [200]


def test_the_counts_are_in_a_cache_every_worker_process_reads(world, client, throttled, tmp_path):
    assert isinstance(caches["throttle"], FileBasedCache)
    statuses(client, 2)
    # Another process opening the same directory sees the same history.
    other_process = FileBasedCache(str(tmp_path), {})
    assert other_process.get("throttle_anon_127.0.0.1") and len(other_process.get("throttle_anon_127.0.0.1")) == 2
    assert statuses(client, 2) == [200, 429]


def test_whole_table_csv_exports_have_their_own_lower_rate(world, client, throttled):
    throttled.API_ANON_THROTTLE_RATE = None
    throttled.API_ANON_EXPORT_RATE = "2/hour"
    exports = statuses(client, 3, path="/api/v1/cases/?format=csv")
    assert exports == [200, 200, 429]
    assert statuses(client, 3, path="/api/v1/cases/") == [200, 200, 200]
    case = world.cases["changcheng"].public_id
    assert statuses(client, 1, path=f"/api/v1/cases/{case}/?format=csv") == [200]


def test_one_address_cannot_spray_a_password_over_many_usernames(client, settings, db):
    settings.SECURE_SSL_REDIRECT = False
    make_user("victim", "editors")
    for n in range(settings.AXES_FAILURE_LIMIT):
        make_user(f"user{n}")
        client.post("/admin/login/?next=/admin/", {"username": f"user{n}", "password": "Spring2026!"})
    # A username this address never tried, with its right password: the address is locked.
    locked = client.post("/admin/login/?next=/admin/", {"username": "victim", "password": "pw-victim"})
    assert locked.status_code == 429


def test_the_example_secret_key_is_refused_in_production():
    result = manage("check", DEBUG="0", SECRET_KEY="change-me-to-a-long-random-string", ALLOWED_HOSTS="x.org")
    assert result.returncode != 0
    assert "placeholder from .env.example" in result.stderr
