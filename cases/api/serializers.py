"""Summary serializers: one row per object, flat enough to be a CSV line.

Fields are explicit; a field's position is its CSV column's position, so new fields are added at
the end (see docs/api.md, "Stability").
"""

from __future__ import annotations

import copy
import datetime
from urllib.parse import quote

from rest_framework import relations, serializers

from cases.citations import case_citation, source_citation
from cases.models import (
    PERIOD_FIELDS,
    Case,
    Indicator,
    Initiative,
    Locality,
    Metric,
    Organisation,
    Person,
    Source,
    Theme,
)


def _field_copy(field: serializers.Field) -> serializers.Field:
    """A field for one serializer instance, made from its class's prototype.

    A plain field keeps no state while it serializes (``bind`` sets its name and parent on the
    copy): a shallow copy. A field holding fields of its own (a nested serializer, a list's child,
    a relation) is deep-copied, as DRF copies every declared field.
    """
    if isinstance(field, serializers.BaseSerializer | serializers.ListField | relations.RelatedField):
        return copy.deepcopy(field)
    if isinstance(field, relations.ManyRelatedField | serializers.DictField):
        return copy.deepcopy(field)
    return copy.copy(field)


# Fields built once per serializer class, copied for each instance. DRF builds every field anew
# for each serializer instance, inspecting the model for each ``ModelSerializer`` field: on a page
# of cases that was a tenth of the request's time, on a case detail (ten nested serializers) a
# seventh. Read serializers only: nothing here validates input. (Comments, not docstrings, on
# these three classes: drf-spectacular writes a serializer's inherited docstring into the schema.)
class PrototypeFieldsMixin:
    def get_fields(self):
        cls = type(self)
        prototypes = cls.__dict__.get("_field_prototypes")
        if prototypes is None:
            prototypes = super().get_fields()
            cls._field_prototypes = prototypes
        return {name: _field_copy(field) for name, field in prototypes.items()}


# A read ``ModelSerializer`` whose fields are built once per class (``PrototypeFieldsMixin``).
class ModelSerializer(PrototypeFieldsMixin, serializers.ModelSerializer):
    pass


# A read ``Serializer`` whose fields are built once per class (``PrototypeFieldsMixin``).
class Serializer(PrototypeFieldsMixin, serializers.Serializer):
    pass


class LocalityRefSerializer(ModelSerializer):
    class Meta:
        model = Locality
        fields = ["id", "code", "name", "full_name", "level"]


class LocalitySerializer(ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, help_text="the parent locality's id")

    class Meta:
        model = Locality
        fields = ["id", "code", "name", "name_en", "full_name", "level", "parent"]


class ThemeSerializer(ModelSerializer):
    class Meta:
        model = Theme
        fields = ["code", "name_zh", "name_en", "description"]


class IndicatorSerializer(ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["code", "name_zh", "name_en", "unit", "description"]


class TemplateIdentityField(serializers.HyperlinkedIdentityField):
    """A detail URL built from one ``reverse()`` per serializer (per request) instead of one per row.

    ``reverse()`` walks the URL resolver each time, about 25 µs: half a millisecond on a page of 20.
    """

    PLACEHOLDER = "0placeholder0"

    def get_url(self, obj, view_name, request, format):
        if format is not None:
            return super().get_url(obj, view_name, request, format)
        if getattr(self, "_template", None) is None:
            self._template = self.reverse(view_name, kwargs={self.lookup_url_kwarg: self.PLACEHOLDER}, request=request)
        return self._template.replace(self.PLACEHOLDER, quote(str(getattr(obj, self.lookup_field)), safe=""))


class CaseSerializer(ModelSerializer):
    url = TemplateIdentityField(view_name="api:case-detail", lookup_field="public_id")
    primary_locality = LocalityRefSerializer(read_only=True)
    # Set on each row by CaseViewSet.prepare_rows.
    themes = serializers.ListField(
        child=serializers.CharField(), source="theme_codes", read_only=True, help_text="theme codes"
    )

    class Meta:
        model = Case
        fields = [
            "public_id",
            "url",
            "title_zh",
            "title_en",
            "status",
            "primary_locality",
            *PERIOD_FIELDS,
            "themes",
            "published_at",
            "citation_gbt7714",
            "citation_apa",
        ]

    citation_gbt7714 = serializers.SerializerMethodField(help_text="GB/T 7714-2015 ([DB/OL]), see docs/api.md")
    citation_apa = serializers.SerializerMethodField(help_text="APA 7, plain text")

    def case_url(self, obj: Case) -> str:
        request = self.context.get("request")
        path = f"/api/v1/cases/{quote(obj.public_id, safe='')}/"
        return request.build_absolute_uri(path) if request is not None else path

    def get_citation_gbt7714(self, obj: Case) -> str:
        return case_citation(obj, "gbt7714", url=self.case_url(obj))

    def get_citation_apa(self, obj: Case) -> str:
        return case_citation(obj, "apa", url=self.case_url(obj))


class OrganisationSerializer(ModelSerializer):
    locality = LocalityRefSerializer(read_only=True, allow_null=True)
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="the parent organisation's id"
    )
    predecessor = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="the id of the organisation this one grew out of or replaced"
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "name_en",
            "aliases",
            "kind",
            "locality",
            "parent",
            "founded_date",
            "founded_precision",
            "founded_text",
            "name_basis",
            "predecessor",
        ]


