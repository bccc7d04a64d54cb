"""The admin on the seed data reads as finished: no ``None`` as a value, no half-translated
"Deleted 用户", no count shown as 5.0000, and in Chinese no field label left in English only.

Every list and change page (and the case history and version pages) of the seed data is fetched in zh-hans, the admin's
language, and in English; each page is reduced to what an editor reads (text, input values, labels).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation
from simple_history.admin import SimpleHistoryAdmin

from cases.models import Case, Status

pytestmark = pytest.mark.usefixtures("seeded")

# Rows per model: enough to meet every kind of value, few enough to stay fast.
ROWS_PER_MODEL = 4
CJK = re.compile(r"[\u4e00-\u9fff]")
TRAILING_ZEROS = re.compile(r"\d\.\d*0{3,}\b")


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


def _read(html: str) -> Reading:
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


def _problems(client, language: str) -> list[str]:
    problems = []
    with translation.override(language):
        for url in _pages():
            response = client.get(url)
            assert response.status_code == 200, url
            page = _read(response.content.decode())
            text = " ".join(" ".join(page.text).split())
            for word in ("None", "Deleted 用户", "Deleted user"):
                for match in re.finditer(rf"(.{{0,40}})\b{word}\b", text):
                    problems.append(f"{url}: {word!r} after {match.group(1)!r}")
            for value in [*page.values, text]:
                for match in TRAILING_ZEROS.finditer(value):
                    problems.append(f"{url}: {match.group()!r} shown with its padding zeros")
            if language == "zh-hans":
                problems += [
                    f"{url}: label {label!r} is English only" for label in page.labels if not CJK.search(label)
                ]
    # One line per page type: /admin/cases/case/<id>/change/.
    return sorted({re.sub(r"/\d+/", "/<id>/", problem) for problem in problems})


@pytest.mark.parametrize(
    ("who", "language"),
    [
        ("superuser", "zh-hans"),
        ("superuser", "en"),
        # An editor sees the public cases read-only: the values Django formats itself.
        ("editor", "zh-hans"),
    ],
)
def test_admin_change_pages_of_the_seed_data_show_no_none_padding_or_untranslated_labels(
    client, request, who, language
):
    client.force_login(request.getfixturevalue(who))
    problems = _problems(client, language)
    assert not problems, "\n".join(problems)


def test_a_published_case_history_names_the_reviewer_and_shows_no_deleted_user(client, reviewer):
    from cases.services.workflow import case_transition
    from tests.admin.conftest import make_story

    case = make_story().case
    case_transition(case=case, to_status=Status.IN_REVIEW, user=reviewer)
    case_transition(case=case, to_status=Status.PUBLISHED, user=reviewer)
    client.force_login(reviewer)
    page = _read(client.get(reverse("admin:cases_case_history", args=[case.pk])).content.decode())
    text = " ".join(" ".join(page.text).split())
    assert "发布人 published by: — → reviewer" in text
    assert "Deleted" not in text and "None" not in text


def test_history_values_read_as_an_editor_expects():
    from decimal import Decimal

    from django.contrib.auth.models import User
    from simple_history.models import DeletedObject

    from cases.admin.mixins import readable_value

    assert readable_value(None) == readable_value("") == readable_value(DeletedObject(User, None)) == "—"
    assert readable_value(DeletedObject(User, 7)) == "(已删除的用户 deleted, #7)"
    assert [readable_value(Decimal("5.0000")), readable_value(Decimal("12.5000"))] == ["5", "12.5"]
