"""The editorial admin. Each module registers its own ModelAdmins; importing it here is enough."""

from __future__ import annotations

from cases.admin import actors, cases, facts, ingest, places, sources

__all__ = ["actors", "cases", "facts", "ingest", "places", "sources"]