class PersonSerializer(ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name", "name_en"]


class InitiativeSerializer(ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="the initiative this one is part of"
    )
    locality_codes = serializers.SerializerMethodField(help_text="codes (or id:N) of the places it covers")

    class Meta:
        model = Initiative
        fields = [
            "id",
            "name",
            "name_en",
            "aliases",
            "kind",
            "parent",
            "start_date",
            "start_precision",
            "start_text",
            "locality_codes",
        ]

    def get_locality_codes(self, obj: Initiative) -> list[str]:
        return [place.code or f"id:{place.pk}" for place in obj.localities.all()]


class SourceSerializer(ModelSerializer):
    byline = serializers.SerializerMethodField(help_text="the credits as printed, joined")

    class Meta:
        model = Source
        fields = [
            "id",
            "outlet",
            "column",
            "kicker",
            "headline",
            "subheadline",
            "kind",
            "publication_date",
            "publication_precision",
            "publication_text",
            "page",
            "url",
            "byline",
            "is_truncated",
            "intertitles",
            "accessed_date",
            "citation_gbt7714",
            "citation_apa",
        ]

    citation_gbt7714 = serializers.SerializerMethodField(help_text="GB/T 7714-2015 ([N] or [N/OL]), see docs/api.md")
    citation_apa = serializers.SerializerMethodField(help_text="APA 7, plain text")

    def get_byline(self, obj: Source) -> str:
        return " ".join(credit.as_printed for credit in obj.credits.all())

    def get_citation_gbt7714(self, obj: Source) -> str:
        return source_citation(obj, "gbt7714")

    def get_citation_apa(self, obj: Source) -> str:
        return source_citation(obj, "apa")


def source_line(outlet: str, headline: str, byline: str, date: datetime.date | None, date_text: str) -> str:
    """A metric's short citation: outlet, 《headline》, byline, date (as printed, else n.d.)."""
    date_part = date.isoformat() if date else date_text or "n.d."
    return ", ".join(part for part in (outlet, f"《{headline}》", byline, date_part) if part)


def _citation(source: Source | None) -> str:
    if source is None:
        return ""
    byline = " ".join(credit.as_printed for credit in source.credits.all())
    return source_line(source.outlet, source.headline, byline, source.publication_date, source.publication_text)


class MetricSerializer(ModelSerializer):
    """One observation per row (tidy long format): where, what, how much, when, and who says so."""

    case = serializers.SlugRelatedField(read_only=True, slug_field="public_id", allow_null=True)
    locality_code = serializers.SerializerMethodField(help_text="the metric's place, else its case's primary place")
    locality_full_name = serializers.SerializerMethodField()
    indicator = serializers.SlugRelatedField(read_only=True, slug_field="code")
    indicator_name_zh = serializers.CharField(source="indicator.name_zh", read_only=True)
    indicator_name_en = serializers.CharField(source="indicator.name_en", read_only=True)
    value = serializers.DecimalField(max_digits=18, decimal_places=4, coerce_to_string=False, read_only=True)
    value_upper = serializers.DecimalField(
        max_digits=18, decimal_places=4, coerce_to_string=False, read_only=True, allow_null=True
    )
    organisation = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    initiative = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    source_id = serializers.SerializerMethodField(help_text="the public source quoted as evidence")
    source_outlet = serializers.SerializerMethodField()
    source_headline = serializers.SerializerMethodField()
    source_publication_date = serializers.SerializerMethodField()
    source_publication_precision = serializers.SerializerMethodField()
    citation = serializers.SerializerMethodField(help_text="outlet, 《headline》, byline, date")

    class Meta:
        model = Metric
        fields = [
            "id",
            "case",
            "locality_code",
            "locality_full_name",
            "indicator",
            "indicator_name_zh",
            "indicator_name_en",
            *Metric.MEASURE_FIELDS,
            "period_kind",
            *PERIOD_FIELDS,
            "organisation",
            "initiative",
            "source_id",
            "source_outlet",
            "source_headline",
            "source_publication_date",
            "source_publication_precision",
            "citation",
        ]

    @staticmethod
    def _place(obj: Metric) -> Locality | None:
        if obj.locality_id:
            return obj.locality
        return obj.case.primary_locality if obj.case_id else None

    @staticmethod
    def _source(obj: Metric) -> Source | None:
        # Prefetched as ``public_evidence`` (public sources only), ordered by source and offset.
        evidence = getattr(obj, "public_evidence", [])
        return evidence[0].source if evidence else None

    def get_locality_code(self, obj: Metric) -> str | None:
        place = self._place(obj)
        return place.code if place else None

    def get_locality_full_name(self, obj: Metric) -> str | None:
        place = self._place(obj)
        return place.full_name if place else None

    def get_source_id(self, obj: Metric) -> int | None:
        source = self._source(obj)
        return source.pk if source else None

    def get_source_outlet(self, obj: Metric) -> str | None:
        source = self._source(obj)
        return source.outlet if source else None

    def get_source_headline(self, obj: Metric) -> str | None:
        source = self._source(obj)
        return source.headline if source else None

    def get_source_publication_date(self, obj: Metric) -> str | None:
        source = self._source(obj)
        return source.publication_date.isoformat() if source and source.publication_date else None

    def get_source_publication_precision(self, obj: Metric) -> str | None:
        source = self._source(obj)
        return source.publication_precision if source else None

    def get_citation(self, obj: Metric) -> str:
        return _citation(self._source(obj))
