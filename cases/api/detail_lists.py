"""A case detail's nested lists read as plain column values, for ``GET /api/v1/cases/<id>/``.

Prefetching them as model instances cost a detail most of its time: ten querysets cloned,
filtered and compiled on every request (SQL compilation alone 43% at 20,000 cases, the queries
themselves 3%), then a nested serializer per list. Here each list is a ``Statement`` (compiled once
per process from the same visibility querysets the prefetches use, ``cases.api.prefetch``) and its
rows become the dicts the nested serializer of ``CaseDetailSerializer`` writes, value for value.
The case's sources stay model instances (their citations are written from them), built from two
more statements' rows and put where ``prefetch_related`` would have put them (``case_sources``):
prefetching the sources and their credits was half a detail's time, compiling two querysets.

``tests/api/test_response_bytes.py`` compares every case's detail, anonymous and staff, with
the one ``CaseDetailSerializer`` writes from the prefetched objects, byte for byte.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model, QuerySet
from rest_framework import serializers

from cases.api import prefetch
from cases.api.detail import CaseDetailSerializer
from cases.api.exports import METRIC_VALUES, NO_SOURCE, QUOTE_VALUES, SOURCE_VALUES, first_sources, metric_row
from cases.api.serializers import MetricSerializer
from cases.models import Case, Evidence, Initiative, Locality, Organisation, Person, Source, SourceCredit, Theme
from cases.statements import Statement

# The lists this module writes; the case's sources come from the prefetched objects.
PREPARED_LISTS = ("localities", "themes", "initiatives", "organisations", "people", "metrics", "evidence")


def _one(case_id: int) -> list[int]:
    # ``__in`` with one id: the SQL of the prefetch it replaces, so the database orders rows alike.
    return [case_id]


LOCALITIES = Statement(
    lambda case_id: Locality.objects.filter(cases__in=_one(case_id)).values("id", "code", "name", "full_name", "level")
)
THEMES = Statement(
    lambda case_id: Theme.objects.filter(cases__in=_one(case_id)).values("code", "name_zh", "name_en", "description")
)
INITIATIVES = Statement(
    lambda case_id: Initiative.objects.filter(cases__in=_one(case_id)).values("id", "name", "name_en", "kind")
)
ORGANISATIONS = Statement(
    lambda case_id: Case.organisations.through.objects.filter(case__in=_one(case_id)).values(
        "organisation_id", "organisation__name", "organisation__name_en", "organisation__kind", "role"
    )
)
PEOPLE = Statement(lambda case_id: Person.objects.filter(cases__in=_one(case_id)).values("id", "name", "name_en"))
POSITION_VALUES = (
    "person_id",
    "title",
    "title_en",
    "organisation_id",
    "organisation__name",
    "as_of_date",
    "as_of_precision",
    "as_of_text",
)


def _positions(public_facts: bool) -> Statement:
    return Statement(
        lambda case_id: (
            prefetch.public_positions(public_only=public_facts)
            .queryset.filter(person__cases__in=_one(case_id))
            .values(*POSITION_VALUES)
        )
    )


def _metrics(public_facts: bool) -> Statement:
    return Statement(
        lambda case_id: (
            prefetch.case_metrics(public_facts=public_facts)
            .prefetch_related(None)
            .filter(case__in=_one(case_id))
            .values(*METRIC_VALUES)
        )
    )


def _evidence_base(public_facts: bool):
    return prefetch.public_evidence(public_only=public_facts).queryset.prefetch_related(None)


def _metric_quotes(public_facts: bool) -> Statement:
    # The metrics' quotes: the detail's metrics are all of the case's (``case_metrics``).
    return Statement(
        lambda case_id: _evidence_base(public_facts).filter(metric__case__in=_one(case_id)).values(*QUOTE_VALUES)
    )


EVIDENCE_VALUES = ("quote", "claim", "start", "end", *SOURCE_VALUES)


def _evidence(public_facts: bool) -> Statement:
    return Statement(
        lambda case_id: _evidence_base(public_facts).filter(case__in=_one(case_id)).values(*EVIDENCE_VALUES)
    )


# The bylines of every source quoted on the page, by the case or by its metrics.
QUOTED_CREDITS = Statement(
    lambda case_id: (
        SourceCredit.objects.filter(
            source__in=Evidence.objects.filter(case__in=_one(case_id))
            .order_by()
            .values("source_id")
            .union(Evidence.objects.filter(metric__case__in=_one(case_id)).order_by().values("source_id"))
        )
        .order_by("source_id", "order", "pk")
        .values("source_id", "as_printed")
    )
)


def _columns(model: type[Model], through: str = "") -> list[str]:
    return [f"{through}{field.attname}" for field in model._meta.concrete_fields]


SOURCE_COLUMNS = _columns(Source)
SOURCES = Statement(lambda case_id: Source.objects.filter(cases__in=_one(case_id)).values(*SOURCE_COLUMNS))
CREDIT_COLUMNS = (_columns(SourceCredit), _columns(Person, "person__"), _columns(Organisation, "organisation__"))
# The credits of the case's sources, in the order the prefetch reads them (SourceCredit's own).
CREDITS = Statement(
    lambda case_id: SourceCredit.objects.filter(
        source__in=Source.objects.filter(cases__in=_one(case_id)).order_by().values("pk")
    ).values(*(name for columns in CREDIT_COLUMNS for name in columns))
)


def _instance(model: type[Model], row: dict[str, Any], columns: list[str]) -> Model | None:
    values = [row[name] for name in columns]
    if values[0] is None:  # no related row (a credit without a person): the primary key is null
        return None
    return model.from_db(DEFAULT_DB_ALIAS, _columns(model), values)


def _as_prefetched(model: type[Model], objects: list[Model]) -> QuerySet:
    """A queryset already holding ``objects``, as ``prefetch_related`` leaves one in an instance's cache."""
    queryset = model._default_manager.all()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    return queryset


