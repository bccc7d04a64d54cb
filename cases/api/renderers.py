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
from collections.abc import Iterable, Iterator
from decimal import Decimal
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
    if value is None:
        return ""
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


def csv_lines(columns: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The BOM and header, then the rows, yielded in chunks of text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        flat = flatten(row)
        writer.writerow([cell(flat.get(column)) for column in columns])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


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
