"""Heavy third-party imports deferred to the code path that needs them.

django-import-export builds its list of formats when it is imported, by loading every tablib
format it knows; tablib's XLSX format imports openpyxl, and openpyxl imports numpy: 0.3 s of every
process start (``manage.py check``, each API worker) for a spreadsheet an editor may upload once a
week. ``defer_xlsx`` registers a stand-in under tablib's ``xlsx`` key that imports the real format
at its first use; ``cases/apps.py`` calls it before any admin module imports import-export.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any


def _xlsx_format() -> type:
    from tablib.formats._xlsx import XLSXFormat

    return XLSXFormat


class LazyXLSXFormat:
    """tablib's ``XLSXFormat`` by delegation, openpyxl imported at the first call."""

    title = "xlsx"
    extensions = ("xlsx",)

    @classmethod
    def detect(cls, stream: Any) -> bool:
        return _xlsx_format().detect(stream)

    @classmethod
    def export_set(cls, dataset: Any, **kwargs: Any) -> Any:
        return _xlsx_format().export_set(dataset, **kwargs)

    @classmethod
    def export_book(cls, databook: Any, **kwargs: Any) -> Any:
        return _xlsx_format().export_book(databook, **kwargs)

    @classmethod
    def import_set(cls, dset: Any, in_stream: Any, **kwargs: Any) -> Any:
        return _xlsx_format().import_set(dset, in_stream, **kwargs)

    @classmethod
    def import_book(cls, dbook: Any, in_stream: Any, **kwargs: Any) -> Any:
        return _xlsx_format().import_book(dbook, in_stream, **kwargs)


def defer_xlsx() -> None:
    """Put the stand-in in tablib's registry (in the real format's place, which detection follows)."""
    if find_spec("openpyxl") is None:
        return  # tablib registers no XLSX format then, and neither do we
    from tablib.formats import registry

    registry.register("xlsx", LazyXLSXFormat)
