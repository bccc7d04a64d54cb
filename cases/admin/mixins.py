"""Base classes shared by the admin modules."""

from __future__ import annotations

import contextlib
import csv
import io
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models, router, transaction
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from import_export.admin import ImportExportMixin
from import_export.forms import ImportForm
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

# What the admin shows for an empty value, everywhere (Django's own read-only fields show the same).
EMPTY = "—"
HISTORY_TYPES = {"+": "新建 created", "~": "修改 changed", "-": "删除 deleted"}


def readable_value(value: Any) -> Any:
    """A value as the History page shows it: a dash for nothing (not "None", nor simple-history's
    "Deleted 用户 (pk=None)" for an empty foreign key), a user deleted since named as such, and a
    decimal at its own precision (5, 12.5; not 5.0000)."""
    if isinstance(value, list):
        return [readable_value(item) for item in value]
    if isinstance(value, DeletedObject):
        if value.pk is None:
            return EMPTY
        return f"(已删除的{value.model._meta.verbose_name} deleted, #{value.pk})"
    if value is None or value == "":
        return EMPTY
    if isinstance(value, Decimal):
        return plain_decimal(value)
    return value


def plain_decimal(value: Decimal) -> str:
    """5.0000 → "5", 12.5000 → "12.5": the column keeps four places for shares and rates."""
    return f"{value.normalize():f}"


class ReadableHistoryContext(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value):
        return readable_value(super().prepare_delta_change_value(change, value))


class HistoryAdmin(SimpleHistoryAdmin):
    """Every change is recorded by simple-history; the History page shows field-level diffs and reverts."""

    list_per_page = 50
    object_history_list_template = "admin/history/list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryContext(self.model, historical_record)

    def set_history_delta_changes(self, request, page_obj, *args, **kwargs):
        super().set_history_delta_changes(request, page_obj, *args, **kwargs)
        for record in page_obj.object_list:
            # A change saved without a reason or a user (a command, the seed loader) shows a dash.
            if record.history_change_reason is None:
                record.history_change_reason = EMPTY
            # A deleted user's versions keep no user (the column is SET_NULL): a dash too.
            record.history_user_label = str(record.history_user) if record.history_user else EMPTY
            record.history_type_label = HISTORY_TYPES.get(record.history_type, record.history_type)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """The revert page. simple-history checks only the view permission, and on the old version:
        a revert is a change of the current row, so it needs the change permission on that row, and
        runs in one transaction (the case form locks the row while it checks the revision)."""
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        with transaction.atomic(using=router.db_for_write(self.model)):
            current = self.get_object(request, unquote(object_id))
            if current is None:
                raise Http404
            if not self.has_change_permission(request, current):
                raise PermissionDenied
            return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        # ``obj`` is the old version on the revert page: ask about the row as it is now.
        if obj is not None and obj.pk is not None:
            current = self.get_queryset(request).filter(pk=obj.pk).first()
            if current is None or not self.has_change_permission(request, current):
                return True
        return super().revert_disabled(request, obj)


def count_rows(content: bytes) -> int:
    """Data rows in an uploaded CSV or XLSX file (the header row not counted)."""
    if content.startswith(b"PK"):  # XLSX is a zip archive
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content), read_only=True).active
        return max((sheet.max_row or 0) - 1, 0)
    text = content.decode("utf-8-sig", errors="replace")
    return max(sum(1 for row in csv.reader(io.StringIO(text)) if row) - 1, 0)