def case_sources(case: Case) -> None:
    """The case's sources with their credits and the credited people and organisations, in the
    caches ``prefetch_related("sources__credits__person", …)`` fills: ``case.sources.all()`` and
    each ``source.credits.all()`` read them without a query."""
    credit_columns, person_columns, organisation_columns = CREDIT_COLUMNS
    credits: dict[int, list[SourceCredit]] = defaultdict(list)
    for row in CREDITS.rows(case.pk):
        credit = _instance(SourceCredit, row, credit_columns)
        credit.person = _instance(Person, row, person_columns)
        credit.organisation = _instance(Organisation, row, organisation_columns)
        credits[credit.source_id].append(credit)
    sources = [_instance(Source, row, SOURCE_COLUMNS) for row in SOURCES.rows(case.pk)]
    for source in sources:
        source._prefetched_objects_cache = {"credits": _as_prefetched(SourceCredit, credits.get(source.pk, []))}
    case._prefetched_objects_cache = {
        **getattr(case, "_prefetched_objects_cache", {}),
        "sources": _as_prefetched(Source, sources),
    }


STATEMENTS = {
    public_facts: {
        "positions": _positions(public_facts),
        "metrics": _metrics(public_facts),
        "metric_quotes": _metric_quotes(public_facts),
        "evidence": _evidence(public_facts),
    }
    for public_facts in (True, False)
}


def every_statement() -> list[Statement]:
    return [LOCALITIES, THEMES, INITIATIVES, ORGANISATIONS, PEOPLE, QUOTED_CREDITS, SOURCES, CREDITS] + [
        statement for by_name in STATEMENTS.values() for statement in by_name.values()
    ]


# The serializer's own decimal fields: their rounding is the API's.
VALUE = MetricSerializer._declared_fields["value"]


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def case_lists(case_id: int, *, public_facts: bool) -> dict[str, list[Any]]:
    """The nested lists of the case's detail, ``public_facts`` as for ``prefetch.case_details``."""
    statements = STATEMENTS[public_facts]
    bylines: dict[int, list[str]] = defaultdict(list)
    for credit in QUOTED_CREDITS.rows(case_id):
        bylines[credit["source_id"]].append(credit["as_printed"])
    posts: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for post in statements["positions"].rows(case_id):
        organisation = post["organisation_id"]
        posts[post["person_id"]].append(
            {
                "title": post["title"],
                "title_en": post["title_en"],
                "organisation": {"id": organisation, "name": post["organisation__name"]} if organisation else None,
                "as_of_date": _iso(post["as_of_date"]),
                "as_of_precision": post["as_of_precision"],
                "as_of_text": post["as_of_text"],
            }
        )
    return {
        "localities": LOCALITIES.rows(case_id),
        "themes": THEMES.rows(case_id),
        "initiatives": INITIATIVES.rows(case_id),
        "organisations": [
            {
                "id": row["organisation_id"],
                "name": row["organisation__name"],
                "name_en": row["organisation__name_en"],
                "kind": row["organisation__kind"],
                "role": row["role"],
            }
            for row in ORGANISATIONS.rows(case_id)
        ],
        "people": [{**person, "posts": posts.get(person["id"], [])} for person in PEOPLE.rows(case_id)],
        "metrics": _metric_dicts(case_id, statements, bylines),
        "evidence": [
            {
                "quote": row["quote"],
                "claim": row["claim"],
                "start": row["start"],
                "end": row["end"],
                "source": {
                    "id": row["source_id"],
                    "outlet": row["source__outlet"],
                    "headline": row["source__headline"],
                    "byline": " ".join(bylines.get(row["source_id"], ())),
                    "publication_date": _iso(row["source__publication_date"]),
                    "publication_precision": row["source__publication_precision"],
                    "publication_text": row["source__publication_text"],
                },
            }
            for row in statements["evidence"].rows(case_id)
        ],
    }


def _metric_dicts(case_id: int, statements: dict[str, Statement], bylines: dict[int, list[str]]) -> list[dict]:
    first: dict[int, tuple[Any, ...]] = {}
    for quote in statements["metric_quotes"].rows(case_id):
        first.setdefault(quote["metric_id"], tuple(quote[name] for name in QUOTE_VALUES[1:]))
    sources = first_sources(first, bylines)
    fields = MetricSerializer.Meta.fields
    metrics = []
    for values in statements["metrics"].rows(case_id):
        row = dict(zip(fields, metric_row(tuple(values.values()), sources.get(values["id"], NO_SOURCE)), strict=True))
        row["value"] = VALUE.to_representation(row["value"])
        if row["value_upper"] is not None:
            row["value_upper"] = VALUE.to_representation(row["value_upper"])
        row["period_start_date"] = _iso(row["period_start_date"])
        row["period_end_date"] = _iso(row["period_end_date"])
        metrics.append(row)
    return metrics


class PreparedList(serializers.Field):
    """A nested list of ``case.detail_lists`` (``case_lists``), written as it is."""

    def __init__(self, **kwargs) -> None:
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, case: Case) -> list[Any]:
        return case.detail_lists[self.field_name]


class PreparedCaseDetailSerializer(CaseDetailSerializer):
    """``CaseDetailSerializer``'s fields in its order; the lists in ``PREPARED_LISTS`` ready-made.

    The schema documents ``CaseDetailSerializer``; this one only writes the same bytes faster.
    """

    localities = PreparedList()
    themes = PreparedList()
    initiatives = PreparedList()
    organisations = PreparedList()
    people = PreparedList()
    metrics = PreparedList()
    evidence = PreparedList()
