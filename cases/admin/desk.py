"""The admin home as an editor's desk, and the admin's apps grouped by the work they serve.

The desk lists what is waiting: cases in review (for those who may publish), the user's own drafts,
ingested pages with candidates still open, and the latest changes to cases, each with a count and
links. The app list groups the models by work (``DeskGroup``: cases and evidence, actors, places,
vocabularies, ingestion, then accounts), with the login-lockout logs last and only for superusers.
Each ModelAdmin names its group and its place in it (``desk_group``, ``desk_rank``).
"""

from __future__ import annotations

import enum

from django.contrib import admin
from django.db.models import Count, Q
from django.http import HttpRequest

from cases.models import Candidate, Case, Document, Status
from cases.models.ingest import OPEN_STATUSES
from cases.services.workflow import PUBLISH_PERMISSION

DESK_ROWS = 8


class DeskGroup(enum.Enum):
    """The admin menu's groups, in menu order, ahead of the apps' own entries.

    A ModelAdmin joins one with ``desk_group = DeskGroup.…`` and takes its place in it with
    ``desk_rank`` (ascending; ranks go in tens, so a new model can go between two). A model with no
    group stays in its app.
    """

    CASES = "案例与证据 Cases and evidence"
    ACTORS = "行动者 Actors"
    PLACES = "地区 Places"
    VOCABULARIES = "词表 Vocabularies"
    INGESTION = "导入 Ingestion"


LAST_APPS = ("auth", "authtoken", "axes")
SUPERUSER_ONLY_APPS = ("axes",)


def grouped_app_list(site: admin.AdminSite, request: HttpRequest, app_label: str | None = None) -> list[dict]:
    """The apps of ``site`` regrouped by work (each ModelAdmin's ``desk_group`` and ``desk_rank``);
    an app's own page (``app_label``) stays as Django builds it."""
    apps = admin.AdminSite.get_app_list(site, request, app_label)
    if app_label is not None:
        return apps
    by_label = {app["app_label"]: app for app in apps}

    def group_of(model: dict) -> DeskGroup | None:
        return getattr(site._registry[model["model"]], "desk_group", None)

    grouped = []
    for group in DeskGroup:
        members = sorted(
            ((app, model) for app in apps for model in app["models"] if group_of(model) is group),
            key=lambda member: site._registry[member[1]["model"]].desk_rank,
        )
        if members:
            grouped.append({**members[0][0], "name": group.value, "models": [model for _, model in members]})
    for app in apps:
        rest = [model for model in app["models"] if group_of(model) is None]
        if not rest or app["app_label"] in LAST_APPS:
            continue
        grouped.append({**app, "models": rest})
    for label in LAST_APPS:
        if label in by_label and (label not in SUPERUSER_ONLY_APPS or request.user.is_superuser):
            grouped.append(by_label[label])
    return grouped


def desk(request: HttpRequest) -> dict:
    """What waits for this user, with counts (the template links each row)."""
    user = request.user
    context: dict = {}
    if user.has_perm("cases.view_case"):
        if user.has_perm(PUBLISH_PERMISSION):
            in_review = Case.objects.filter(status=Status.IN_REVIEW).order_by("-updated_at")
            context["in_review"] = {"count": in_review.count(), "rows": list(in_review[:DESK_ROWS])}
        created = Case.history.filter(history_user=user, history_type="+").values("id")
        mine = Case.objects.filter(status=Status.DRAFT, pk__in=created).order_by("-updated_at")
        context["my_drafts"] = {"count": mine.count(), "rows": list(mine[:DESK_ROWS])}
        recent = Case.history.select_related("history_user").order_by("-history_date")[:DESK_ROWS]
        context["recent"] = list(recent)
    if user.has_perm("cases.view_candidate"):
        pages = (
            Document.objects.annotate(
                open_candidates=Count("sources__candidates", filter=Q(sources__candidates__status__in=OPEN_STATUSES))
            )
            .filter(open_candidates__gt=0)
            .order_by("-created_at")
        )
        context["open_pages"] = {"count": pages.count(), "rows": list(pages[:DESK_ROWS])}
        context["open_candidates"] = Candidate.objects.open().count()
    return context
