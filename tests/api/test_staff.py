"""Staff and drafts: drafts appear only when staff ask (``?status=`` on lists and stats, or a draft's
own public id); a draft's detail then shows every fact attached to it, while a published case's
detail is the same for staff as for everyone."""

from __future__ import annotations

from cases.models import Position, Status


def test_staff_lists_show_drafts_only_when_asked(world, staff_client):
    plain = {row["public_id"] for row in staff_client.get("/api/v1/cases/", {"page_size": 200}).json()["results"]}
    asked = staff_client.get("/api/v1/cases/", {"status": [Status.DRAFT], "page_size": 200}).json()["results"]
    assert plain == {case.public_id for case in world.published}
    assert {row["public_id"] for row in asked} == {world.draft.public_id}


def test_staff_stats_count_drafts_only_when_asked(world, staff_client):
    plain = staff_client.get("/api/v1/stats/").json()["cases"]["total"]
    asked = staff_client.get("/api/v1/stats/", {"status": [Status.DRAFT]}).json()["cases"]["total"]
    assert (plain, asked) == (len(world.published), 1)


def test_a_drafts_detail_shows_staff_every_fact_attached_to_it(world, staff_client):
    body = staff_client.get(f"/api/v1/cases/{world.draft.public_id}/").json()
    assert [metric["value"] for metric in body["metrics"]] == [987654321]
    assert [quote["quote"] for quote in body["evidence"]] == ["NEVERSEEN"]
    # The metric's citation comes from a source only the draft cites.
    assert body["metrics"][0]["source_outlet"] == "NEVERSEEN报"
    # The post is in an organisation known only from this draft: not public, but the draft's own fact.
    [person] = body["people"]
    assert [post["title"] for post in person["posts"]] == ["NEVERSEEN书记"]
    assert [org["name"] for org in body["organisations"]] == ["NEVERSEEN党委"]


def test_a_published_case_looks_the_same_to_staff_and_to_everyone(world, client, staff_client):
    # Give the published case's person a post in the draft's organisation: a draft-only fact that
    # must not surface on a public page, whoever reads it.
    case = world.cases["changcheng"]
    person = case.people.get()
    draft_org = world.draft.organisations.get()
    Position.objects.create(person=person, organisation=draft_org, title="NEVERSEEN委员")
    url = f"/api/v1/cases/{case.public_id}/"
    public, staff = client.get(url).json(), staff_client.get(url).json()
    assert staff == public
    assert "NEVERSEEN" not in str(staff)
    assert [post["title"] for post in staff["people"][0]["posts"]] == ["社区党委书记"]


def test_anonymous_users_cannot_open_a_draft_by_its_id(world, client):
    response = client.get(f"/api/v1/cases/{world.draft.public_id}/")
    assert response.status_code == 404
    assert "NEVERSEEN" not in response.content.decode()
