"""Detail serializers: one object with what hangs off it, each nested list pre-filtered to public
rows by the view's prefetches (see views.py)."""

from __future__ import annotations

from rest_framework import serializers

from cases.api.serializers import (
    CaseSerializer,
    InitiativeSerializer,
    LocalityRefSerializer,
    LocalitySerializer,
    MetricSerializer,
    ModelSerializer,
    OrganisationSerializer,
    PersonSerializer,
    Serializer,
    SourceSerializer,
    ThemeSerializer,
)
from cases.citations import case_citation, source_citation
from cases.models import (
    CaseOrganisation,
    Evidence,
    Initiative,
    InitiativeParticipant,
    Position,
    Source,
    SourceCredit,
)


class CaseRefSerializer(Serializer):
    public_id = serializers.CharField()
    title_zh = serializers.CharField()


class NamedRefSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class InitiativeRefSerializer(ModelSerializer):
    class Meta:
        model = Initiative
        fields = ["id", "name", "name_en", "kind"]


class CaseOrganisationSerializer(ModelSerializer):
    id = serializers.IntegerField(source="organisation.id")
    name = serializers.CharField(source="organisation.name")
    name_en = serializers.CharField(source="organisation.name_en")
    kind = serializers.CharField(source="organisation.kind")

    class Meta:
        model = CaseOrganisation
        fields = ["id", "name", "name_en", "kind", "role"]


class PositionSerializer(ModelSerializer):
    organisation = NamedRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Position
        fields = ["title", "title_en", "organisation", "as_of_date", "as_of_precision", "as_of_text"]


class PersonWithPostsSerializer(PersonSerializer):
    posts = PositionSerializer(many=True, read_only=True, source="public_positions")

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "posts"]


class CitationSerializer(SourceSerializer):
    class Meta(SourceSerializer.Meta):
        fields = [
            "id",
            "outlet",
            "headline",
            "byline",
            "publication_date",
            "publication_precision",
            "publication_text",
        ]


class CaseSourceSerializer(CitationSerializer):
    """A case's source, with its GB/T 7714 citation (the evidence's sources leave it out: one query less)."""

    class Meta(CitationSerializer.Meta):
        fields = [*CitationSerializer.Meta.fields, "citation_gbt7714"]


# Summary fields added after the detail's own fields existed: on a detail page they come at the end.
LATER_SUMMARY_FIELDS = ("accessed_date", "citation_gbt7714", "citation_apa")


def _before_citations(fields: list[str]) -> list[str]:
    return [name for name in fields if name not in LATER_SUMMARY_FIELDS]


def _later(fields: list[str]) -> list[str]:
    return [name for name in LATER_SUMMARY_FIELDS if name in fields]


class FullCitationsMixin(Serializer):
    """BibTeX and CSL-JSON citations, on detail pages (the summary rows carry GB/T 7714 and APA)."""

    citation_bibtex = serializers.SerializerMethodField(help_text="a BibTeX entry")
    citation_csl = serializers.SerializerMethodField(help_text="a CSL-JSON item (Zotero, pandoc)")

    def _cite(self, obj, style: str):
        raise NotImplementedError

    def get_citation_bibtex(self, obj) -> str:
        return self._cite(obj, "bibtex")

    def get_citation_csl(self, obj) -> dict:
        return self._cite(obj, "csl")


class EvidenceSerializer(ModelSerializer):
    source = CitationSerializer(read_only=True)

    class Meta:
        model = Evidence
        fields = ["quote", "claim", "start", "end", "source"]


class CaseDetailSerializer(FullCitationsMixin, CaseSerializer):
    localities = LocalityRefSerializer(many=True, read_only=True, help_text="further localities")
    themes = ThemeSerializer(many=True, read_only=True)
    initiatives = InitiativeRefSerializer(many=True, read_only=True)
    organisations = CaseOrganisationSerializer(many=True, read_only=True, source="case_organisations")
    people = PersonWithPostsSerializer(many=True, read_only=True)
    metrics = MetricSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    sources = CaseSourceSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [
            *_before_citations(CaseSerializer.Meta.fields),
            "summary_zh",
            "summary_en",
            "localities",
            "initiatives",
            "organisations",
            "people",
            "metrics",
            "evidence",
            "sources",
            *_later(CaseSerializer.Meta.fields),
            "citation_bibtex",
            "citation_csl",
        ]

    def _cite(self, obj, style: str):
        return case_citation(obj, style, url=self.case_url(obj))


class LocalityDetailSerializer(LocalitySerializer):
    aliases = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta(LocalitySerializer.Meta):
        fields = [*LocalitySerializer.Meta.fields, "aliases", "note"]


class OrganisationDetailSerializer(OrganisationSerializer):
    cases = CaseRefSerializer(many=True, read_only=True, source="published_cases")
    initiatives = InitiativeRefSerializer(many=True, read_only=True, source="public_initiatives")

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "description", "cases", "initiatives"]


class PersonDetailSerializer(PersonWithPostsSerializer):
    cases = CaseRefSerializer(many=True, read_only=True, source="published_cases")

    class Meta(PersonWithPostsSerializer.Meta):
        fields = [*PersonWithPostsSerializer.Meta.fields, "note", "cases"]


class ParticipantSerializer(ModelSerializer):
    id = serializers.IntegerField(source="organisation.id")
    name = serializers.CharField(source="organisation.name")
    kind = serializers.CharField(source="organisation.kind")

    class Meta:
        model = InitiativeParticipant
        fields = ["id", "name", "kind", "role", "note"]


class InitiativeDetailSerializer(InitiativeSerializer):
    participants = ParticipantSerializer(many=True, read_only=True)
    cases = CaseRefSerializer(many=True, read_only=True, source="published_cases")

    class Meta(InitiativeSerializer.Meta):
        fields = [*InitiativeSerializer.Meta.fields, "description", "participants", "cases"]


class CreditSerializer(ModelSerializer):
    person = NamedRefSerializer(read_only=True, allow_null=True)
    organisation = NamedRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = SourceCredit
        fields = ["role", "as_printed", "person", "organisation"]


class SourceDetailSerializer(FullCitationsMixin, SourceSerializer):
    credits = CreditSerializer(many=True, read_only=True)
    cases = CaseRefSerializer(many=True, read_only=True, source="published_cases")

    class Meta(SourceSerializer.Meta):
        model = Source
        fields = [
            *_before_citations(SourceSerializer.Meta.fields),
            "editorial_note",
            "text",
            "credits",
            "cases",
            *_later(SourceSerializer.Meta.fields),
            "citation_bibtex",
            "citation_csl",
        ]

    def _cite(self, obj, style: str):
        return source_citation(obj, style)
