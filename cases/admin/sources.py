"""Documents, the sources cut from them, bylines and evidence quotes."""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from cases.admin.desk import DeskGroup
from cases.admin.evidence import EvidenceForm, QuoteNotesMixin, quote_in_context
from cases.admin.mixins import CaseGuardedAdmin, HistoryAdmin, PreloadingInline, citations_html
from cases.admin.search import SearchIndexAdminMixin
from cases.citations import source_citation
from cases.models import Document, Evidence, Source, SourceCredit
from cases.models.sources import EVIDENCE_SUBJECTS


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    desk_group = DeskGroup.INGESTION
    desk_rank = 20
    list_display = ["__str__", "filename", "encoding", "created_at"]
    search_fields = ["title", "filename"]
    readonly_fields = ["sha256", "created_at"]


class SourceCreditInline(PreloadingInline, admin.TabularInline):
    model = SourceCredit
    extra = 0
    fields = ["order", "role", "as_printed", "person", "organisation"]
    autocomplete_fields = ["person", "organisation"]
    preload_related = ("person", "organisation")


@admin.register(Source)
class SourceAdmin(SearchIndexAdminMixin, HistoryAdmin):
    desk_group = DeskGroup.CASES
    desk_rank = 50
    list_display = ["headline", "outlet", "column", "kind", "publication_text", "is_truncated"]
    list_filter = ["kind", "is_truncated", "outlet"]
    search_fields = ["headline", "kicker", "subheadline", "outlet", "column", "text"]
    autocomplete_fields = ["document"]
    readonly_fields = ["content_hash", "created_at", "updated_at", "citations"]
    fieldsets = [
        (None, {"fields": ["url", "outlet", "column", "kicker", "headline", "subheadline", "kind", "page"]}),
        (
            "发表 Published",
            {"fields": ["publication_date", "publication_precision", "publication_text", "accessed_date"]},
        ),
        ("引用 Cite as", {"fields": ["citations"]}),
        ("全文 Text", {"fields": ["text", "intertitles", "is_truncated", "editorial_note"]}),
        ("来自 Cut from", {"fields": ["document", "document_start", "document_end", "content_hash"]}),
    ]
    inlines = [SourceCreditInline]
    # Django 6 will assume https for scheme-less URLs; newspapers' sites mostly are.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="引用 citations")
    def citations(self, obj: Source) -> str:
        if obj.pk is None:
            return "—"
        return citations_html(lambda style: source_citation(obj, style))


@admin.register(SourceCredit)
class SourceCreditAdmin(admin.ModelAdmin):
    desk_group = DeskGroup.CASES
    desk_rank = 60
    list_display = ["as_printed", "role", "source", "person", "organisation"]
    list_select_related = ["source", "person", "organisation"]
    list_filter = ["role"]
    search_fields = ["as_printed", "person__name", "organisation__name", "source__headline"]
    autocomplete_fields = ["source", "person", "organisation"]


@admin.register(Evidence)
class EvidenceAdmin(QuoteNotesMixin, CaseGuardedAdmin, HistoryAdmin):
    desk_group = DeskGroup.CASES
    desk_rank = 30
    form = EvidenceForm
    list_display = ["__str__", "claim", "source", "subject_display"]
    # Every subject a row can point at, joined so the subject column costs no query per row.
    list_select_related = [
        "source",
        "case",
        "locality",
        "organisation",
        "person",
        "position__person",
        "position__organisation",
        "initiative",
        "metric__indicator",
    ]
    list_filter = ["source__kind"]
    search_fields = ["quote", "claim", "source__headline"]
    autocomplete_fields = ["source", *EVIDENCE_SUBJECTS]
    readonly_fields = ["in_context"]
    fieldsets = [
        (None, {"fields": ["source", "quote", "occurrence", "claim", "in_context"]}),
        ("所证 Supports (exactly one)", {"fields": list(EVIDENCE_SUBJECTS)}),
    ]

    def get_queryset(self, request):
        # The changelist skips list_select_related once the queryset selects anything, so join it all
        # here (also for autocomplete results, whose labels use these rows).
        return super().get_queryset(request).select_related(*self.list_select_related)

    def guarded_case(self, obj: Evidence):
        return obj.case or (obj.metric.case if obj.metric_id else None)

    @admin.display(description="所证 subject")
    def subject_display(self, obj: Evidence) -> str:
        subject = obj.subject
        return f"{subject._meta.verbose_name}: {subject}" if subject else "—"

    @admin.display(description="原文 in context")
    def in_context(self, obj: Evidence) -> str:
        return quote_in_context(obj)
