"""Dates as newspapers give them: sometimes a day, often a year, often nothing.

A fuzzy date is stored as three fields: the first day of the period it names
(``…_date``), how much of that date is known (``…_precision``) and the words as
printed (``…_text``, e.g. 今年2月 on an undated page, where nothing can be resolved).
"""

from __future__ import annotations

import datetime

from django.db import models

# The fields of a fuzzy period, in the order every layer lists them (cases and metrics have one).
PERIOD_FIELDS = (
    "period_start_date",
    "period_start_precision",
    "period_end_date",
    "period_end_precision",
    "period_text",
)


class DatePrecision(models.TextChoices):
    UNKNOWN = "unknown", "未知 unknown"
    YEAR = "year", "年 year"
    MONTH = "month", "月 month"
    DAY = "day", "日 day"


def format_fuzzy_date(value: datetime.date | None, precision: str, text: str = "") -> str:
    """Render a fuzzy date at the precision it is known to, falling back to the printed words."""
    if value is None or precision == DatePrecision.UNKNOWN:
        return text or "unknown"
    if precision == DatePrecision.YEAR:
        return f"{value.year}"
    if precision == DatePrecision.MONTH:
        return f"{value.year}-{value.month:02d}"
    return value.isoformat()


def truncate_to_precision(value: datetime.date, precision: str) -> datetime.date:
    """The canonical stored form: the first day of the year or month for coarse dates."""
    if precision == DatePrecision.YEAR:
        return value.replace(month=1, day=1)
    if precision == DatePrecision.MONTH:
        return value.replace(day=1)
    return value


def date_field(label: str) -> models.DateField:
    return models.DateField(f"{label} (date)", null=True, blank=True)


def precision_field(label: str) -> models.CharField:
    return models.CharField(
        f"{label} (precision)", max_length=8, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN
    )


def date_text_field(label: str) -> models.CharField:
    return models.CharField(
        f"{label} (as printed)", max_length=100, blank=True, help_text="e.g. 2018年, 今年2月, 2019年以来, 9月2日晚"
    )


def fuzzy_date_constraint(prefix: str, model_name: str) -> models.CheckConstraint:
    """A date is present exactly when its precision is known."""
    date = f"{prefix}_date"
    precision = f"{prefix}_precision"
    return models.CheckConstraint(
        condition=(
            models.Q(**{f"{date}__isnull": True, precision: DatePrecision.UNKNOWN})
            | (models.Q(**{f"{date}__isnull": False}) & ~models.Q(**{precision: DatePrecision.UNKNOWN}))
        ),
        name=f"{model_name}_{prefix}_date_matches_precision",
    )
