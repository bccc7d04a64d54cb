"""Localities (the 665,276-place gazetteer plus curated communities and compounds) and their aliases."""

from __future__ import annotations

from django.contrib import admin

from cases.admin.desk import DeskGroup
from cases.admin.filters import region_filter
from cases.admin.mixins import ImportExportHistoryAdmin, PreloadingInline
from cases.admin.resources import LocalityResource
from cases.models import Locality, LocalityAlias


class LocalityAliasInline(PreloadingInline, admin.TabularInline):
    model = LocalityAlias
    extra = 0
    fields = ["name"]


@admin.register(Locality)
class LocalityAdmin(ImportExportHistoryAdmin):
    desk_group = DeskGroup.PLACES
    desk_rank = 10
    resource_classes = [LocalityResource]
    list_display = ["name", "full_name", "level", "code"]
    list_filter = ["level", region_filter("pk")]
    search_fields = ["name", "full_name", "code", "aliases__name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["full_name", "path"]
    fields = ["name", "name_en", "level", "parent", "code", "full_name", "path", "note"]
    inlines = [LocalityAliasInline]
    ordering = ["path"]

    def get_search_results(self, request, queryset, search_term):
        """Name, alias or code prefix (every locality box's autocomplete, and the list's search box).

        Django's default (``icontains`` on four fields, one through a join) scans 665,000 places and
        1.1 million aliases per keystroke; ``Locality.objects.matching`` is a range scan on each
        index. ``*`` before the text searches inside names instead (slow, for the rare case).
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.startswith("*") and term[1:].strip():
            return queryset.matching(term[1:].strip(), contains=True), False
        return queryset.matching(term), False


@admin.register(LocalityAlias)
class LocalityAliasAdmin(admin.ModelAdmin):
    desk_group = DeskGroup.PLACES
    desk_rank = 20
    list_display = ["name", "locality"]
    list_select_related = ["locality"]
    search_fields = ["name", "locality__name", "locality__full_name"]
    autocomplete_fields = ["locality"]
