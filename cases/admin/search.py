"""The admin's search box through the full-text index, and import-export hooks that keep it in step.

``SearchIndexAdminMixin`` goes first in a ModelAdmin's bases. A search term with Chinese in it is
answered from the index (every record, drafts included: the admin is for editors), ranked by
relevance unless the editor sorts by a column; any other term (a public id, a code, an English
fragment) keeps the admin's ``search_fields`` substring search, which finds identifiers the
index does not hold.

``SearchIndexedResourceMixin`` goes first in an import-export Resource's bases: an import
refreshes the index once at the end instead of once per row, and bulk-mode imports (which skip
``save()`` and so every signal) are refreshed explicitly.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.main import ORDER_VAR
from django.db.models import QuerySet
from django.http import HttpRequest

from cases.search.index import deferred
from cases.search.query import QueryError, parse
from cases.search.registry import BY_MODEL, refresh_objects
from cases.search.service import filter_queryset
from cases.search.text import is_cjk

INDEXED_MODELS = frozenset(BY_MODEL)


def uses_index(search_term: str) -> bool:
    """Whether the admin answers ``search_term`` from the index (it contains Chinese)."""
    return any(map(is_cjk, search_term))


class SearchIndexAdminMixin:
    """Admin search through the full-text index for Chinese terms; ranked unless sorted by a column."""

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        if queryset.model not in INDEXED_MODELS or not uses_index(search_term):
            return super().get_search_results(request, queryset, search_term)
        try:
            parsed = parse(search_term)
        except QueryError as error:
            messages.warning(request, str(error))
            return queryset.none(), False
        if not parsed:
            return queryset.none(), False
        found = filter_queryset(queryset, parsed, public_only=False)
        if request.GET.get(ORDER_VAR):
            # The editor chose a column: the changelist ordered ``queryset`` by it before searching.
            found = found.order_by(*queryset.query.order_by)
        return found, False


class SearchIndexedResourceMixin:
    """import-export: one index refresh per import, and bulk-mode rows refreshed explicitly."""

    def import_data(self, *args, **kwargs):
        with deferred():
            result = super().import_data(*args, **kwargs)
            model = self._meta.model
            if getattr(self._meta, "use_bulk", False) and model is not None:
                pks = [row.object_id for row in result.rows if getattr(row, "object_id", None)]
                refresh_objects(model, pks)
        return result
