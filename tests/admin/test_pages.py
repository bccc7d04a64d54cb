"""Every admin page type renders, and the permission matrix holds for every path."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from cases.models import Case, Status
from tests.admin.helpers import build_world
from tests.editorial import make_story

CASES_ADMINS = [
    (model, model_admin) for model, model_admin in admin.site._registry.items() if model._meta.app_label == "cases"
]


def _url(model, page: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.mark.django_db
@pytest.mark.parametrize("model", [m for m, _ in CASES_ADMINS], ids=lambda m: m._meta.model_name)
def test_every_page_type_renders_for_a_superuser(client, superuser, model):
    build_world()
    client.force_login(superuser)
    obj = model._default_manager.first()
    pages = [_url(model, "changelist"), _url(model, "add")]
    # Models of other areas (e.g. the ingest queue) have no row in build_world.
    if obj is not None:
        pages.append(_url(model, "change", obj.pk))
        if isinstance(admin.site._registry[model], SimpleHistoryAdmin):
            pages.append(_url(model, "history", obj.pk))
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page


def test_search_finds_chinese_names_and_aliases(client, superuser, db):
    build_world()
    client.force_login(superuser)
    response = client.get(_url(Case, "changelist"), {"q": "测试案例"})
    assert response.context["cl"].result_count == 1
    from cases.models import Organisation

    org_list = _url(Organisation, "changelist")
    assert client.get(org_list, {"q": "长城党委"}).context["cl"].result_count == 1
    assert client.get(org_list, {"q": "没有这个"}).context["cl"].result_count == 0


def test_anonymous_users_are_sent_to_the_login_page(client, db):
    story = make_story()
    for url in (_url(Case, "changelist"), _url(Case, "change", story.case.pk), _url(Case, "import")):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url


def test_staff_without_a_group_sees_nothing(client, staff, story):
    client.force_login(staff)
    assert client.get(_url(Case, "changelist")).status_code == 403
    assert client.get(_url(Case, "change", story.case.pk)).status_code == 403
    assert client.get(_url(Case, "import")).status_code == 403
    assert client.get(_url(Case, "export")).status_code == 403


def _actions(client) -> set[str]:
    response = client.get(_url(Case, "changelist"))
    return {name for name, _ in response.context["action_form"].fields["action"].choices if name}


def test_the_actions_offered_follow_the_role(client, editor, reviewer, superuser, db):
    expected = {
        editor: {"move_to_in_review", "move_to_draft"},
        reviewer: {"move_to_in_review", "move_to_draft", "move_to_published", "move_to_archived", "delete_selected"},
        superuser: {"move_to_in_review", "move_to_draft", "move_to_published", "move_to_archived", "delete_selected"},
    }
    for user, actions in expected.items():
        client.force_login(user)
        assert _actions(client) == actions, user.username


def _act(client, action: str, case: Case):
    return client.post(_url(Case, "changelist"), {"action": action, "_selected_action": [case.pk]}, follow=True)


def test_an_editor_cannot_publish_by_posting_the_action(client, editor, db):
    case = make_story(Status.IN_REVIEW).case
    client.force_login(editor)
    _act(client, "move_to_published", case)
    assert Case.objects.get(pk=case.pk).status == Status.IN_REVIEW


def test_an_editor_cannot_publish_by_editing_the_status(client, editor, story):
    from tests.admin.helpers import changeform_data

    client.force_login(editor)
    url = _url(Case, "change", story.case.pk)
    data = changeform_data(client.get(url))
    data["status"] = Status.PUBLISHED
    data["title_zh"] = "改过的标题"
    client.post(url, data)
    stored = Case.objects.get(pk=story.case.pk)
    assert stored.title_zh == "改过的标题"
    assert stored.status == Status.DRAFT


def test_actions_move_cases_and_report_refusals(client, editor, reviewer, db):
    ready = make_story(Status.DRAFT).case
    client.force_login(editor)
    response = _act(client, "move_to_in_review", ready)
    assert Case.objects.get(pk=ready.pk).status == Status.IN_REVIEW
    assert "1 case(s)" in response.content.decode()

    no_evidence = make_story(Status.IN_REVIEW, with_evidence=False).case
    client.force_login(reviewer)
    response = client.post(
        _url(Case, "changelist"),
        {"action": "move_to_published", "_selected_action": [ready.pk, no_evidence.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert Case.objects.get(pk=ready.pk).status == Status.PUBLISHED
    assert Case.objects.get(pk=no_evidence.pk).status == Status.IN_REVIEW
    assert f"{no_evidence.public_id}" in page and "no evidence quote" in page
    # Bulk moves are recorded per case, with the reviewer as author.
    assert Case.history.filter(id=ready.pk, history_user=reviewer, status=Status.PUBLISHED).count() == 1


def test_editors_see_public_cases_read_only_and_cannot_post_changes(client, editor, reviewer, db):
    case = make_story(Status.PUBLISHED).case
    url = _url(Case, "change", case.pk)
    client.force_login(editor)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"title_zh": "偷改"}).status_code == 403
    assert Case.objects.get(pk=case.pk).title_zh != "偷改"

    client.force_login(reviewer)
    assert 'name="_save"' in client.get(url).content.decode()


def test_the_case_page_shows_quotes_in_context_and_links_the_api(client, editor, story):
    client.force_login(editor)
    page = client.get(_url(Case, "change", story.case.pk)).content.decode()
    assert "<mark>红色物业联盟</mark>" in page
    assert f'href="/api/v1/cases/{story.case.public_id}/"' in page
    for section in ("描述 Description", "地区 Localities", "主题 Themes", "时段 Period"):
        assert section in page


def test_history_shows_field_level_changes_and_who_made_them(client, editor, story):
    from tests.admin.helpers import changeform_data

    client.force_login(editor)
    url = _url(Case, "change", story.case.pk)
    data = changeform_data(client.get(url))
    data["title_zh"] = "新标题"
    client.post(url, data)
    page = client.get(_url(Case, "history", story.case.pk)).content.decode()
    assert "新标题" in page and "editor" in page
    assert "title_zh" in page or "标题" in page


def test_the_case_page_offers_only_the_moves_the_user_may_make(client, editor, reviewer, story):
    url = _url(Case, "change", story.case.pk)
    client.force_login(editor)
    offered = {t["label"] for t in client.get(url).context["case_transitions"]}
    assert offered == {"提交审核 Submit for review"}

    move = reverse("admin:cases_case_transition", args=[story.case.pk, Status.IN_REVIEW])
    client.post(move, {"revision": story.case.revision})
    assert Case.objects.get(pk=story.case.pk).status == Status.IN_REVIEW

    publish = reverse("admin:cases_case_transition", args=[story.case.pk, Status.PUBLISHED])
    page = client.post(publish, {"revision": story.case.revision + 1}, follow=True).content.decode()
    assert "you may not publish" in page.lower()
    assert Case.objects.get(pk=story.case.pk).status == Status.IN_REVIEW

    client.force_login(reviewer)
    assert {t["label"] for t in client.get(url).context["case_transitions"]} == {
        "撤回为草稿 Withdraw from review",
        "发布 Publish",
        "归档 Archive",
    }
    stale = client.post(publish, {"revision": 0}, follow=True).content.decode()
    assert "changed by someone else" in stale.lower()
    client.post(publish, {"revision": story.case.revision + 1})
    assert Case.objects.get(pk=story.case.pk).status == Status.PUBLISHED


def test_read_only_and_history_pages_show_no_none(client, editor, db):
    import re

    from tests.editorial import make_story

    story = make_story(Status.PUBLISHED)
    client.force_login(editor)
    for view in ("change", "history"):
        page = client.get(reverse(f"admin:cases_case_{view}", args=[story.case.pk])).content.decode()
        assert not re.search(r">\s*None\s*<", page), view
