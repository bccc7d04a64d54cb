"""Page numbers for browsing, cursors for harvesting.

``?page=N&page_size=M`` (M ≤ 200) gives numbered pages with a total ``count``. ``?cursor=`` (empty to
start) switches to cursor pagination: stable under inserts, no ``COUNT(*)``, constant cost per page
however deep; follow ``next`` until it is null.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet, prefetch_related_objects
from django.utils.functional import cached_property
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

from cases.statements import CompiledRows


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
    """A cheaper way to page through a queryset whose order is "a ranked head, then the rest by key".

    A broad search ranks only its newest matches (``cases.search.backends``): ``queryset`` holds
    those rows in order, every other row follows by primary key. Pages are read from the head,
    then from ``rest`` (every row, in any order, shaped for the caller's filters to lead), so no
    page sorts every match. ``count`` is the total. A view passes one to ``paginate_queryset``.
    """

    queryset: QuerySet
    count: Callable[[], int]
    rest: QuerySet

    @cached_property
    def keys(self) -> list:
        """The head's keys in order (at most the search's RANK_WINDOW)."""
        return list(self.queryset.values_list("pk", flat=True))

    def tail(self, bottom: int, top: int) -> QuerySet:
        """Rows ``bottom:top`` of those after the head, by key."""
        offset = len(self.keys)
        return self.rest.exclude(pk__in=self.keys).order_by("pk")[max(0, bottom - offset) : max(0, top - offset)]

    def page_keys(self, bottom: int, top: int) -> list:
        # Page 1 of 物业 reads 20 keys from the head; only a page past its end needs the rest.
        found = list(self.queryset.values_list("pk", flat=True)[bottom:top])
        return (
            found if len(found) == top - bottom else found + list(self.tail(bottom, top).values_list("pk", flat=True))
        )

    def page_rows(self, bottom: int, top: int) -> list:
        found = list(self.queryset[bottom:top])
        return found if len(found) == top - bottom else found + list(self.tail(bottom, top))


class KeysFirstPaginator(Paginator):
    """Pages by primary keys first, then loads just that page's rows (a "deferred join").

    One query fetches the first ``HEAD`` keys in order: when the filter matches no more than that
    (the usual filtered request), it is the count and the page at once, so the filter runs once.
    Otherwise ``COUNT(*)`` and an ``OFFSET`` over bare keys follow; a deep page then skips index
    entries instead of joined, selected rows. Given a ``Head``, its keys and count serve instead.
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
        if self.known_head is not None:
            return self.known_head.count()
        if isinstance(self.object_list, QuerySet) and len(self.head) <= self.HEAD:
            return len(self.head)
        return super().count

    def page(self, number) -> Page:
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if self.known_head is not None:
            keys = self.known_head.page_keys(bottom, top)
        elif top <= len(self.head):
            keys = self.head[bottom:top]
        else:
            keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in _reload(self.object_list, keys)}
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


def _reload(queryset: QuerySet, keys: list) -> list:
    """The rows for ``keys`` with the queryset's select_related, prefetches and deferred fields, but
    not its filters: the keys already passed them, and re-running a region filter costs a subquery.
    The statement is compiled once per shape of queryset (``statements.CompiledRows``)."""
    query = queryset.query
    shape = (queryset.model, repr(query.select_related), query.deferred_loading)
    reload = _RELOADS.get(shape)
    if reload is None:
        build = partial(_by_keys, queryset.model, copy.deepcopy(query.select_related), query.deferred_loading)
        reload = _RELOADS.setdefault(shape, CompiledRows(build))
    rows = reload.rows(keys)
    if queryset._prefetch_related_lookups:
        # Django keeps prefetch lookups on a private attribute; reading it is the only way to reuse them.
        prefetch_related_objects(rows, *queryset._prefetch_related_lookups)
    return rows


# One compiled reload per (model, select_related, deferred fields): a handful per process.
_RELOADS: dict[tuple, CompiledRows] = {}


def _by_keys(model: type[Model], select_related: Any, deferred_loading: tuple, ids: Any) -> QuerySet:
    rows = model._base_manager.filter(pk__in=ids)
    rows.query.select_related = select_related
    rows.query.deferred_loading = deferred_loading
    return rows


class PageSizePagination(CheckedPageSize, PageNumberPagination):
    django_paginator_class = KeysFirstPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None, head: Head | None = None):
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
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise bad_cursor() from None
        if cursor.position is not None and "\x00" in cursor.position:
            raise bad_cursor()
        return cursor

    def paginate_queryset(self, queryset, request, view=None):
        # A cursor that decodes but whose position is not a value of the ordering column (forged or
        # cut short) fails in the ORM: it is the client's cursor that is wrong.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, DjangoValidationError):
            raise bad_cursor() from None


def bad_cursor() -> ValidationError:
    return ValidationError(
        {"cursor": ["not a cursor this API issued: start with an empty cursor, then follow the `next` links"]}
    )


class HybridPagination:
    """Delegates to page-number pagination, or to cursor pagination when ``cursor`` is present."""

    def __init__(self) -> None:
        self.pages = PageSizePagination()
        self.cursor = HarvestCursorPagination()
        self.active: Any = self.pages

    def paginate_queryset(self, queryset, request, view=None, head: Head | None = None):
        """A page of ``queryset``; ``head``, a broad search's ranked head, serves numbered pages
        (cursor pages go by key)."""
        if "cursor" in request.query_params:
            self.active = self.cursor
            return self.cursor.paginate_queryset(queryset, request, view)
        self.active = self.pages
        return self.pages.paginate_queryset(queryset, request, view, head=head)

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
