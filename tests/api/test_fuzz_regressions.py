"""Inputs that fuzzing turned into 500s: each is now a documented answer in the JSON error shape."""

from __future__ import annotations

import pytest
from django.test import Client


def error_of(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()["error"]


def test_a_case_with_metrics_renders_as_csv(world, client):
    case = world.cases["changcheng"]
    assert case.metrics.exists()
    response = client.get(f"/api/v1/cases/{case.public_id}/", {"format": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("public_id") and '"value": "18"' in text.replace('""', '"')


@pytest.mark.parametrize("cursor", ["cD0=", "cD0lMDA=", "not-base64!", "cD1hYmM="])
@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/organisations/", "/api/v1/metrics/"])
def test_a_forged_cursor_is_a_400_naming_the_cursor(world, client, path, cursor):
    response = client.get(path, {"cursor": cursor})
    assert response.status_code == 400, response.content[:300]
    assert "cursor" in error_of(response)["fields"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/themes/51%00/",
        "/api/v1/cases/gen%00x/",
        "/api/v1/localities/1%00/",
        "/api/v1/organisations/1%00/",
        "/api/v1/cases/?region=51%00",
    ],
)
def test_a_nul_byte_in_the_url_is_a_client_error(world, client, url):
    response = client.get(url)
    assert response.status_code in {400, 404}, response.content[:300]
    error_of(response)


def test_an_unexpected_error_is_a_500_in_the_error_shape(world, monkeypatch, settings):
    from cases.api import views

    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.ThemeViewSet, "get_queryset", broken)
    response = Client(raise_request_exception=False).get("/api/v1/themes/")
    assert response.status_code == 500
    body = error_of(response)
    assert body["status"] == 500 and body["code"] == "server_error" and "boom" not in body["message"]


def test_the_schema_declares_its_lower_bounds(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]}
    assert parameters["page"].get("minimum") == 1
    assert parameters["page_size"].get("minimum") == 1
    assert parameters["q"].get("maxLength") == 200
    ids = [name for name, spec in parameters.items() if spec.get("type") == "integer"]
    assert ids and all(parameters[name].get("minimum") == 1 for name in ids), ids
