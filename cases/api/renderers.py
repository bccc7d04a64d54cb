"""CSV for spreadsheets and R: UTF-8 with a BOM (Excel then reads Chinese), one header row in field
order, formula-leading text escaped, streamed row by row so memory stays flat at 100k rows.

Nested objects become dotted columns (``primary_locality.code``) and lists of plain values one
cell joined with `` | ``. Our own renderer rather than djangorestframework-csv, which loses column
order and is unmaintained (see NOTES.md).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any

from rest_framework import serializers
from rest_framework.renderers import BaseRenderer

BOM = "\ufeff"
LIST_SEPARATOR = " | "
# A cell starting with one of these is a formula to Excel and LibreOffice (CWE-1236).
FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 500


def csv_columns(serializer: serializers.Serializer, prefix: str = "") -> list[str]:
    """Column names in the serializer's field order, nested serializers flattened with dots."""
    columns: list[str] = []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.Serializer):
            columns.extend(csv_columns(field, f"{prefix}{name}."))
        else:
            columns.append(prefix + name)
    return columns


def flatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = value
    return flat


def _json_value(value: Any) -> str:
    """Values the serializers hand over that JSON has no type for, written as in a cell."""
    if isinstance(value, Decimal | datetime.date | datetime.datetime):
        return cell(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def cell(value: Any) -> str:
    """One value as CSV text; text that would start a formula gets a leading apostrophe."""
    # Exact-type checks first: text, None and ints are most cells of an export, and a
    # ``type() is`` test costs a fraction of the ``isinstance`` chain below (bool is an int).
    kind = type(value)
    if kind is str:
        return "'" + value if value.startswith(FORMULA_LEADERS) else value
    if value is None:
        return ""
    if kind is int:
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(
            json.dumps(item, ensure_ascii=False, default=_json_value) if isinstance(item, dict | list) else cell(item)
            for item in value
        )
    text = str(value)
    if text.startswith(FORMULA_LEADERS):
        return "'" + text
    return text


def in_columns(columns: list[str], row: dict[str, Any]) -> list[Any]:
    """A serializer's (nested) row as values in column order."""
    flat = flatten(row)
    return [flat.get(column) for column in columns]


def csv_table(columns: list[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The BOM and header, then rows of values in column order, yielded in chunks of text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(columns)
    rows = iter(rows)
    while chunk := list(islice(rows, ROWS_PER_CHUNK)):
        writer.writerows([map(cell, row) for row in chunk])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if text := buffer.getvalue():  # no rows: the header alone
        yield text


def csv_lines(columns: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """``csv_table`` for serializer rows (nested dicts)."""
    return csv_table(columns, (in_columns(columns, row) for row in rows))


class CSVRenderer(BaseRenderer):
    """Renders a list (or one object) as CSV; list endpoints stream instead (see views.CSVStreamMixin)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: dict | None = None) -> bytes:
        if data is None:
            return b""
        rows = data if isinstance(data, list) else data.get("results", [data]) if isinstance(data, dict) else []
        columns: list[str] = []
        for row in rows:
            for column in flatten(row):
                if column not in columns:
                    columns.append(column)
        return "".join(csv_lines(columns, rows)).encode("utf-8")
