"""Search in the research API: ``?q=`` on the indexed resources and ``/api/v1/search/`` across them.

Anonymous users only ever see public documents: the cross-type endpoint filters on the index's
published flag before counting or ranking, so drafts appear neither in results nor in facets.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.api.filters import names_a_filter, path_within
from cases.api.pagination import Head, PageSizePagination
from cases.api.parameters import check_parameters
from cases.api.regions import RegionNotFound, resolve_region
from cases.models import Level, Locality, SearchDocument
from cases.search.backends import BROAD_MATCHES, RANK_WINDOW
from cases.search.query import MAX_QUERY_LENGTH, ParsedQuery, QueryError, parse
from cases.search.registry import TYPES
from cases.search.service import (
    OBJECT_TYPES,
    facets,
    highlights_by_id,
    highlights_for,
    searched_documents,
    searched_queryset,
)

Q_HELP = (
    "Full-text search in Chinese or English. Every word is required; put a phrase in double quotes to "
    f"require it verbatim. Variants and traditional characters match (業委會 = 业委会 = 业主委员会). At most "
    f"{MAX_QUERY_LENGTH} characters. Results are ordered by relevance unless `ordering` is given. On SQLite, "
    f"a query matching more than {BROAD_MATCHES:,} records ranks its {RANK_WINDOW:,} newest matches and lists "
    "the others after them (rank 0, by id); words found in more than that many records still narrow a query "
    "with rarer words but do not weigh in its order."
)
LIST_Q_HELP = (
    Q_HELP + " Each row then also carries `highlights` (every match: field, index of the field, start and end "
    "character offsets in the original text, matched text) and `snippet` (a passage around the first match "
    "in the richest field, with `<mark>` tags)."
)
# The record types and their detail routes, as the search registry declares them.
RESULT_DETAIL_ROUTES = {object_type: entry.api_route for object_type, entry in TYPES.items()}
# "cases, organisations, initiatives and sources": the English half of each model's plural name.
_PLURALS = [str(entry.model._meta.verbose_name_plural).split(" ", 1)[-1] for entry in TYPES.values()]
TYPES_IN_WORDS = f"{', '.join(_PLURALS[:-1])} and {_PLURALS[-1]}"


def parse_or_400(raw: str) -> ParsedQuery:
    """The parsed query, or a 400 naming ``q`` and what is wrong with it."""
    try:
        parsed = parse(raw)
    except QueryError as error:
        raise exceptions.ValidationError({"q": [str(error)]}) from None
    if not parsed:
        raise exceptions.ValidationError({"q": ["the query has no searchable words (letters, digits or characters)"]})
    return parsed


@dataclass
class ListSearch:
    """A list's ``?q=``: the query as parsed, the matching rows in their order, and for a broad
    search the ranked head the paginator reads its pages from."""

    parsed: ParsedQuery
    queryset: QuerySet
    head: Head | None = None


class SearchFilterBackend(BaseFilterBackend):
    """``?q=``: narrows an indexed resource's list to matches, best first (unless ``ordering`` is given).

    The list views run it through ``SearchListMixin``, which keeps the whole result (``search``);
    as a plain filter backend it narrows and orders only.
    """

    def search(self, request: Request, queryset: QuerySet, view: Any) -> ListSearch | None:
        """The search ``?q=`` asks for on ``queryset``, or None without ``q`` or on a type not indexed."""
        raw = request.query_params.get("q")
        if raw is None or queryset.model not in OBJECT_TYPES:
            return None
        parsed = parse_or_400(raw)
        public_only = getattr(view, "public_only", True)
        searched = searched_queryset(queryset, parsed, public_only=public_only)
        if request.query_params.get("ordering"):
            # The caller chose an order; keep it (the filterset applied it before us).
            return ListSearch(parsed, searched.queryset.order_by(*queryset.query.order_by))
        if searched.window is None:
            return ListSearch(parsed, searched.queryset)
        # The index's count is the result's only when nothing but visibility narrows it: the list
        # views start from the public records of their type (``Model.objects.public()``, the rule
        # the index's public flag follows), and no filter parameter was given.
        whole_type = public_only and not names_a_filter(request, view)
        count = searched.count_in_index if whole_type else searched.counting.count
        return ListSearch(parsed, searched.queryset, Head(searched.window, count, searched.counting))

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        found = self.search(request, queryset, view)
        return queryset if found is None else found.queryset

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        model = getattr(getattr(view, "queryset", None), "model", None)
        if model not in OBJECT_TYPES:
            return []
        return [
            {"name": "q", "required": False, "in": "query", "description": LIST_Q_HELP, "schema": {"type": "string"}}
        ]


class SearchListMixin:
    """``?q=`` on a list view (before the viewset in the bases): the search's result travels on.

    The search runs in the place of ``SearchFilterBackend`` among the view's filter backends; the
    view keeps its result (``list_search``) for this request, hands a broad search's ranked head to
    the paginator, and gives the page's rows ``highlights`` and ``snippet``, computed on the page's
    records only, from their index documents, in one query per page whatever its size.
    """

    list_search: ListSearch | None = None
    search_highlights: list[dict[str, Any]] | None = None

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        for backend_class in self.filter_backends:
            backend = backend_class()
            if isinstance(backend, SearchFilterBackend):
                self.list_search = backend.search(self.request, queryset, self)
                queryset = queryset if self.list_search is None else self.list_search.queryset
            else:
                queryset = backend.filter_queryset(self.request, queryset, self)
        return queryset

    def paginate_queryset(self, queryset: QuerySet):
        if self.paginator is None:
            return None
        search = self.list_search
        page = self.paginator.paginate_queryset(
            queryset, self.request, view=self, head=search.head if search is not None else None
        )
        self.search_highlights = None
        if page is not None and search is not None:
            keys = [row.pk for row in page]
            found = highlights_by_id(OBJECT_TYPES[queryset.model], keys, search.parsed)
            self.search_highlights = [found.get(key, {"highlights": [], "snippet": None}) for key in keys]
        return page

    def get_paginated_response(self, data):
        if self.search_highlights is not None:
            for row, found in zip(data, self.search_highlights, strict=True):
                row.update(found)
        return super().get_paginated_response(data)


class CountedPaginator(Paginator):
    """Django's paginator with the total already known (the facets counted it); a broad
    search's pages are read from its ranked window and the rest (``Head``)."""

    def __init__(
        self, object_list, per_page, *args, known_count: int | None = None, head: Head | None = None, **kwargs
    ) -> None:
        super().__init__(object_list, per_page, *args, **kwargs)
        if known_count is not None:
            self.__dict__["count"] = known_count  # fills the cached_property
        self.known_head = head

    def page(self, number) -> Page:
        if self.known_head is None:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        return self._get_page(self.known_head.page_rows(bottom, top), number, self)


