"""The editorial roles: the Editor and Reviewer groups and the custom permissions they rely on.

The data migration calls ``editorial_groups_sync`` with the historical app registry; tests and
``ensure_local_admin`` call it with the live one (a flushed test database loses groups). It is
idempotent: it creates what is missing and adds, never removes, permissions. Permissions on
models that do not exist yet at a migration's point in history are skipped; the migration that
adds such a model runs the function again.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import transaction

EDITOR_GROUP = "Editor"
REVIEWER_GROUP = "Reviewer"

# Models the import/export screens cover; each gets cases.import_<model> and cases.export_<model>.
IMPORT_EXPORT_MODELS = ("case", "organisation", "locality", "metric", "person")

# Custom permissions as (model, codename, name). Django only creates add/change/delete/view.
CUSTOM_PERMISSIONS = [
    ("case", "submit_case", "Can submit a case for review or withdraw it"),
    ("case", "publish_case", "Can publish, unpublish and archive a case"),
    *[(model, f"import_{model}", f"Can import {model}") for model in IMPORT_EXPORT_MODELS],
    *[(model, f"export_{model}", f"Can export {model}") for model in IMPORT_EXPORT_MODELS],
]

# Content an editor curates: full control of the facts hanging off a case.
_CURATED = (
    "metric",
    "evidence",
    "caseorganisation",
    "position",
    "sourcecredit",
    "initiativeparticipant",
    "localityalias",
    "candidate",
)
# Shared records an editor may add and correct but not delete (other cases may cite them).
_SHARED = ("organisation", "person", "initiative", "source", "document", "locality")

EDITOR_PERMISSIONS = [
    "add_case",
    "change_case",
    "submit_case",
    *[f"{action}_{model}" for model in _CURATED for action in ("add", "change", "delete")],
    *[f"{action}_{model}" for model in _SHARED for action in ("add", "change")],
    *[f"import_{model}" for model in IMPORT_EXPORT_MODELS],
    *[f"export_{model}" for model in IMPORT_EXPORT_MODELS],
]

REVIEWER_PERMISSIONS = [
    *EDITOR_PERMISSIONS,
    "publish_case",
    "delete_case",
    *[f"{action}_{model}" for model in ("theme", "indicator") for action in ("add", "change")],
]


@transaction.atomic
def editorial_groups_sync(*, apps: Apps = global_apps, verbosity: int = 0) -> None:
    """Create the custom permissions and the Editor and Reviewer groups with their permissions."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    # On a fresh database the default permissions are only created after all migrations ran;
    # create them now so the groups can be given them.
    for label in ("contenttypes", "auth", "cases"):
        app_config = apps.get_app_config(label)
        # Historical app configs have no models module, which create_permissions takes as "skip".
        restore = getattr(app_config, "models_module", None)
        app_config.models_module = restore or True
        try:
            create_contenttypes(app_config, verbosity=verbosity, apps=apps)
            create_permissions(app_config, verbosity=verbosity, apps=apps)
        finally:
            app_config.models_module = restore

    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for model, codename, name in CUSTOM_PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label="cases", model=model)
        Permission.objects.get_or_create(content_type=content_type, codename=codename, defaults={"name": name})

    present = {model._meta.model_name for model in apps.get_app_config("cases").get_models()}
    view_all = list(Permission.objects.filter(content_type__app_label="cases", codename__startswith="view_"))
    for group_name, codenames in ((EDITOR_GROUP, EDITOR_PERMISSIONS), (REVIEWER_GROUP, REVIEWER_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = list(Permission.objects.filter(content_type__app_label="cases", codename__in=codenames))
        # Every codename ends in _<model>; a model a later migration adds is granted when that
        # migration runs this function again.
        missing = {c for c in set(codenames) - {p.codename for p in wanted} if c.rsplit("_", 1)[1] in present}
        if missing:
            raise LookupError(f"permissions missing for group {group_name}: {', '.join(sorted(missing))}")
        group.permissions.add(*wanted, *view_all)
