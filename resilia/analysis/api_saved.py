"""API of the saved what-ifs (resilia.analysis.saved): `/api/analysis/saved-whatifs/` list
(GET) and save (POST {name, note, fail, at}); `<id>/` read (GET, the saved activities through
the reader's scope) and delete (DELETE); `<id>/rerun/` the differences from a run on the current
model; `compare/?a=<id>&b=<id>` the differences between two. Access as on the pages: the
author's, and the BCM office's."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from resilia.analysis import saved as svc
from resilia.analysis.api import WhatIfRequest
from resilia.analysis.models import SavedWhatIf
from resilia.analysis.results import Analysis
from resilia.analysis.whatif import FailureError, TimeWindowError
from resilia.api.viewsets import BaseApiViewSet
from resilia.core import access


class SavedWhatIfSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.get_username", read_only=True)

    class Meta:
        model = SavedWhatIf
        fields = [
            "id",
            "name",
            "note",
            "failed",
            "at",
            "ran_at",
            "revision",
            "created_by",
            "created_at",
            "activities",
        ]


class SaveRequest(WhatIfRequest):
    """A what-if to run on the current model and keep; `at` absent or null: "now"."""

    name = serializers.CharField(max_length=svc.NAME_MAX)
    note = serializers.CharField(required=False, allow_blank=True, default="")


def _times(values):
    names = ("stop_at", "back_at", "rto_breach_at", "mtpd_breach_at")
    return dict(zip(names, values, strict=True)) if values else None


def _entries(analysis, pairs):
    names = svc.labels(analysis, [key for key, _v in pairs])
    return [{**_node(names[key]), **_times(values)} for key, values in pairs]


def _node(node: dict) -> dict:
    return {k: node[k] for k in ("key", "kind", "code", "name")}


def _changes(analysis, a: dict, b: dict) -> dict:
    changes, hidden = svc.scoped(analysis, svc.compare(a, b))
    names = svc.labels(analysis, [c.key for c in changes])
    return {
        "changes": [
            {
                **_node(names[c.key]),
                "status": c.status,
                "a": _times(c.a),
                "b": _times(c.b),
                "shift": c.shift,
            }
            for c in changes
        ],
        "hidden": hidden,
    }


class NoFilters(django_filters.FilterSet):
    class Meta:
        model = SavedWhatIf
        fields: list[str] = []


CHANGES = inline_serializer(
    "SavedWhatIfChanges",
    {
        "a": serializers.IntegerField(),
        "b": serializers.IntegerField(allow_null=True),
        "revision_a": serializers.IntegerField(),
        "revision_b": serializers.IntegerField(),
        "changes": serializers.ListField(child=serializers.DictField()),
        "hidden": serializers.IntegerField(),
    },
)


class SavedWhatIfViewSet(BaseApiViewSet):
    """Saved what-ifs: the author's own, and everyone's for the BCM office."""

    model = SavedWhatIf
    serializer_class = SavedWhatIfSerializer
    filterset_class = NoFilters
    ordering_fields = ["created_at", "name", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        return super().get_queryset().select_related("created_by").defer("snapshot")

    @extend_schema(request=SaveRequest, responses={201: SavedWhatIfSerializer})
    def create(self, request):
        body = SaveRequest(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            saved = svc.saved_whatif_create(
                actor=request.user,
                name=data["name"],
                note=data.get("note", ""),
                specs=data["fail"],
                at=data.get("at"),
            )
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        except (FailureError, TimeWindowError) as exc:
            raise ValidationError({"fail": [str(exc)]}) from None
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        return Response(SavedWhatIfSerializer(saved).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses=inline_serializer(
            "SavedWhatIfDetail",
            {
                **{name: field for name, field in SavedWhatIfSerializer().get_fields().items()},
                "result": serializers.ListField(child=serializers.DictField()),
                "hidden": serializers.IntegerField(),
            },
        )
    )
    def retrieve(self, request, pk=None):
        saved = self.get_object()
        analysis = Analysis(request.user)
        pairs, hidden = svc.saved_activities(analysis, saved)
        data = SavedWhatIfSerializer(saved).data
        return Response({**data, "result": _entries(analysis, pairs), "hidden": hidden})

    def destroy(self, request, pk=None):
        saved = access.get_object_for_user(request.user, SavedWhatIf, pk, write=True)
        svc.saved_whatif_delete(actor=request.user, saved=saved)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=CHANGES)
    def rerun(self, request, pk=None):
        saved = self.get_object()
        try:
            report = svc.run(request.user, saved.failed, svc.rerun_at(saved))
        except (FailureError, TimeWindowError) as exc:
            raise ValidationError({"fail": [str(exc)]}) from None
        body = _changes(report.analysis, saved.snapshot, svc.snapshot(report))
        return Response(
            {
                "a": saved.pk,
                "b": None,
                "revision_a": saved.revision,
                "revision_b": report.analysis.revision,
                **body,
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("a", int, required=True),
            OpenApiParameter("b", int, required=True),
        ],
        responses=CHANGES,
    )
    def compare(self, request):
        unknown = sorted(set(request.query_params) - {"a", "b"})
        if unknown:
            raise ValidationError({name: [_("Unknown query parameter.")] for name in unknown})
        missing = [n for n in ("a", "b") if not request.query_params.get(n)]
        if missing:
            raise ValidationError({n: [_("This field is required.")] for n in missing})
        a, b = (
            access.get_object_for_user(request.user, SavedWhatIf, request.query_params[n])
            for n in ("a", "b")
        )
        body = _changes(Analysis(request.user), a.snapshot, b.snapshot)
        return Response(
            {"a": a.pk, "b": b.pk, "revision_a": a.revision, "revision_b": b.revision, **body}
        )


urlpatterns = [
    path(
        "analysis/saved-whatifs/",
        SavedWhatIfViewSet.as_view({"get": "list", "post": "create"}),
        name="analysis-saved-list",
    ),
    path(
        "analysis/saved-whatifs/compare/",
        SavedWhatIfViewSet.as_view({"get": "compare"}),
        name="analysis-saved-compare",
    ),
    path(
        "analysis/saved-whatifs/<int:pk>/",
        SavedWhatIfViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="analysis-saved-detail",
    ),
    path(
        "analysis/saved-whatifs/<int:pk>/rerun/",
        SavedWhatIfViewSet.as_view({"get": "rerun"}),
        name="analysis-saved-rerun",
    ),
]
