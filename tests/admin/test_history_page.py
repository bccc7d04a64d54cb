"""The History page reads as an editor expects: who published, a dash for nothing, never ``None``
or simple-history's half-translated "Deleted 用户 (pk=None)", decimals at their own precision."""

from __future__ import annotations

from django.urls import reverse

from cases.models import Status
from tests.admin.helpers import read_page


def test_a_published_case_history_names_the_reviewer_and_shows_no_deleted_user(client, reviewer):
    from cases.services.workflow import case_transition
    from tests.editorial import make_story

    case = make_story().case
    case_transition(case=case, to_status=Status.IN_REVIEW, user=reviewer)
    case_transition(case=case, to_status=Status.PUBLISHED, user=reviewer)
    client.force_login(reviewer)
    page = read_page(client.get(reverse("admin:cases_case_history", args=[case.pk])).content.decode())
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
