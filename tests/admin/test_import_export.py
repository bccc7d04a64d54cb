"""CSV/XLSX import and export from the admin: preview, all-or-nothing, clear errors, round trips."""

from __future__ import annotations

import pytest
import tablib
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case, Locality, Metric, Organisation, Person
from tests.admin.helpers import build_world

IMPORT_EXPORT_MODELS = [Case, Organisation, Locality, Metric, Person]


def _format_index(model, title: str, *, kind: str) -> str:
    model_admin = admin.site._registry[model]
    formats = model_admin.get_export_formats() if kind == "export" else model_admin.get_import_formats()
    return str([f().get_title() for f in formats].index(title))


def export_file(client, model, title: str = "csv") -> bytes:
    """Export every row of ``model`` through the admin's export page, all columns selected."""
    url = reverse(f"admin:cases_{model._meta.model_name}_export")
    form = client.get(url).context["form"]
    data = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    data.update({"format": _format_index(model, title, kind="export"), "resource": "0"})
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    return response.content


def import_preview(client, model, content: bytes, name: str = "upload.csv", title: str = "csv"):
    url = reverse(f"admin:cases_{model._meta.model_name}_import")
    upload = SimpleUploadedFile(name, content)
    data = {"import_file": upload, "format": _format_index(model, title, kind="import"), "resource": "0"}
    return client.post(url, data)


def confirm(client, model, preview):
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    url = reverse(f"admin:cases_{model._meta.model_name}_process_import")
    return client.post(url, data)


def _history_count() -> int:
    return sum(model.history.count() for model in IMPORT_EXPORT_MODELS)


@pytest.mark.parametrize("model", IMPORT_EXPORT_MODELS, ids=lambda m: m._meta.model_name)
@pytest.mark.parametrize("title", ["csv", "xlsx"])
def test_export_then_import_of_the_same_file_changes_nothing(client, superuser, db, model, title):
    build_world()
    client.force_login(superuser)
    content = export_file(client, model, title)
    before = (list(model._default_manager.order_by("pk").values()), _history_count())

    preview = import_preview(client, model, content, name=f"export.{title}", title=title)
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["skip"] == model._default_manager.count()
    assert confirm(client, model, preview).status_code == 302
    assert (list(model._default_manager.order_by("pk").values()), _history_count()) == before


def test_a_bad_row_names_row_column_and_reason_and_nothing_is_imported(client, superuser, db):
    build_world()
    client.force_login(superuser)
    dataset = tablib.Dataset(headers=["id", "name", "name_en", "note"])
    dataset.append(["", "新人甲", "", ""])
    dataset.append(["", "", "Nobody", "没有名字"])  # a person needs a name
    preview = import_preview(client, Person, dataset.export("csv").encode())
    page = preview.content.decode()
    result = preview.context["result"]
    assert result.has_validation_errors()
    invalid = result.invalid_rows[0]
    assert invalid.number == 2 and "name" in invalid.field_specific_errors
    assert "Line number" in page or "行" in page
    assert "confirm_form" not in preview.context or preview.context["confirm_form"] is None
    assert not Person.objects.filter(name="新人甲").exists()


def test_an_unknown_reference_is_reported_with_its_column(client, superuser, db):
    build_world()
    client.force_login(superuser)
    content = export_file(client, Metric).decode("utf-8-sig")
    header, row = content.splitlines()[:2]
    columns = header.split(",")
    values = row.split(",")
    values[columns.index("id")] = ""
    values[columns.index("indicator")] = "no_such_indicator"
    preview = import_preview(client, Metric, f"{header}\n{','.join(values)}\n".encode())
    errors = preview.context["result"].invalid_rows[0].field_specific_errors
    assert "column indicator: no indicator with code 'no_such_indicator'" in errors["indicator"][0]


def test_formula_cells_are_escaped_on_export_and_restored_on_import(client, superuser, db):
    story = build_world()
    Case.objects.filter(pk=story.case.pk).update(title_en='=HYPERLINK("http://evil")')
    client.force_login(superuser)
    content = export_file(client, Case).decode("utf-8-sig")
    assert "'=HYPERLINK" in content
    preview = import_preview(client, Case, content.encode())
    assert preview.context["result"].totals["skip"] == 1


