"""The admin home as an editor's desk, and the admin's apps grouped by the work they serve.

The desk lists what is waiting: cases in review (for those who may publish), the user's own drafts,
ingested pages with candidates still open, and the latest changes to cases, each with a count and
links. The app list groups the models by work (cases and evidence, actors, places, vocabularies,
ingestion, then accounts), with the login-lockout logs last and only for superusers.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q
from django.http import HttpRequest

from cases.models import Candidate, Case, Document, Status
from cases.models.ingest import OPEN_STATUSES
from cases.services.workflow import PUBLISH_PERMISSION

DESK_ROWS = 8

# (group name, app label of the models, object names in order); models not named stay in their app.
GROUPS = (
    (
        "案例与证据 Cases and evidence",
        "cases",
        ("Case", "CaseOrganisation", "Evidence", "Metric", "Source", "SourceCredit"),
    ),
    ("行动者 Actors", "cases", ("Organisation", "Person", "Position", "Initiative", "InitiativeParticipant")),
    ("地区 Places", "cases", ("Locality", "LocalityAlias")),
    ("词表 Vocabularies", "cases", ("Theme", "Indicator")),
    ("导入 Ingestion", "cases", ("Candidate", "Document")),
)
LAST_APPS = ("auth", "authtoken", "axes")
SUPERUSER_ONLY_APPS = ("axes",)


def grouped_app_list(site: admin.AdminSite, request: HttpRequest, app_label: str | None = None) -> list[dict]:
    """The apps of ``site`` regrouped by work; an app's own page (``app_label``) stays as Django builds it."""
    apps = admin.AdminSite.get_app_list(site, request, app_label)
    if app_label is not None:
        return apps
    by_label = {app["app_label"]: app for app in apps}
    grouped, used = [], set()
    for name, label, object_names in GROUPS:
        app = by_label.get(label)
        if app is None:
            continue
        models = {model["object_name"]: model for model in app["models"]}
        chosen = [models[n] for n in object_names if n in models]
        used.update((label, n) for n in object_names)
        if chosen:
            grouped.append({**app, "name": name, "models": chosen})
    for app in apps:
        rest = [m for m in app["models"] if (app["app_label"], m["object_name"]) not in used]
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
