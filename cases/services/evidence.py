"""Creating evidence and metrics with the same checks the seed loader applies.

A quote must occur verbatim in its source (``Source.locate`` finds its offsets), a metric's range
must be ordered and its indicator must exist. The admin forms call ``evidence_locate`` and
``metric_validate`` so an editor sees the same error, on the same field, as a failed seed load.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from cases.models import Evidence, Indicator, Metric, Source
from cases.models.facts import METRIC_SUBJECTS
from cases.models.sources import EVIDENCE_SUBJECTS


def evidence_locate(*, source: Source, quote: str, occurrence: int = 1) -> tuple[int, int]:
    """Offsets of the ``occurrence``-th appearance of ``quote`` in ``source``; ValidationError on ``quote``."""
    if occurrence < 1:
        raise ValidationError({"occurrence": f"occurrence must be 1 or more, not {occurrence}"})
    return source.locate(quote, occurrence)


def _subject_field(subject: models.Model, allowed: tuple[str, ...]) -> str:
    name = subject._meta.model_name
    if name not in allowed:
        raise ValidationError(f"a {name} cannot be the subject here; expected one of {', '.join(allowed)}")
    return name


@transaction.atomic
def evidence_create(
    *, source: Source, quote: str, subject: models.Model, claim: str = "", occurrence: int = 1
) -> Evidence:
    """Record that ``quote`` in ``source`` supports a fact about ``subject`` (a case, metric, person…)."""
    start, end = evidence_locate(source=source, quote=quote, occurrence=occurrence)
    evidence = Evidence(source=source, quote=quote, claim=claim, start=start, end=end)
    setattr(evidence, _subject_field(subject, EVIDENCE_SUBJECTS), subject)
    evidence.full_clean()
    evidence.save()
    return evidence


def metric_validate(*, indicator: Indicator | str | None, value: Any, value_upper: Any = None) -> Indicator:
    """Check the parts of a metric the loader checks; returns the indicator (looked up when given a code)."""
    if indicator is None or indicator == "":
        raise ValidationError({"indicator": "a metric needs an indicator"})
    if isinstance(indicator, str):
        try:
            indicator = Indicator.objects.get(code=indicator)
        except Indicator.DoesNotExist:
            raise ValidationError({"indicator": f"unknown indicator {indicator!r}"}) from None
    numbers = {}
    for field, raw in (("value", value), ("value_upper", value_upper)):
        if raw is None or raw == "":
            numbers[field] = None
            continue
        try:
            numbers[field] = Decimal(str(raw))
        except InvalidOperation:
            raise ValidationError({field: f"{raw!r} is not a number"}) from None
    if numbers["value"] is None:
        raise ValidationError({"value": "a metric needs a value"})
    if numbers["value_upper"] is not None and numbers["value_upper"] < numbers["value"]:
        raise ValidationError(
            {"value_upper": f"upper value {numbers['value_upper']} is below the value {numbers['value']}"}
        )
    return indicator


@transaction.atomic
def metric_create(
    *,
    indicator: Indicator | str,
    value: Any,
    evidence: list[dict[str, Any]],
    value_upper: Any = None,
    **fields: Any,
) -> Metric:
    """Create a metric and its evidence quotes (each ``{"source", "quote", "claim"?, "occurrence"?}``).

    ``fields`` are further Metric fields (unit, counted, qualifier, period…, and at least one of
    case/locality/organisation/initiative). A metric without evidence is refused, as in the loader.
    """
    indicator = metric_validate(indicator=indicator, value=value, value_upper=value_upper)
    if not evidence:
        raise ValidationError({"evidence": "a metric needs at least one evidence quote"})
    unknown = set(fields) - {f.name for f in Metric._meta.get_fields()}
    if unknown:
        raise ValidationError(f"unknown metric fields: {', '.join(sorted(unknown))}")
    metric = Metric(indicator=indicator, value=value, value_upper=value_upper or None, **fields)
    if not any(getattr(metric, f"{s}_id") for s in METRIC_SUBJECTS):
        raise ValidationError("a metric must describe a case, locality, organisation or initiative")
    metric.full_clean()
    metric.save()
    for item in evidence:
        evidence_create(
            source=item["source"],
            quote=item["quote"],
            claim=item.get("claim", ""),
            occurrence=item.get("occurrence", 1),
            subject=metric,
        )
    return metric
