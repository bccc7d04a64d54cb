"""Themes, indicators, initiatives and metrics."""

from __future__ import annotations

from django.contrib import admin

from cases.admin.actors import AliasSearchMixin
from cases.admin.desk import DeskGroup
from cases.admin.filters import region_filter
from cases.admin.mixins import (
    CaseGuardedAdmin,
    HistoryAdmin,
    ImportExportHistoryAdmin,
    PlainDecimalsAdmin,
    PreloadingInline,
    plain_decimal_display,
)
from cases.admin.resources import MetricResource
from cases.admin.search import SearchIndexAdminMixin
from cases.models import PERIOD_FIELDS, Indicator, Initiative, InitiativeParticipant, Metric, Theme


@admin.register(Theme)
class ThemeAdmin(HistoryAdmin):
    desk_group = DeskGroup.VOCABULARIES
    desk_rank = 10
    list_display = ["code", "name_zh", "name_en"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    desk_group = DeskGroup.VOCABULARIES
    desk_rank = 20
    list_display = ["code", "name_zh", "name_en", "unit"]
    search_fields = ["code", "name_zh", "name_en"]


class ParticipantInline(PreloadingInline, admin.TabularInline):
    model = InitiativeParticipant
    extra = 0
    fields = ["organisation", "role", "note"]
    autocomplete_fields = ["organisation"]
    preload_related = ("organisation",)


@admin.register(Initiative)
class InitiativeAdmin(SearchIndexAdminMixin, AliasSearchMixin, HistoryAdmin):
    desk_group = DeskGroup.ACTORS
    desk_rank = 40
    list_display = ["name", "kind", "parent", "start_text"]
    list_select_related = ["parent"]
    list_filter = ["kind", region_filter("localities")]
    search_fields = ["name", "name_en", "description"]
    autocomplete_fields = ["parent", "localities"]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "aliases", "kind", "parent", "description", "localities"]}),
        ("开始 Start", {"fields": ["start_date", "start_precision", "start_text"]}),
    ]
    inlines = [ParticipantInline]


@admin.register(InitiativeParticipant)
class InitiativeParticipantAdmin(admin.ModelAdmin):
    desk_group = DeskGroup.ACTORS
    desk_rank = 50
    list_display = ["organisation", "role", "initiative"]
    list_select_related = ["organisation", "initiative"]
    list_filter = ["role"]
    search_fields = ["organisation__name", "initiative__name"]
    autocomplete_fields = ["organisation", "initiative"]


class MetricValuesAdmin(PlainDecimalsAdmin):
    """A metric's value and upper value at their own precision, on its page and in the case's inline."""

    plain_decimal_fields = ("value", "value_upper")
    value_plain = plain_decimal_display(Metric, "value")
    value_upper_plain = plain_decimal_display(Metric, "value_upper")


@admin.register(Metric)
class MetricAdmin(MetricValuesAdmin, CaseGuardedAdmin, ImportExportHistoryAdmin):
    desk_group = DeskGroup.CASES
    desk_rank = 40
    resource_classes = [MetricResource]
    list_display = ["__str__", "indicator", "qualifier", "period_text", "case", "locality", "organisation"]
    list_select_related = ["indicator", "case", "locality", "organisation", "initiative"]
    list_filter = ["indicator", "qualifier", "period_kind", region_filter("locality", "case__primary_locality")]
    search_fields = ["counted", "note", "indicator__name_zh", "indicator__code", "case__title_zh"]
    autocomplete_fields = ["indicator", "case", "locality", "organisation", "initiative"]
    fieldsets = [
        (None, {"fields": ["indicator", *Metric.MEASURE_FIELDS, "note"]}),
        (
            "时段 Period",
            {
                "fields": [
                    "period_kind",
                    *PERIOD_FIELDS,
                ]
            },
        ),
        ("描述 Describes (at least one)", {"fields": ["case", "locality", "organisation", "initiative"]}),
    ]

    def get_queryset(self, request):
        # The changelist skips list_select_related once the queryset selects anything, so join it all
        # here (also for autocomplete results, whose labels use these rows).
        return super().get_queryset(request).select_related(*self.list_select_related)
