"""Editors write through the API with the admin's services and rules; anonymous users cannot."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from cases.models import Case, Status
from cases.services.roles import EDITOR_GROUP, editorial_groups_sync


@pytest.fixture
def editor(db, django_user_model) -> APIClient:
    editorial_groups_sync()
    user = django_user_model.objects.create_user("writer", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITOR_GROUP))
    api = APIClient()
    api.force_authenticate(user)
    return api


def new_case(world, **overrides) -> dict:
    return {
        "public_id": "api-written-case",
        "title_zh": "接口新建案例",
        "primary_locality": world.places["shaocheng"].code,
        "localities": ["成都市"],
        "themes": ["property"],
        **overrides,
    }


def test_anonymous_users_cannot_write(world, client):
    before = Case.objects.count()
    for response in (
        client.post("/api/v1/cases/", new_case(world), format="json"),
        client.patch(f"/api/v1/cases/{world.cases['changcheng'].public_id}/", {"title_zh": "x"}, format="json"),
        client.post(f"/api/v1/cases/{world.cases['changcheng'].public_id}/transition/", {"status": "archived"}),
    ):
        assert response.status_code in {401, 403}
        assert response.json()["error"]["status"] == response.status_code
    assert Case.objects.count() == before


def test_staff_without_editing_permission_is_refused(world, staff_client):
    response = staff_client.post("/api/v1/cases/", new_case(world), format="json")
    assert response.status_code == 403
    assert not Case.objects.filter(public_id="api-written-case").exists()


def test_an_editor_creates_a_draft_that_anonymous_users_cannot_see(world, editor, client):
    response = editor.post("/api/v1/cases/", new_case(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == Status.DRAFT
    assert body["primary_locality"]["code"] == world.places["shaocheng"].code
    assert [loc["code"] for loc in body["localities"]] == [world.places["chengdu"].code]
    assert [theme["code"] for theme in body["themes"]] == ["property"]
    assert client.get("/api/v1/cases/api-written-case/").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"primary_locality": "火星"}, "primary_locality"),
        ({"public_id": "__changcheng__"}, "public_id"),
        ({"themes": ["no-such-theme"]}, "themes"),
        ({"period_start_precision": "year"}, "__all__"),
    ],
)
def test_invalid_writes_name_the_field_and_change_nothing(world, editor, overrides, field):
    if overrides.get("public_id") == "__changcheng__":
        overrides = {"public_id": world.cases["changcheng"].public_id}
    before = Case.objects.count()
    response = editor.post("/api/v1/cases/", new_case(world, **overrides), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert Case.objects.count() == before


def test_edits_bump_the_revision_and_refuse_stale_copies(world, editor):
    created = editor.post("/api/v1/cases/", new_case(world), format="json").json()
    url = f"/api/v1/cases/{created['public_id']}/"
    revision = Case.objects.get(public_id=created["public_id"]).revision
    ok = editor.patch(url, {"title_zh": "改过的标题", "revision": revision}, format="json")
    assert ok.status_code == 200 and ok.json()["title_zh"] == "改过的标题"
    stale = editor.patch(url, {"title_zh": "又改", "revision": revision}, format="json")
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert (error["status"], error["code"]) == (409, "stale_revision")
    assert "revision" in error["fields"]
    assert Case.objects.get(public_id=created["public_id"]).title_zh == "改过的标题"


def test_a_transition_from_a_stale_copy_is_a_conflict(world, editor):
    created = editor.post("/api/v1/cases/", new_case(world), format="json").json()
    case = Case.objects.get(public_id=created["public_id"])
    url = f"/api/v1/cases/{case.public_id}/transition/"
    response = editor.post(url, {"status": "in_review", "revision": case.revision + 1}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "stale_revision"
    assert Case.objects.get(pk=case.pk).status == Status.DRAFT


def test_the_schema_documents_the_conflict(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    case_paths = schema["paths"]["/api/v1/cases/{public_id}/"]
    assert "409" in case_paths["patch"]["responses"]
    assert "409" in schema["paths"]["/api/v1/cases/{public_id}/transition/"]["post"]["responses"]
    assert "409" not in case_paths["get"]["responses"]


def test_an_editor_submits_for_review_but_cannot_publish(world, editor):
    created = editor.post("/api/v1/cases/", new_case(world), format="json").json()
    url = f"/api/v1/cases/{created['public_id']}/transition/"
    assert editor.post(url, {"status": "in_review"}, format="json").json()["status"] == Status.IN_REVIEW
    assert editor.post(url, {"status": "published"}, format="json").status_code == 403
    assert Case.objects.get(public_id=created["public_id"]).status == Status.IN_REVIEW
