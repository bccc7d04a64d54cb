"""Helpers for driving admin forms through the test client."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from cases.models import (
    CaseOrganisation,
    Document,
    Initiative,
    InitiativeKind,
    InitiativeParticipant,
    LocalityAlias,
    ParticipantRole,
    Position,
    SourceCredit,
)
from tests import factories
from tests.admin.conftest import Story, make_story


def _encode(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def changeform_data(response) -> dict[str, Any]:
    """The POST data a browser would send back for an admin add/change page, unchanged."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    # The history revert page has no inlines.
    inlines = response.context.get("inline_admin_formsets") or []
    for inline in inlines:
        formset = inline.formset
        forms.append(formset.management_form)
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            bound = form[name]
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = "on" if value is True else _encode(value)
    return data


def build_world() -> Story:
    """One row of every model, linked the way the seed data links them."""
    story = make_story()
    place = story.case.primary_locality
    organisation = factories.organisation(locality=place, aliases=["长城党委"])
    person = factories.person()
    Position.objects.create(person=person, organisation=organisation, title="社区党委书记")
    story.case.people.add(person)
    CaseOrganisation.objects.create(case=story.case, organisation=organisation, role="牵头 lead")
    initiative = Initiative.objects.create(name="红色物业联盟", kind=InitiativeKind.ALLIANCE)
    initiative.localities.add(place)
    InitiativeParticipant.objects.create(initiative=initiative, organisation=organisation, role=ParticipantRole.LEAD)
    factories.metric(indicator_obj=factories.indicator(), value=18, case=story.case, locality=place)
    story.case.themes.add(factories.theme())
    SourceCredit.objects.create(source=story.source, role="reporter", person=person, as_printed="本报记者 测试")
    LocalityAlias.objects.create(locality=place, name="长城")
    Document.objects.create(title="版面", text="全文")
    return story


def login(client, user: User) -> None:
    client.force_login(user)


def now() -> datetime.datetime:
    return timezone.now()
