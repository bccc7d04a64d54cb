"""Organisations, people and the positions that tie them together."""

from __future__ import annotations

import json

from django.contrib import admin
from django.db import models

from cases.admin.desk import DeskGroup
from cases.admin.filters import region_filter
from cases.admin.mixins import HistoryAdmin, ImportExportHistoryAdmin, PreloadingInline
from cases.admin.resources import OrganisationResource, PersonResource
from cases.admin.search import SearchIndexAdminMixin
from cases.models import Organisation, Person, Position


def alias_search(queryset: models.QuerySet, search_term: str) -> models.QuerySet:
    """Rows with an alias containing ``search_term``.

    SQLite stores JSON with non-ASCII escaped (长 → \\u957f) while PostgreSQL's jsonb text keeps the
    characters, so both spellings are searched.
    """
    term = search_term.strip()
    if not term:
        return queryset.none()
    escaped = json.dumps(term)[1:-1]
    return queryset.filter(models.Q(aliases__icontains=term) | models.Q(aliases__icontains=escaped))


class AliasSearchMixin:
    """Admin search that also matches names in the JSON ``aliases`` list."""

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            results = results | alias_search(queryset, search_term)
        return results, may_have_duplicates


class OrganisationPositionInline(PreloadingInline, admin.TabularInline):
    model = Position
    extra = 0
    fields = ["title", "title_en", "person", "as_of_text"]
    autocomplete_fields = ["person"]
    # Each row's title (Position.__str__) names both the person and the organisation.
    preload_related = ("person", "organisation")


class PersonPositionInline(PreloadingInline, admin.TabularInline):
    model = Position
    extra = 0
    fields = ["title", "title_en", "organisation", "as_of_text"]
    autocomplete_fields = ["organisation"]
    preload_related = ("organisation", "person")


@admin.register(Organisation)
class OrganisationAdmin(SearchIndexAdminMixin, AliasSearchMixin, ImportExportHistoryAdmin):
    desk_group = DeskGroup.ACTORS
    desk_rank = 10
    resource_classes = [OrganisationResource]
    list_display = ["name", "kind", "locality", "parent"]
    list_select_related = ["locality", "parent"]
    list_filter = ["kind", "name_basis", region_filter("locality")]
    search_fields = ["name", "name_en"]
    autocomplete_fields = ["locality", "parent", "predecessor"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "name_basis",
                    "name_en",
                    "aliases",
                    "kind",
                    "locality",
                    "parent",
                    "predecessor",
                    "description",
                ]
            },
        ),
        ("成立 Founded", {"fields": ["founded_date", "founded_precision", "founded_text"]}),
    ]
    inlines = [OrganisationPositionInline]


@admin.register(Person)
class PersonAdmin(ImportExportHistoryAdmin):
    desk_group = DeskGroup.ACTORS
    desk_rank = 20
    resource_classes = [PersonResource]
    list_display = ["name", "name_en"]
    search_fields = ["name", "name_en"]
    inlines = [PersonPositionInline]


@admin.register(Position)
class PositionAdmin(HistoryAdmin):
    desk_group = DeskGroup.ACTORS
    desk_rank = 30
    list_display = ["title", "person", "organisation", "as_of_text"]
    list_select_related = ["person", "organisation"]
    search_fields = ["title", "person__name", "organisation__name"]
    autocomplete_fields = ["person", "organisation"]
    fieldsets = [
        (None, {"fields": ["person", "organisation", "title", "title_en"]}),
        ("时点 As of", {"fields": ["as_of_date", "as_of_precision", "as_of_text"]}),
    ]

    def get_queryset(self, request):
        # __str__ names the person and the organisation, also in autocomplete results.
        return super().get_queryset(request).select_related("person", "organisation")
