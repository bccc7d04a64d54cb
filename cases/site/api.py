"""The site reads its data through the research API's own views.

A page and its API resource differ only in the prefix (``/cases/?q=物业&region=51`` and
``/api/v1/cases/?q=物业&region=51``): the page resolves the API URL, calls that view with the
page's query string and renders the data it returns. Every filter, the search, the paging, the
errors and the visibility rules are the API's, so the two cannot drift apart.

The call is always anonymous (a logged-in editor sees the public site as everyone does) and not
throttled (the page itself is the request a reader made).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, QueryDict
from django.urls import resolve

API_PREFIX = "/api/v1"


@dataclass
class ApiResult:
    status: int
    data: Any

    @property
    def ok(self) -> bool:
        return self.status == 200

    def message(self) -> str:
        """The error body's message (the API's one error shape names every bad parameter in it)."""
        if self.ok:
            return ""
        error = self.data.get("error") if isinstance(self.data, dict) else None
        return str(error.get("message")) if isinstance(error, dict) else f"HTTP {self.status}"


def api_url(path: str, params: QueryDict | dict | None = None) -> str:
    """The API URL of a site path (``/cases/`` → ``/api/v1/cases/``) with the same parameters."""
    query = params.urlencode() if isinstance(params, QueryDict) else urlencode(params or {}, doseq=True)
    return f"{API_PREFIX}{path}" + (f"?{query}" if query else "")


def call(request: HttpRequest, path: str, params: QueryDict | dict | None = None) -> ApiResult:
    """GET ``/api/v1`` + ``path`` through the API's view, anonymously, with ``params`` (default: the page's)."""
    response = call_response(request, path, params)
    return ApiResult(response.status_code, getattr(response, "data", None))


def api_view(path: str):
    """The API's view function for ``/api/v1`` + ``path``, unthrottled and anonymous, and its URL kwargs."""
    match = resolve(f"{API_PREFIX}{path}")
    func = match.func
    initkwargs = {**getattr(func, "initkwargs", {}), "throttle_classes": [], "authentication_classes": []}
    actions = getattr(func, "actions", None)
    view = func.cls.as_view(actions, **initkwargs) if actions else func.cls.as_view(**initkwargs)
    return view, match


def call_response(request: HttpRequest, path: str, params: QueryDict | dict | None = None):
    """``call``'s response itself (a streaming one for CSV)."""
    view, match = api_view(path)

    inner = HttpRequest()
    inner.method = "GET"
    inner.path = inner.path_info = request.path
    inner.META = {**request.META, "QUERY_STRING": ""}
    inner.META.pop("HTTP_COOKIE", None)
    inner.META.pop("HTTP_AUTHORIZATION", None)
    if params is None:
        inner.GET = request.GET.copy()
    elif isinstance(params, QueryDict):
        inner.GET = params.copy()
    else:
        inner.GET = QueryDict(mutable=True)
        for name, value in params.items():
            if isinstance(value, list):
                inner.GET.setlist(name, [str(v) for v in value])
            elif value is not None:
                inner.GET[name] = str(value)
    inner.META["QUERY_STRING"] = inner.GET.urlencode()
    inner.COOKIES = {}
    inner.user = AnonymousUser()
    inner._dont_enforce_csrf_checks = True
    for name in ("get_host", "_get_scheme"):
        # A request the release command builds names its own host and scheme.
        if name in vars(request):
            setattr(inner, name, vars(request)[name])
    return view(inner, *match.args, **match.kwargs)
