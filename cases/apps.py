from __future__ import annotations

from django.apps import AppConfig

from cases.lazy_imports import defer_xlsx, import_rest_framework

# Here, while the apps are imported: the admin modules import django-import-export and DRF later,
# at ready (and the URLs at the first request).
defer_xlsx()
import_rest_framework()


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "案例库 Case database"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Keeps the search index in step with saves, deletes and m2m changes.
        from cases.search import signals  # noqa: F401
