"""One explicit FilterSet per resource. Every filter here is documented in the OpenAPI schema, and
the strict-parameter check (``cases.api.parameters.check_parameters``) accepts exactly
the documented names.

Multi-valued relations are filtered through ``pk__in`` subqueries rather than joins, so a case is
never repeated and no ``DISTINCT`` is needed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cases.api.regions import RegionNotFound, resolve_region
from cases.models import (
    Case,
    CaseOrganisation,
    Evidence,
    Initiative,
    InitiativeKind,
    InitiativeParticipant,
    Level,
    Locality,
    Metric,
    Organisation,
    OrganisationKind,
    Person,
    Qualifier,
    Source,
    SourceKind,
    Status,
)
from cases.models.dates import DatePrecision
from cases.statements import CompiledSubquery

REGION_HELP = (
    "A place and everything beneath it. A statistical code (2/4/6/9/12 digits: 51, 5101, 510105, 510105005, "
    "510105005007), also zero-padded (510000 = 51, 510100000000 = 5101), `id:N` for a locality id, "
    "or an exact name or alias (四川省, 成都市, 少城街道). An ambiguous name gets a 400 "
    "listing the candidates."
)


def path_within(prefix: str, locality: Locality) -> Q:
    """Rows whose locality (reached through ``prefix``) is at or beneath ``locality``.

    ``Locality.objects.within`` is one range scan on the path index; as an ``IN`` list it is built
    once per query, and the rows are then found through their foreign-key index.
    """
    if not prefix:
        return Q(pk__in=Locality.objects.within(locality).values("pk"))
    return Q(**{f"{prefix}in": Locality.objects.within(locality).values("pk")})


class RegionField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return resolve_region(value)
        except RegionNotFound as error:
            # The message quotes user input: as a parameter, never as the format string that
            # django-filter applies its parameters to ("region=%" raised a TypeError).
            raise forms.ValidationError("%(message)s", params={"message": str(error)}) from None


class StrictBooleanField(forms.Field):
    """true/false (or 1/0, yes/no); anything else is an error, not silently "no filter"."""

    values = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}

    def clean(self, value):
        if value in (None, ""):
            return None
        try:
            return self.values[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(
                "%(value)r is not a boolean: use true or false", params={"value": value}
            ) from None


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField


MAX_ID = 2**63 - 1  # BigAutoField


class IdFilter(filters.NumberFilter):
    """A database id: a positive integer within the 64-bit range (a huge number is a 400, not a crash)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class RegionFilter(filters.Filter):
    """Resolves the value to one locality, then ``apply(queryset, locality)``."""

    field_class = RegionField

    def __init__(self, apply: Callable[[QuerySet, Locality], QuerySet], **kwargs) -> None:
        kwargs.setdefault("help_text", REGION_HELP)
        super().__init__(**kwargs)
        self.apply = apply

    def filter(self, qs: QuerySet, value: Locality | None) -> QuerySet:
        return qs if value is None else self.apply(qs, value)


class FilterSet(filters.FilterSet):
    """django-filter's FilterSet, cheaper per request: ``named_only`` and one form class per set of filters.

    django-filter deep-copies every filter, makes a new form class from them and cleans every
    field on every request: for a list naming one filter (``?region=``), building the other
    thirteen was a third of the request's Python time. Every filter here ignores an absent value,
    so with ``named_only`` (the API's filter backend) the filterset holds only the filters the
    data names, and the answer is the same. No filter takes a request-dependent queryset or
    choices, so a form class built for one request serves the next with the same filters.
    """

    # Form classes by the names of their filters; bounded, as requests choose the combinations.
    FORM_CLASSES_KEPT = 64

    def __init__(self, data=None, *args, named_only: bool = False, **kwargs) -> None:
        if named_only and data is not None:
            # django-filter copies the filters from ``self.base_filters``: this instance's subset.
            self.base_filters = {name: f for name, f in type(self).base_filters.items() if name in data}
        super().__init__(data, *args, **kwargs)

    def get_form_class(self):
        cls = type(self)
        kept = cls.__dict__.get("_form_classes")
        if kept is None:
            kept = cls._form_classes = {}
        key = tuple(self.filters)
        form_class = kept.get(key)
        if form_class is None:
            form_class = super().get_form_class()
            if len(kept) < self.FORM_CLASSES_KEPT:
                kept[key] = form_class
        return form_class


