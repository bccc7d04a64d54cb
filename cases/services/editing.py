"""Creating and editing a case's content, for the API (and any other caller) with the admin's rules.

Status never changes here: that is ``workflow.case_transition``'s job. Permission is checked
with ``workflow.can_edit_case`` (an editor edits drafts and cases in review; a published case is
a reviewer's), the model's ``full_clean`` validates, and ``expected_revision`` guards against
lost updates. Nothing is saved on error.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cases.models import Case, Locality, Status, Theme
from cases.services.workflow import StaleCaseError, can_edit_case

# Content fields a caller may set; status, publication and revision are managed elsewhere.
CONTENT_FIELDS = (
    "public_id",
    "title_zh",
    "title_en",
    "summary_zh",
    "summary_en",
    "primary_locality",
    "period_start_date",
    "period_start_precision",
    "period_end_date",
    "period_end_precision",
    "period_text",
)


def _set_relations(case: Case, *, localities: Iterable[Locality] | None, themes: Iterable[Theme] | None) -> None:
    if localities is not None:
        case.localities.set(list(localities))
    if themes is not None:
        case.themes.set(list(themes))


def _apply(case: Case, fields: dict[str, Any]) -> None:
    unknown = sorted(set(fields) - set(CONTENT_FIELDS))
    if unknown:
        raise ValidationError({name: ["this field cannot be set here"] for name in unknown})
    for name, value in fields.items():
        setattr(case, name, value)


@transaction.atomic
def case_create(
    *,
    user: AbstractBaseUser | AnonymousUser,
    fields: dict[str, Any],
    localities: Iterable[Locality] | None = None,
    themes: Iterable[Theme] | None = None,
) -> Case:
    """Create a draft case from ``fields`` (see CONTENT_FIELDS) on behalf of ``user``."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("cases.add_case"):
        raise PermissionDenied("you may not create cases")
    case = Case(status=Status.DRAFT)
    _apply(case, fields)
    case.full_clean()
    case._history_user = user
    case.save()
    _set_relations(case, localities=localities, themes=themes)
    return case


@transaction.atomic
def case_update(
    *,
    case: Case,
    user: AbstractBaseUser | AnonymousUser,
    fields: dict[str, Any],
    expected_revision: int | None = None,
    localities: Iterable[Locality] | None = None,
    themes: Iterable[Theme] | None = None,
) -> Case:
    """Change a case's content on behalf of ``user``; bumps the revision."""
    current = Case.objects.select_for_update().get(pk=case.pk)
    if not getattr(user, "is_authenticated", False) or not can_edit_case(case=current, user=user):
        raise PermissionDenied(f"you may not edit case {current.public_id} while it is {current.status}")
    if expected_revision is not None and current.revision != expected_revision:
        raise StaleCaseError(
            f"case {current.public_id} was changed by someone else (revision {current.revision}, "
            f"you had {expected_revision}); reload it and try again"
        )
    _apply(current, fields)
    current.full_clean()
    current.revision += 1
    current._history_user = user
    current.save()
    _set_relations(current, localities=localities, themes=themes)
    return current