class BoundedImportForm(ImportForm):
    """An import file is refused, with the limit named, before any of it is read into the preview:
    a 20,000-row preview held SQLite's write lock for minutes and every other save on the site failed."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        max_bytes, max_rows = settings.IMPORT_MAX_BYTES, settings.IMPORT_MAX_ROWS
        if upload.size > max_bytes:
            raise ValidationError(
                f"the file is {upload.size / 1e6:.1f} MB; one import takes at most {max_bytes / 1e6:.1f} MB "
                f"(IMPORT_MAX_BYTES). Split it into smaller files.",
                code="too_large",
            )
        content = upload.read()
        upload.seek(0)
        try:
            rows = count_rows(content)
        except Exception:
            return upload
        if rows > max_rows:
            raise ValidationError(
                f"the file has {rows:,} rows; one import takes at most {max_rows:,} (IMPORT_MAX_ROWS). "
                f"Split it into files of at most {max_rows:,} rows.",
                code="too_many_rows",
            )
        return upload


class ImportExportHistoryAdmin(ImportExportMixin, HistoryAdmin):
    """History plus CSV/XLSX import (dry-run preview, then confirm) and export.

    Formula cells are escaped by our resources (``GuardedResource.export_field``), reversibly. The
    library's own escaping (IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT) drops the ``=`` for good and
    writes empty XLSX cells as the text "None", which breaks round trips, so it is skipped here.
    """

    # Excel opens a CSV as UTF-8 only when it starts with a BOM (the API's CSV has one too).
    to_encoding = "utf-8-sig"

    import_form_class = BoundedImportForm

    def get_export_formats(self):
        return [_without_library_escaping(fmt) for fmt in super().get_export_formats()]

    def write_to_tmp_storage(self, import_file, input_format):
        # Excel on Chinese Windows saves CSV as GBK/GB18030: read it as such and keep it as UTF-8.
        if not input_format.is_binary():
            data = b"".join(import_file.chunks())
            try:
                data.decode("utf-8-sig")
            except UnicodeDecodeError:
                # When neither fits, reading fails below and add_data_read_fail_error_to_form names the line.
                with contextlib.suppress(UnicodeDecodeError):
                    data = data.decode("gb18030").encode("utf-8")
            import_file = ContentFile(data, name=import_file.name)
        return super().write_to_tmp_storage(import_file, input_format)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UnicodeDecodeError):
            line = e.object[: e.start].count(b"\n") + 1
            form.add_error(
                "import_file",
                f"第 {line} 行无法解码：文件既不是 UTF-8 也不是 GBK/GB18030。请另存为“CSV UTF-8”。"
                f" Line {line} cannot be decoded: the file is neither UTF-8 nor GBK/GB18030; save it as "
                '"CSV UTF-8" and import again.',
            )
            return
        super().add_data_read_fail_error_to_form(form, e)


def _without_library_escaping(fmt: type) -> type:
    return type(fmt.__name__, (fmt,), {"_escape_formulae": lambda self, dataset: None})


class PreloadedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that labels its selected value from an object the formset already loaded.

    The stock widget runs one query per row to label the selected option; on an inline with many
    rows that grows with the data. ``preloaded`` maps str(pk) → object (filled by the formset).
    """

    preloaded: dict[str, models.Model] | None = None

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if self.preloaded is None or not selected <= self.preloaded.keys():
            return super().optgroups(name, value, attr)
        default = (None, [], 0)
        if not self.is_required:
            default[1].append(self.create_option(name, "", "", False, 0))
        for key in sorted(selected):
            obj = self.preloaded[key]
            label = self.choices.field.label_from_instance(obj)
            default[1].append(self.create_option(name, obj.pk, label, selected, len(default[1])))
        return [default]


class PreloadingInlineFormSet(BaseInlineFormSet):
    """Hands each autocomplete widget the related objects ``get_queryset`` already selected."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        for name, field in form.fields.items():
            widget = field.widget.widget if isinstance(field.widget, RelatedFieldWidgetWrapper) else field.widget
            if isinstance(widget, AutocompleteSelect) and not widget.allow_multiple_selected:
                preloaded = self._preloaded(name)
                if preloaded is not None:
                    widget.__class__ = PreloadedAutocompleteSelect
                    widget.preloaded = preloaded
        return form

    def _preloaded(self, name: str) -> dict[str, models.Model] | None:
        cache = self.__dict__.setdefault("_preloaded_cache", {})
        if name not in cache:
            field = self.model._meta.get_field(name)
            # Only trust objects the queryset joined in: anything else would cost a query each.
            rows = [obj for obj in self.get_queryset() if field.is_cached(obj)]
            cache[name] = {str(getattr(obj, field.attname)): getattr(obj, name) for obj in rows}
        return cache[name]


class PreloadingInline:
    """Inline mixin: join the FK columns into the inline's queryset and label autocompletes from them."""

    formset = PreloadingInlineFormSet
    preload_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.select_related(*self.preload_related) if self.preload_related else queryset


