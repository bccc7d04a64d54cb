"""The visibility-filtered querysets the API views prefetch and list, built once per process.

Building such a queryset costs more than running it: ``Metric.objects.public()`` resolves nested
EXISTS subqueries into a WHERE tree, and a case detail prefetches ten querysets like it (building
them was 30% of the request's time at 20k cases). Each builder here runs once per
process (per arguments) and every call hands out a copy: querysets cloned with ``.all()``, Prefetch
objects made anew around the clones, nested prefetches copied the same way.

The built querysets are never evaluated nor handed out themselves: prefetching adds hints (the
instance) and sticky filters to the queryset it is given, so each request needs its own clone, and
a clone of an unevaluated queryset shares no results with it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Prefetch, QuerySet

from cases.models import Case, Evidence, Initiative, Metric, Person, Position

Built = TypeVar("Built")


def copied(value: Built) -> Built:
    """A request's own copy of a built queryset, Prefetch or tuple of lookups (strings as they are)."""
    if isinstance(value, QuerySet):
        # Django keeps a queryset's prefetch lookups here; there is no public reader.
        nested = value._prefetch_related_lookups
        if not nested:
            return value.all()
        return value.prefetch_related(None).prefetch_related(*map(copied, nested))
    if isinstance(value, Prefetch) and value.queryset is not None:
        return Prefetch(value.prefetch_through, queryset=copied(value.queryset), to_attr=value.to_attr)
    if isinstance(value, tuple):
        return tuple(map(copied, value))
    return value


def built_once(build: Callable[..., Built]) -> Callable[..., Built]:
    """``build`` run once per process for each set of arguments; each call returns a copy."""
    cached = functools.cache(build)

    @functools.wraps(build)
    def copy(*args: Any, **kwargs: Any) -> Built:
        return copied(cached(*args, **kwargs))

    copy.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return copy


@built_once
def public_evidence(*, public_only: bool, to_attr: str | None = None) -> Prefetch:
    """Evidence with its source and byline; for anonymous users only quotes from public sources."""
    queryset = Evidence.objects.select_related("source").prefetch_related("source__credits").order_by("source", "start")
    if public_only:
        queryset = queryset.public()
    return Prefetch("evidence", queryset=queryset, to_attr=to_attr)


def _with_rows(metrics: QuerySet, *, public_only: bool) -> QuerySet:
    return metrics.select_related("indicator", "locality", "case__primary_locality").prefetch_related(
        public_evidence(public_only=public_only, to_attr="public_evidence")
    )


@built_once
def metrics_queryset(*, public_only: bool) -> QuerySet:
    """Metrics with what the tidy row needs; anonymous users get only public metrics."""
    base = Metric.objects.public() if public_only else Metric.objects.all()
    return _with_rows(base, public_only=public_only)


@built_once
def case_metrics(*, public_facts: bool) -> QuerySet:
    """A case's metrics for its detail. With ``public_facts`` the case is published (see
    ``CaseViewSet.opens_published_case``), and its public metrics are those of published cases."""
    base = Metric.objects.of_published_cases() if public_facts else Metric.objects.all()
    return _with_rows(base, public_only=public_facts)


@built_once
def public_positions(*, public_only: bool = True) -> Prefetch:
    """A person's posts; with ``public_only`` only those in public organisations (or in none)."""
    positions = Position.objects.select_related("organisation")
    if public_only:
        positions = positions.public()
    return Prefetch("positions", queryset=positions, to_attr="public_positions")


@built_once
def published_cases_prefetch() -> Prefetch:
    return Prefetch(
        "cases", queryset=Case.objects.published().only("pk", "public_id", "title_zh"), to_attr="published_cases"
    )


@built_once
def public_initiatives() -> Prefetch:
    return Prefetch("initiatives", queryset=Initiative.objects.public(), to_attr="public_initiatives")


@built_once
def case_details(*, public_facts: bool) -> tuple[str | Prefetch, ...]:
    """The nested facts of a case detail; ``public_facts`` keeps only those anonymous users may see."""
    return (
        "localities",
        "initiatives",
        Prefetch("case_organisations", queryset=Case.organisations.through.objects.select_related("organisation")),
        Prefetch("people", queryset=Person.objects.prefetch_related(public_positions(public_only=public_facts))),
        Prefetch("metrics", queryset=case_metrics(public_facts=public_facts)),
        public_evidence(public_only=public_facts),
        "sources__credits__person",
        "sources__credits__organisation",
    )
