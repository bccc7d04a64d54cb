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

from cases.models import Case, Locality, Organisation, Person, Source, Status, Theme
from cases.services.workflow import EDITABLE_BY_EDITORS, StaleCaseError, can_edit_case

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
    user: AbstractBaseUser | AnonymousUser | None,
    fields: dict[str, Any],
    localities: Iterable[Locality] | None = None,
    themes: Iterable[Theme] | None = None,
) -> Case:
    """Create a draft case from ``fields`` (see CONTENT_FIELDS) on behalf of ``user`` (None: the project)."""
    if user is not None and (not getattr(user, "is_authenticated", False) or not user.has_perm("cases.add_case")):
        raise PermissionDenied("you may not create cases")
    case = Case(status=Status.DRAFT)
    _apply(case, fields)
    case.full_clean()
    if user is not None:
        case._history_user = user
    case.save()
    _set_relations(case, localities=localities, themes=themes)
    return case


def check_editable(*, case: Case, user: AbstractBaseUser | AnonymousUser | None) -> None:
    """The one guard on a case's content: who may change it in its current status.

    ``user=None`` is the project itself (a command, the seed loader): it may change drafts and
    cases in review, never a published or archived case.
    """
    if user is None:
        if case.status not in EDITABLE_BY_EDITORS:
            raise ValidationError(
                f"case {case.public_id} is {case.get_status_display()}: only a reviewer may change it"
            )
        return
    if not getattr(user, "is_authenticated", False) or not can_edit_case(case=case, user=user):
        raise PermissionDenied(f"you may not edit case {case.public_id} while it is {case.get_status_display()}")


@transaction.atomic
def case_attach(
    *,
    case: Case,
    user: AbstractBaseUser | AnonymousUser | None,
    fields: dict[str, Any] | None = None,
    localities: Iterable[Locality] = (),
    organisations: Iterable[Organisation] = (),
    people: Iterable[Person] = (),
    themes: Iterable[Theme] = (),
    sources: Iterable[Source] = (),
) -> Case:
    """Add records to a case (and set content ``fields``) on behalf of ``user``; bumps the revision.

    What accepting a candidate does to its case: the same guard and history as ``case_update``.
    A locality that is already the case's primary one is not added again as a further one.
    """
    current = Case.objects.select_for_update().get(pk=case.pk)
    check_editable(case=current, user=user)
    if fields:
        _apply(current, fields)
        current.full_clean()
    current.revision += 1
    if user is not None:
        current._history_user = user
    current.save()
    localities = [loc for loc in localities if loc.pk != current.primary_locality_id]
    if localities:
        current.localities.add(*localities)
    for organisation in organisations:
        current.case_organisations.get_or_create(organisation=organisation)
    if people:
        current.people.add(*people)
    if themes:
        current.themes.add(*themes)
    if sources:
        current.sources.add(*sources)
    case.revision = current.revision
    return current


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
    check_editable(case=current, user=user if user is not None else AnonymousUser())
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
