"""Heavy third-party imports deferred to the code path that needs them.

django-import-export builds its list of formats when it is imported, by loading every tablib
format it knows; tablib's XLSX format imports openpyxl, and openpyxl imports numpy: 0.3 s of every
process start (``manage.py check``, each API worker) for a spreadsheet an editor may upload once a
week. ``defer_xlsx`` registers a stand-in under tablib's ``xlsx`` key that imports the real format
at its first use; ``cases/apps.py`` calls it before any admin module imports import-export.

Django REST framework imports ``requests`` if it is installed (a development dependency here, for
schemathesis), only for its ``RequestsClient`` test client, which no test uses: 0.13 s. It also
imports ``django.contrib.postgres.fields`` if it can, to map PostgreSQL's array and hstore fields,
and that imports psycopg (0.18 s CPU, and a search for libpq): on a database other than PostgreSQL
no model has those fields, so psycopg is hidden too and DRF goes without the mapping.
django-import-export tries the same import for every field of every resource (``without_psycopg``
around the admin's imports, ``cases/admin/__init__.py``).
``import_rest_framework`` imports DRF's compatibility module with ``requests`` hidden; ``hidden``
is also how jieba is imported without ``pkg_resources`` (``cases.search.jieba_tables``).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from importlib.util import find_spec
from typing import Any

_lock = threading.RLock()  # re-entrant: a hidden import may import under another hidden()


@contextmanager
def hidden(*names: str) -> Iterator[None]:
    """While inside, importing any of ``names`` (not imported yet) raises ImportError.

    For optional imports that a package tries and does without: afterwards the modules import
    normally again, for any code that does need them.
    """
    with _lock:
        absent = [name for name in names if name not in sys.modules]
        for name in absent:
            sys.modules[name] = None  # type: ignore[assignment]  # the import system's "not found"
        try:
            yield
        finally:
            for name in absent:
                if name in sys.modules and sys.modules[name] is None:
                    del sys.modules[name]


def without_psycopg() -> AbstractContextManager[None]:
    """psycopg hidden while inside, unless the database is PostgreSQL (whose backend imports it)."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return nullcontext()
    return hidden("psycopg", "psycopg2")


def import_rest_framework() -> None:
    """Import DRF's compatibility module (which every DRF view imports) without ``requests``, and
    without psycopg unless the database is PostgreSQL."""
    with hidden("requests"), without_psycopg():
        import rest_framework.compat  # noqa: F401


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