class ReadOnlyAfterPublishInline(PreloadingInline):
    """Inline rows of a case follow the case: an editor cannot change facts of a public case."""

    def _case_editable(self, request, obj) -> bool:
        from cases.services.workflow import can_edit_case

        return obj is None or can_edit_case(case=obj, user=request.user)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._case_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._case_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._case_editable(request, obj)


admin.site.site_header = "社区治理案例库 Community-governance case database"
admin.site.site_title = "案例库 admin"
admin.site.index_title = "编辑 Editorial admin"
# Read-only fields and list columns show nothing as the History page does.
admin.site.empty_value_display = EMPTY


class CaseGuardedAdmin:
    """For rows that belong to a case: editors may not change or delete facts of a public case, and a
    change to a row is a change to its case (guarded and given a revision by ``case_fact_changed``)."""

    def guarded_case(self, obj):
        return getattr(obj, "case", None)

    def _case_editable(self, request, obj) -> bool:
        from cases.services.workflow import can_edit_case

        case = self.guarded_case(obj) if obj is not None else None
        return case is None or can_edit_case(case=case, user=request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._case_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._case_editable(request, obj)

    def _touched_cases(self, obj) -> list:
        """The case a row belongs to now and, for a stored row, the one it belonged to before the form."""
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None
        return [self.guarded_case(obj), self.guarded_case(stored) if stored is not None else None]

    def _record_on_cases(self, request, obj, cases, verb: str) -> None:
        from cases.services.editing import case_fact_changed

        reason = f"{obj._meta.verbose_name} {verb}: {obj}"
        case_fact_changed(cases=cases, user=request.user, reason=reason)

    def save_model(self, request, obj, form, change):
        # Adding a row, or moving one, onto or off a public case is a change to that case.
        self._record_on_cases(request, obj, self._touched_cases(obj), "changed" if change else "added")
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        self._record_on_cases(request, obj, [self.guarded_case(obj)], "deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._record_on_cases(request, obj, [self.guarded_case(obj)], "deleted")
        super().delete_queryset(request, queryset)


def citations_html(cite) -> str:
    """Every citation style of one object, in <pre> blocks an editor can copy (``cite(style)`` gives each)."""
    import json

    from django.utils.html import format_html, format_html_join

    from cases.citations import CITATION_STYLE_LABELS, CITATION_STYLES

    def text(style: str) -> str:
        value = cite(style)
        return json.dumps(value, ensure_ascii=False, indent=2) if isinstance(value, dict) else value

    rows = format_html_join(
        "",
        '<dt>{}</dt><dd><pre class="citation" data-style="{}" style="white-space:pre-wrap">{}</pre></dd>',
        ((CITATION_STYLE_LABELS[style], style, text(style)) for style in CITATION_STYLES),
    )
    return format_html("<dl>{}</dl>", rows)


class PlainDecimalInput(forms.NumberInput):
    """A count shows as 5, not 5.0000 (the column keeps four decimal places for shares and rates)."""

    def format_value(self, value):
        if isinstance(value, Decimal):
            value = plain_decimal(value)
        elif isinstance(value, str) and "." in value:
            value = value.rstrip("0").rstrip(".")
        return super().format_value(value)


PLAIN_DECIMALS = {models.DecimalField: {"widget": PlainDecimalInput}}


class PlainDecimalsAdmin:
    """Decimal columns at their own precision, 5 and 12.5, not 5.0000: in forms (PLAIN_DECIMALS) and
    on read-only pages (a public case seen by an editor), where Django pads to the column's places.

    ``plain_decimal_fields`` names the columns; each needs a ``<name>_plain`` display
    (``plain_decimal_display``) that the read-only page shows in its place.
    """

    formfield_overrides = PLAIN_DECIMALS
    plain_decimal_fields: tuple[str, ...] = ()

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            return fieldsets
        swap = {name: f"{name}_plain" for name in self.plain_decimal_fields}
        return [
            (title, {**options, "fields": [swap.get(f, f) for f in options["fields"]]}) for title, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *(f"{name}_plain" for name in self.plain_decimal_fields)]


def plain_decimal_display(model: type[models.Model], name: str):
    """The read-only display of a decimal column at its own precision, labelled as the column is."""

    @admin.display(description=model._meta.get_field(name).verbose_name)
    def display(self, obj):
        value = getattr(obj, name)
        return plain_decimal(value) if value is not None else EMPTY

    return display
