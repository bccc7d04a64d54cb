"""Every path that changes a case's content goes through the editing service and its guards.

The admin's case form, the admin's import and accepting a candidate each must refuse an editor's
change to a published case and (where the path carries a revision) a change from a stale copy, and
must fail when the service's guard fails: a path that wrote to the case by itself would not.
"""

from __future__ import annotations

import pytest
import tablib
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases.models import Candidate, Case, FactType, Metric, Status
from cases.services import editing
from cases.services.review import candidate_accept
from tests import factories
from tests.admin.helpers import changeform_data
from tests.admin.test_import_export import confirm, export_file, import_preview
from tests.editorial import make_story


def _admin_form(client, user, case: Case, *, title: str, revision: int | None = None) -> str:
    url = reverse("admin:cases_case_change", args=[case.pk])
    client.force_login(user)
    data = changeform_data(client.get(url))
    data["title_zh"] = title
    if revision is not None:
        data["revision"] = revision
    response = client.post(url, data)
    return f"{response.status_code} {response.content.decode()}"


def _import(client, user, case: Case, *, title: str, revision: int | None = None) -> str:
    client.force_login(user)
    dataset = tablib.import_set(export_file(client, Case).decode("utf-8-sig"), format="csv")
    out = tablib.Dataset(headers=dataset.headers)
    for row in dataset.dict:
        if row["public_id"] == case.public_id:
            row = dict(row, title_zh=title, revision=row["revision"] if revision is None else revision)
        out.append([row[h] for h in dataset.headers])
    preview = import_preview(client, Case, out.export("csv").encode())
    result = preview.context["result"]
    if result.has_validation_errors() or result.has_errors():
        return " ".join(str(row.error_dict) for row in result.invalid_rows) + str(result.base_errors)
    confirm(client, Case, preview)
    return ""


def _accept(client, user, case: Case, *, title: str, revision: int | None = None) -> str:
    source = case.sources.get()
    start = source.text.index("红色物业联盟")
    candidate = Candidate.objects.create(
        source=source,
        fact_type=FactType.PERSON,
        key="person:王五",
        label="王五",
        payload={"name": "王五"},
        start=start,
        end=start + 6,
        quote="红色物业联盟",
        case=case,
    )
    try:
        candidate_accept(candidate=candidate, user=user, case=case)
    except Exception as error:  # the test reports what the path said
        return str(error)
    return ""


PATHS = [
    pytest.param(_admin_form, id="admin case form"),
    pytest.param(_import, id="admin import"),
    pytest.param(_accept, id="candidate acceptance"),
]


@pytest.mark.parametrize("path", PATHS)
def test_an_editor_cannot_change_a_published_case_by_any_path(client, editor, path):
    case = make_story(Status.PUBLISHED).case
    before = Case.objects.get(pk=case.pk)
    said = path(client, editor, case, title="编辑偷改")
    after = Case.objects.get(pk=case.pk)
    assert (after.title_zh, after.revision) == (before.title_zh, before.revision)
    assert not after.people.exists()
    assert "403" in said or "only a reviewer may change it" in said, said


@pytest.mark.parametrize("path", [PATHS[0], PATHS[1]])
def test_a_stale_copy_is_refused_on_every_path_that_carries_a_revision(client, editor, path):
    case = make_story().case
    Case.objects.filter(pk=case.pk).update(title_zh="别人刚改的", revision=case.revision + 1)
    said = path(client, editor, case, title="过期的改动", revision=case.revision)
    stored = Case.objects.get(pk=case.pk)
    assert (stored.title_zh, stored.revision) == ("别人刚改的", case.revision + 1)
    assert "Conflict" in said or "stale" in said, said


@pytest.mark.parametrize("path", PATHS)
def test_every_path_stops_when_the_services_guard_says_no(client, editor, monkeypatch, path):
    """A path that bypassed ``editing.check_editable`` would save here."""

    def refuse(*, case, user):
        raise PermissionDenied(f"case {case.public_id} is 草稿 draft: only a reviewer may change it (the test says no)")

    case = make_story().case
    before = Case.objects.get(pk=case.pk)
    monkeypatch.setattr(editing, "check_editable", refuse)
    monkeypatch.setattr("cases.services.review.check_editable", refuse)
    said = path(client, editor, case, title="绕过服务")
    after = Case.objects.get(pk=case.pk)
    assert (after.title_zh, after.revision) == (before.title_zh, before.revision)
    assert not after.people.exists()
    assert "403" in said or "the test says no" in said, said


@pytest.mark.parametrize("path", PATHS)
def test_every_path_bumps_the_revision_once_and_records_the_editor(client, editor, path):
    case = make_story().case
    revision = case.revision
    said = path(client, editor, case, title="编辑改好的标题")
    stored = Case.objects.get(pk=case.pk)
    assert stored.revision == revision + 1, said
    assert stored.history.first().history_user == editor


def _a_metric_of(case: Case) -> Metric:
    return Metric.objects.create(indicator=factories.indicator(), value=3, case=case)


def test_a_metric_changed_on_its_own_page_makes_an_open_case_form_stale(client, editor):
    case = make_story().case
    metric = _a_metric_of(case)
    case_url = reverse("admin:cases_case_change", args=[case.pk])
    client.force_login(editor)
    case_form = changeform_data(client.get(case_url))

    metric_url = reverse("admin:cases_metric_change", args=[metric.pk])
    metric_form = changeform_data(client.get(metric_url))
    metric_form["value"] = "4"
    assert client.post(metric_url, metric_form).status_code == 302

    stored = Case.objects.get(pk=case.pk)
    assert stored.revision == case.revision + 1
    metric.refresh_from_db()
    assert stored.history.first().history_change_reason == f"{Metric._meta.verbose_name} changed: {metric}"
    case_form["title_zh"] = "没看到指标的改动"
    assert "Conflict" in client.post(case_url, case_form).content.decode()
    assert Case.objects.get(pk=case.pk).title_zh != "没看到指标的改动"


def test_deleting_a_metric_on_its_own_page_is_a_change_to_its_case(client, editor):
    case = make_story().case
    metric = _a_metric_of(case)
    client.force_login(editor)
    response = client.post(reverse("admin:cases_metric_delete", args=[metric.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Metric.objects.filter(pk=metric.pk).exists()
    assert Case.objects.get(pk=case.pk).revision == case.revision + 1


def test_an_editor_cannot_move_a_metric_off_a_published_case(client, editor, reviewer):
    public = make_story(Status.PUBLISHED).case
    draft = make_story().case
    metric = _a_metric_of(public)
    url = reverse("admin:cases_metric_change", args=[metric.pk])
    client.force_login(reviewer)
    data = changeform_data(client.get(url))
    data["case"] = draft.pk
    client.force_login(editor)
    assert client.post(url, data).status_code == 403
    assert Metric.objects.get(pk=metric.pk).case_id == public.pk
    assert Case.objects.get(pk=public.pk).revision == public.revision
