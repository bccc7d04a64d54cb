"""Routes under /api/v1/: the resources, statistics and the OpenAPI documents."""

from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from cases.api import views
from cases.api.errors import UnknownEndpointView
from cases.api.search import SearchView
from cases.api.stats import StatsView

app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False
# Each public viewset declares its prefix and URL names (views.PUBLIC_VIEWSETS, resources.py).
for viewset in views.PUBLIC_VIEWSETS:
    router.register(viewset.resource.name, viewset, basename=viewset.resource.basename)

urlpatterns = [
    path("stats/", StatsView.as_view(), name="stats"),
    path("search/", SearchView.as_view(), name="search"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    *router.urls,
    # Last: anything else under /api/v1/ is a JSON 404, not Django's HTML page.
    re_path(r"^.*$", UnknownEndpointView.as_view(), name="unknown-endpoint"),
]
