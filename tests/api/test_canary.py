"""The draft canary: a draft case carrying a unique token in every text field (and facts attached
only to it) appears in no response of any endpoint the schema lists: lists, details, nested
objects, CSV, statistics."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator

from cases.models import Case, SourceCredit
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
    with_draft_keys: set[str] = set()
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
        draft_keys = detail_lookups(world, list_path, lookup)
        with_draft_keys.update({list_path} if draft_keys else set())
        for key in [row[lookup] for row in listing] + draft_keys:
            url = path.replace(match.group(0), str(key))
            response = client.get(url)
            assert_clean(response, url)
            if key in draft_keys:
                assert response.status_code == 404, f"{url} is attached only to the draft"
            checked += 1
    assert checked > 40
    # Every resource the draft links to, except the shared ones (themes), had its draft-only rows asked for.
    assert {f"/api/v1/{name}/" for name in ("cases", "localities", "organisations", "people", "initiatives",
            "metrics", "sources")} <= with_draft_keys, with_draft_keys  # fmt: skip


def detail_lookups(world, list_path: str, lookup: str) -> list:
    """The lookup values of the rows behind ``list_path`` that only the draft holds, found from the
    schema's own view (its model and lookup field) and the draft's relations: nothing hand-kept."""
    view = resolve(list_path).func.cls
    model = view.queryset.model
    field = "pk" if lookup == "id" else view.lookup_field
    return list(model._default_manager.filter(pk__in=held_only_by(world.draft, model)).values_list(field, flat=True))


def held_only_by(draft: Case, model: type) -> set:
    """Ids of ``model`` rows one relation away from ``draft`` and from no other case."""
    if model is Case:
        return {draft.pk}
    held, shared = set(), set()
    for relation in Case._meta.get_fields():
        if relation.is_relation and relation.related_model is model:
            held |= set(Case.objects.filter(pk=draft.pk).values_list(relation.name, flat=True))
            shared |= set(Case.objects.exclude(pk=draft.pk).values_list(relation.name, flat=True))
    return held - shared - {None}


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