def fuzzy_overlap(prefix: str, date_from: datetime.date | None, date_to: datetime.date | None) -> Q:
    """Rows whose period (``prefix``_start/_end, fuzzy) overlaps [date_from, date_to].

    A coarse date covers its whole year or month: an end of "2019" reaches 2019-12-31. A missing end
    is taken as the start; rows with no dates at all never match a date filter.
    """
    condition = Q(**{f"{prefix}_start_date__isnull": False}) | Q(**{f"{prefix}_end_date__isnull": False})
    if date_from is not None:
        ends = Q()
        for side in ("end", "start"):
            reaches = Q()
            for precision, floor in (
                (DatePrecision.DAY, date_from),
                (DatePrecision.MONTH, date_from.replace(day=1)),
                (DatePrecision.YEAR, date_from.replace(month=1, day=1)),
            ):
                reaches |= Q(**{f"{prefix}_{side}_precision": precision, f"{prefix}_{side}_date__gte": floor})
            if side == "end":
                ends = reaches
            else:
                ends |= Q(**{f"{prefix}_end_date__isnull": True}) & reaches
        condition &= ends
    if date_to is not None:
        condition &= Q(**{f"{prefix}_start_date__lte": date_to}) | Q(
            **{f"{prefix}_start_date__isnull": True, f"{prefix}_end_date__lte": date_to}
        )
    return condition


class PeriodFilterMixin:
    """``date_from``/``date_to``: period overlap on the model's fuzzy ``period_prefix`` dates."""

    period_prefix = "period"

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if data.get("date_from") or data.get("date_to"):
            queryset = queryset.filter(fuzzy_overlap(self.period_prefix, data.get("date_from"), data.get("date_to")))
        return queryset


def _together(queryset: QuerySet, name: str, value) -> QuerySet:
    # date_from and date_to are applied together in PeriodFilterMixin.filter_queryset.
    return queryset


DATE_FROM_HELP = "period overlaps this day or later (YYYY-MM-DD); a year-precision date covers its whole year"
DATE_TO_HELP = "period overlaps this day or earlier (YYYY-MM-DD)"


def names_a_filter(request, view) -> bool:
    """Whether the request gives any parameter of the view's filterset (an ordering included)."""
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is None:
        return False
    return any(name in filterset_class.base_filters for name in request.query_params)


def published_cases() -> QuerySet:
    return Case.objects.published()


def case_in_region(qs: QuerySet, place: Locality) -> QuerySet:
    """Cases placed, or also placed, at or beneath ``place``.

    Below a province, one id set, the ``UNION`` of both ways: as ``primary IN (…) OR pk IN (…)``
    PostgreSQL uses neither index for the OR and walks every case in page order, probing two hashed
    subplans per row (at 100k cases: 81 ms for a 4-case township, 1.5 ms as a union; a prefecture's
    count 54 → 5 ms). A province holds a large share of all cases, so there the walk in page order
    finds a page soonest (3 ms, against 134 ms to build and sort the union). SQLite answers both
    forms alike (bench: ``python bench/run.py --only api`` prints the plans).
    """
    if place.level == Level.PROVINCE:
        return qs.filter(
            Q(primary_locality__in=_PLACES_WITHIN.sql(place.path)) | Q(pk__in=_CASES_ALSO_AT.sql(place.path))
        )
    return qs.filter(pk__in=_CASES_AT.sql(place.path))


def _places_within(path: str) -> QuerySet:
    return Locality.objects.within(Locality(path=path)).order_by().values("pk")


def _cases_also_at(path: str) -> QuerySet:
    return Case.localities.through.objects.filter(locality__in=_places_within(path)).order_by().values("case_id")


def _cases_at(path: str) -> QuerySet:
    placed = Case.objects.filter(primary_locality__in=_places_within(path)).order_by().values("pk")
    return placed.union(_cases_also_at(path))


