"""Resources under /api/v1/: read-only for everyone, and cases writable by staff (``CaseWriteMixin``).
Every queryset starts from a ``public()`` (or ``published()``) queryset; staff see drafts only on
cases, and only when they ask.

To add a filter backend (e.g. full-text ``?q=``) to every resource, add it to
``PublicViewSet.filter_backends``: the schema and the strict-parameter check both read its
``get_schema_operation_parameters``.

To add a resource, give its viewset a ``resource`` (``cases/api/resources.py``: its URL prefix and
names, and its table in the data release) and a place in ``PUBLIC_VIEWSETS`` (the release's order).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api import detail, detail_lists, exports, filters, prefetch, serializers
from cases.api.parameters import allowed_parameters, check_format, check_parameters, is_staff, visible_cases
from cases.api.renderers import CSVRenderer, csv_columns, csv_table, in_columns
from cases.api.resources import Resource
from cases.api.search import SearchFilterBackend, SearchListMixin
from cases.api.writes import CaseWriteMixin, CaseWriteSerializer, TransitionSerializer
from cases.models import (
    Case,
    Indicator,
    Initiative,
    Locality,
    Metric,
    Organisation,
    Person,
    Source,
    Status,
    Theme,
)
from cases.statements import KeyStatement

CSV_CHUNK_ROWS = 1000

# The theme codes of a page of cases, by code (CaseViewSet.prepare_rows).
THEME_CODES = KeyStatement(
    lambda ids: (
        Case.themes.through.objects.filter(case_id__in=ids).values("case_id", "theme__code").order_by("theme__code")
    )
)


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the filterset's parameters,
    and otherwise building only the filters it names (``filters.FilterSet``'s ``named_only``).

    Every filter ignores an absent value, so the filterset would return the queryset unchanged;
    building it (its form deep-copies every field) is a third of a search request's Python time.
    """

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        if not filters.names_a_filter(request, view):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset_kwargs(self, request: Request, queryset: QuerySet, view: Any) -> dict[str, Any]:
        # Only the filters the request names (filters.FilterSet): the others would ignore it.
        return {**super().get_filterset_kwargs(request, queryset, view), "named_only": True}


