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
        from cases.models.facts import Initiative, InitiativeParticipant
        from cases.models.sources import Source, SourceCredit

        in_cases = CaseOrganisation.objects.filter(case__status=_published_status()).values("organisation_id")
        in_initiatives = InitiativeParticipant.objects.filter(initiative__in=Initiative.objects.public()).values(
            "organisation_id"
        )
        credited = SourceCredit.objects.filter(source__in=Source.objects.public(), organisation__isnull=False).values(
            "organisation_id"
        )
        return self.filter(Q(pk__in=in_cases) | Q(pk__in=in_initiatives) | Q(pk__in=credited))


class PersonQuerySet(models.QuerySet):
    def public(self) -> PersonQuerySet:
        """People named in a published case or credited on a public source."""
        from cases.models.cases import Case
        from cases.models.sources import Source, SourceCredit

        in_cases = Case.people.through.objects.filter(case__status=_published_status()).values("person_id")
        credited = SourceCredit.objects.filter(source__in=Source.objects.public(), person__isnull=False).values(
            "person_id"
        )
        return self.filter(Q(pk__in=in_cases) | Q(pk__in=credited))


class InitiativeQuerySet(models.QuerySet):
    def public(self) -> InitiativeQuerySet:
        """Initiatives attached to a published case."""
        from cases.models.cases import Case

        in_cases = Case.initiatives.through.objects.filter(case__status=_published_status()).values("initiative_id")
        return self.filter(pk__in=in_cases)


class SourceQuerySet(models.QuerySet):
    def public(self) -> SourceQuerySet:
        """Sources cited by a published case."""
        from cases.models.cases import Case

        in_cases = Case.sources.through.objects.filter(case__status=_published_status()).values("source_id")
        return self.filter(pk__in=in_cases)


class MetricQuerySet(models.QuerySet):
    def public(self) -> MetricQuerySet:
        """Metrics of a published case; a metric without a case when its organisation or
        initiative is public or a public source evidences it. A draft case's metrics stay hidden."""
        from cases.models.actors import Organisation
        from cases.models.facts import Initiative
        from cases.models.sources import Evidence, Source

        evidenced = Evidence.objects.filter(metric__isnull=False, source__in=Source.objects.public()).values(
            "metric_id"
        )
        caseless = Q(case__isnull=True) & (
            Q(organisation__in=Organisation.objects.public())
            | Q(initiative__in=Initiative.objects.public())
            | Q(pk__in=evidenced)
        )
        return self.filter(Q(case__status=_published_status()) | caseless)
