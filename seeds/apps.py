from __future__ import annotations

from django.apps import AppConfig


class SeedsConfig(AppConfig):
    """Seed data and its loaders; holds no models."""

    name = "seeds"
    verbose_name = "Seed data"
