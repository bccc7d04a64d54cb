from __future__ import annotations


class SeedError(Exception):
    """A seed file that cannot be loaded; names the file, the record and the field."""

    def __init__(self, file: str, message: str, *, record: str = "", field: str = "") -> None:
        self.file = file
        self.record = record
        self.field = field
        self.message = message
        where = file
        if record:
            where += f", {record}"
        if field:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")