def test_importing_a_case_cannot_publish_it_or_change_a_public_one(client, editor, db):
    from cases.models import Status
    from tests.editorial import make_story

    public = make_story(Status.PUBLISHED).case
    client.force_login(editor)
    content = export_file(client, Case).decode("utf-8-sig")
    dataset = tablib.import_set(content, format="csv")
    rows = list(dataset.dict)
    rows[0]["title_zh"] = "编辑偷改"
    new = dict(rows[0], public_id="brand-new-case", status="published")
    out = tablib.Dataset(headers=dataset.headers)
    for row in (rows[0], new):
        out.append([row[h] for h in dataset.headers])
    preview = import_preview(client, Case, out.export("csv").encode())
    result = preview.context["result"]
    assert result.has_validation_errors()
    assert "only a reviewer may change it" in str(result.invalid_rows[0].error_dict)
    assert Case.objects.get(pk=public.pk).title_zh != "编辑偷改"
    assert not Case.objects.filter(public_id="brand-new-case").exists()


def test_new_cases_import_as_drafts(client, editor, story):
    client.force_login(editor)
    content = export_file(client, Case).decode("utf-8-sig")
    dataset = tablib.import_set(content, format="csv")
    row = dict(next(iter(dataset.dict)), public_id="imported-case", status="published", title_zh="导入的案例")
    out = tablib.Dataset(headers=dataset.headers)
    out.append([row[h] for h in dataset.headers])
    preview = import_preview(client, Case, out.export("csv").encode())
    assert not preview.context["result"].has_validation_errors()
    confirm(client, Case, preview)
    imported = Case.objects.get(public_id="imported-case")
    assert imported.status == "draft" and imported.published_at is None
    assert imported.history.first().history_user.username == "editor"


def test_import_needs_its_own_permission(client, staff, editor, db):
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_person", "add_person", "change_person"]))
    client.force_login(staff)
    assert client.get(reverse("admin:cases_person_import")).status_code == 403
    client.force_login(editor)
    assert client.get(reverse("admin:cases_person_import")).status_code == 200


def test_xlsx_codes_read_back_as_numbers_still_resolve(db):
    from cases.admin.resources import LocalityWidget

    build_world()
    assert LocalityWidget("locality").clean(510105005.0).code == "510105005"
    with pytest.raises(ValueError, match="column locality: no locality with code 999999999"):
        LocalityWidget("locality").clean("999999999")


def test_the_csv_export_starts_with_a_bom_so_excel_reads_it_as_utf8(client, superuser, db):
    build_world()
    client.force_login(superuser)
    content = export_file(client, Case)
    assert content.startswith("\ufeff".encode())
    assert "public_id" in content.decode("utf-8-sig").splitlines()[0]


def _case_rows(client) -> tablib.Dataset:
    return tablib.import_set(export_file(client, Case).decode("utf-8-sig"), format="csv")


def test_a_gbk_csv_from_excel_on_chinese_windows_imports(client, superuser, db):
    story = build_world()
    client.force_login(superuser)
    dataset = _case_rows(client)
    row = list(dataset[0])
    row[dataset.headers.index("title_zh")] = "改过的标题"
    dataset[0] = row
    preview = import_preview(client, Case, dataset.export("csv").encode("gbk"))
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert confirm(client, Case, preview).status_code == 302
    assert Case.objects.get(pk=story.case.pk).title_zh == "改过的标题"


def test_an_undecodable_file_is_refused_naming_the_line(client, superuser, db):
    build_world()
    client.force_login(superuser)
    content = b"public_id,title_zh\r\n" + b"x,\xff\xff\xff\r\n"
    page = import_preview(client, Case, content).content.decode()
    assert "第 2 行无法解码" in page and "Line 2 cannot be decoded" in page


def test_an_unknown_column_is_an_error_not_silently_dropped(client, superuser, db):
    story = build_world()
    client.force_login(superuser)
    dataset = _case_rows(client)
    dataset.append_col(["typo"] * len(dataset), header="summary_enn")
    preview = import_preview(client, Case, dataset.export("csv").encode())
    result = preview.context["result"]
    assert result.has_errors()
    assert "summary_enn" in preview.content.decode()
    assert Case.objects.get(pk=story.case.pk).summary_en != "typo"


def test_a_stale_row_is_refused_and_named(client, superuser, db):
    story = build_world()
    client.force_login(superuser)
    dataset = _case_rows(client)
    Case.objects.filter(pk=story.case.pk).update(title_zh="别人刚改的", revision=story.case.revision + 1)
    row = list(dataset[0])
    row[dataset.headers.index("title_zh")] = "旧文件里的标题"
    dataset[0] = row
    preview = import_preview(client, Case, dataset.export("csv").encode())
    page = preview.content.decode()
    assert f"case {story.case.public_id}" in page and "stale" in page
    assert Case.objects.get(pk=story.case.pk).title_zh == "别人刚改的"
