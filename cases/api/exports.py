"""Whole-table CSV rows read as plain column values, for the exports where a serializer per row
is the cost: the metrics table (tidy long format, often 10k rows and more).

A ``MetricSerializer`` and the five model instances it reads cost about 0.45 ms a metric; here a
chunk of metrics is one ``values_list`` query, its first public quote and source one more, the
sources' bylines a third. The columns are ``MetricSerializer``'s and each value is the one it
writes: ``tests/api/test_csv.py`` compares the two exports byte for byte.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.db.models import QuerySet

from cases.api.serializers import source_line
from cases.models import PERIOD_FIELDS, Evidence, Metric, SourceCredit

CHUNK_ROWS = 1000

# In this order: the row tuple below reads them by position.
METRIC_VALUES = (
    "id",
    "case__public_id",
    "locality_id",
    "locality__code",
    "locality__full_name",
    "case__primary_locality__code",
    "case__primary_locality__full_name",
    "indicator__code",
    "indicator__name_zh",
    "indicator__name_en",
    *Metric.MEASURE_FIELDS,
    "period_kind",
    *PERIOD_FIELDS,
    "organisation_id",
    "initiative_id",
)

NO_SOURCE = (None, None, None, None, None, "")


def metric_rows(queryset: QuerySet) -> Iterator[tuple[Any, ...]]:
    """The filtered metrics as tuples in ``MetricSerializer.Meta.fields`` order, CHUNK_ROWS at a time."""
    values = queryset.prefetch_related(None).values_list(*METRIC_VALUES).iterator(chunk_size=CHUNK_ROWS)
    while chunk := list(islice(values, CHUNK_ROWS)):
        sources = first_public_sources([row[0] for row in chunk])
        for row in chunk:
            yield metric_row(row, sources.get(row[0], NO_SOURCE))


def metric_row(row: tuple[Any, ...], source: tuple[Any, ...]) -> tuple[Any, ...]:
    """A ``METRIC_VALUES`` row and its first source (``first_sources``) in the serializer's field order."""
    # The metric's own place, else its case's primary place (MetricSerializer._place).
    place = row[3:5] if row[2] else row[5:7]
    return (row[0], row[1], *place, *row[7:], *source)


# A quote's source as rows carry it: id, outlet, headline, date, precision and printed date.
SOURCE_VALUES = (
    "source_id",
    "source__outlet",
    "source__headline",
    "source__publication_date",
    "source__publication_precision",
    "source__publication_text",
)

# In this order: first_sources reads them by position.
QUOTE_VALUES = ("metric_id", *SOURCE_VALUES)


def first_public_sources(metric_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """Per metric, the source of its first public quote (in ``Evidence`` order, as the serializer's
    ``public_evidence`` prefetch has it): id, outlet, headline, date, precision and citation."""
    quotes = Evidence.objects.public().filter(metric_id__in=metric_ids).order_by("source", "start")
    first: dict[int, tuple[Any, ...]] = {}
    for metric_id, *source in quotes.values_list(*QUOTE_VALUES):
        first.setdefault(metric_id, tuple(source))
    bylines = defaultdict(list)
    credits = SourceCredit.objects.filter(source_id__in={source[0] for source in first.values()})
    for source_id, printed in credits.order_by("source_id", "order", "pk").values_list("source_id", "as_printed"):
        bylines[source_id].append(printed)
    return first_sources(first, bylines)


def first_sources(first: dict[int, tuple[Any, ...]], bylines: dict[int, list[str]]) -> dict[int, tuple[Any, ...]]:
    """Per metric, from its first quote's ``QUOTE_VALUES`` (less the metric id) and the sources'
    bylines: the source's id, outlet, headline, date, precision and citation."""
    return {
        metric_id: (
            source_id,
            outlet,
            headline,
            date.isoformat() if date else None,
            precision,
            source_line(outlet, headline, " ".join(bylines.get(source_id, ())), date, text),
        )
        for metric_id, (source_id, outlet, headline, date, precision, text) in first.items()
    }
