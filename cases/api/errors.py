"""One JSON error shape for every 4xx and 5xx the API returns.

    {"error": {"status": 400, "code": "invalid", "message": "…", "fields": {"region": ["…"]}}}

``fields`` maps a query parameter or body field to its messages; ``candidates`` appears when an
ambiguous region name matches several places. An unknown URL under /api/v1/ answers with the
same shape (``UnknownEndpointView``), so a script never has to parse an HTML page.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from cases.services.workflow import StaleCaseError


class UnknownParameters(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "unknown_parameters"

    def __init__(self, names: list[str], allowed: list[str]) -> None:
        self.names = names
        listed = ", ".join(sorted(allowed)) or "none"
        message = f"unknown query parameter(s): {', '.join(names)}; this endpoint accepts: {listed}"
        super().__init__({name: [f"unknown parameter {name!r}"] for name in names})
        self.message = message


class StaleRevision(exceptions.APIException):
    """409: the case was saved by someone else since the client read it (lost-update guard)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "stale_revision"

    def __init__(self, message: str) -> None:
        super().__init__({"revision": [message]})
        self.message = message


class AmbiguousRegion(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "ambiguous_region"

    def __init__(self, field: str, message: str, candidates: list[dict[str, Any]]) -> None:
        super().__init__({field: [message]})
        self.message = message
        self.candidates = candidates


def _flatten(detail: Any) -> dict[str, list[str]] | None:
    """DRF's nested error detail as {field: [messages]}; None when it is not per field."""
    if not isinstance(detail, dict):
        return None
    fields: dict[str, list[str]] = {}
    for key, value in detail.items():
        if isinstance(value, dict):
            for sub_key, messages in (_flatten(value) or {}).items():
                fields[f"{key}.{sub_key}"] = messages
        elif isinstance(value, list):
            fields[key] = [str(item) for item in value]
        else:
            fields[key] = [str(value)]
    return fields


def _message(detail: Any, fields: dict[str, list[str]] | None) -> str:
    if fields:
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in fields.items())
    if isinstance(detail, list):
        return " ".join(str(item) for item in detail)
    return str(detail)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, then every error body rewritten to the one shape."""
    if isinstance(exc, StaleCaseError):
        # Not a bad request: the same body succeeds after reloading the case.
        exc = StaleRevision(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        # A service function's ValidationError: per field when it names fields.
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    if isinstance(exc, Http404 | PermissionDenied):
        detail = response.data.get("detail", str(exc)) if isinstance(response.data, dict) else str(exc)
    per_field = exceptions.ValidationError | UnknownParameters | AmbiguousRegion | StaleRevision
    fields = _flatten(detail) if isinstance(exc, per_field) else None
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
    elif isinstance(codes, str):
        code = codes
    body: dict[str, Any] = {
        "status": response.status_code,
        "code": code,
        "message": getattr(exc, "message", None) or _message(detail, fields),
    }
    if fields:
        body["fields"] = fields
    if isinstance(exc, AmbiguousRegion):
        body["candidates"] = exc.candidates
    response.data = {"error": body}
    return response


class UnknownEndpointView(APIView):
    """The catch-all route under /api/v1/: a 404 in the error shape for any method."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    schema = None  # not an endpoint: keep it out of the OpenAPI document

    def initial(self, request, *args, **kwargs) -> None:
        raise exceptions.NotFound(f"no API endpoint at {request.path}; see /api/v1/docs/")


def error_body(status_code: int, code: str, message: str) -> dict[str, Any]:
    return {"error": {"status": status_code, "code": code, "message": message}}


def server_error(request) -> HttpResponse:
    """handler500: under /api/ the error shape (a script never parses an HTML page), elsewhere Django's page.

    The traceback goes to the log (with the request id); the client gets the id to quote."""
    if not request.path.startswith("/api/"):
        return defaults.server_error(request)
    request_id = getattr(request, "request_id", "")
    message = "internal error; it has been logged" + (f" as request {request_id}" if request_id else "")
    return JsonResponse(error_body(500, "server_error", message), status=500)
