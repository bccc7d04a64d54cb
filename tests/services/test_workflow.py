"""The status workflow service: who may move a case where, and what publishing requires."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import Case, Status
from cases.services.workflow import StaleCaseError, case_transition
from tests.editorial import make_story


def test_editor_submits_and_reviewer_publishes_recording_who_and_when(editor, reviewer, story):
    case_transition(case=story.case, to_status=Status.IN_REVIEW, user=editor)
    published = case_transition(case=story.case, to_status=Status.PUBLISHED, user=reviewer)

    stored = Case.objects.get(pk=story.case.pk)
    assert stored.status == Status.PUBLISHED
    assert stored.published_by == reviewer
    assert stored.published_at is not None
    assert stored.revision == published.revision == 2
    moves = [(h.history_user, h.history_change_reason) for h in stored.history.order_by("history_id")][-2:]
    assert moves == [(editor, "status: draft → in_review"), (reviewer, "status: in_review → published")]


def test_editor_cannot_publish(editor, story):
    story.case.status = Status.IN_REVIEW
    story.case.save()
    with pytest.raises(PermissionDenied):
        case_transition(case=story.case, to_status=Status.PUBLISHED, user=editor)
    assert Case.objects.get(pk=story.case.pk).status == Status.IN_REVIEW


@pytest.mark.parametrize("to_status", [Status.IN_REVIEW, Status.PUBLISHED, Status.ARCHIVED])
def test_anonymous_and_groupless_staff_can_move_nothing(staff, story, to_status):
    for user in (AnonymousUser(), staff):
        with pytest.raises((PermissionDenied, ValidationError)):
            case_transition(case=story.case, to_status=to_status, user=user)
    assert Case.objects.get(pk=story.case.pk).status == Status.DRAFT


def test_publishing_requires_an_evidence_quote(reviewer, db):
    story = make_story(Status.IN_REVIEW, with_evidence=False)
    with pytest.raises(ValidationError, match="no evidence quote"):
        case_transition(case=story.case, to_status=Status.PUBLISHED, user=reviewer)
    assert Case.objects.get(pk=story.case.pk).status == Status.IN_REVIEW


def test_publishing_requires_a_source(reviewer, story):
    story.case.status = Status.IN_REVIEW
    story.case.save()
    story.case.sources.clear()
    with pytest.raises(ValidationError, match="cites no source"):
        case_transition(case=story.case, to_status=Status.PUBLISHED, user=reviewer)


def test_a_move_that_does_not_exist_is_refused_with_both_statuses_named(reviewer, story):
    with pytest.raises(ValidationError, match=r"cannot move from .*draft.* to .*published"):
        case_transition(case=story.case, to_status=Status.PUBLISHED, user=reviewer)
    with pytest.raises(ValidationError, match="unknown status 'gone'"):
        case_transition(case=story.case, to_status="gone", user=reviewer)


def test_unpublishing_clears_publication_and_archiving_keeps_it(reviewer, db):
    first = make_story(Status.PUBLISHED).case
    second = make_story(Status.PUBLISHED).case
    case_transition(case=first, to_status=Status.DRAFT, user=reviewer)
    case_transition(case=second, to_status=Status.ARCHIVED, user=reviewer)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.published_at) == (Status.DRAFT, None)
    assert second.status == Status.ARCHIVED and second.published_at is not None
    assert not Case.objects.published().filter(pk__in=[first.pk, second.pk]).exists()


def test_a_stale_revision_is_refused(editor, story):
    with pytest.raises(StaleCaseError, match="changed by someone else"):
        case_transition(case=story.case, to_status=Status.IN_REVIEW, user=editor, expected_revision=7)
    assert Case.objects.get(pk=story.case.pk).status == Status.DRAFT
