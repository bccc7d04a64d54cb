"""``/api/v1/stats/``: counts of published cases by region, theme, organisation kind and year, and
metric counts and sums by indicator and region. Every case filter applies; the metrics counted are
those of the matching cases (restricted to ``indicator`` when given).

Regions are grouped in SQL on the locality path (``n1/51/5101/510105/…``): the code at a level is a
fixed-width slice after the country segment, so grouping needs no join per level.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters as filters
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, StrIndex, Substr
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api.filters import CaseFilter
from cases.api.parameters import check_format, check_parameters, visible_cases
from cases.models import Case, CaseOrganisation, Indicator, Level, Locality, OrganisationKind, Theme

# Offset of a level's code after the country segment's slash, and its width: "51/" "5101/" "510105/".
REGION_SLICES = {Level.PROVINCE: (1, 2), Level.PREFECTURE: (4, 4), Level.COUNTY: (9, 6)}


class StatsFilter(CaseFilter):
    region_level = filters.ChoiceFilter(
        choices=[(level.value, level.label) for level in REGION_SLICES],
        method="keep",
        empty_label=None,
        help_text="group regions at this level (default province)",
    )

    def keep(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        # Not a filter: read by StatsView.
        return queryset


def region_code(path_expression: Any, level: str) -> Substr:
    offset, width = REGION_SLICES[level]
    return Substr(path_expression, StrIndex(path_expression, Value("/")) + offset, width)


class RegionCountSerializer(serializers.Serializer):
    code = serializers.CharField(allow_null=True, help_text="null: located above the chosen level")
    full_name = serializers.CharField(allow_null=True)
    count = serializers.IntegerField()


class ThemeCountSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    count = serializers.IntegerField()


class KindCountSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class YearCountSerializer(serializers.Serializer):
    year = serializers.IntegerField(allow_null=True, help_text="year the period starts; null: unknown")
    count = serializers.IntegerField()


class MetricSumSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    code = serializers.CharField(allow_null=True, required=False)
    full_name = serializers.CharField(allow_null=True, required=False)
    count = serializers.IntegerField()
    sum = serializers.DecimalField(max_digits=30, decimal_places=4, coerce_to_string=False)


class CaseStatsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    region_level = serializers.CharField()
    by_region = RegionCountSerializer(many=True)
    by_theme = ThemeCountSerializer(many=True)
    by_organisation_kind = KindCountSerializer(many=True, help_text="cases with at least one organisation of kind")
    by_year = YearCountSerializer(many=True)


class MetricStatsSerializer(serializers.Serializer):
    by_indicator = MetricSumSerializer(many=True)
    by_indicator_and_region = MetricSumSerializer(many=True)


class StatsSerializer(serializers.Serializer):
    cases = CaseStatsSerializer()
    metrics = MetricStatsSerializer()


class StatsSchema(AutoSchema):
    def get_filter_backends(self) -> list:
        # One object, not a list, but every case filter applies.
        return self.view.filter_backends


class StatsView(generics.GenericAPIView):
    filter_backends = [DjangoFilterBackend]
    filterset_class = StatsFilter
    queryset = Case.objects.none()
    renderer_classes = [JSONRenderer]
    pagination_class = None
    schema = StatsSchema()

    def initial(self, request: Request, *args, **kwargs) -> None:
        check_format(self, request)
        super().initial(request, *args, **kwargs)
        check_parameters(request, StatsFilter.base_filters)

    def get_queryset(self) -> QuerySet:
        # Counts never include drafts unless staff ask for them.
        return visible_cases(self.request)

    @extend_schema(summary="Counts and sums over the matching cases", responses=StatsSerializer)
    def get(self, request: Request) -> Response:
        cases = self.filter_queryset(self.get_queryset())
        level = request.query_params.get("region_level") or Level.PROVINCE
        case_ids = cases.values("pk")
        # The metrics of the matching cases, joined from the case side: the case filters stay on
        # the case table, whose covering index gives each case's place without reading its row.
        with_metrics = Q(metrics__isnull=False)
        if request.query_params.get("indicator"):
            with_metrics &= Q(metrics__indicator__code=request.query_params["indicator"])
        metrics = cases.filter(with_metrics)
        return Response(
            {
                "cases": {
                    "total": cases.count(),
                    "region_level": level,
                    "by_region": self.by_region(cases, F("primary_locality__path"), level),
                    "by_theme": self.by_theme(case_ids),
                    "by_organisation_kind": self.by_organisation_kind(case_ids),
                    "by_year": self.by_year(cases),
                },
                "metrics": self.metric_stats(metrics, level),
            }
        )

    @staticmethod
    def by_year(cases: QuerySet) -> list[dict[str, Any]]:
        """Cases per year of the period start.

        Grouped by the stored date (an ordered walk of the (status, period_start_date, …) index,
        no function per row: on SQLite ``ExtractYear`` is a Python callback) and folded into
        years here; there are at most a few thousand distinct dates.
        """
        counts: dict[int | None, int] = {}
        rows = cases.order_by().values_list("period_start_date").annotate(n=Count("pk")).order_by()
        for day, n in rows:
            year = day.year if day else None
            counts[year] = counts.get(year, 0) + n
        ordered = sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or 0))
        return [{"year": year, "count": n} for year, n in ordered]

    @staticmethod
    def _names(codes: set[str]) -> dict[str, str]:
        return dict(Locality.objects.filter(code__in=codes).values_list("code", "full_name"))

    @classmethod
    def by_region(cls, cases: QuerySet, path: Any, level: str) -> list[dict[str, Any]]:
        counts: dict[str | None, int] = {}
        rows = cases.order_by().annotate(region=region_code(path, level)).values("region").annotate(n=Count("pk"))
        width = REGION_SLICES[level][1]
        for row in rows:
            code = row["region"] if row["region"] and row["region"].isdigit() and len(row["region"]) == width else None
            counts[code] = counts.get(code, 0) + row["n"]
        names = cls._names({code for code in counts if code})
        ordered = sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or ""))
        return [{"code": code, "full_name": names.get(code) if code else None, "count": n} for code, n in ordered]

    @staticmethod
    def by_theme(case_ids: QuerySet) -> list[dict[str, Any]]:
        rows = (
            Case.themes.through.objects.filter(case__in=case_ids)
            .values("theme_id")
            .annotate(count=Count("case_id"))
            .order_by()
        )
        counts = {row["theme_id"]: row["count"] for row in rows}
        themes = Theme.objects.filter(pk__in=counts).order_by("code")
        return [{"code": t.code, "name_zh": t.name_zh, "name_en": t.name_en, "count": counts[t.pk]} for t in themes]

    @staticmethod
    def by_organisation_kind(case_ids: QuerySet) -> list[dict[str, Any]]:
        rows = (
            CaseOrganisation.objects.filter(case__in=case_ids)
            .values("organisation__kind")
            .annotate(count=Count("case_id", distinct=True))
            .order_by("organisation__kind")
        )
        labels = dict(OrganisationKind.choices)
        return [
            {"kind": kind, "label": labels.get(kind, ""), "count": row["count"]}
            for row in rows
            if (kind := row["organisation__kind"])
        ]

    @classmethod
    def metric_stats(cls, cases: QuerySet, level: str) -> dict[str, Any]:
        """Counts and sums of the metrics of ``cases`` (filtered on ``metrics__…`` in one filter
        call, so the join is shared) by indicator and region, in one grouped pass; the per-indicator
        totals are the sums of its regions (a metric without a region counts under ``code: null``).

        A metric's region is its own place, else its case's primary place."""
        path = Coalesce(F("metrics__locality__path"), F("primary_locality__path"))
        width = REGION_SLICES[level][1]
        grouped: dict[tuple[int, str | None], dict[str, Any]] = {}
        # Grouped on indicator_id, not its code: no join per metric; codes are looked up after.
        rows = (
            cases.order_by()
            .annotate(region=region_code(path, level))
            .values_list("metrics__indicator_id", "region")
            .annotate(count=Count("metrics__id"), sum=Sum("metrics__value"))
        )
        for indicator_id, region, n, total in rows:
            code = region if region and region.isdigit() and len(region) == width else None
            entry = grouped.setdefault((indicator_id, code), {"count": 0, "sum": Decimal(0)})
            entry["count"] += n
            entry["sum"] += total or 0
        indicators = dict(Indicator.objects.filter(pk__in={key[0] for key in grouped}).values_list("pk", "code"))
        names = cls._names({code for _, code in grouped if code})
        totals: dict[str, dict[str, Any]] = {}
        by_region = []
        for (indicator_id, code), values in sorted(
            grouped.items(), key=lambda item: (indicators[item[0][0]], item[0][1] or "~")
        ):
            indicator = indicators[indicator_id]
            by_region.append({"indicator": indicator, "code": code, "full_name": names.get(code), **values})
            total = totals.setdefault(indicator, {"indicator": indicator, "count": 0, "sum": Decimal(0)})
            total["count"] += values["count"]
            total["sum"] += values["sum"]
        return {"by_indicator": list(totals.values()), "by_indicator_and_region": by_region}
