"""Localities (the ~45k-row gazetteer plus communities and compounds) and their aliases."""

from __future__ import annotations

from django.contrib import admin

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
    resource_classes = [LocalityResource]
    list_display = ["name", "full_name", "level", "code"]
    list_filter = ["level", region_filter("pk")]
    search_fields = ["name", "full_name", "code", "aliases__name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["full_name", "path"]
    fields = ["name", "name_en", "level", "parent", "code", "full_name", "path", "note"]
    inlines = [LocalityAliasInline]
    ordering = ["path"]


@admin.register(LocalityAlias)
class LocalityAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "locality"]
    list_select_related = ["locality"]
    search_fields = ["name", "locality__name", "locality__full_name"]
    autocomplete_fields = ["locality"]
