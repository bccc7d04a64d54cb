"""The guards every endpoint applies to its query parameters, each in one place.

* ``check_format``: ``?format=`` names one of the view's renderers (a 400 naming the choices).
* ``check_parameters``: the request carries only documented parameters (a 400 naming the others);
  ``allowed_parameters`` derives the documented set from the view's filters and paginator.
* ``visible_cases``: the cases a request may see; staff see other statuses only when they ask.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from cases.api.errors import UnknownParameters
from cases.models import Case
from cases.models.cases import CaseQuerySet

# Parameters every endpoint accepts: the renderer override (?format=json|csv; stats: json).
COMMON_PARAMETERS = frozenset({"format"})


def check_format(view: Any, request: Request) -> None:
    """``?format=`` must name one of the view's renderers: a 400 naming the choices, not a 404."""
    wanted = request.query_params.get("format")
    formats = [renderer.format for renderer in view.renderer_classes]
    if wanted is not None and wanted not in formats:
        raise ValidationError({"format": [f"unknown format {wanted!r}; use one of: {', '.join(formats)}"]})


def check_parameters(request: Request, allowed: Iterable[str]) -> None:
    """Refuse a parameter the endpoint does not document: a typo must not silently widen a query."""
    allowed = set(allowed) | COMMON_PARAMETERS
    unknown = sorted(name for name in request.query_params if name not in allowed)
    if unknown:
        raise UnknownParameters(unknown, sorted(allowed))


def allowed_parameters(view: Any) -> set[str]:
    """The query parameters this request may carry: exactly those the schema documents."""
    allowed = set(COMMON_PARAMETERS)
    if getattr(view, "action", None) != "list":
        return allowed
    for backend in view.filter_backends:
        if isinstance(backend(), DjangoFilterBackend):
            filterset_class = getattr(view, "filterset_class", None)
            if filterset_class is not None:
                allowed.update(filterset_class.base_filters)
        else:
            allowed.update(param["name"] for param in backend().get_schema_operation_parameters(view))
    if view.paginator is not None:
        allowed.update(param["name"] for param in view.paginator.get_schema_operation_parameters(view))
    return allowed


def is_staff(request: Request) -> bool:
    return bool(request.user and request.user.is_staff)


def visible_cases(request: Request, *, one_case: bool = False) -> CaseQuerySet:
    """The cases ``request`` may see: published ones, and for staff every status when they ask
    (``?status=`` on a list or on stats) or open one case by its id."""
    if is_staff(request) and (one_case or "status" in request.query_params):
        return Case.objects.all()
    return Case.objects.published()
