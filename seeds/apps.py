from __future__ import annotations

from django.apps import AppConfig


class SeedsConfig(AppConfig):
    """Seed data and its loaders; its one model (``SeedRecord``) maps curated records to rows."""

    name = "seeds"
    verbose_name = "Seed data"