class SearchPagination(PageSizePagination):
    # Django's paginator rather than the keys-first one: the rows must keep the rank and
    # highlight columns the search selected, which a reload by key would drop.
    django_paginator_class = CountedPaginator
    page_size = 20

    def __init__(self, known_count: int | None = None) -> None:
        self.known_count = known_count
        self.django_paginator_class = partial(CountedPaginator, known_count=known_count)


REGION_FIELDS = {Level.PROVINCE: "province_code", Level.PREFECTURE: "prefecture_code"}


def search_region_filter(place: Locality) -> Q:
    """Documents whose place is at or beneath ``place``: the indexed province or prefecture code
    where the region is one, else the documents' own locality in the region's subtree."""
    field = REGION_FIELDS.get(place.level)
    if field is not None and place.code:
        return Q(**{field: place.code})
    return path_within("locality__", place)


FACET_SERIALIZER = inline_serializer(
    "SearchFacet",
    {"value": serializers.CharField(), "label": serializers.CharField(), "count": serializers.IntegerField()},
    many=True,
)


class SearchView(APIView):
    """Search cases, organisations, initiatives and sources at once, with facet counts."""

    # ``region`` is the name every other endpoint uses; ``province`` and ``prefecture`` (codes) stay
    # for the stability promise. The index records the province and prefecture of each document.
    filters = {"type", "region", "province", "prefecture", "theme"}
    pagination_class = SearchPagination

    def allowed_parameters(self) -> set[str]:
        return {"q", "page", "page_size", *self.filters}

    @extend_schema(
        summary=f"Search across {TYPES_IN_WORDS}",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description=Q_HELP + " Without it the result is empty."),
            OpenApiParameter("type", OpenApiTypes.STR, enum=list(TYPES), description="only this record type"),
            OpenApiParameter(
                "region",
                OpenApiTypes.STR,
                description=(
                    "the records placed at or beneath this place, as on the other endpoints: a statistical "
                    "code (51, 5101, 510105005), id:N, a name or an alias (成都市, 成都)"
                ),
            ),
            OpenApiParameter("province", OpenApiTypes.STR, description="province code, e.g. 51"),
            OpenApiParameter("prefecture", OpenApiTypes.STR, description="prefecture code, e.g. 5101"),
            OpenApiParameter("theme", OpenApiTypes.STR, description="theme code, e.g. property_party_building"),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="at most 200"),
        ],
        responses=inline_serializer(
            "SearchResponse",
            {
                "query": serializers.CharField(),
                "count": serializers.IntegerField(),
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "facets_cover": serializers.IntegerField(
                    help_text=(
                        "how many of the matches the facets counted: all of them (equal to `count`), or for a "
                        f"query matching more than {BROAD_MATCHES:,} records on SQLite, the {RANK_WINDOW:,} "
                        "ranked first"
                    )
                ),
                "facets": inline_serializer(
                    "SearchFacets",
                    {
                        "type": FACET_SERIALIZER,
                        "province": FACET_SERIALIZER,
                        "prefecture": FACET_SERIALIZER,
                        "theme": FACET_SERIALIZER,
                    },
                ),
                "results": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        check_parameters(request, self.allowed_parameters())
        raw = request.query_params.get("q", "")
        window = counting = count_in_index = head = None
        if not raw.strip():
            # Nothing asked, nothing found: an empty page, like a search box before typing.
            documents = SearchDocument.objects.none()
            parsed = ParsedQuery(text="")
        else:
            parsed = parse_or_400(raw)
            # The type as a hint too: a broad search then ranks and counts that type in the index.
            object_type = request.query_params.get("type")
            types = [object_type] if object_type in TYPES else None
            searched = searched_documents(parsed, public_only=True, types=types)
            documents, window, counting = searched.queryset, searched.window, searched.counting
            if not (set(request.query_params) & (self.filters - {"type"})):
                count_in_index = searched.count_in_index
        documents = self.apply_filters(request, documents)
        if window is None:
            facet_counts, total = facets(documents)
            covered = total
        else:
            # A broad query (SQLite): grouping every match costs a pass over the wide document
            # rows (400 ms for 物业), so the facets count the ranked window, and say so.
            window, counting = self.apply_filters(request, window), self.apply_filters(request, counting)
            facet_counts, covered = facets(window)
            total = count_in_index() if count_in_index is not None else counting.count()
            head = Head(window, lambda: total, counting)
        paginator = self.pagination_class(known_count=total)
        page = paginator.paginate_queryset(documents, request, view=self, head=head)
        response = paginator.get_paginated_response(self.results(request, page, parsed))
        response.data = {"query": parsed.text, **response.data, "facets": facet_counts, "facets_cover": covered}
        # Keep the results last: easier to read.
        response.data["results"] = response.data.pop("results")
        return response

    def apply_filters(self, request: Request, documents: QuerySet[SearchDocument]) -> QuerySet[SearchDocument]:
        params = request.query_params
        errors: dict[str, list[str]] = {}
        object_type = params.get("type")
        if object_type is not None:
            if object_type not in TYPES:
                errors["type"] = [f"unknown type {object_type!r}; expected one of {', '.join(TYPES)}"]
            documents = documents.filter(object_type=object_type)
        for name, length in (("province", 2), ("prefecture", 4)):
            code = params.get(name)
            if code is not None:
                if not (code.isascii() and code.isdigit() and len(code) == length):
                    errors[name] = [f"{name} must be a {length}-digit statistical code, not {code[:20]!r}"]
                documents = documents.filter(**{f"{name}_code": code})
        region = params.get("region")
        if region is not None:
            try:
                documents = documents.filter(search_region_filter(resolve_region(region)))
            except RegionNotFound as error:
                errors["region"] = [str(error)]
        theme = params.get("theme")
        if theme is not None:
            documents = documents.filter(themes__code=theme)
        if errors:
            raise exceptions.ValidationError(errors)
        return documents

    def results(self, request: Request, page: list[SearchDocument], parsed: ParsedQuery) -> list[dict[str, Any]]:
        keys = url_keys(page)
        results = []
        for document in page:
            key = keys.get((document.object_type, document.object_id))
            url = reverse(RESULT_DETAIL_ROUTES[document.object_type], args=[key]) if key is not None else None
            results.append(
                {
                    "type": document.object_type,
                    "id": key,
                    "title": document.title,
                    "url": request.build_absolute_uri(url) if url else None,
                    "rank": round(document.search_rank, 6),
                    **highlights_for(document, parsed),
                }
            )
        return results


def url_keys(page: list[SearchDocument]) -> dict[tuple[str, int], Any]:
    """(type, record id) → the value its detail URL takes (``url_key`` in the registry), one query
    per type that is not addressed by id; a record gone since it was indexed has none."""
    wanted: dict[str, set[int]] = {}
    for document in page:
        wanted.setdefault(document.object_type, set()).add(document.object_id)
    keys: dict[tuple[str, int], Any] = {}
    for object_type, ids in wanted.items():
        entry = TYPES[object_type]
        if entry.url_key == "pk":
            keys.update(((object_type, pk), pk) for pk in ids)
        else:
            rows = entry.model._default_manager.filter(pk__in=ids).values_list("pk", entry.url_key)
            keys.update(((object_type, pk), key) for pk, key in rows)
    return keys
