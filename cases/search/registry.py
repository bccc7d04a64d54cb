"""Every indexed record type, declared once: the one list the rest of search reads.

An ``IndexedType`` says what a type's documents are made of (its model and document builder),
who may see them (its visibility queryset, from ``cases.models.visibility``), how it ranks
against the other types (its weight), where a result links to (its API and site URL names and
the attribute they take), and which documents to refresh when one of its rows changes. The
signals, the index builder (``rebuild``, ``reindex``), the ranking, the API's ``/search/`` and the
admin's search box all read ``TYPES``; ``FEEDS`` names the models that are not indexed themselves
but whose rows appear in other types' documents.

Adding a type: a ``DocumentType`` choice (the stored vocabulary), a builder in ``documents.py``,
its dependency rule in ``dependents.py``, and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models

from cases.models import (
    Case,
    CaseOrganisation,
    DocumentType,
    Evidence,
    Initiative,
    InitiativeParticipant,
    Organisation,
    Person,
    Position,
    Source,
    SourceCredit,
)
from cases.search import dependents, documents
from cases.search.dependents import Keys
from cases.search.index import deferred, mark


@dataclass(frozen=True)
class IndexedType:
    object_type: str
    model: type[models.Model]
    # The records anonymous users may see: the model's own rule, so the index cannot disagree with the API.
    public: Callable[[], models.QuerySet]
    # (ids, public ids or None) → DocumentData, a fixed number of queries per batch.
    build: Callable[[list[int], set[int] | None], list[documents.DocumentData]]
    # Scales a score across types (see backends.TYPE_WEIGHTS for why).
    weight: float
    # URL names of the record's API and site detail pages, and the attribute both take.
    api_route: str
    site_route: str
    dependents: Callable[[models.Model], Keys]
    url_key: str = "pk"
    # Many rows at once (bulk writes), when cheaper than one row at a time.
    bulk_dependents: Callable[[set[int]], Keys] | None = None


# In indexing order (rebuild writes documents in it).
TYPES: dict[str, IndexedType] = {
    entry.object_type: entry
    for entry in (
        IndexedType(
            DocumentType.CASE,
            Case,
            public=lambda: Case.objects.published(),
            build=documents.build_cases,
            weight=1.0,
            api_route="api:case-detail",
            site_route="site:case",
            dependents=dependents.of_case,
            url_key="public_id",
            bulk_dependents=dependents.case_dependents,
        ),
        IndexedType(
            DocumentType.ORGANISATION,
            Organisation,
            public=lambda: Organisation.objects.public(),
            build=documents.build_organisations,
            weight=0.3,
            api_route="api:organisation-detail",
            site_route="site:organisation",
            dependents=dependents.of_organisation,
        ),
        IndexedType(
            DocumentType.INITIATIVE,
            Initiative,
            public=lambda: Initiative.objects.public(),
            build=documents.build_initiatives,
            weight=0.4,
            api_route="api:initiative-detail",
            site_route="site:initiative",
            dependents=dependents.of_initiative,
        ),
        IndexedType(
            DocumentType.SOURCE,
            Source,
            public=lambda: Source.objects.public(),
            build=documents.build_sources,
            weight=0.6,
            api_route="api:source-detail",
            site_route="site:source",
            dependents=dependents.of_source,
        ),
    )
}

# Models whose rows appear in other types' documents, and the documents each row feeds.
FEEDS: dict[type[models.Model], Callable[[models.Model], Keys]] = {
    Person: dependents.of_person,
    Position: dependents.of_position,
    Evidence: dependents.of_evidence,
    CaseOrganisation: dependents.of_case_organisation,
    InitiativeParticipant: dependents.of_participant,
    SourceCredit: dependents.of_credit,
}

BY_MODEL: dict[type[models.Model], IndexedType] = {entry.model: entry for entry in TYPES.values()}

# Writers outside search (seed loading, imports) need only this module: ``deferred()`` collects the
# refreshes their writes cause and runs each once, at the block's end; ``refresh_objects`` covers
# the writes that send no signals.
__all__ = [
    "BY_MODEL",
    "FEEDS",
    "TYPES",
    "IndexedType",
    "affected",
    "deferred",
    "indexed_type",
    "public_ids",
    "refresh_objects",
    "watched_models",
]


def indexed_type(object_type: str) -> IndexedType:
    """The declaration of ``object_type``; a ``KeyError`` naming the known types otherwise."""
    try:
        return TYPES[object_type]
    except KeyError:
        raise KeyError(f"unknown document type {object_type!r}; expected one of {', '.join(TYPES)}") from None


def watched_models() -> list[type[models.Model]]:
    """Every model whose writes may change a document: the indexed ones, then those feeding them."""
    return [*BY_MODEL, *FEEDS]


def affected(instance: models.Model) -> Keys:
    """Searchable records whose document depends on ``instance``."""
    entry = BY_MODEL.get(type(instance))
    if entry is not None:
        return entry.dependents(instance)
    feeds = FEEDS.get(type(instance))
    return feeds(instance) if feeds is not None else {}


def public_ids(object_type: str, ids: Iterable[int] | None = None) -> set[int]:
    """Ids of the records anonymous users may see (among ``ids``, or all when ``ids`` is None)."""
    queryset = indexed_type(object_type).public()
    if ids is not None:
        queryset = queryset.filter(pk__in=set(ids))
    return set(queryset.values_list("pk", flat=True))


def refresh_objects(model: type[models.Model], ids: Iterable[int]) -> None:
    """Refresh every document that depends on these rows of ``model`` (after writes that bypassed
    signals: ``bulk_create``, ``QuerySet.update()``); inside ``index.deferred()`` once, at its end."""
    ids = set(ids)
    entry = BY_MODEL.get(model)
    if entry is not None and entry.bulk_dependents is not None:
        keys = entry.bulk_dependents(ids)
    else:
        keys = dependents.merged(*(affected(instance) for instance in model._default_manager.filter(pk__in=ids)))
    for object_type, found in keys.items():
        mark(object_type, found)
