"""API of the strategies app: `/api/strategies/options/` and the comparisons.

Reads through the access choke point (the option is scoped by its activity or resource);
writes through resilia.strategies.services. POST `choose/` or `reject/` (reason) on an option
takes the decision (403 for a user who may not decide, 409 when the option's state does not
allow it); POST `test/` records what a test of the chosen option achieved (for a resource,
it becomes the resource's recovery capability). GET `/api/strategies/activities/<pk>/compare/`
(or `resources/<pk>/compare/`) answers the side-by-side comparison against the objectives.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from resilia.api.serializers import ScopedPrimaryKeyRelatedField, StrictModelSerializer
from resilia.api.viewsets import BaseApiViewSet, RegisterViewSet, Services, routes
from resilia.core import access
from resilia.dependencies.models import Activity, Resource
from resilia.strategies import selectors, services
from resilia.strategies.access import may_decide
from resilia.strategies.filters import OptionFilterSet
from resilia.strategies.models import Option, Status


class Conflict(exceptions.APIException):
    """The option's state does not allow this step (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class OptionSerializer(StrictModelSerializer):
    """A candidate strategy for one activity or one resource (durations in minutes)."""

    activity = ScopedPrimaryKeyRelatedField(Activity, allow_null=True, required=False)
    resource = ScopedPrimaryKeyRelatedField(Resource, allow_null=True, required=False)
    family = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Option
        fields = [
            "id",
            "activity",
            "resource",
            "name",
            "name_en",
            "display_name",
            "kind",
            "family",
            "description",
            "recovery_time",
            "recovery_point",
            "cost_once",
            "cost_yearly",
            "residual_risk",
            "people_needed",
            "seats_needed",
            "equipment_needed",
            "data_needed",
            "status",
            "decided_by",
            "decided_at",
            "decision_reason",
            "tested_on",
            "tested_recovery_time",
            "tested_recovery_point",
            "test_evidence",
        ]
        read_only_fields = [
            "status",
            "decided_by",
            "decided_at",
            "decision_reason",
            "tested_on",
            "tested_recovery_time",
            "tested_recovery_point",
            "test_evidence",
        ]


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class TestSerializer(serializers.Serializer):
    tested_on = serializers.DateField()
    tested_recovery_time = serializers.IntegerField(min_value=0)
    tested_recovery_point = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    test_evidence = serializers.CharField(max_length=500, required=False, allow_blank=True)


class OptionViewSet(RegisterViewSet):
    model = Option
    serializer_class = OptionSerializer
    filterset_class = OptionFilterSet
    ordering_fields = ["id", "name", "recovery_time", "recovery_point", "cost_once", "status"]
    services = Services(
        services.option_create, services.option_update, services.option_delete, "option"
    )

    def get_queryset(self):
        return super().get_queryset().select_related("activity", "resource").order_by("-id")

    def scope_unit(self, data: dict):
        subject = data.get("activity") or data.get("resource")
        return subject.unit if subject is not None else None

    def _check_subject(self, data: dict) -> None:
        for name in ("activity", "resource"):
            subject = data.get(name)
            if subject is not None and not access.can_write(self.request.user, subject):
                raise exceptions.PermissionDenied(
                    _("You may not propose options for this activity or resource.")
                )

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        self._check_subject(body.validated_data)
        return super().create(request, *args, **kwargs)

    def update(self, request, *args, partial: bool = False, **kwargs):
        option = access.get_object_for_user(request.user, Option, kwargs["pk"], write=True)
        if not option.editable:
            raise Conflict(
                _("This option is %(status)s: it can no longer be changed.")
                % {"status": option.get_status_display()}
            )
        body = self.get_serializer(option, data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        self._check_subject(body.validated_data)
        return super().update(request, *args, partial=partial, **kwargs)

    def _step(self, request, pk, *, may, state_ok, run, serializer):
        option = access.get_object_for_user(request.user, Option, pk)
        if not may(request.user, option):
            raise exceptions.PermissionDenied()
        if not state_ok(option):
            raise Conflict(
                _("This option is %(status)s: this step does not apply to it.")
                % {"status": option.get_status_display()}
            )
        body = serializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            option = run(actor=request.user, option=option, **body.validated_data)
        return Response(OptionSerializer(option, context={"request": request}).data)

    @extend_schema(request=DecisionSerializer, responses=OptionSerializer)
    def choose(self, request, pk=None):
        return self._step(
            request,
            pk,
            may=may_decide,
            state_ok=lambda o: o.editable,
            run=services.option_choose,
            serializer=DecisionSerializer,
        )

    @extend_schema(request=DecisionSerializer, responses=OptionSerializer)
    def reject(self, request, pk=None):
        return self._step(
            request,
            pk,
            may=may_decide,
            state_ok=lambda o: o.status == Status.PROPOSED,
            run=services.option_reject,
            serializer=DecisionSerializer,
        )

    @extend_schema(request=TestSerializer, responses=OptionSerializer)
    def test(self, request, pk=None):
        return self._step(
            request,
            pk,
            may=access.can_write,
            state_ok=lambda o: o.status == Status.CHOSEN,
            run=services.option_record_test,
            serializer=TestSerializer,
        )


class ComparedSerializer(serializers.Serializer):
    option = OptionSerializer()
    meets_rto = serializers.BooleanField(allow_null=True, source="verdict.meets_rto")
    meets_rpo = serializers.BooleanField(allow_null=True, source="verdict.meets_rpo")
    total_cost = serializers.FloatField(source="verdict.total_cost")
    recommended = serializers.BooleanField(source="verdict.recommended")


class ComparisonSerializer(serializers.Serializer):
    rto = serializers.IntegerField(allow_null=True, source="objectives.rto")
    rpo = serializers.IntegerField(allow_null=True, source="objectives.rpo")
    mtpd = serializers.IntegerField(allow_null=True, source="objectives.mtpd")
    options = ComparedSerializer(many=True, source="rows")
    more = serializers.IntegerField()


class ComparisonViewSet(BaseApiViewSet):
    """The options of one activity or resource judged against its objectives."""

    model = Option
    serializer_class = ComparisonSerializer
    filterset_class = OptionFilterSet
    subject_model = Activity

    @extend_schema(responses=ComparisonSerializer)
    def retrieve(self, request, *args, **kwargs):
        subject = access.get_object_for_user(request.user, self.subject_model, kwargs["pk"])
        try:
            result = selectors.comparison(request.user, subject)
        except ValidationError as exc:  # pragma: no cover - reads raise none today
            raise exceptions.ValidationError(exc.messages) from exc
        return Response(ComparisonSerializer(result, context={"request": request}).data)


class ResourceComparisonViewSet(ComparisonViewSet):
    subject_model = Resource


urlpatterns = [
    *routes("strategies/options", OptionViewSet, "strategy-option"),
    *[
        path(
            f"strategies/options/<int:pk>/{step}/",
            OptionViewSet.as_view({"post": step}),
            name=f"strategy-option-{step}",
        )
        for step in ("choose", "reject", "test")
    ],
    path(
        "strategies/activities/<int:pk>/compare/",
        ComparisonViewSet.as_view({"get": "retrieve"}),
        name="strategy-compare-activity",
    ),
    path(
        "strategies/resources/<int:pk>/compare/",
        ResourceComparisonViewSet.as_view({"get": "retrieve"}),
        name="strategy-compare-resource",
    ),
]
