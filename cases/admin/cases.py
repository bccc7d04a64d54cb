"""The case: the editor's main page, its inlines, the workflow actions and the revision guard."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from cases.admin.desk import DeskGroup
from cases.admin.evidence import EvidenceForm, OccurrenceDisplayMixin, QuoteNotesMixin, quote_in_context
from cases.admin.facts import MetricValuesAdmin
from cases.admin.filters import region_filter
from cases.admin.mixins import (
    CaseGuardedAdmin,
    ImportExportHistoryAdmin,
    ReadOnlyAfterPublishInline,
    citations_html,
)
from cases.admin.resources import CaseResource, adopt_saved
from cases.admin.search import SearchIndexAdminMixin
from cases.citations import case_citation
from cases.models import PERIOD_FIELDS, Case, CaseOrganisation, Evidence, Metric, Position, Status
from cases.models.sources import EVIDENCE_SUBJECTS
from cases.services.editing import CONTENT_FIELDS, RELATION_FIELDS, case_create, case_update
from cases.services.workflow import (
    PUBLISH_PERMISSION,
    SUBMIT_PERMISSION,
    TRANSITIONS,
    StaleCaseError,
    allowed_targets,
    can_edit_case,
    case_transition,
    check_revision,
)


class CaseAdminForm(forms.ModelForm):
    """Carries the revision the editor started from; a save over someone else's newer save is refused."""

    class Meta:
        model = Case
        fields = "__all__"  # noqa: DJ007 -- the admin's fieldsets choose what shows
        widgets = {"revision": forms.HiddenInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            # Start from the stored revision, not the instance's: when reverting from History the
            # instance is an old version, and the revert is a deliberate edit of the current case.
            stored = Case.objects.filter(pk=self.instance.pk).values_list("revision", flat=True).first()
            if stored is not None:
                self.initial["revision"] = stored

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        # The admin wraps the save in a transaction: the row lock holds until our write commits,
        # so two saves cannot both pass this check. save_model asks case_update, which checks again.
        current = Case.objects.select_for_update().filter(pk=self.instance.pk).first()
        if current is None:
            return cleaned
        try:
            check_revision(case=current, expected_revision=cleaned.get("revision"))
        except StaleCaseError as error:
            latest = current.history.select_related("history_user").first()
            who = f" by {latest.history_user}" if latest and latest.history_user else ""
            raise ValidationError(
                f"Conflict: this case was saved{who} after you opened it (revision {error.revision}, "
                f"yours {error.expected_revision}). Your changes were not saved. Open the case again "
                f"in another tab, re-apply your changes there, and save.",
                code="stale",
            ) from None
        return cleaned

    def content(self) -> tuple[dict, dict]:
        """The case's content fields and relations as the editor left them, for the editing service."""
        data = self.cleaned_data
        return (
            {name: data[name] for name in CONTENT_FIELDS if name in data},
            {name: data[name] for name in RELATION_FIELDS if name in data},
        )


class MetricInline(MetricValuesAdmin, ReadOnlyAfterPublishInline, admin.TabularInline):
    model = Metric
    fk_name = "case"
    extra = 0
    fields = ["indicator", *Metric.MEASURE_FIELDS, "period_kind", "period_text"]
    autocomplete_fields = ["indicator"]
    preload_related = ("indicator",)
    show_change_link = True


class CaseOrganisationInline(ReadOnlyAfterPublishInline, admin.TabularInline):
    model = CaseOrganisation
    extra = 0
    fields = ["organisation", "role"]
    autocomplete_fields = ["organisation"]
    # The row title (CaseOrganisation.__str__) names the case too.
    preload_related = ("organisation", "case")
    verbose_name = "参与组织 participating organisation"
    verbose_name_plural = "参与组织 participating organisations"


class EvidenceInline(OccurrenceDisplayMixin, ReadOnlyAfterPublishInline, admin.StackedInline):
    model = Evidence
    fk_name = "case"
    form = EvidenceForm
    extra = 0
    fields = ["source", "quote", "occurrence", "claim", "in_context"]
    readonly_fields = ["in_context"]
    autocomplete_fields = ["source"]
    preload_related = ("source",)
    verbose_name = "证据 evidence quote"
    verbose_name_plural = "证据 evidence quotes (supporting the case itself)"

    def get_exclude(self, request, obj=None):
        # Evidence here supports the case; the other subject columns stay empty.
        return [name for name in EVIDENCE_SUBJECTS if name != "case"]

    @admin.display(description="原文 in context")
    def in_context(self, obj: Evidence) -> str:
        return quote_in_context(obj)


@admin.register(CaseOrganisation)
class CaseOrganisationAdmin(CaseGuardedAdmin, admin.ModelAdmin):
    desk_group = DeskGroup.CASES
    desk_rank = 20
    list_display = ["organisation", "role", "case"]
    list_select_related = ["organisation", "case"]
    search_fields = ["organisation__name", "role", "case__public_id", "case__title_zh"]
    autocomplete_fields = ["case", "organisation"]


def _transition_action(to_status: str, permission: str, description: str):
    def action(modeladmin: CaseAdmin, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        moved, refused = [], []
        # One call per case: each move is checked, locked and recorded in history on its own.
        for case in queryset.order_by("public_id"):
            try:
                case_transition(case=case, to_status=to_status, user=request.user)
            except (PermissionDenied, ValidationError) as error:
                refused.append(f"{case.public_id}: {'; '.join(getattr(error, 'messages', [str(error)]))}")
            else:
                moved.append(case.public_id)
        if moved:
            modeladmin.message_user(
                request, f"{Status(to_status).label}: {len(moved)} case(s) ({', '.join(moved)})", messages.SUCCESS
            )
        for problem in refused:
            modeladmin.message_user(request, f"Not moved — {problem}", messages.ERROR)

    action.__name__ = f"move_to_{to_status}"
    return admin.action(description=description, permissions=[permission])(action)


# The workflow buttons in both languages, like the rest of the admin.
TRANSITION_LABELS = {
    "submit for review": "提交审核 Submit for review",
    "withdraw from review": "撤回为草稿 Withdraw from review",
    "publish": "发布 Publish",
    "unpublish": "撤回发布 Unpublish",
    "archive": "归档 Archive",
    "restore to draft": "恢复为草稿 Restore to draft",
}


@admin.register(Case)
class CaseAdmin(QuoteNotesMixin, SearchIndexAdminMixin, ImportExportHistoryAdmin):
    desk_group = DeskGroup.CASES
    desk_rank = 10
    resource_classes = [CaseResource]
    form = CaseAdminForm

    class Media:
        # "Working…" on the search box: the first search after a restart loads jieba.
        js = ["cases/admin/busy.js"]

    list_display = ["public_id", "title_zh", "status", "primary_locality", "period_text", "published_at", "updated_at"]
    list_select_related = ["primary_locality"]
    list_filter = ["status", region_filter("primary_locality", "localities"), "themes"]
    search_fields = ["public_id", "title_zh", "title_en", "summary_zh", "summary_en"]
    autocomplete_fields = ["primary_locality", "localities", "themes", "initiatives", "people", "sources"]
    readonly_fields = [
        "status",
        "published_at",
        "published_by",
        "api_link",
        "positions",
        "created_at",
        "updated_at",
        "citations",
    ]
    fieldsets = [
        ("描述 Description", {"fields": ["public_id", "title_zh", "title_en", "summary_zh", "summary_en"]}),
        ("地区 Localities", {"fields": ["primary_locality", "localities"]}),
        ("主题 Themes", {"fields": ["themes", "initiatives"]}),
        (
            "时段 Period",
            {
                "fields": [
                    *PERIOD_FIELDS,
                ]
            },
        ),
        ("人物与来源 People and sources", {"fields": ["people", "positions", "sources"]}),
        (
            "状态 Status",
            {"fields": ["status", "published_at", "published_by", "api_link", "created_at", "updated_at", "revision"]},
        ),
        ("引用 Cite as", {"fields": ["citations"], "classes": ["collapse"]}),
    ]
    inlines = [CaseOrganisationInline, MetricInline, EvidenceInline]
    actions = [
        _transition_action(Status.IN_REVIEW, "submit", "提交审核 Submit for review"),
        _transition_action(Status.DRAFT, "submit", "撤回为草稿 Withdraw from review / unpublish to draft"),
        _transition_action(Status.PUBLISHED, "publish", "发布 Publish"),
        _transition_action(Status.ARCHIVED, "publish", "归档 Archive"),
    ]

    def get_urls(self):
        move = path(
            "<path:object_id>/move/<str:to_status>/",
            self.admin_site.admin_view(self.transition_view),
            name="cases_case_transition",
        )
        return [move, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        case = self.get_object(request, object_id)
        if case is not None:
            labels = {t.target: t.name for t in TRANSITIONS if t.source == case.status}
            extra_context = {
                **(extra_context or {}),
                "case_transitions": [
                    {
                        "label": TRANSITION_LABELS.get(labels[target], labels[target]),
                        "url": reverse("admin:cases_case_transition", args=[case.pk, target]),
                    }
                    for target in allowed_targets(case=case, user=request.user)
                ],
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def transition_view(self, request: HttpRequest, object_id: str, to_status: str) -> HttpResponseRedirect:
        """The status buttons on the case page: one move through the workflow service."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = self.get_object(request, object_id)
        if case is None or not self.has_view_permission(request, case):
            raise PermissionDenied
        revision = request.POST.get("revision", "")
        try:
            case_transition(
                case=case,
                to_status=to_status,
                user=request.user,
                expected_revision=int(revision) if revision.isdigit() else None,
            )
        except (PermissionDenied, ValidationError) as error:
            self.message_user(request, "; ".join(getattr(error, "messages", [str(error)])), messages.ERROR)
        else:
            self.message_user(request, f"{case.public_id}: {Status(to_status).label}", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]))

    def has_submit_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(SUBMIT_PERMISSION) or request.user.has_perm(PUBLISH_PERMISSION)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(PUBLISH_PERMISSION)

    def has_change_permission(self, request, obj=None):
        # Editors see public cases read-only; changing them is a reviewer's call.
        return super().has_change_permission(request, obj) and (
            obj is None or can_edit_case(case=obj, user=request.user)
        )

    def get_inlines(self, request, obj):
        # Evidence and metrics must point at a saved case to validate; add them after the first save.
        return self.inlines if obj is not None else [CaseOrganisationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("primary_locality", "published_by")

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).prefetch_related("localities", "themes")

    def save_model(self, request, obj: Case, form, change: bool) -> None:
        """Through the editing service, like the API: its guards (who may edit a case in this status,
        the stale revision, validation) and its revision bump, in one place. Status and publication
        are never taken from the form: a revert from History carries the old version's values."""
        fields, relations = form.content()
        if change:
            saved = case_update(
                case=obj,
                user=request.user,
                fields=fields,
                expected_revision=form.cleaned_data.get("revision"),
                **relations,
            )
        else:
            saved = case_create(user=request.user, fields=fields, **relations)
        # The admin goes on with ``obj`` (inlines, the log entry, the redirect): make it the saved row.
        adopt_saved(obj, saved)

    def save_related(self, request, form, formsets, change):
        # The form's relations were saved by the service in save_model; only the inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.display(description="公开接口 public API")
    def api_link(self, obj: Case) -> str:
        if obj.pk is None:
            return "—"
        url = f"/api/v1/cases/{obj.public_id}/"
        note = "" if obj.status == Status.PUBLISHED else " (visible there only once published)"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>{}', url, url, note)

    @admin.display(description="引用 citations")
    def citations(self, obj: Case) -> str:
        if obj.pk is None:
            return "—"
        return citations_html(lambda style: case_citation(obj, style))

    @admin.display(description="职务 positions of these people")
    def positions(self, obj: Case) -> str:
        if obj.pk is None:
            return "—"
        rows = Position.objects.filter(person__cases=obj).select_related("person", "organisation")
        items = format_html_join(
            "",
            "<li>{} — {}{}</li>",
            (
                (p.person.name, p.organisation.name + " " if p.organisation_id else "", p.title)
                for p in rows.order_by("person__name", "title")
            ),
        )
        return format_html("<ul>{}</ul>", items) if items else "—"