class PublicViewSet(SearchListMixin, viewsets.ReadOnlyModelViewSet):
    """The shared behaviour: strict parameters, CSV streaming, JSON errors."""

    filter_backends = [FilterBackend, SearchFilterBackend]
    renderer_classes = [JSONRenderer, CSVRenderer]
    list_serializer_class: type | None = None
    resource: Resource  # its name, URL names and release table (resources.py); listed in PUBLIC_VIEWSETS

    @property
    def public_only(self) -> bool:
        return not is_staff(self.request)

    def initial(self, request: Request, *args, **kwargs) -> None:
        # PostgreSQL refuses text with a NUL byte (a DataError, so a 500): no record has one.
        if any("\x00" in str(value) for value in kwargs.values()):
            raise exceptions.NotFound("no record has a NUL character in its id")
        check_format(self, request)
        super().initial(request, *args, **kwargs)
        check_parameters(request, allowed_parameters(self))

    def finalize_response(self, request: Request, response, *args, **kwargs):
        # Errors are always JSON, even when CSV was asked for.
        if getattr(response, "status_code", 200) >= 400 and isinstance(
            getattr(request, "accepted_renderer", None), CSVRenderer
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def get_serializer_class(self):
        if self.action == "list" and self.list_serializer_class is not None:
            return self.list_serializer_class
        return self.serializer_class

    def list(self, request: Request, *args, **kwargs) -> Response | StreamingHttpResponse:
        if isinstance(request.accepted_renderer, CSVRenderer):
            return self.stream_csv(self.filter_queryset(self.get_queryset()))
        return super().list(request, *args, **kwargs)

    def paginate_queryset(self, queryset: QuerySet):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self.prepare_rows(page)
        return page

    def prepare_rows(self, rows: list) -> None:
        """Attach what the list serializer reads to a page or CSV chunk of rows (nothing by default)."""

    def chunks(self, queryset: QuerySet) -> Iterator[list]:
        """The queryset's rows in lists of CSV_CHUNK_ROWS, each prepared (``prepare_rows``)."""
        rows = queryset.iterator(chunk_size=CSV_CHUNK_ROWS)
        while chunk := list(islice(rows, CSV_CHUNK_ROWS)):
            self.prepare_rows(chunk)
            yield chunk

    def csv_rows(self, queryset: QuerySet) -> Iterator[Sequence]:
        """The export's rows as values in column order; by default through the list serializer."""
        serializer = self.get_serializer()
        columns = csv_columns(serializer)
        for chunk in self.chunks(queryset):
            for obj in chunk:
                yield in_columns(columns, serializer.to_representation(obj))

    def stream_csv(self, queryset: QuerySet) -> StreamingHttpResponse:
        """Every matching row, streamed in chunks: memory stays flat however many rows match."""
        columns = csv_columns(self.get_serializer())
        rows = self.csv_rows(queryset)
        response = StreamingHttpResponse(csv_table(columns, rows), content_type="text/csv; charset=utf-8")
        name = self.basename.replace("-", "_")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response


@extend_schema_view(
    list=extend_schema(summary="Cases", description="Published cases, filterable by region, theme and more."),
    retrieve=extend_schema(summary="One case with everything attached to it", responses=detail.CaseDetailSerializer),
)
class CaseViewSet(CaseWriteMixin, PublicViewSet):
    resource = Resource(
        "cases", "case", ["public_id"], (("primary_locality.id", "localities", "id"),), "published cases"
    )
    lookup_field = "public_id"
    filterset_class = filters.CaseFilter
    list_serializer_class = serializers.CaseSerializer
    serializer_class = detail.CaseDetailSerializer
    queryset = Case.objects.none()
    # A detail's nested lists from detail_lists; False: from prefetched objects through
    # CaseDetailSerializer, the reference tests/api/test_response_bytes.py compares them with.
    prepared_detail = True

    def get_queryset(self) -> QuerySet:
        queryset = visible_cases(self.request, one_case=self.action != "list").select_related("primary_locality")
        if self.action == "list":
            # Theme codes come from prepare_rows: one query, no prefetch machinery.
            return queryset
        if self.action == "retrieve" and self.prepared_detail:
            # The nested lists and the sources come from detail_lists (get_object).
            return queryset
        queryset = queryset.prefetch_related("themes")
        return self.with_details(queryset, public_facts=self.public_only or self.opens_published_case())

    def get_object(self) -> Case:
        case = super().get_object()
        if self.action == "retrieve" and self.prepared_detail:
            public_facts = self.public_only or self.opens_published_case()
            case.detail_lists = detail_lists.case_lists(case.pk, public_facts=public_facts)
            detail_lists.case_sources(case)
        return case

    def prepare_rows(self, rows: list) -> None:
        """``theme_codes`` on each case, sorted, for CaseSerializer.themes: one query for all rows.

        A Prefetch of Theme objects cost a search page of 20 cases over a millisecond (model
        instances, a related manager per row) to read one column.
        """
        codes: dict[int, list[str]] = {case.pk: [] for case in rows}
        for link in THEME_CODES.rows(codes):
            codes[link["case_id"]].append(link["theme__code"])
        for case in rows:
            case.theme_codes = codes[case.pk]

    def opens_published_case(self) -> bool:
        """Whether the case named in the URL is published (or does not exist).

        Staff who open a case that is not published asked for it by its id: they see every fact
        attached to it (its metrics, evidence, people's posts in organisations not yet public).
        On a published case they see what everyone sees, so drafts never mix into public pages.
        """
        public_id = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        status = Case.objects.filter(public_id=public_id).values_list("status", flat=True).first()
        return status in {None, Status.PUBLISHED}

    def get_queryset_for_detail(self, case: Case) -> QuerySet:
        """Any status: the caller has just written the case and may see it, facts as for a detail."""
        queryset = Case.objects.select_related("primary_locality").prefetch_related("themes")
        return self.with_details(queryset, public_facts=case.status == Status.PUBLISHED)

    def get_serializer_class(self):
        if self.action in {"create", "partial_update"}:
            return CaseWriteSerializer
        if self.action == "transition":
            return TransitionSerializer
        if self.action == "retrieve" and self.prepared_detail:
            return detail_lists.PreparedCaseDetailSerializer
        return super().get_serializer_class()

    def with_details(self, queryset: QuerySet, *, public_facts: bool) -> QuerySet:
        """The nested facts of a detail; ``public_facts`` keeps only those anonymous users may see."""
        return queryset.prefetch_related(*prefetch.case_details(public_facts=public_facts))


class LocalityViewSet(PublicViewSet):
    resource = Resource(
        "localities", "locality", ["id"], (("parent", "", "id"),), "public places (gazetteer and case places)"
    )
    filterset_class = filters.LocalityFilter
    list_serializer_class = serializers.LocalitySerializer
    serializer_class = detail.LocalityDetailSerializer
    queryset = Locality.objects.none()

    def get_queryset(self) -> QuerySet:
        queryset = Locality.objects.public()
        return queryset if self.action == "list" else queryset.prefetch_related("aliases")


class OrganisationViewSet(PublicViewSet):
    resource = Resource(
        "organisations",
        "organisation",
        ["id"],
        (("locality.id", "localities", "id"),),
        "organisations in published cases, initiatives or source bylines",
    )
    filterset_class = filters.OrganisationFilter
    list_serializer_class = serializers.OrganisationSerializer
    serializer_class = detail.OrganisationDetailSerializer
    queryset = Organisation.objects.none()

    def get_queryset(self) -> QuerySet:
        queryset = Organisation.objects.public().select_related("locality")
        if self.action == "list":
            return queryset
        return queryset.prefetch_related(
            prefetch.published_cases_prefetch(),
            prefetch.public_initiatives(),
        )


class PersonViewSet(PublicViewSet):
    resource = Resource("people", "person", ["id"], (), "people named in published cases or credited on public sources")
    filterset_class = filters.PersonFilter
    list_serializer_class = serializers.PersonSerializer
    serializer_class = detail.PersonDetailSerializer
    queryset = Person.objects.none()

    def get_queryset(self) -> QuerySet:
        queryset = Person.objects.public()
        if self.action == "list":
            return queryset
        return queryset.prefetch_related(prefetch.public_positions(), prefetch.published_cases_prefetch())


class InitiativeViewSet(PublicViewSet):
    resource = Resource("initiatives", "initiative", ["id"], (), "initiatives of published cases")
    filterset_class = filters.InitiativeFilter
    list_serializer_class = serializers.InitiativeSerializer
    serializer_class = detail.InitiativeDetailSerializer
    queryset = Initiative.objects.none()

    def get_queryset(self) -> QuerySet:
        queryset = Initiative.objects.public().prefetch_related("localities")
        if self.action == "list":
            return queryset
        return queryset.prefetch_related("participants__organisation", prefetch.published_cases_prefetch())


class MetricViewSet(PublicViewSet):
    resource = Resource(
        "metrics",
        "metric",
        ["id"],
        (
            ("case", "cases", "public_id"),
            ("indicator", "indicators", "code"),
            ("source_id", "sources", "id"),
        ),
        "metrics, one row per number (tidy)",
    )
    filterset_class = filters.MetricFilter
    serializer_class = serializers.MetricSerializer
    queryset = Metric.objects.none()

    def get_queryset(self) -> QuerySet:
        return prefetch.metrics_queryset(public_only=True)

    def csv_rows(self, queryset: QuerySet) -> Iterator[Sequence]:
        # Column values straight from the database (cases/api/exports.py): a tenth of the cost.
        return exports.metric_rows(queryset)


class SourceViewSet(PublicViewSet):
    resource = Resource("sources", "source", ["id"], (), "sources cited by published cases")
    filterset_class = filters.SourceFilter
    list_serializer_class = serializers.SourceSerializer
    serializer_class = detail.SourceDetailSerializer
    queryset = Source.objects.none()

    def get_queryset(self) -> QuerySet:
        # The citations name the credited people and organisations.
        queryset = Source.objects.public().prefetch_related("credits__person", "credits__organisation")
        if self.action == "list":
            return queryset
        return queryset.prefetch_related(prefetch.published_cases_prefetch())


class ThemeViewSet(PublicViewSet):
    resource = Resource("themes", "theme", ["code"], (), "the theme vocabulary")
    lookup_field = "code"
    serializer_class = serializers.ThemeSerializer
    queryset = Theme.objects.all()
    filter_backends: list = []


class IndicatorViewSet(PublicViewSet):
    resource = Resource("indicators", "indicator", ["code"], (), "the indicator vocabulary")
    lookup_field = "code"
    serializer_class = serializers.IndicatorSerializer
    queryset = Indicator.objects.all()
    filter_backends: list = []


# The public resources: the router registers them (urls.py) and the data release packages them
# (cases/site/releases.py), in this order.
PUBLIC_VIEWSETS: tuple[type[PublicViewSet], ...] = (
    CaseViewSet,
    LocalityViewSet,
    OrganisationViewSet,
    PersonViewSet,
    InitiativeViewSet,
    MetricViewSet,
    SourceViewSet,
    ThemeViewSet,
    IndicatorViewSet,
)
