"""The domain model. Import from here: ``from cases.models import Case, Locality``."""

from __future__ import annotations

from cases.models.actors import PARTY_KINDS, NameBasis, Organisation, OrganisationKind, Person, Position
from cases.models.cases import Case, CaseOrganisation, Status
from cases.models.dates import PERIOD_FIELDS, DatePrecision
from cases.models.facts import (
    Indicator,
    Initiative,
    InitiativeKind,
    InitiativeParticipant,
    Metric,
    ParticipantRole,
    PeriodKind,
    Qualifier,
    Theme,
)
from cases.models.ingest import Candidate, CandidateStatus, FactType  # noqa: F401 (registers the model)
from cases.models.places import Level, Locality, LocalityAlias
from cases.models.search import DocumentType, SearchDocument
from cases.models.sources import CreditRole, Document, Evidence, Source, SourceCredit, SourceKind

__all__ = [
    "PARTY_KINDS",
    "PERIOD_FIELDS",
    "Case",
    "CaseOrganisation",
    "CreditRole",
    "DatePrecision",
    "Document",
    "DocumentType",
    "Evidence",
    "Indicator",
    "Initiative",
    "InitiativeKind",
    "InitiativeParticipant",
    "Level",
    "Locality",
    "LocalityAlias",
    "Metric",
    "NameBasis",
    "Organisation",
    "OrganisationKind",
    "ParticipantRole",
    "PeriodKind",
    "Person",
    "Position",
    "Qualifier",
    "SearchDocument",
    "Source",
    "SourceCredit",
    "SourceKind",
    "Status",
    "Theme",
]
