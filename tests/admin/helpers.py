"""Helpers for driving admin forms through the test client."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from typing import Any

from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone, translation
from simple_history.admin import SimpleHistoryAdmin

from cases.models import (
    Case,
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
from cases.search.index import deferred
from tests import factories
from tests.editorial import Story, make_story


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
    """One row of every model, linked the way the seed data links them; the search index is
    refreshed once, at the end, as after any bulk write."""
    with deferred():
        story = make_story()
        place = story.case.primary_locality
        organisation = factories.organisation(locality=place, aliases=["长城党委"])
        person = factories.person()
        Position.objects.create(person=person, organisation=organisation, title="社区党委书记")
        story.case.people.add(person)
        CaseOrganisation.objects.create(case=story.case, organisation=organisation, role="牵头 lead")
        initiative = Initiative.objects.create(name="红色物业联盟", kind=InitiativeKind.ALLIANCE)
        initiative.localities.add(place)
        InitiativeParticipant.objects.create(
            initiative=initiative, organisation=organisation, role=ParticipantRole.LEAD
        )
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


# --- what an editor reads: the admin crawl (tests/admin/test_seed_data.py) ---

# Rows per model: enough to meet every kind of value, few enough to stay fast.
ROWS_PER_MODEL = 4
CJK = re.compile(r"[\u4e00-\u9fff]")
TRAILING_ZEROS = re.compile(r"\d\.\d*0{3,}\b")
# What a page shows for an empty value or a deleted user instead of saying so.
UNFILLED = re.compile(r"\b(?:None|Deleted 用户|Deleted user)\b")


class Reading(HTMLParser):
    """What an editor reads on a page: its text, the values in its inputs, and its field labels."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.values: list[str] = []
        self.labels: list[str] = []
        self._skip = 0
        self._label: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"script", "style", "template"}:
            self._skip += 1
        elif tag in {"input", "textarea"} and attrs.get("type") not in {"hidden", "submit", "checkbox"}:
            if attrs.get("value"):
                self.values.append(attrs["value"])
        elif tag == "label" or (tag == "th" and "column-" in (attrs.get("class") or "")):
            self._label = []

    def handle_endtag(self, tag):
        if tag in {"script", "style", "template"}:
            self._skip -= 1
        elif tag in {"label", "th"} and self._label is not None:
            label = " ".join("".join(self._label).split()).rstrip(":：")
            if label:
                self.labels.append(label)
            self._label = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._label is not None:
            self._label.append(data)


def read_page(html: str) -> Reading:
    reading = Reading()
    reading.feed(html)
    return reading


def _pages() -> list[str]:
    urls = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "cases":
            continue
        name = f"admin:cases_{model._meta.model_name}"
        urls.append(reverse(f"{name}_changelist"))
        for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[:ROWS_PER_MODEL]:
            urls.append(reverse(f"{name}_change", args=[pk]))
            if isinstance(model_admin, SimpleHistoryAdmin) and model is Case:
                urls.append(reverse(f"{name}_history", args=[pk]))
                version = model.history.filter(id=pk).order_by("history_id").values_list("history_id", flat=True)[0]
                urls.append(reverse(f"{name}_simple_history", args=[pk, version]))
    return urls


def admin_problems(client, language: str) -> list[str]:
    problems = []
    with translation.override(language):
        for url in _pages():
            response = client.get(url)
            assert response.status_code == 200, url
            page = read_page(response.content.decode())
            text = " ".join(" ".join(page.text).split())
            for match in UNFILLED.finditer(text):
                before = text[max(0, match.start() - 40) : match.start()]
                problems.append(f"{url}: {match.group()!r} after {before!r}")
            for value in [*page.values, text]:
                for match in TRAILING_ZEROS.finditer(value):
                    problems.append(f"{url}: {match.group()!r} shown with its padding zeros")
            if language == "zh-hans":
                problems += [
                    f"{url}: label {label!r} is English only" for label in page.labels if not CJK.search(label)
                ]
    # One line per page type: /admin/cases/case/<id>/change/.
    return sorted({re.sub(r"/\d+/", "/<id>/", problem) for problem in problems})
