"""Staff writes to cases through the API: the same services and validation as the admin."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.api.detail import CaseDetailSerializer
from cases.api.errors import AmbiguousRegion
from cases.api.regions import RegionNotFound, resolve_region
from cases.models import PERIOD_FIELDS, Case, Status, Theme
from cases.services.editing import case_create, case_update
from cases.services.workflow import case_transition


@extend_schema_field(OpenApiTypes.STR)
class LocalityReferenceField(serializers.Field):
    """A place as the region filter takes it: a statistical code, ``id:N`` or an unambiguous name."""

    def to_internal_value(self, data: Any):
        if not isinstance(data, str):
            raise serializers.ValidationError("give a code, id:N or a name as a string")
        try:
            return resolve_region(data, field=self.field_name, include_hidden=True)
        except RegionNotFound as error:
            raise serializers.ValidationError(str(error)) from None
        except AmbiguousRegion as error:
            raise serializers.ValidationError(error.message) from None

    def to_representation(self, value):
        return value.code or f"id:{value.pk}"


class CaseWriteSerializer(serializers.ModelSerializer):
    """What an editor may set. Status changes go through ``POST /cases/{public_id}/transition/``."""

    primary_locality = LocalityReferenceField()
    localities = serializers.ListField(child=LocalityReferenceField(), required=False, max_length=200)
    themes = serializers.SlugRelatedField(
        many=True, slug_field="code", queryset=Theme.objects.all(), required=False, help_text="theme codes"
    )
    revision = serializers.IntegerField(
        required=False, min_value=0, write_only=True, help_text="the revision you edited; a stale one is refused"
    )

    class Meta:
        model = Case
        fields = [
            "public_id",
            "title_zh",
            "title_en",
            "summary_zh",
            "summary_en",
            "primary_locality",
            "localities",
            "themes",
            *PERIOD_FIELDS,
            "revision",
        ]
        # Uniqueness and constraints are checked by the service's full_clean, in one place.
        validators: list = []
        extra_kwargs = {"public_id": {"validators": []}}


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    revision = serializers.IntegerField(required=False, min_value=0, help_text="the revision you saw")


class CaseWriteMixin:
    """POST /cases/, PATCH /cases/{public_id}/, POST /cases/{public_id}/transition/ for editors.

    Each calls a service function (``case_create``, ``case_update``, ``case_transition``), which
    checks the user's permissions and validates; anonymous users get 401/403 before that.
    """

    def _detail(self, case: Case, status_code: int) -> Response:
        fresh = self.get_queryset_for_detail(case).get(pk=case.pk)
        return Response(CaseDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    @staticmethod
    def _split(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        data = dict(data)
        relations = {name: data.pop(name) for name in ("localities", "themes") if name in data}
        data.pop("revision", None)
        return data, relations

    @extend_schema(request=CaseWriteSerializer, responses={201: CaseDetailSerializer}, summary="Create a draft case")
    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = CaseWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        fields, relations = self._split(serializer.validated_data)
        case = case_create(user=request.user, fields=fields, **relations)
        return self._detail(case, status.HTTP_201_CREATED)

    @extend_schema(request=CaseWriteSerializer, responses={200: CaseDetailSerializer}, summary="Edit a case's content")
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        case = self.get_object()
        serializer = CaseWriteSerializer(case, data=request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        fields, relations = self._split(serializer.validated_data)
        case = case_update(
            case=case,
            user=request.user,
            fields=fields,
            expected_revision=serializer.validated_data.get("revision"),
            **relations,
        )
        return self._detail(case, status.HTTP_200_OK)

    @extend_schema(request=TransitionSerializer, responses={200: CaseDetailSerializer}, summary="Change status")
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, *args, **kwargs) -> Response:
        case = self.get_object()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = case_transition(
            case=case,
            to_status=serializer.validated_data["status"],
            user=request.user,
            expected_revision=serializer.validated_data.get("revision"),
        )
        return self._detail(case, status.HTTP_200_OK)
