"""Anonymous throttling: rates read per request (deployments and tests change them), counted in a
cache every worker process shares, keyed on the client's real address.

The address is REMOTE_ADDR unless ``NUM_PROXIES`` (REST_FRAMEWORK) says how many proxies of our
own stand in front: then the address that many hops from the right of X-Forwarded-For. A client
can write anything into that header, so with NUM_PROXIES=0 (the default) it is never read.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle

THROTTLE_CACHE = "throttle"


class AnonymousRateThrottle(AnonRateThrottle):
    """Limits anonymous clients by address to ``settings.API_ANON_THROTTLE_RATE`` (e.g. "120/minute"; None = off)."""

    @property
    def cache(self):
        # A per-process cache would let each gunicorn worker grant the whole rate again.
        return caches[THROTTLE_CACHE]

    def get_rate(self) -> str | None:
        return getattr(settings, "API_ANON_THROTTLE_RATE", None)


class AnonymousExportThrottle(AnonymousRateThrottle):
    """Whole-table CSV exports (a list with ``format=csv``) have their own, lower rate
    (``settings.API_ANON_EXPORT_RATE``, e.g. "10/hour"): each streams every matching row."""

    scope = "anon_export"

    def get_rate(self) -> str | None:
        return getattr(settings, "API_ANON_EXPORT_RATE", None)

    def allow_request(self, request, view) -> bool:
        if getattr(view, "action", None) != "list" or request.query_params.get("format") != "csv":
            return True
        return super().allow_request(request, view)
