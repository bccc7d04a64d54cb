"""The ingest side of the admin: an upload/paste form and the review queue of candidates."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from cases.admin.desk import DeskGroup
from cases.admin.ingest_forms import review_form
from cases.extraction.reading import IngestError
from cases.models import Candidate, Source
from cases.services.ingest import source_ingest
from cases.services.review import (
    NoPlaceYet,
    candidate_reject,
    candidates_accept_each,
    case_start_draft,
    source_draft_case,
)

CONTEXT = 60


class IngestForm(forms.Form):
    """A pasted article with what is needed to cite it: URL and date first, then outlet, 版次, byline."""

    url = forms.URLField(label="网址 URL", required=False, max_length=500, assume_scheme="https")
    publication_date = forms.DateField(
        label="发表日期 publication date", required=False, help_text="YYYY-MM-DD; resolves 今年 and the like"
    )
    outlet = forms.CharField(label="媒体 outlet", required=False, max_length=100, help_text="e.g. 人民日报")
    page = forms.CharField(label="版次 page", required=False, max_length=20, help_text="e.g. 第05版")
    accessed_date = forms.DateField(
        label="访问日期 accessed", required=False, help_text="YYYY-MM-DD; today if a URL is given and this is empty"
    )
    headline = forms.CharField(
        label="标题 headline", required=False, max_length=300, help_text="empty: taken from the text"
    )
    byline = forms.CharField(label="署名 byline", required=False, max_length=100, help_text="e.g. 本报记者 张三 李四")
    text = forms.CharField(label="正文 text", required=False, widget=forms.Textarea(attrs={"rows": 16, "cols": 100}))
    file = forms.FileField(label="文件 file", required=False, help_text="or a UTF-8 or GB18030 text file, up to 5 MB")

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise ValidationError("upload a file or paste the text")
        return data


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    desk_group = DeskGroup.INGESTION
    desk_rank = 10
    list_display = ["label", "fact_type", "status", "evidence_in_context", "source_link", "confidence"]
    list_filter = ["status", "fact_type"]
    search_fields = ["label", "quote", "source__headline"]
    list_select_related = ["source"]
    readonly_fields = ["source", "fact_type", "key", "evidence_in_context", "status", "reviewed_by", "reviewed_at"]
    actions = ["accept_selected", "reject_selected", "start_draft_case"]
    change_list_template = "admin/cases/candidate/change_list.html"

    class Media:
        # "Working…" on the search box: the first search after a restart loads jieba.
        js = ["cases/admin/busy.js"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # One structured form per fact type (name, kind, parent, title, value, indicator …).
        kwargs["form"] = review_form(obj.fact_type if obj is not None else None)
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        form = review_form(obj.fact_type if obj is not None else None)
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

    def _case_link(self, case):
        return format_html('<a href="{}">{}</a>', reverse("admin:cases_case_change", args=[case.pk]), case.public_id)

    @admin.action(description="采纳 Accept selected candidates 采纳所选")
    def accept_selected(self, request, queryset):
        self._accept(request, list(queryset.filter(status__in=["proposed", "edited"]).select_related("source")))

    def accept_all_view(self, request, source_id: int):
        """POST from the box above the queue: accept every open candidate of one source."""
        source = Source.objects.filter(pk=source_id).first()
        back = reverse("admin:cases_candidate_changelist") + f"?source__id__exact={source_id}"
        if request.method != "POST" or source is None or not self.has_change_permission(request):
            return redirect(back)
        self._accept(request, list(source.candidates.open().select_related("source")))
        return redirect(back)

    def _accept(self, request, chosen: list[Candidate]) -> None:
        try:
            report = candidates_accept_each(candidates=chosen, user=request.user)
        except PermissionDenied as error:
            self.message_user(request, f"Nothing accepted: {error}", messages.ERROR)
            return
        count = len(report.accepted)
        for candidate, problem in report.refused:
            url = reverse("admin:cases_candidate_change", args=[candidate.pk])
            self.message_user(
                request,
                format_html('待处理 Still open: <a href="{}">{}</a>: {}', url, candidate, problem),
                messages.WARNING,
            )
        sources = {c.source_id: c.source for c in chosen}.values()
        drafts = [(source, source_draft_case(source)) for source in sources]
        opened = [self._case_link(case) for _, case in drafts if case is not None]
        if opened:
            text = format_html(
                "已采纳 Accepted {} candidates into draft case {}.",
                count,
                format_html(", ".join(["{}"] * len(opened)), *opened),
            )
        else:
            text = format_html(
                "已采纳 Accepted {} candidates. Next: 「起草案例 Start the draft case」 in the box above the list.",
                count,
            )
        self.message_user(request, text, messages.SUCCESS)

    @admin.action(description="驳回 Reject selected candidates 驳回所选")
    def reject_selected(self, request, queryset):
        count = candidate_reject(candidates=list(queryset), user=request.user)
        self.message_user(request, f"已驳回 Rejected {count} candidates.", messages.SUCCESS)

    @admin.action(description="起草案例 Start a draft case from the selected candidates' source")
    def start_draft_case(self, request, queryset):
        for source in Source.objects.filter(pk__in=queryset.values("source_id")):
            self._start_draft(request, source)

    def _start_draft(self, request, source: Source):
        """Open the source's draft case (or say which one is open); the message says what comes next."""
        existing = source_draft_case(source)
        if existing is not None:
            # A second click must not open a second draft: later accepts go to this one anyway.
            self.message_user(
                request,
                format_html("{}: draft case {} is already open.", source, self._case_link(existing)),
                messages.INFO,
            )
            return existing
        try:
            case = case_start_draft(source=source, user=request.user)
        except NoPlaceYet as error:
            url = (
                reverse("admin:cases_candidate_changelist")
                + f"?source__id__exact={source.pk}&fact_type__exact=locality"
            )
            self.message_user(
                request,
                format_html('{} <a href="{}">地区 Review its places</a>.', error.messages[0], url),
                messages.ERROR,
            )
            return None
        except (ValidationError, PermissionDenied) as error:
            messages_ = error.messages if isinstance(error, ValidationError) else [str(error)]
            self.message_user(request, f"{source}: {'; '.join(messages_)}", messages.ERROR)
            return None
        self.message_user(
            request,
            format_html(
                "草稿已建 Draft case {} started from {}. Next: check its title and summary, then 「提交审核 Submit "
                "for review」.",
                self._case_link(case),
                source,
            ),
            messages.SUCCESS,
        )
        return case

    def start_draft_view(self, request, source_id: int):
        """POST from the box above the queue: start the source's draft case and go to it."""
        source = Source.objects.filter(pk=source_id).first()
        if request.method != "POST" or source is None or not self.has_change_permission(request):
            return redirect("admin:cases_candidate_changelist")
        case = self._start_draft(request, source)
        if case is None:
            return redirect(reverse("admin:cases_candidate_changelist") + f"?source__id__exact={source.pk}")
        return redirect("admin:cases_case_change", case.pk)

    def changelist_view(self, request, extra_context=None):
        # The box above a page's queue: each source, what is still open, and its draft case or the
        # button that starts it, so that "accept" is never a dead end.
        sources = Source.objects.none()
        source_id = request.GET.get("source__id__exact", "")
        document_id = request.GET.get("source__document__id__exact", "")
        if source_id.isdigit():
            sources = Source.objects.filter(pk=source_id)
        elif document_id.isdigit():
            sources = Source.objects.filter(document_id=document_id)
        desk = []
        for source in sources.order_by("document_start", "pk")[:20]:
            desk.append(
                {
                    "source": source,
                    "open": source.candidates.open().count(),
                    "accepted": source.candidates.filter(status="accepted").count(),
                    "draft": source_draft_case(source),
                    "cited": source.cases.exclude(status="draft").first(),
                }
            )
        extra_context = {**(extra_context or {}), "source_desk": desk}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path("ingest/", self.admin_site.admin_view(self.ingest_view), name="cases_candidate_ingest"),
            path(
                "accept-all/<int:source_id>/",
                self.admin_site.admin_view(self.accept_all_view),
                name="cases_candidate_accept_all",
            ),
            path(
                "start-draft/<int:source_id>/",
                self.admin_site.admin_view(self.start_draft_view),
                name="cases_candidate_start_draft",
            ),
            *super().get_urls(),
        ]

    def ingest_view(self, request):
        """Upload or paste a page: it is stored, cut into sources and candidates are proposed."""
        if not self.has_add_permission(request):
            return redirect("admin:index")
        if request.method == "GET":
            # jieba's tables, the NER model and the village table load while the editor pastes the
            # page (imported here: the extractor's modules would cost every process's start).
            from cases.extraction.warmup import warm_up

            warm_up()
        form = IngestForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            upload = data.get("file")
            citation = {
                name: data[name] for name in ("outlet", "publication_date", "url", "page", "headline", "byline")
            }
            citation["accessed_date"] = data["accessed_date"] or (timezone.localdate() if data["url"] else None)
            try:
                if upload is not None:
                    result = source_ingest(data=upload.read(), filename=upload.name, **citation)
                else:
                    result = source_ingest(text=data["text"], **citation)
            except IngestError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    result.summary()
                    + " Next: correct what is wrong, select all, 「采纳 Accept」, then start the draft case.",
                    messages.SUCCESS,
                )
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
