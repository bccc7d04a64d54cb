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
router.register("cases", views.CaseViewSet, basename="case")
router.register("localities", views.LocalityViewSet, basename="locality")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("people", views.PersonViewSet, basename="person")
router.register("initiatives", views.InitiativeViewSet, basename="initiative")
router.register("metrics", views.MetricViewSet, basename="metric")
router.register("sources", views.SourceViewSet, basename="source")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("indicators", views.IndicatorViewSet, basename="indicator")

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
