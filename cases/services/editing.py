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

from cases.models import PERIOD_FIELDS, Case, Initiative, Locality, Organisation, Person, Source, Status, Theme
from cases.services.workflow import EDITABLE_BY_EDITORS, can_edit_case, case_save_revision, check_revision

# Content fields a caller may set; status, publication and revision are managed elsewhere.
CONTENT_FIELDS = (
    "public_id",
    "title_zh",
    "title_en",
    "summary_zh",
    "summary_en",
    "primary_locality",
    *PERIOD_FIELDS,
)


# Many-to-many content a caller may replace (the case's organisations carry a role: CaseOrganisation).
RELATION_FIELDS = ("localities", "themes", "initiatives", "people", "sources")


def _set_relations(case: Case, **relations: Iterable[Any] | None) -> None:
    for name, values in relations.items():
        if name not in RELATION_FIELDS:
            raise ValidationError({name: ["this relation cannot be set here"]})
        if values is not None:
            getattr(case, name).set(list(values))


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
    initiatives: Iterable[Initiative] | None = None,
    people: Iterable[Person] | None = None,
    sources: Iterable[Source] | None = None,
) -> Case:
    """Create a draft case from ``fields`` (see CONTENT_FIELDS) on behalf of ``user`` (None: the project).

    The admin's add form, the admin's import and the API's POST all create cases here."""
    if user is not None and (not getattr(user, "is_authenticated", False) or not user.has_perm("cases.add_case")):
        raise PermissionDenied(f"you may not create cases ({fields.get('public_id', 'a new case')})")
    case = Case(status=Status.DRAFT)
    _apply(case, fields)
    case.full_clean()
    if user is not None:
        case._history_user = user
    case.save()
    _set_relations(case, localities=localities, themes=themes, initiatives=initiatives, people=people, sources=sources)
    return case


def check_editable(*, case: Case, user: AbstractBaseUser | AnonymousUser | None) -> None:
    """The one guard on a case's content: who may change it in its current status.

    ``user=None`` is the project itself (a command, the seed loader): it may change drafts and
    cases in review, never a published or archived case.
    """
    refusal = f"case {case.public_id} is {case.get_status_display()}: only a reviewer may change it"
    if user is None:
        if case.status not in EDITABLE_BY_EDITORS:
            raise ValidationError(refusal)
        return
    if not getattr(user, "is_authenticated", False) or not user.has_perm("cases.change_case"):
        raise PermissionDenied(f"you may not edit case {case.public_id}")
    if not can_edit_case(case=case, user=user):
        raise PermissionDenied(refusal)


@transaction.atomic
def case_fact_changed(
    *, cases: Iterable[Case | None], user: AbstractBaseUser | AnonymousUser | None, reason: str
) -> None:
    """A row that belongs to a case (a metric, a piece of evidence, an organisation's role) is added,
    changed, moved or removed on its own page or by an import, not through the case form.

    Each case it leaves or joins must be editable by ``user`` and gets a revision bump with
    ``reason`` in its history, so a case form opened before the change is refused as stale rather
    than saved over it. Call it before the row is written, inside the same transaction.
    """
    for pk in sorted({case.pk for case in cases if case is not None}):
        current = Case.objects.select_for_update().get(pk=pk)
        check_editable(case=current, user=user)
        case_save_revision(case=current, user=user, reason=reason)


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
    case_save_revision(case=current, user=user)
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
    initiatives: Iterable[Initiative] | None = None,
    people: Iterable[Person] | None = None,
    sources: Iterable[Source] | None = None,
) -> Case:
    """Change a case's content on behalf of ``user``; bumps the revision.

    The one write path for a case's content: the API's PATCH, the admin's case form (and History →
    Revert) and the admin's import all call it. Status and publication are never touched here, so a
    revert or a file that claims another status cannot move the case. A relation given (``None``:
    left as it is) replaces the case's set. Raises PermissionDenied, StaleCaseError (a
    ValidationError) or ValidationError; nothing is saved then.
    """
    current = Case.objects.select_for_update().get(pk=case.pk)
    check_editable(case=current, user=user if user is not None else AnonymousUser())
    check_revision(case=current, expected_revision=expected_revision)
    _apply(current, fields)
    current.full_clean()
    case_save_revision(case=current, user=user)
    _set_relations(
        current, localities=localities, themes=themes, initiatives=initiatives, people=people, sources=sources
    )
    return current
