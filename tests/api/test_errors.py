"""One JSON error shape for every 4xx; unknown parameters are refused, never ignored."""

from __future__ import annotations

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from cases.api.pagination import HarvestCursorPagination, PageSizePagination


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["status"] == status
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    return error


@pytest.mark.parametrize(
    "endpoint", ["cases", "localities", "organisations", "people", "initiatives", "metrics", "sources", "themes"]
)
def test_it_rejects_unknown_parameters_by_name(world, client, endpoint):
    error = assert_error_shape(client.get(f"/api/v1/{endpoint}/", {"regoin": "51", "page": "1"}), 400)
    assert error["code"] == "unknown_parameters"
    assert list(error["fields"]) == ["regoin"]
    assert "regoin" in error["message"]


def test_it_rejects_unknown_parameters_on_detail_and_stats(world, client):
    case = world.cases["changcheng"]
    assert_error_shape(client.get(f"/api/v1/cases/{case.public_id}/", {"page": "2"}), 400)
    assert_error_shape(client.get("/api/v1/stats/", {"thme": "x"}), 400)


def test_invalid_values_get_per_field_messages(world, client):
    error = assert_error_shape(
        client.get("/api/v1/cases/", {"date_from": "yesterday", "organisation_kind": "gang", "has_metrics": "perhaps"}),
        400,
    )
    assert set(error["fields"]) == {"date_from", "organisation_kind", "has_metrics"}


@pytest.mark.parametrize(
    "url", ["/api/v1/cases/no-such-case/", "/api/v1/organisations/999999/", "/api/v1/themes/nothing/"]
)
def test_not_found_has_the_same_shape(world, client, url):
    assert_error_shape(client.get(url), 404)


def test_a_draft_case_detail_is_not_found_for_anonymous_users(world, client):
    assert_error_shape(client.get(f"/api/v1/cases/{world.draft.public_id}/"), 404)


def test_anonymous_writes_are_refused_with_the_same_shape(world, client):
    response = client.post("/api/v1/cases/", {"title_zh": "x"}, format="json")
    assert response.status_code in {401, 403, 405}
    assert_error_shape(response, response.status_code)


def test_csv_errors_are_json(world, client):
    assert_error_shape(client.get("/api/v1/metrics/", {"format": "csv", "region": "火星"}), 400)


def test_pages_past_the_end_are_404(world, client):
    assert_error_shape(client.get("/api/v1/cases/", {"page": "999"}), 404)


def test_anonymous_clients_are_throttled(world, client, settings):
    settings.API_ANON_THROTTLE_RATE = "2/minute"
    from django.core.cache import caches

    caches["throttle"].clear()
    statuses = [client.get("/api/v1/themes/").status_code for _ in range(3)]
    caches["throttle"].clear()
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize(
    ("endpoint", "params"),
    [
        ("cases", {"region": "成都\x00"}),
        ("cases", {"theme": "a\x00b"}),
        ("metrics", {"indicator": "\x00"}),
        ("organisations", {"case": "x\x00"}),
    ],
)
def test_nul_bytes_are_a_400_not_a_crash(world, client, endpoint, params):
    # PostgreSQL refuses NUL in text; SQLite does not. Either way the answer is the same 400.
    error = assert_error_shape(client.get(f"/api/v1/{endpoint}/", params), 400)
    assert list(error["fields"]) == list(params)


@pytest.mark.parametrize("path", ["/api/v1/cases/n.d./", "/api/v1/no-such-resource/", "/api/v1/cases/x/y/z"])
def test_unknown_api_urls_answer_in_the_error_shape(db, client, path):
    error = assert_error_shape(client.get(path), 404)
    assert error["code"] == "not_found"
    assert path in error["message"]


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/cases/", {"page_size": "fifty"}, "page_size"),
        ("/api/v1/cases/", {"page_size": "0"}, "page_size"),
        ("/api/v1/metrics/", {"cursor": "", "page_size": "-5"}, "page_size"),
        ("/api/v1/cases/", {"page": "two"}, "page"),
        ("/api/v1/cases/", {"page": "0"}, "page"),
        ("/api/v1/cases/", {"format": "xlsx"}, "format"),
        ("/api/v1/stats/", {"format": "csv"}, "format"),
    ],
)
def test_malformed_paging_and_format_are_400s_naming_the_parameter(world, client, url, params, field):
    error = assert_error_shape(client.get(url, params), 400)
    assert list(error["fields"]) == [field]


@pytest.mark.parametrize("pagination", [PageSizePagination, HarvestCursorPagination])
@pytest.mark.parametrize(("asked", "given"), [(None, 50), ("7", 7), ("200", 200), ("100000", 200)])
def test_page_size_defaults_to_50_and_is_capped_at_200(pagination, asked, given):
    params = {} if asked is None else {"page_size": asked}
    request = Request(APIRequestFactory().get("/api/v1/cases/", params))
    assert pagination().get_page_size(request) == given


def test_a_page_past_the_end_is_a_404(world, client):
    assert_error_shape(client.get("/api/v1/cases/", {"page": "999"}), 404)


def test_framework_messages_are_in_english_like_ours(world, client):
    error = assert_error_shape(client.get("/api/v1/cases/", {"page": "999"}), 404)
    assert error["message"].isascii(), error["message"]


@pytest.mark.parametrize(
    ("params", "quoted"),
    [({"region": "%"}, "%"), ({"region": "50%s"}, "50%s"), ({"has_metrics": "100%"}, "100%")],
)
def test_percent_signs_in_values_are_quoted_not_formatted(world, client, params, quoted):
    # django-filter formats messages with their parameters; input in the message itself was a 500.
    error = assert_error_shape(client.get("/api/v1/cases/", params), 400)
    (field,) = params
    assert quoted in " ".join(error["fields"][field])
