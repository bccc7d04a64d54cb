"""The editorial workflow: the only way a case changes status.

draft → in review → published → archived, with the ways back an editorial team needs. Every
path (admin actions, the API, management commands, imports) goes through ``case_transition``,
which checks the user's permission itself so no caller can forget to.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import Case, Status

SUBMIT_PERMISSION = "cases.submit_case"
PUBLISH_PERMISSION = "cases.publish_case"


@dataclass(frozen=True)
class Transition:
    name: str
    source: str
    target: str
    permission: str


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit for review", Status.DRAFT, Status.IN_REVIEW, SUBMIT_PERMISSION),
    Transition("withdraw from review", Status.IN_REVIEW, Status.DRAFT, SUBMIT_PERMISSION),
    Transition("publish", Status.IN_REVIEW, Status.PUBLISHED, PUBLISH_PERMISSION),
    Transition("unpublish", Status.PUBLISHED, Status.DRAFT, PUBLISH_PERMISSION),
    Transition("archive", Status.PUBLISHED, Status.ARCHIVED, PUBLISH_PERMISSION),
    Transition("archive", Status.DRAFT, Status.ARCHIVED, PUBLISH_PERMISSION),
    Transition("archive", Status.IN_REVIEW, Status.ARCHIVED, PUBLISH_PERMISSION),
    Transition("restore to draft", Status.ARCHIVED, Status.DRAFT, PUBLISH_PERMISSION),
)

# Statuses an editor without the publish permission may still edit: once a case is public,
# changes to it are a reviewer's call.
EDITABLE_BY_EDITORS = frozenset({Status.DRAFT, Status.IN_REVIEW})


class StaleCaseError(ValidationError):
    """Someone else saved the case since this copy was read.

    ``public_id``, ``revision`` (the stored one) and ``expected_revision`` (the copy's) let each
    medium word its advice (the admin form, an import row, the API's 409) from the one check.
    """

    def __init__(self, *, case: Case, expected_revision: int) -> None:
        self.public_id, self.revision, self.expected_revision = case.public_id, case.revision, expected_revision
        super().__init__(
            f"case {case.public_id} was changed by someone else (revision {case.revision}, "
            f"you had {expected_revision}); reload it and try again",
            code="stale",
        )


def check_revision(*, case: Case, expected_revision: int | None) -> None:
    """The one stale-copy guard: refuse a write made from a copy read before the case's last save.

    ``case`` is the row as stored (locked by the caller); ``None`` means the caller carries no
    revision (a command, the seed loader) and nothing is checked.
    """
    if expected_revision is not None and case.revision != expected_revision:
        raise StaleCaseError(case=case, expected_revision=expected_revision)


def case_save_revision(*, case: Case, user: AbstractBaseUser | AnonymousUser | None, reason: str | None = None) -> None:
    """The one revision bump: every write of a case's row goes through here, recorded in history.

    ``user=None`` is the project itself (history records no user).
    """
    case.revision += 1
    if user is not None:
        case._history_user = user
    if reason is not None:
        case._change_reason = reason
    case.save()


def find_transition(source: str, target: str) -> Transition | None:
    for transition in TRANSITIONS:
        if transition.source == source and transition.target == target:
            return transition
    return None


def allowed_targets(*, case: Case, user: AbstractBaseUser | AnonymousUser) -> list[str]:
    """The statuses ``user`` may move ``case`` to now (permission only, not publish preconditions)."""
    return [t.target for t in TRANSITIONS if t.source == case.status and user.has_perm(t.permission)]


def can_edit_case(*, case: Case | None, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether ``user`` may change the case's content (not its status) in its current status."""
    if not user.has_perm("cases.change_case"):
        return False
    if case is None or case.status in EDITABLE_BY_EDITORS:
        return True
    return user.has_perm(PUBLISH_PERMISSION)


def publication_problems(case: Case) -> list[str]:
    """What stops ``case`` from being published; empty when it may be."""
    problems = []
    if not case.sources.exists():
        problems.append("it cites no source")
    if not case.evidence.exists():
        problems.append("it has no evidence quote")
    return problems


@transaction.atomic
def case_transition(
    *,
    case: Case,
    to_status: str,
    user: AbstractBaseUser | AnonymousUser,
    expected_revision: int | None = None,
) -> Case:
    """Move ``case`` to ``to_status`` on behalf of ``user`` and return the updated case.

    Raises PermissionDenied when the user may not make this move, ValidationError when the move
    does not exist from the current status or publishing preconditions fail, and StaleCaseError
    when ``expected_revision`` is given and the case has been saved since. Nothing changes on
    error. The move bumps the revision and is recorded in the case's history with the user.
    """
    if to_status not in Status.values:
        raise ValidationError({"status": f"unknown status {to_status!r}; expected one of {', '.join(Status.values)}"})
    # Lock the row so two reviewers clicking at once cannot both act on the same old status.
    current = Case.objects.select_for_update().get(pk=case.pk)
    check_revision(case=current, expected_revision=expected_revision)
    transition = find_transition(current.status, to_status)
    if transition is None:
        raise ValidationError(
            {
                "status": f"case {current.public_id} cannot move from "
                f"{Status(current.status).label} to {Status(to_status).label}"
            }
        )
    if not getattr(user, "is_authenticated", False) or not user.has_perm(transition.permission):
        raise PermissionDenied(f"you may not {transition.name} case {current.public_id}")
    if to_status == Status.PUBLISHED:
        problems = publication_problems(current)
        if problems:
            raise ValidationError(f"case {current.public_id} cannot be published: {'; '.join(problems)}")
        current.published_at = timezone.now()
        current.published_by = user
    elif current.status == Status.PUBLISHED and to_status == Status.DRAFT:
        # Unpublished means not public: a later publish records its own who and when.
        current.published_at = None
        current.published_by = None
    old_status = current.status
    current.status = to_status
    case_save_revision(case=current, user=user, reason=f"status: {old_status} → {to_status}")
    return current
