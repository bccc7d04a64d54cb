"""Reading values out of seed records, with errors that say where the value was."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from cases.models import DatePrecision
from seeds.errors import SeedError

_DATE_PATTERNS = [
    (re.compile(r"^\d{4}$"), DatePrecision.YEAR),
    (re.compile(r"^\d{4}-\d{2}$"), DatePrecision.MONTH),
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), DatePrecision.DAY),
]


@dataclass(frozen=True)
class FuzzyDate:
    date: datetime.date | None
    precision: str
    text: str


@dataclass
class Record:
    """One mapping from a seed file, with its location for error messages."""

    file: str
    label: str
    data: dict[str, Any]

    def error(self, message: str, field: str = "") -> SeedError:
        return SeedError(self.file, message, record=self.label, field=field)

    def check_keys(self, allowed: Iterable[str], required: Iterable[str] = ()) -> None:
        allowed = set(allowed)
        unknown = sorted(set(self.data) - allowed)
        if unknown:
            raise self.error(f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
        for name in required:
            if self.data.get(name) in (None, ""):
                raise self.error("is required", name)

    def str(self, name: str, default: str = "") -> str:
        value = self.data.get(name, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.error(f"must be text, not {type(value).__name__}", name)
        return str(value).strip()

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            raise self.error("must be true or false", name)
        return value

    def list(self, name: str) -> list[Any]:
        value = self.data.get(name) or []
        if not isinstance(value, list):
            raise self.error("must be a list", name)
        return value

    def mapping(self, name: str) -> dict[str, Any]:
        value = self.data.get(name) or {}
        if not isinstance(value, dict):
            raise self.error("must be a mapping", name)
        return value

    def choice(self, name: str, choices, default: str | None = None) -> str:
        value = self.str(name, default or "")
        valid = [c.value for c in choices]
        if value not in valid:
            raise self.error(f"{value!r} is not one of {', '.join(valid)}", name)
        return value

    def decimal(self, name: str, *, required: bool = True) -> Decimal | None:
        value = self.data.get(name)
        if value is None:
            if required:
                raise self.error("is required", name)
            return None
        if isinstance(value, bool):
            raise self.error("must be a number", name)
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise self.error(f"{value!r} is not a number", name) from None

    def fuzzy_date(self, name: str, value: Any = None) -> FuzzyDate:
        raw = self.data.get(name) if value is None else value
        if raw is None or raw == {}:
            return FuzzyDate(None, DatePrecision.UNKNOWN, "")
        if not isinstance(raw, dict) or set(raw) - {"date", "text"}:
            raise self.error("must be a mapping with 'date' and/or 'text'", name)
        text = str(raw.get("text") or "")
        date = raw.get("date")
        if date is None or date == "":
            return FuzzyDate(None, DatePrecision.UNKNOWN, text)
        if isinstance(date, datetime.date):
            return FuzzyDate(date, DatePrecision.DAY, text)
        date = str(date)
        for pattern, precision in _DATE_PATTERNS:
            if pattern.match(date):
                parts = [int(p) for p in date.split("-")] + [1, 1]
                try:
                    return FuzzyDate(datetime.date(parts[0], parts[1], parts[2]), precision, text)
                except ValueError as error:
                    raise self.error(f"{date!r} is not a valid date ({error})", name) from None
        raise self.error(f"{date!r} is not YYYY, YYYY-MM or YYYY-MM-DD", name)


def records(file: str, section: str, items: Any, key_field: str = "key") -> list[Record]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise SeedError(file, f"section {section!r} must be a list")
    result = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise SeedError(file, "must be a mapping", record=f"{section}[{index}]")
        key = item.get(key_field)
        label = f"{section}[{index}]" + (f" ({key_field}={key})" if key else "")
        result.append(Record(file, label, item))
    return result
