"""The public site's routes, mounted at ``/``. A list page's path is its API resource's without ``/api/v1``."""

from __future__ import annotations

from django.urls import path, re_path

from cases.site import views

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<str:public_id>/", views.case_detail, name="case"),
    path("search/", views.search, name="search"),
    path("places/<str:key>/", views.place_detail, name="place"),
    path("organisations/<str:pk>/", views.organisation_detail, name="organisation"),
    path("initiatives/<str:pk>/", views.initiative_detail, name="initiative"),
    path("sources/<str:pk>/", views.source_detail, name="source"),
    path("stats/", views.statistics, name="stats"),
    path("releases/", views.release_list, name="releases"),
    re_path(
        r"^releases/(?P<version>[0-9A-Za-z.\-]+)/(?P<filename>[0-9A-Za-z.\-]+)$",
        views.release_download,
        name="release-file",
    ),
    path("lang/<str:code>/", views.set_language, name="language"),
]
