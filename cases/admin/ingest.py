"""The ingest side of the admin: an upload/paste form and the review queue of candidates."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from cases.admin.ingest_forms import FORMS, CandidateForm
from cases.ingest.reading import IngestError
from cases.models import Candidate, Source
from cases.services.ingest import (
    candidate_reject,
    candidates_accept,
    case_start_draft,
    source_draft_case,
    source_ingest,
)

CONTEXT = 60


class IngestForm(forms.Form):
    file = forms.FileField(required=False, help_text="UTF-8 or GB18030 plain text, up to 5 MB")
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 16, "cols": 100}))
    outlet = forms.CharField(required=False, max_length=100, help_text="e.g. 人民日报")
    publication_date = forms.DateField(required=False, help_text="YYYY-MM-DD; resolves 今年 and the like")

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise ValidationError("upload a file or paste the text")
        return data


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["label", "fact_type", "status", "evidence_in_context", "source_link", "confidence"]
    list_filter = ["status", "fact_type"]
    search_fields = ["label", "quote", "source__headline"]
    list_select_related = ["source"]
    readonly_fields = ["source", "fact_type", "key", "evidence_in_context", "status", "reviewed_by", "reviewed_at"]
    actions = ["accept_selected", "reject_selected", "start_draft_case"]
    change_list_template = "admin/cases/candidate/change_list.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        # One structured form per fact type (name, kind, parent, title, value, indicator …).
        kwargs["form"] = FORMS.get(obj.fact_type, CandidateForm) if obj is not None else CandidateForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        form = FORMS.get(obj.fact_type, CandidateForm) if obj is not None else CandidateForm
        return ["source", "fact_type", "evidence_in_context", "status", *form.base_fields]

    def add_view(self, request, form_url="", extra_context=None):
        # Candidates come from ingesting a page: "add" is the ingest form.
        return self.ingest_view(request)

    def has_change_permission(self, request, obj=None):
        # A decided candidate is history: it stays as it was accepted or rejected.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.is_open)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        source = request.GET.get("source__id__exact")
        return queryset.filter(source_id=source) if source and source.isdigit() else queryset

    @admin.display(description="证据 evidence")
    def evidence_in_context(self, obj: Candidate):
        text = obj.source.text
        return format_html(
            "…{}<mark>{}</mark>{}…",
            text[max(0, obj.start - CONTEXT) : obj.start],
            text[obj.start : obj.end],
            text[obj.end : obj.end + CONTEXT],
        )

    @admin.display(description="来源 source", ordering="source__headline")
    def source_link(self, obj: Candidate):
        url = reverse("admin:cases_candidate_changelist") + f"?source__id__exact={obj.source_id}"
        return format_html('<a href="{}">{}</a>', url, obj.source.headline)

    def save_model(self, request, obj, form, change):
        # Editing a proposal marks it as edited; accepting it later uses the edited payload.
        if change and obj.is_open and form.changed_data:
            obj.status = "edited"
        super().save_model(request, obj, form, change)

    @admin.action(description="采纳 Accept selected candidates (into the source's draft case if one exists)")
    def accept_selected(self, request, queryset):
        try:
            count = candidates_accept(
                candidates=list(queryset.filter(status__in=["proposed", "edited"])), user=request.user
            )
        except ValidationError as error:
            self.message_user(request, f"Nothing accepted: {'; '.join(error.messages)}", messages.ERROR)
            return
        self.message_user(request, f"Accepted {count} candidates.", messages.SUCCESS)

    @admin.action(description="驳回 Reject selected candidates")
    def reject_selected(self, request, queryset):
        count = candidate_reject(candidates=list(queryset), user=request.user)
        self.message_user(request, f"Rejected {count} candidates.", messages.SUCCESS)

    @admin.action(description="起草案例 Start a draft case from the selected candidates' source")
    def start_draft_case(self, request, queryset):
        sources = Source.objects.filter(pk__in=queryset.values("source_id"))
        for source in sources:
            existing = source_draft_case(source)
            if existing is not None:
                # A second click must not open a second draft: later accepts go to this one anyway.
                link = format_html('<a href="{}">{}</a>', reverse("admin:cases_case_change", args=[existing.pk]),
                                   existing.public_id)  # fmt: skip
                self.message_user(request, format_html("{}: draft case {} already open.", source, link), messages.INFO)
                continue
            try:
                case = case_start_draft(source=source, user=request.user)
            except ValidationError as error:
                self.message_user(request, f"{source}: {'; '.join(error.messages)}", messages.ERROR)
                continue
            link = format_html(
                '<a href="{}">{}</a>', reverse("admin:cases_case_change", args=[case.pk]), case.public_id
            )
            self.message_user(request, format_html("Draft case {} started for {}.", link, source), messages.SUCCESS)

    def get_urls(self):
        return [
            path("ingest/", self.admin_site.admin_view(self.ingest_view), name="cases_candidate_ingest"),
            *super().get_urls(),
        ]

    def ingest_view(self, request):
        """Upload or paste a page: it is stored, cut into sources and candidates are proposed."""
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = IngestForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data.get("file")
            try:
                if upload is not None:
                    result = source_ingest(
                        data=upload.read(),
                        filename=upload.name,
                        outlet=form.cleaned_data["outlet"],
                        publication_date=form.cleaned_data["publication_date"],
                    )
                else:
                    result = source_ingest(
                        text=form.cleaned_data["text"],
                        outlet=form.cleaned_data["outlet"],
                        publication_date=form.cleaned_data["publication_date"],
                    )
            except IngestError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, result.summary(), messages.SUCCESS)
                url = reverse("admin:cases_candidate_changelist")
                return redirect(f"{url}?source__document__id__exact={result.document.pk}")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "导入 Ingest a page",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/cases/candidate/ingest.html", context)

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in {"source__id__exact", "source__document__id__exact"} or super().lookup_allowed(
            lookup, value, request
        )
