"""History → Revert restores an old version's content, never its status, publication or revision."""

from __future__ import annotations

from django.urls import reverse

from cases.models import Case, Status
from cases.services.workflow import case_transition
from tests.admin.helpers import changeform_data
from tests.editorial import make_story


def _revert_url(case: Case, version) -> str:
    return reverse("admin:cases_case_simple_history", args=[case.pk, version.history_id])


def _published_then_unpublished(reviewer):
    story = make_story(Status.IN_REVIEW)
    case_transition(case=story.case, to_status=Status.PUBLISHED, user=reviewer)
    case_transition(case=story.case, to_status=Status.DRAFT, user=reviewer)
    return Case.objects.get(pk=story.case.pk)


def test_reverting_to_the_published_version_does_not_publish_again(client, editor, reviewer):
    case = _published_then_unpublished(reviewer)
    published = case.history.filter(status=Status.PUBLISHED).first()
    client.force_login(editor)
    url = _revert_url(case, published)
    data = changeform_data(client.get(url))
    data["title_zh"] = "回滚后的标题"
    assert client.post(url, data).status_code == 302

    stored = Case.objects.get(pk=case.pk)
    assert stored.title_zh == "回滚后的标题"  # the revert happened
    assert (stored.status, stored.published_at, stored.published_by) == (Status.DRAFT, None, None)
    assert stored.revision == case.revision + 1
    assert not Case.objects.published().filter(pk=case.pk).exists()
    client.logout()
    assert client.get(f"/api/v1/cases/{case.public_id}/").status_code == 404


def test_reverting_keeps_the_current_publication_fields(client, reviewer):
    story = make_story(Status.IN_REVIEW)
    case = case_transition(case=story.case, to_status=Status.PUBLISHED, user=reviewer)
    in_review = case.history.filter(status=Status.IN_REVIEW).first()
    client.force_login(reviewer)
    url = _revert_url(case, in_review)
    assert client.post(url, changeform_data(client.get(url))).status_code == 302
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.published_at, stored.published_by) == (
        Status.PUBLISHED,
        case.published_at,
        reviewer,
    )


def test_an_editor_cannot_revert_a_public_case_to_an_old_draft(client, editor, reviewer):
    story = make_story(Status.IN_REVIEW)
    draft_version = story.case.history.first()
    case = case_transition(case=story.case, to_status=Status.PUBLISHED, user=reviewer)
    client.force_login(editor)
    url = _revert_url(case, draft_version)
    data = changeform_data(client.get(url))
    data["title_zh"] = "编辑改了公开案例"
    assert client.post(url, data).status_code == 403
    assert Case.objects.get(pk=case.pk).title_zh == case.title_zh
