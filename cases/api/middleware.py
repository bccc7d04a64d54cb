"""The API speaks one language in its messages.

The admin is in Chinese for editors (LANGUAGE_CODE = zh-hans), but the API's own messages are
English, and DRF's and Django's translated ones (无效页面。) would otherwise mix with them in one
error body. Data stays as it is: names are Chinese, labels bilingual.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

API_PREFIX = "/api/"


def api_language_middleware(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return get_response(request)
        with translation.override("en"):
            return get_response(request)

    return middleware
