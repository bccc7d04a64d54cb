"""The draft canary: a draft case carrying a unique token in every text field (and facts attached
only to it) appears in no response of any endpoint the schema lists: lists, details, nested
objects, CSV, statistics."""

from __future__ import annotations

import json
import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from cases.models import SourceCredit
from tests.api.world import build_canary_draft

TOKEN = "NEVERSEEN"
DRAFT_VALUE = "987654321"


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8")


def get_paths() -> dict[str, dict]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        path: operations
        for path, operations in schema["paths"].items()
        if "get" in operations and not path.startswith(("/api/v1/schema", "/api/v1/docs", "/api/v1/redoc"))
    }


@pytest.fixture(scope="module")
def paths() -> dict[str, dict]:
    return get_paths()


def assert_clean(response, url: str) -> None:
    assert response.status_code in {200, 404}, (url, response.status_code, body(response)[:300])
    text = body(response)
    assert TOKEN not in text, f"draft token leaked through {url}"
    assert DRAFT_VALUE not in text, f"draft metric leaked through {url}"


def test_schema_lists_every_resource_and_stats(paths):
    listed = {path.split("/")[3] for path in paths}
    assert listed >= {
        "cases",
        "localities",
        "organisations",
        "people",
        "initiatives",
        "metrics",
        "sources",
        "themes",
        "indicators",
        "stats",
    }


def test_the_draft_is_visible_to_staff_who_ask_so_the_canary_can_fail(world, staff_client):
    assert TOKEN in body(staff_client.get("/api/v1/cases/", {"status": "draft"}))
    assert TOKEN in body(staff_client.get(f"/api/v1/cases/{world.draft.public_id}/"))


def test_the_draft_token_appears_in_no_anonymous_response(world, client, paths):
    variants = [{}, {"format": "csv"}, {"region": "510105005"}, {"theme": "property"}, {"cursor": ""}]
    checked = 0
    for path, operations in paths.items():
        parameters = {p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"}
        match = re.search(r"\{(\w+)\}", path)
        if match is None:
            formats = {"format"} if "text/csv" in operations["get"]["responses"]["200"]["content"] else set()
            for params in variants:
                if set(params) <= parameters | formats:
                    url = path
                    response = client.get(url, params)
                    assert_clean(response, f"{url} {params}")
                    checked += 1
            continue
        list_path = path[: match.start()]
        lookup = match.group(1)
        listing = client.get(list_path, {"page_size": 200}).json()["results"]
        draft_keys = draft_lookups(world, list_path)
        for key in [row[lookup] for row in listing] + draft_keys:
            url = path.replace(match.group(0), str(key))
            response = client.get(url)
            assert_clean(response, url)
            if key in draft_keys:
                assert response.status_code == 404, f"{url} is attached only to the draft"
            checked += 1
    assert checked > 40


def draft_lookups(world, list_path: str) -> list:
    draft = world.draft
    return {
        "/api/v1/cases/": [draft.public_id],
        "/api/v1/localities/": [draft.primary_locality_id],
        "/api/v1/organisations/": list(draft.organisations.values_list("pk", flat=True)),
        "/api/v1/people/": list(draft.people.values_list("pk", flat=True)),
        "/api/v1/initiatives/": list(draft.initiatives.values_list("pk", flat=True)),
        "/api/v1/metrics/": list(draft.metrics.values_list("pk", flat=True)),
        "/api/v1/sources/": list(draft.sources.values_list("pk", flat=True)),
    }.get(list_path, [])


def test_stats_count_no_drafts(world, client):
    stats = client.get("/api/v1/stats/", {"region": "510105005"}).json()
    assert stats["cases"]["total"] == client.get("/api/v1/cases/", {"region": "510105005"}).json()["count"]


def searchable_lists(paths: dict[str, dict]) -> list[str]:
    """Every list in the schema that takes ``q``, and the cross-type search."""
    return [
        path
        for path, operations in paths.items()
        if "{" not in path and any(p["name"] == "q" for p in operations["get"].get("parameters", []))
    ]


def search_hits(client, paths, token: str) -> list[str]:
    """The searchable endpoints whose results or facets carry ``token`` (the query is echoed, so
    ``query`` is dropped before looking)."""
    hits = []
    for path in searchable_lists(paths):
        response = client.get(path, {"q": token})
        assert response.status_code == 200, (path, response.status_code)
        data = response.json()
        data.pop("query", None)
        if token in json.dumps(data, ensure_ascii=False):
            hits.append(path)
    return hits


def test_the_index_finds_no_draft_token(world, client, paths):
    assert "/api/v1/search/" in searchable_lists(paths)
    for token in (TOKEN, f"{TOKEN}党委", f"{TOKEN}书记", f"{TOKEN}联盟", f"{TOKEN}作者", f"{TOKEN}报道", DRAFT_VALUE):
        assert search_hits(client, paths, token) == [], token


def test_the_index_forgets_what_a_published_case_lets_go(world, client, paths):
    """Facts attached to a public case for a moment, then removed: the removal paths."""
    token = "GONETOKEN"
    case = world.cases["qingyang"]
    scratch = build_canary_draft(world.places["shaocheng"], world.themes["property"], world.indicators["firms"], token)
    initiative, source, person = scratch.initiatives.get(), scratch.sources.get(), scratch.people.get()
    organisation = scratch.organisations.get()
    scratch.delete()
    SourceCredit.objects.create(source=source, role="editor", organisation=organisation, as_printed=token)
    case.initiatives.add(initiative)
    case.sources.add(source)
    case.people.add(person)
    assert search_hits(client, paths, token), "the canary must be able to fail"

    case.initiatives.remove(initiative)
    case.sources.remove(source)
    case.people.remove(person)
    assert search_hits(client, paths, token) == []
