"""Evidence in the admin: a form that finds the quote in its source, and the quote shown in context."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from cases.models import Evidence
from cases.models.sources import quote_differences
from cases.services.evidence import evidence_locate

# Characters of source text shown either side of a quote before the full text is folded away.
CONTEXT_CHARS = 120


class EvidenceForm(forms.ModelForm):
    """Editors type the quote; its offsets are looked up in the source, as the seed loader does."""

    occurrence = forms.IntegerField(
        label="第几处 occurrence",
        min_value=1,
        initial=1,
        help_text="which appearance of the quote in the source, when it occurs more than once",
    )

    class Meta:
        model = Evidence
        exclude = ["start", "end"]  # noqa: DJ006 -- offsets are looked up, never typed
        widgets = {"quote": forms.Textarea(attrs={"rows": 2, "cols": 60})}

    quote_note = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk and instance.source_id and "occurrence" not in self.initial:
            # Which appearance the stored offsets point at, so re-saving keeps them.
            self.initial["occurrence"] = instance.source.text.count(instance.quote, 0, instance.start) + 1

    def clean(self):
        cleaned = super().clean()
        source, quote, occurrence = cleaned.get("source"), cleaned.get("quote"), cleaned.get("occurrence")
        if source and quote and occurrence:
            try:
                self.instance.start, self.instance.end = evidence_locate(
                    source=source, quote=quote, occurrence=occurrence
                )
            except ValidationError as error:
                # The error names its field (quote or occurrence), so it shows next to it.
                self.add_error(None, error)
            else:
                exact = source.text[self.instance.start : self.instance.end]
                if exact != quote:
                    # Matched modulo punctuation width or spacing: keep the source's text, and say so.
                    cleaned["quote"] = exact
                    self.quote_note = (
                        f"引文按来源原文保存 The quote was stored as the source prints it, {exact!r}: it differed from "
                        f"what was typed in {' and '.join(quote_differences(quote, exact))}."
                    )
        return cleaned


class OccurrenceDisplayMixin:
    """On a read-only page the form's ``occurrence`` field is shown from the stored offsets, not as None."""

    @admin.display(description="第几处 occurrence")
    def occurrence(self, obj: Evidence):
        if not obj.pk or not obj.source_id:
            return "—"
        return obj.source.text.count(obj.quote, 0, obj.start) + 1


class QuoteNotesMixin(OccurrenceDisplayMixin):
    """Tell the editor when a quote was stored as the source prints it rather than as typed."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if getattr(form, "quote_note", ""):
            self.message_user(request, form.quote_note, messages.INFO)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for inline_form in formset.forms:
            if getattr(inline_form, "quote_note", ""):
                self.message_user(request, inline_form.quote_note, messages.INFO)


def quote_in_context(evidence: Evidence) -> str:
    """The source text around the quote with the quote in <mark>, and the full text folded below."""
    if not evidence.pk or not evidence.source_id:
        return "—"
    text, start, end = evidence.source.text, evidence.start, evidence.end
    before_start = max(0, start - CONTEXT_CHARS)
    after_end = min(len(text), end + CONTEXT_CHARS)
    return format_html(
        '<div class="evidence-context">{}{}<mark>{}</mark>{}{}</div>'
        '<details><summary>全文 full source text</summary><div class="evidence-fulltext" '
        'style="white-space: pre-wrap; max-height: 24em; overflow: auto">{}<mark>{}</mark>{}</div></details>',
        "…" if before_start else "",
        text[before_start:start],
        text[start:end],
        text[end:after_end],
        "…" if after_end < len(text) else "",
        text[:start],
        text[start:end],
        text[end:],
    )
