"""Anonymous throttling whose rate is read per request, so deployments (and tests) can change it."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousRateThrottle(AnonRateThrottle):
    """Limits anonymous clients by IP to ``settings.API_ANON_THROTTLE_RATE`` (e.g. "120/minute"; None = off)."""

    def get_rate(self) -> str | None:
        return getattr(settings, "API_ANON_THROTTLE_RATE", None)