# The region's id sets, compiled once per process (cases.statements.CompiledSubquery) with a path
# that no place has (a path never holds a NUL) standing for the region's.
_REGION_STAND_IN = "\0region\0"
_PLACES_WITHIN = CompiledSubquery(_places_within, stand_in=_REGION_STAND_IN)
_CASES_ALSO_AT = CompiledSubquery(_cases_also_at, stand_in=_REGION_STAND_IN)
_CASES_AT = CompiledSubquery(_cases_at, stand_in=_REGION_STAND_IN)


class CaseFilter(PeriodFilterMixin, FilterSet):
    region = RegionFilter(case_in_region)
    level = filters.ChoiceFilter(
        field_name="primary_locality__level", choices=Level.choices, help_text="level of the primary locality"
    )
    theme = filters.CharFilter(method="filter_theme", help_text="a theme code")
    organisation_kind = filters.ChoiceFilter(
        choices=OrganisationKind.choices, method="filter_organisation_kind", help_text="has an organisation of kind"
    )
    initiative_kind = filters.ChoiceFilter(
        choices=InitiativeKind.choices, method="filter_initiative_kind", help_text="has an initiative of kind"
    )
    indicator = filters.CharFilter(method="filter_indicator", help_text="has a metric of this indicator code")
    organisation = IdFilter(method="filter_organisation", help_text="involves this organisation id")
    source = IdFilter(method="filter_source", help_text="cites this source id")
    published_after = filters.DateFilter(
        field_name="published_at", lookup_expr="date__gte", help_text="published on or after (YYYY-MM-DD)"
    )
    has_metrics = StrictBooleanFilter(method="filter_has_metrics", help_text="true: with metrics; false: without")
    status = filters.MultipleChoiceFilter(
        choices=Status.choices, help_text="staff only: which statuses to include (default: published)"
    )
    ordering = filters.OrderingFilter(
        fields=("public_id", "published_at", "period_start_date", "title_zh"), help_text="sort by; prefix - to reverse"
    )
    date_from = filters.DateFilter(method=_together, help_text=DATE_FROM_HELP)
    date_to = filters.DateFilter(method=_together, help_text=DATE_TO_HELP)

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_theme(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(pk__in=Case.themes.through.objects.filter(theme__code=value).values("case_id"))

    def filter_organisation_kind(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(pk__in=CaseOrganisation.objects.filter(organisation__kind=value).values("case_id"))

    def filter_initiative_kind(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(pk__in=Case.initiatives.through.objects.filter(initiative__kind=value).values("case_id"))

    def filter_indicator(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(pk__in=Metric.objects.filter(indicator__code=value).values("case_id"))

    def filter_organisation(self, qs: QuerySet, name: str, value) -> QuerySet:
        return qs.filter(pk__in=CaseOrganisation.objects.filter(organisation_id=value).values("case_id"))

    def filter_source(self, qs: QuerySet, name: str, value) -> QuerySet:
        return qs.filter(pk__in=Case.sources.through.objects.filter(source_id=value).values("case_id"))

    def filter_has_metrics(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return qs
        with_metrics = Q(pk__in=Metric.objects.filter(case__isnull=False).values("case_id"))
        return qs.filter(with_metrics if value else ~with_metrics)


class LocalityFilter(FilterSet):
    region = RegionFilter(lambda qs, place: Locality.objects.within(place) & qs)
    parent = RegionFilter(
        lambda qs, place: qs.filter(parent=place),
        help_text="the places directly beneath this one (a code, padded code, id:N or unambiguous name)",
    )
    level = filters.ChoiceFilter(choices=Level.choices)
    q = filters.CharFilter(
        method="filter_q",
        max_length=50,
        help_text="name, alias (short form such as 成都 or 东于架, committee name) or code starting with this "
        "text; with match=contains, a name or alias containing it (slower: a full scan)",
    )
    match = filters.ChoiceFilter(
        method="filter_match",
        choices=[("prefix", "prefix"), ("contains", "contains")],
        help_text="how q matches: prefix (default, fast) or contains",
    )
    ordering = filters.OrderingFilter(fields=("path", "code", "name"), help_text="sort by; prefix - to reverse")

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return qs
        return qs.matching(value, contains=self.form.cleaned_data.get("match") == "contains")

    def filter_match(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs  # read by filter_q

    class Meta:
        model = Locality
        fields: list[str] = []


def _case_link(model_through_values: Callable[[QuerySet], QuerySet]):
    """A ``case`` filter by public id that only ever looks at published cases."""

    def method(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(pk__in=model_through_values(published_cases().filter(public_id=value)))

    return method


class OrganisationFilter(FilterSet):
    region = RegionFilter(lambda qs, place: qs.filter(path_within("locality__", place)))
    organisation_kind = filters.ChoiceFilter(field_name="kind", choices=OrganisationKind.choices)
    case = filters.CharFilter(method="filter_case", help_text="a published case's public id")
    ordering = filters.OrderingFilter(fields=("name", "id", "kind"), help_text="sort by; prefix - to reverse")

    class Meta:
        model = Organisation
        fields: list[str] = []

    filter_case = _case_link(lambda cases: CaseOrganisation.objects.filter(case__in=cases).values("organisation_id"))


class PersonFilter(FilterSet):
    case = filters.CharFilter(method="filter_case", help_text="a published case's public id")
    organisation = IdFilter(method="filter_organisation", help_text="holds a post in this organisation (id)")
    ordering = filters.OrderingFilter(fields=("name", "id"), help_text="sort by; prefix - to reverse")

    class Meta:
        model = Person
        fields: list[str] = []

    filter_case = _case_link(lambda cases: Case.people.through.objects.filter(case__in=cases).values("person_id"))

    def filter_organisation(self, qs: QuerySet, name: str, value) -> QuerySet:
        return qs.filter(pk__in=Person.objects.filter(positions__organisation_id=value).values("pk"))


def initiative_in_region(qs: QuerySet, place: Locality) -> QuerySet:
    inside = Initiative.localities.through.objects.filter(path_within("locality__", place)).values("initiative_id")
    return qs.filter(pk__in=inside)


class InitiativeFilter(FilterSet):
    region = RegionFilter(initiative_in_region)
    initiative_kind = filters.ChoiceFilter(field_name="kind", choices=InitiativeKind.choices)
    theme = filters.CharFilter(method="filter_theme", help_text="attached to a published case with this theme code")
    organisation = IdFilter(method="filter_organisation", help_text="a participant organisation id")
    case = filters.CharFilter(method="filter_case", help_text="a published case's public id")
    ordering = filters.OrderingFilter(fields=("name", "id", "start_date"), help_text="sort by; prefix - to reverse")

    class Meta:
        model = Initiative
        fields: list[str] = []

    filter_case = _case_link(
        lambda cases: Case.initiatives.through.objects.filter(case__in=cases).values("initiative_id")
    )

    def filter_theme(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        cases = published_cases().filter(themes__code=value)
        return qs.filter(pk__in=Case.initiatives.through.objects.filter(case__in=cases).values("initiative_id"))

    def filter_organisation(self, qs: QuerySet, name: str, value) -> QuerySet:
        return qs.filter(pk__in=InitiativeParticipant.objects.filter(organisation_id=value).values("initiative_id"))


class StoredValueFilter(filters.NumberFilter):
    """A bound on a metric's value: any finite number, compared as the value is stored (4 decimal
    places, at most 14 before the point). ``value_max=8.8e-121`` is a valid question (answered as
    ``≤ 0``), not a 400 about digits; rounding goes the way that keeps the answer exact."""

    STEP = Decimal("0.0001")
    LIMIT = Decimal("1e14")

    def filter(self, qs: QuerySet, value):
        if value in (None, ""):
            return qs
        value = max(-self.LIMIT, min(self.LIMIT, Decimal(value)))
        rounding = ROUND_CEILING if self.lookup_expr == "gte" else ROUND_FLOOR
        return super().filter(qs, value.quantize(self.STEP, rounding=rounding))


def metric_in_region(qs: QuerySet, place: Locality) -> QuerySet:
    """Metrics placed at or beneath ``place``, or with no place of their own and a case placed there.

    One id set, the ``UNION`` of both ways, each found through its own index (metrics by locality;
    cases by primary locality, then their metrics by case). As ``locality IN (…) OR (locality IS
    NULL AND case.primary_locality IN (…))`` over the join to cases, both engines read every metric
    whatever the region (SQLite at 100k cases: all 200k rows and most of the file, for 10k).
    """
    return qs.filter(pk__in=_METRICS_AT.sql(place.path))


def _metrics_at(path: str) -> QuerySet:
    placed = Metric.objects.filter(locality__in=_places_within(path)).order_by().values("pk")
    cases = Case.objects.filter(primary_locality__in=_places_within(path)).order_by().values("pk")
    # "No place of its own" as COALESCE(locality, 0) = 0, which no index serves: as ``IS NULL``
    # SQLite (no null statistics) reads this branch from the locality index, i.e. every metric
    # without a place (70% of them), instead of the region's cases' metrics by case.
    through_case = (
        Metric.objects.alias(own_place=Coalesce("locality_id", 0))
        .filter(own_place=0, case__in=cases)
        .order_by()
        .values("pk")
    )
    return placed.union(through_case)


_METRICS_AT = CompiledSubquery(_metrics_at, stand_in=_REGION_STAND_IN)


class MetricFilter(PeriodFilterMixin, FilterSet):
    region = RegionFilter(metric_in_region)
    indicator = filters.CharFilter(field_name="indicator__code", help_text="an indicator code")
    value_min = StoredValueFilter(field_name="value", lookup_expr="gte", help_text="value at least this")
    value_max = StoredValueFilter(field_name="value", lookup_expr="lte", help_text="value at most this")
    qualifier = filters.ChoiceFilter(choices=Qualifier.choices)
    theme = filters.CharFilter(field_name="case__themes__code", help_text="the metric's case has this theme code")
    case = filters.CharFilter(method="filter_case", help_text="a published case's public id")
    organisation = IdFilter(field_name="organisation_id", help_text="about this organisation id")
    initiative = IdFilter(field_name="initiative_id", help_text="about this initiative id")
    source = IdFilter(method="filter_source", help_text="evidenced by this source id")
    ordering = filters.OrderingFilter(fields=("id", "value", "period_start_date"), help_text="sort by")
    date_from = filters.DateFilter(method=_together, help_text=DATE_FROM_HELP)
    date_to = filters.DateFilter(method=_together, help_text=DATE_TO_HELP)

    class Meta:
        model = Metric
        fields: list[str] = []

    def filter_case(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(case__in=published_cases().filter(public_id=value))

    def filter_source(self, qs: QuerySet, name: str, value) -> QuerySet:
        return qs.filter(pk__in=Evidence.objects.filter(source_id=value, metric__isnull=False).values("metric_id"))


class SourceFilter(FilterSet):
    outlet = filters.CharFilter()
    kind = filters.ChoiceFilter(choices=SourceKind.choices)
    case = filters.CharFilter(method="filter_case", help_text="a published case's public id")
    date_from = filters.DateFilter(field_name="publication_date", lookup_expr="gte", help_text="published on or after")
    date_to = filters.DateFilter(field_name="publication_date", lookup_expr="lte", help_text="published on or before")
    ordering = filters.OrderingFilter(fields=("id", "publication_date", "outlet", "headline"), help_text="sort by")

    class Meta:
        model = Source
        fields: list[str] = []

    filter_case = _case_link(lambda cases: Case.sources.through.objects.filter(case__in=cases).values("source_id"))


def id_parameters() -> frozenset[str]:
    """The query parameters naming a row by its id: every ``IdFilter`` of this module's FilterSets."""
    return frozenset(
        name
        for filterset in globals().values()
        if isinstance(filterset, type) and issubclass(filterset, filters.FilterSet)
        for name, declared in filterset.base_filters.items()
        if isinstance(declared, IdFilter)
    )
