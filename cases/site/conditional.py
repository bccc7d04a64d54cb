"""Conditional requests and the page language.

Every page carries ``Last-Modified`` (the newest change to the data: a history record, an edit,
a release) and an ``ETag`` over that stamp, the language and the URL, and answers a matching
``If-None-Match``/``If-Modified-Since`` with 304 before reading anything else.

The site speaks Chinese unless the reader chose English (the language cookie set by
``/lang/<code>/``); the admin and the API keep their own rules.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import condition

from cases.site import releases

DEFAULT_LANGUAGE = "zh-hans"


def page_language(request: HttpRequest) -> str:
    wanted = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return wanted if wanted in dict(settings.LANGUAGES) else DEFAULT_LANGUAGE


def _stamp_sql() -> str:
    """One statement: the newest history record of every tracked model and the newest edit."""
    parts = []
    for model in apps.get_app_config("cases").get_models():
        fields = {field.name for field in model._meta.concrete_fields}
        column = "history_date" if model.__name__.startswith("Historical") else "updated_at"
        if column in fields:
            parts.append(f"SELECT MAX({connection.ops.quote_name(column)}) AS m FROM {model._meta.db_table}")
    return "SELECT MAX(m) FROM (" + " UNION ALL ".join(parts) + ") AS stamps"


def data_stamp(request: HttpRequest) -> datetime.datetime | None:
    """When the public data last changed (cached on the request: both validators read it)."""
    if not hasattr(request, "_site_stamp"):
        with connection.cursor() as cursor:
            cursor.execute(_stamp_sql())
            value = cursor.fetchone()[0]
        if isinstance(value, str):
            value = parse_datetime(value)
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)
        latest = releases.latest()
        if latest is not None and (value is None or latest.created > value):
            value = latest.created
        request._site_stamp = value
    return request._site_stamp


def page_etag(request: HttpRequest) -> str:
    stamp = data_stamp(request)
    seed = f"{stamp.isoformat() if stamp else '-'}|{page_language(request)}|{request.get_full_path()}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def site_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A public page: its language, Last-Modified/ETag and 304s."""
    conditional = condition(
        etag_func=lambda request, *args, **kwargs: page_etag(request),
        last_modified_func=lambda request, *args, **kwargs: data_stamp(request),
    )(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        language = page_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = conditional(request, *args, **kwargs)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response

    return wrapper
