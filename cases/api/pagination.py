"""Page numbers for browsing, cursors for harvesting.

``?page=N&page_size=M`` (M ≤ 200) gives numbered pages with a total ``count``. ``?cursor=`` (empty to
start) switches to cursor pagination: stable under inserts, no ``COUNT(*)``, constant cost per page
however deep; follow ``next`` until it is null.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination


def positive_integer(request, name: str) -> int | None:
    """The query parameter ``name`` as a whole number ≥ 1; None when absent. Anything else is a 400
    naming the parameter: a typo in ``page_size`` must not quietly fall back to the default."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [f"{raw!r} is not a whole number"]}) from None
    if value < 1:
        raise ValidationError({name: [f"must be 1 or more, not {value}"]})
    return value


class CheckedPageSize:
    """``page_size`` validated, then capped at ``max_page_size`` (a documented cap, not an error)."""

    page_size: int
    max_page_size: int
    page_size_query_param = "page_size"

    def get_page_size(self, request) -> int:
        size = positive_integer(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)


@dataclass
class Head:
    """The first rows of a paginated queryset, in the same order, from a cheaper query.

    A broad search ranks only its best-known matches (``cases.search.backends``); pages within
    them are read from that window instead of sorting every match. ``count``, when given, is
    the total from elsewhere (the search index). A view offers one as ``request.paginated_head``.
    """

    queryset: QuerySet
    count: Callable[[], int] | None = None

    def slice(self, bottom: int, top: int, *, keys: bool = False) -> list | None:
        """Rows (or keys) ``bottom:top``, or None when the head holds fewer."""
        rows = self.queryset.values_list("pk", flat=True) if keys else self.queryset
        found = list(rows[bottom:top])
        return found if len(found) == top - bottom else None


class KeysFirstPaginator(Paginator):
    """Pages by primary keys first, then loads just that page's rows (a "deferred join").

    One query fetches the first ``HEAD`` keys in order: when the filter matches no more than that
    (the usual filtered request), it is the count and the page at once, so the filter runs once.
    Otherwise ``COUNT(*)`` and an ``OFFSET`` over bare keys follow; a deep page then skips index
    entries instead of joined, selected rows. A ``Head`` serves the pages it holds, and its count.
    """

    HEAD = 5000

    def __init__(self, object_list, per_page, *args, head: Head | None = None, **kwargs) -> None:
        super().__init__(object_list, per_page, *args, **kwargs)
        self.known_head = head

    @cached_property
    def head(self) -> list:
        return list(self.object_list.values_list("pk", flat=True)[: self.HEAD + 1])

    @cached_property
    def count(self) -> int:
        if self.known_head is not None and self.known_head.count is not None:
            return self.known_head.count()
        if self.known_head is not None and "head" not in self.__dict__:
            # The head served the page: count without ordering (ordered keys would rank every match).
            return super().count
        if isinstance(self.object_list, QuerySet) and len(self.head) <= self.HEAD:
            return len(self.head)
        return super().count

    def page(self, number) -> Page:
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        keys = self._from_known_head(number)
        if keys is None and self.known_head is not None:
            self.head  # noqa: B018 (the ordered pass, then also the count when it is short)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if keys is None:
            if top <= len(self.head):
                keys = self.head[bottom:top]
            else:
                keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in _reload(self.object_list, keys)}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)

    def _from_known_head(self, number) -> list | None:
        """The page's keys when the known head holds the whole page, else None."""
        if self.known_head is None or not str(number).isdigit() or int(number) < 1:
            return None
        bottom = (int(number) - 1) * self.per_page
        return self.known_head.slice(bottom, bottom + self.per_page, keys=True)


def _reload(queryset: QuerySet, keys: list) -> QuerySet:
    """The rows for ``keys`` with the queryset's select_related, prefetches and deferred fields, but
    not its filters: the keys already passed them, and re-running a region filter costs a subquery."""
    rows = queryset.model._base_manager.filter(pk__in=keys)
    rows.query.select_related = queryset.query.select_related
    rows.query.deferred_loading = queryset.query.deferred_loading
    # Django keeps prefetch lookups on a private attribute; copying it is the only way to reuse them.
    rows._prefetch_related_lookups = queryset._prefetch_related_lookups
    return rows


class PageSizePagination(CheckedPageSize, PageNumberPagination):
    django_paginator_class = KeysFirstPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        head = getattr(request, "paginated_head", None)
        if head is not None:
            self.django_paginator_class = partial(self.django_paginator_class, head=head)
        return super().paginate_queryset(queryset, request, view)

    def get_page_number(self, request, paginator):
        # A malformed page is a 400; a well-formed page past the end stays a 404 (DRF's answer).
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            return super().get_page_number(request, paginator)
        return positive_integer(request, self.page_query_param) or 1


class HarvestCursorPagination(CheckedPageSize, CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "pk"

    def decode_cursor(self, request):
        # ``?cursor=`` with no value asks for the first page.
        if not request.query_params.get(self.cursor_query_param):
            return None
        return super().decode_cursor(request)


class HybridPagination:
    """Delegates to page-number pagination, or to cursor pagination when ``cursor`` is present."""

    def __init__(self) -> None:
        self.pages = PageSizePagination()
        self.cursor = HarvestCursorPagination()
        self.active: Any = self.pages

    def paginate_queryset(self, queryset, request, view=None):
        self.active = self.cursor if "cursor" in request.query_params else self.pages
        return self.active.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return self.active.get_paginated_response(data)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paged = self.pages.get_paginated_response_schema(schema)
        paged["required"] = ["next", "previous", "results"]
        paged["properties"]["count"]["description"] = "total rows (absent in cursor mode)"
        return paged

    def get_schema_operation_parameters(self, view) -> list[dict]:
        params = self.pages.get_schema_operation_parameters(view)
        params.append(
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "Cursor pagination for bulk harvesting: an empty value starts, then follow `next`.",
                "schema": {"type": "string"},
            }
        )
        return params

    def get_results(self, data):
        return data["results"]

    def to_html(self):
        return self.active.to_html() if hasattr(self.active, "page") else ""

    @property
    def display_page_controls(self) -> bool:
        return False
