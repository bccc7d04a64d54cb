from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from governance.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("cases.api.urls")),
    # Last: the public site owns every other path.
    path("", include("cases.site.urls")),
]

handler500 = "cases.api.errors.server_error"
