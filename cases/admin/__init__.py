"""The editorial admin. Each module registers its own ModelAdmins; importing it here is enough."""

from __future__ import annotations

import types

from django.contrib import admin
from django.template.response import TemplateResponse

from cases.lazy_imports import without_psycopg

# django-import-export's resources try django.contrib.postgres per field (cases/lazy_imports.py).
with without_psycopg():
    from cases.admin import actors, cases, desk, facts, ingest, places, sources

__all__ = ["actors", "cases", "desk", "facts", "ingest", "places", "sources"]

# The home page is the editor's desk; the apps are grouped by work (cases/admin/desk.py).
admin.site.get_app_list = types.MethodType(desk.grouped_app_list, admin.site)
admin.site.index_template = "admin/desk_index.html"
_index = admin.site.index


def _desk_index(request, extra_context=None) -> TemplateResponse:
    return _index(request, {**(extra_context or {}), "desk": desk.desk(request)})


admin.site.index = _desk_index
