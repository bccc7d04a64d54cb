"""Project-wide middleware: a request id and one structured log line per request, and a busy
database answered with 503 + Retry-After instead of a 500."""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

request_log = logging.getLogger("governance.request")
logger = logging.getLogger(__name__)

# The id of the request being served, for every log line written while serving it.
current_request_id: ContextVar[str] = ContextVar("request_id", default="-")
# An id a proxy sent (X-Request-ID) is kept when it is plain; anything else gets a fresh one.
_PLAIN_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
RETRY_AFTER_SECONDS = 2


class RequestLogMiddleware:
    """Gives each request an id (``request.request_id``, the ``X-Request-ID`` response header) and
    logs one line when it ends: method, path, status, duration, client address."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get("X-Request-ID", "")
        request.request_id = offered if _PLAIN_ID.fullmatch(offered) else uuid.uuid4().hex
        token = current_request_id.set(request.request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            request_log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "client": request.META.get("REMOTE_ADDR", ""),
                },
            )
            return response
        finally:
            current_request_id.reset(token)


def is_database_busy(error: BaseException) -> bool:
    """SQLite's lock timeout ran out (another writer held the database for longer)."""
    return isinstance(error, OperationalError) and "locked" in str(error).lower()


class DatabaseBusyMiddleware:
    """A write that waited out the database's lock timeout: 503 with Retry-After. JSON in the API's
    error shape under /api/, a short page elsewhere; nothing was saved, and trying again works."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        logger.warning("database busy, answered 503: %s %s: %s", request.method, request.path, exception)
        message = "the database is busy with other saves; nothing was saved, try again in a few seconds"
        if request.path.startswith("/api/"):
            from cases.api.errors import error_body

            response: HttpResponse = JsonResponse(error_body(503, "database_busy", message), status=503)
        else:
            response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
