"""Import/export resources (django-import-export) for cases, organisations, localities, metrics, people.

Files round-trip: exporting and importing the same file skips every row (``skip_unchanged``), so it
changes nothing and records no history. Related rows are referred to by what editors know: a
locality by its statistical code (``#<id>`` for an uncoded one), an indicator or theme by its code,
a case by its public id. A reference that matches nothing is an error naming the column and value;
the admin then shows the row, column and reason and imports nothing (the file is one transaction).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from import_export import fields, resources, widgets

from cases.admin.search import SearchIndexedResourceMixin
from cases.models import PERIOD_FIELDS, Case, Indicator, Initiative, Locality, Metric, Organisation, Person, Theme
from cases.services.editing import CONTENT_FIELDS, RELATION_FIELDS, case_create, case_fact_changed, case_update
from cases.services.workflow import StaleCaseError


def _as_text(value: Any) -> str:
    """Spreadsheet cells come back as numbers: 510105005.0 must read as the code 510105005."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


class RefWidget(widgets.ForeignKeyWidget):
    """A foreign key by a natural field; an unknown value is a clear error, not a traceback."""

    def __init__(self, model: type[models.Model], field: str, column: str) -> None:
        super().__init__(model, field=field)
        self.column = column

    def clean(self, value, row=None, **kwargs):
        text = _as_text(value)
        if not text:
            return None
        try:
            return self.model.objects.get(**{self.field: text})
        except (self.model.DoesNotExist, ValueError, ValidationError):
            model_name = self.model._meta.model_name
            raise ValueError(f"column {self.column}: no {model_name} with {self.field} {text!r}") from None


class LocalityWidget(widgets.ForeignKeyWidget):
    """A locality by statistical code, or ``#<id>`` for places below the coded levels."""

    def __init__(self, column: str) -> None:
        super().__init__(Locality, field="code")
        self.column = column

    @staticmethod
    def lookup(text: str) -> dict[str, str]:
        return {"pk": text[1:]} if text.startswith("#") else {"code": text}

    def clean(self, value, row=None, **kwargs):
        text = _as_text(value)
        if not text:
            return None
        lookup = self.lookup(text)
        if not next(iter(lookup.values())).isdigit():
            raise ValueError(f"column {self.column}: {text!r} is neither a statistical code nor #<id>")
        found = Locality.objects.filter(**lookup).first()
        if found is None:
            raise ValueError(f"column {self.column}: no locality with {'id' if 'pk' in lookup else 'code'} {text}")
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value.code or f"#{value.pk}"


class StrictManyToManyWidget(widgets.ManyToManyWidget):
    """Like ManyToManyWidget, but a value that matches nothing is an error instead of silently dropped."""

    def __init__(self, model: type[models.Model], field: str, column: str) -> None:
        super().__init__(model, separator=";", field=field)
        self.column = column

    def _keys(self, value) -> list[str]:
        return [part.strip() for part in _as_text(value).split(self.separator) if part.strip()]

    def clean(self, value, row=None, **kwargs):
        keys = self._keys(value)
        found = list(self.model.objects.filter(**{f"{self.field}__in": keys}))
        missing = set(keys) - {str(getattr(obj, self.field)) for obj in found}
        if missing:
            raise ValueError(
                f"column {self.column}: no {self.model._meta.model_name} with {self.field} "
                + ", ".join(sorted(missing))
            )
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:  # an unsaved row has no related manager yet
            return ""
        # Sorted so the same data always exports to the same cell.
        return self.separator.join(sorted(str(getattr(item, self.field)) for item in value.all()))


class LocalitiesWidget(StrictManyToManyWidget):
    def __init__(self, column: str) -> None:
        super().__init__(Locality, field="code", column=column)

    def clean(self, value, row=None, **kwargs):
        keys = self._keys(value)
        found = []
        for key in keys:
            found.append(LocalityWidget(self.column).clean(key))
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(sorted(LocalityWidget(self.column).render(item) for item in value.all()))


class AliasesWidget(widgets.Widget):
    """A JSON list of names as one cell, ``;``-separated."""

    def clean(self, value, row=None, **kwargs):
        return [part.strip() for part in _as_text(value).split(";") if part.strip()]

    def render(self, value, obj=None, **kwargs):
        return ";".join(value or [])


# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class GuardedResource(SearchIndexedResourceMixin, resources.ModelResource):
    """Import rows as the importing user: history records them, and public cases stay a reviewer's call.

    Text that a spreadsheet would run as a formula is exported with a leading apostrophe, which
    import removes again, so a round trip gives back exactly what was exported.
    """

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            return "'" + value
        return value

    def before_import(self, dataset, **kwargs):
        # A misspelt column (summary_enn) would be dropped without a word: refuse the file instead.
        known = {field.column_name for field in self.get_import_fields()} | {
            field.column_name for field in self.get_export_fields()
        }
        unknown = [header for header in dataset.headers or [] if header and header not in known]
        if unknown:
            raise ValueError(
                f"未知列 unknown column(s): {', '.join(unknown)}; the columns are: {', '.join(sorted(known))}"
            )
        super().before_import(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        text_columns = self._text_columns()
        for key, value in row.items():
            if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
                row[key] = value[1:]
            elif value is None and key in text_columns:
                # An empty XLSX cell reads as None; the text column holds "".
                row[key] = ""
        super().before_import_row(row, **kwargs)

    def _text_columns(self) -> set[str]:
        columns = set()
        for field in self.get_import_fields():
            try:
                model_field = self._meta.model._meta.get_field(field.attribute or "")
            except Exception:  # a computed or related column
                continue
            if isinstance(model_field, (models.CharField, models.TextField)) and not model_field.null:
                columns.add(field.column_name)
        return columns

    def guarded_cases(self, instance: models.Model) -> list[Case]:
        """The cases whose content this row would change (the case's own resource saves through the
        editing service instead)."""
        return []

    def before_save_instance(self, instance, row, **kwargs):
        user = kwargs.get("user")
        if user is not None:
            try:
                case_fact_changed(
                    cases=self.guarded_cases(instance),
                    user=user,
                    reason=f"{instance._meta.verbose_name} imported: {instance}",
                )
            except PermissionDenied as error:
                raise ValidationError(str(error)) from None
            instance._history_user = user
        super().before_save_instance(instance, row, **kwargs)


class CaseResource(GuardedResource):
    primary_locality = fields.Field(
        attribute="primary_locality", column_name="primary_locality", widget=LocalityWidget("primary_locality")
    )
    localities = fields.Field(attribute="localities", column_name="localities", widget=LocalitiesWidget("localities"))
    themes = fields.Field(
        attribute="themes", column_name="themes", widget=StrictManyToManyWidget(Theme, field="code", column="themes")
    )
    # Status only moves through the workflow: exported for reference, never imported.
    status = fields.Field(attribute="status", column_name="status", readonly=True)
    published_at = fields.Field(attribute="published_at", column_name="published_at", readonly=True)
    revision = fields.Field(attribute="revision", column_name="revision", readonly=True)

    class Meta:
        model = Case
        import_id_fields = ["public_id"]
        fields = [
            "public_id",
            "title_zh",
            "title_en",
            "summary_zh",
            "summary_en",
            "primary_locality",
            "localities",
            *PERIOD_FIELDS,
            "themes",
            "status",
            "published_at",
            "revision",
        ]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_queryset(self):
        return Case.objects.select_related("primary_locality").prefetch_related("localities", "themes")

    def save_instance(self, instance: Case, is_create: bool, row, **kwargs) -> None:
        """Through the editing service, like the admin form and the API: the status guard, the stale
        revision (the file's ``revision`` column is the one it was exported at) and the revision bump
        live there. Its errors become row errors naming the case; the file then imports nothing."""
        self.before_save_instance(instance, row, **kwargs)
        if not self._is_using_transactions(kwargs) and self._is_dry_run(kwargs):
            return
        user = kwargs.get("user")
        fields = {name: getattr(instance, name) for name in CONTENT_FIELDS}
        relations = {
            field.attribute: field.clean(row)
            for field in self.get_import_fields()
            if field.attribute in RELATION_FIELDS and field.column_name in row
        }
        try:
            if is_create:
                saved = case_create(user=user, fields=fields, **relations)
            else:
                saved = case_update(
                    case=instance, user=user, fields=fields, expected_revision=self._revision(row), **relations
                )
        except StaleCaseError as error:
            raise ValidationError(
                f"case {error.public_id}: 文件已过期 the file is stale (revision {error.expected_revision}, the case "
                f"is now at revision {error.revision}); export again and re-apply the changes"
            ) from None
        except PermissionDenied as error:
            raise ValidationError(str(error)) from None
        adopt_saved(instance, saved)
        self.after_save_instance(instance, row, **kwargs)

    def save_m2m(self, instance, row, **kwargs) -> None:
        # Saved with the rest of the row by the editing service (save_instance).
        return

    @staticmethod
    def _revision(row) -> int | None:
        given = _as_text(row.get("revision"))
        if not given:
            return None
        if not given.isdigit():
            raise ValidationError(f"column revision: {given!r} is not a revision number; export the case again")
        return int(given)


def adopt_saved(target: models.Model, saved: models.Model) -> None:
    """Make ``target`` (the object a library goes on with) the row a service saved and returned."""
    target.__dict__.update({key: value for key, value in saved.__dict__.items() if not key.startswith("_")})
    target._state.adding = False


class OrganisationResource(GuardedResource):
    aliases = fields.Field(attribute="aliases", column_name="aliases", widget=AliasesWidget())
    locality = fields.Field(attribute="locality", column_name="locality", widget=LocalityWidget("locality"))
    parent = fields.Field(attribute="parent", column_name="parent", widget=RefWidget(Organisation, "pk", "parent"))
    predecessor = fields.Field(
        attribute="predecessor", column_name="predecessor", widget=RefWidget(Organisation, "pk", "predecessor")
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "name_en",
            "aliases",
            "kind",
            "locality",
            "parent",
            "founded_date",
            "founded_precision",
            "founded_text",
            "description",
            "name_basis",
            "predecessor",
        ]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_queryset(self):
        return Organisation.objects.select_related("locality", "parent", "predecessor")


class LocalityResource(GuardedResource):
    parent = fields.Field(attribute="parent", column_name="parent", widget=LocalityWidget("parent"))
    # Empty means "no code": stored as NULL, since codes are unique.
    code = fields.Field(attribute="code", column_name="code", widget=widgets.CharWidget(allow_blank=False))
    full_name = fields.Field(attribute="full_name", column_name="full_name", readonly=True)

    class Meta:
        model = Locality
        fields = ["id", "name", "name_en", "level", "parent", "code", "note", "full_name"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_queryset(self):
        return Locality.objects.select_related("parent")

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute == "code" and field.column_name in row:
            row = {**row, "code": _as_text(row["code"]) or None}
        super().import_field(field, instance, row, is_m2m, **kwargs)


class PersonResource(GuardedResource):
    class Meta:
        model = Person
        fields = ["id", "name", "name_en", "note"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class MetricResource(GuardedResource):
    indicator = fields.Field(
        attribute="indicator", column_name="indicator", widget=RefWidget(Indicator, "code", "indicator")
    )
    case = fields.Field(attribute="case", column_name="case", widget=RefWidget(Case, "public_id", "case"))
    locality = fields.Field(attribute="locality", column_name="locality", widget=LocalityWidget("locality"))
    organisation = fields.Field(
        attribute="organisation", column_name="organisation", widget=RefWidget(Organisation, "pk", "organisation")
    )
    initiative = fields.Field(
        attribute="initiative", column_name="initiative", widget=RefWidget(Initiative, "pk", "initiative")
    )

    class Meta:
        model = Metric
        fields = [
            "id",
            "indicator",
            *Metric.MEASURE_FIELDS,
            "period_kind",
            *PERIOD_FIELDS,
            "case",
            "locality",
            "organisation",
            "initiative",
            "note",
        ]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_queryset(self):
        return Metric.objects.select_related("indicator", "case", "locality", "organisation", "initiative")

    def guarded_cases(self, instance: Metric) -> list[Case]:
        stored = Metric.objects.filter(pk=instance.pk).select_related("case").first() if instance.pk else None
        # Both the case it belonged to and the one it moves to must be editable.
        return [case for case in (stored.case if stored else None, instance.case) if case is not None]
