"""What anonymous users may see: the single source of truth for every public path.

A case is public when it is published. Every other fact is public only when it is attached to a
published case (directly, through a public initiative, or as a byline on a public source); the
API, exports, statistics and search all start from these querysets, so a draft never leaks
through a nested object or a count.

Models are imported inside the methods because this module is imported by the model modules.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q


def _published_status() -> str:
    from cases.models.cases import Status

    return Status.PUBLISHED


class LocalityVisibility:
    def public(self) -> models.QuerySet:
        """Gazetteer places (coded) and uncoded places at or above a published case's locality.

        Communities and compounds an editor adds for a draft case stay hidden until the case is
        published; their names can be as telling as the case itself.
        """
        from cases.models.cases import Case

        published = Case.objects.published()
        above_primary = published.filter(primary_locality__path__startswith=OuterRef("path"))
        above_further = published.filter(localities__path__startswith=OuterRef("path"))
        return self.filter(Q(code__isnull=False) | Exists(above_primary) | Exists(above_further))


class OrganisationVisibility:
    def public(self) -> models.QuerySet:
        """Organisations with a role in a published case, in a public initiative, or credited on a public source."""
        from cases.models.cases import CaseOrganisation
        from cases.models.facts import InitiativeParticipant
        from cases.models.sources import SourceCredit

        # Correlated EXISTS that join down foreign-key indexes from the organisation: a few index
        # seeks per row, for a page and for a count alike. (An ``initiative__in=<published links>``
        # list here let SQLite probe the whole list for every organisation: quadratic at scale.)
        published = _published_status()
        in_cases = CaseOrganisation.objects.filter(organisation=OuterRef("pk"), case__status=published)
        in_initiatives = InitiativeParticipant.objects.filter(
            organisation=OuterRef("pk"), initiative__cases__status=published
        )
        credited = SourceCredit.objects.filter(organisation=OuterRef("pk"), source__cases__status=published)
        return self.filter(Exists(in_cases) | Exists(in_initiatives) | Exists(credited))


class PersonQuerySet(models.QuerySet):
    def public(self) -> PersonQuerySet:
        """People named in a published case or credited on a public source."""
        from cases.models.cases import Case
        from cases.models.sources import SourceCredit

        # Joins down from the person, as in OrganisationVisibility.public.
        published = _published_status()
        in_cases = Case.people.through.objects.filter(person=OuterRef("pk"), case__status=published)
        credited = SourceCredit.objects.filter(person=OuterRef("pk"), source__cases__status=published)
        return self.filter(Exists(in_cases) | Exists(credited))


class InitiativeQuerySet(models.QuerySet):
    def public(self) -> InitiativeQuerySet:
        """Initiatives attached to a published case."""
        from cases.models.cases import Case

        in_cases = Case.initiatives.through.objects.filter(initiative=OuterRef("pk"), case__status=_published_status())
        return self.filter(Exists(in_cases))


class SourceQuerySet(models.QuerySet):
    def public(self) -> SourceQuerySet:
        """Sources cited by a published case."""
        from cases.models.cases import Case

        in_cases = Case.sources.through.objects.filter(source=OuterRef("pk"), case__status=_published_status())
        return self.filter(Exists(in_cases))


class MetricQuerySet(models.QuerySet):
    def of_published_cases(self) -> MetricQuerySet:
        """Metrics of a published case: the public metrics a case's own page lists (``public()``
        without the metrics that have no case, which no case lists).

        PostgreSQL plans ``public()``'s EXISTS branches on every prefetch (12 ms at 20k cases, for
        a query that runs in under one); this one condition it plans at once.
        """
        return self.filter(case__status=_published_status())

    def public(self) -> MetricQuerySet:
        """Metrics of a published case; a metric without a case when its organisation or
        initiative is public or a public source evidences it. A draft case's metrics stay hidden."""
        from cases.models.actors import Organisation
        from cases.models.facts import Initiative
        from cases.models.sources import Evidence

        # Correlated EXISTS, evaluated only for the rare metric without a case: the common case is
        # decided by its case's status alone.
        evidenced = Evidence.objects.filter(metric=OuterRef("pk"), source__cases__status=_published_status())
        caseless = Q(case__isnull=True) & (
            Exists(Organisation.objects.public().filter(pk=OuterRef("organisation_id")))
            | Exists(Initiative.objects.public().filter(pk=OuterRef("initiative_id")))
            | Exists(evidenced)
        )
        return self.filter(Q(case__status=_published_status()) | caseless)


class EvidenceQuerySet(models.QuerySet):
    def public(self) -> EvidenceQuerySet:
        """Quotes from public sources (whether the page showing them is public is its case's or
        metric's call). A case may quote a source it does not cite; that source may be a draft's."""
        from cases.models.sources import Source

        return self.filter(Exists(Source.objects.public().filter(pk=OuterRef("source_id"))))


class PositionQuerySet(models.QuerySet):
    def public(self) -> PositionQuerySet:
        """Posts in no organisation or in a public one (the person's own visibility is the caller's)."""
        from cases.models.actors import Organisation

        in_public = Exists(Organisation.objects.public().filter(pk=OuterRef("organisation_id")))
        return self.filter(Q(organisation__isnull=True) | in_public)
