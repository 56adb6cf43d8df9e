"""The risk app's API: threats, matrix versions, risks (with accept and scenario), measures,
assessments (with sign-off) and the risks as each assessment saw them.

Reads through the access choke point; writes through resilia.risk.services (which validate
ratings against the matrix, acceptances and measures, with translated messages).
"""

from __future__ import annotations

from django.db import transaction
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from resilia.api.serializers import (
    ScopedPrimaryKeyRelatedField,
    StrictModelSerializer,
    StrictSerializer,
)
from resilia.api.viewsets import BaseApiViewSet, RegisterViewSet, Services, routes
from resilia.core import access
from resilia.core.filters import SearchFilterSet
from resilia.dependencies.models import Activity, Resource
from resilia.org.models import Person, Site, Unit
from resilia.risk import scenarios, services
from resilia.risk.access import may_accept, may_sign_off
from resilia.risk.filters import (
    AssessmentFilterSet,
    MeasureFilterSet,
    RiskFilterSet,
    ThreatFilterSet,
)
from resilia.risk.models import (
    AssessedRisk,
    MatrixVersion,
    Measure,
    Risk,
    RiskAssessment,
    Scenario,
    Threat,
)


class Conflict(exceptions.APIException):
    """The record's state does not allow this step (409)."""

    status_code = status.HTTP_409_CONFLICT


class ThreatSerializer(StrictModelSerializer):
    """A threat of the catalogue."""

    display_name = serializers.CharField(read_only=True)
    resource_kinds = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = Threat
        fields = ["id", "code", "name", "name_en", "display_name", "threat_class", "group",
                  "description", "resource_kinds", "typical_duration", "active"]  # fmt: skip


class MatrixSerializer(serializers.ModelSerializer):
    """A version of the risk matrix; POST saves a new version (never changes an old one)."""

    size = serializers.CharField(read_only=True)

    class Meta:
        model = MatrixVersion
        fields = ["id", "number", "size", "likelihood", "impact", "method", "table", "bands",
                  "appetite", "bia_framework", "note", "created_at"]  # fmt: skip
        read_only_fields = ["number", "bia_framework", "created_at"]


class MatrixInputSerializer(StrictSerializer):
    likelihood = serializers.ListField(child=serializers.DictField())
    impact = serializers.ListField(child=serializers.DictField())
    method = serializers.ChoiceField(choices=["product", "table"], default="product")
    table = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()), required=False,
        allow_null=True,
    )  # fmt: skip
    bands = serializers.ListField(child=serializers.DictField())
    appetite = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True)


class RiskSerializer(StrictModelSerializer):
    """A risk of the register; scores, bands and the next review are derived on save."""

    threat = ScopedPrimaryKeyRelatedField(Threat)
    unit = ScopedPrimaryKeyRelatedField(Unit)
    owner = ScopedPrimaryKeyRelatedField(Person, allow_null=True, required=False)
    units = ScopedPrimaryKeyRelatedField(Unit, many=True, required=False)
    sites = ScopedPrimaryKeyRelatedField(Site, many=True, required=False)
    resources = ScopedPrimaryKeyRelatedField(Resource, many=True, required=False)
    activities = ScopedPrimaryKeyRelatedField(Activity, many=True, required=False)
    pending_rescore = serializers.SerializerMethodField()

    class Meta:
        model = Risk
        fields = [
            "id", "code", "title", "title_en", "threat", "unit", "owner", "units", "sites",
            "resources", "activities", "cause", "description", "existing_controls",
            "typical_duration", "matrix", "inherent_likelihood", "inherent_impact",
            "inherent_score", "inherent_band", "residual_likelihood", "residual_impact",
            "residual_score", "residual_band", "band", "score", "needs_treatment", "treatment",
            "acceptance_reason", "accepted_by", "accepted_at", "acceptance_expires",
            "suggested_impact", "reviewed_on", "next_review", "status", "pending_rescore",
        ]  # fmt: skip
        read_only_fields = ["matrix", "acceptance_reason", "accepted_by", "accepted_at",
                            "acceptance_expires", "suggested_impact"]  # fmt: skip

    def get_pending_rescore(self, obj) -> bool:
        return obj.matrix_id != self.context["current_matrix"]


class MeasureSerializer(StrictModelSerializer):
    """A treatment measure: owner and due date required."""

    risk = ScopedPrimaryKeyRelatedField(Risk)
    owner = ScopedPrimaryKeyRelatedField(Person, allow_null=True)

    class Meta:
        model = Measure
        fields = ["id", "risk", "title", "owner", "due_date", "status", "evidence",
                  "completed_on"]  # fmt: skip
        extra_kwargs = {"due_date": {"allow_null": True}}


class RiskAssessmentSerializer(StrictModelSerializer):
    """A periodic risk assessment; `sign-off/` keeps the snapshot of its risks."""

    units = ScopedPrimaryKeyRelatedField(Unit, many=True, required=False)

    class Meta:
        model = RiskAssessment
        fields = ["id", "code", "name", "name_en", "assessed_on", "units", "status", "summary",
                  "signed_off_by", "signed_off_at"]  # fmt: skip
        read_only_fields = ["status"]


class AssessedRiskSerializer(serializers.ModelSerializer):
    """A risk as a signed-off assessment saw it, on its own matrix version."""

    class Meta:
        model = AssessedRisk
        fields = ["id", "assessment", "risk", "unit", "matrix", "code", "title", "threat",
                  "inherent_likelihood", "inherent_impact", "inherent_score", "inherent_band",
                  "residual_score", "residual_band", "treatment", "open_measures"]  # fmt: skip


class ScenarioSerializer(serializers.ModelSerializer):
    class Meta:
        model = Scenario
        fields = ["id", "risk", "run_at", "run_by", "failed", "duration", "revision",
                  "activities", "stopped", "breached", "suggested_impact"]  # fmt: skip


class RiskAcceptSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    expires = serializers.DateField(allow_null=True)


class ThreatViewSet(RegisterViewSet):
    """The threat catalogue."""

    model = Threat
    serializer_class = ThreatSerializer
    filterset_class = ThreatFilterSet
    ordering_fields = ["code", "name", "threat_class", "group", "id"]
    ordering = ["code"]
    services = Services(services.threat_create, services.threat_update, services.threat_delete,
                        "threat")  # fmt: skip


class MatrixFilterSet(SearchFilterSet):
    search_fields = ("note",)

    class Meta:
        model = MatrixVersion
        fields = ["q"]


class MatrixViewSet(BaseApiViewSet):
    """Versions of the risk matrix, newest first; POST saves a new version."""

    model = MatrixVersion
    serializer_class = MatrixSerializer
    filterset_class = MatrixFilterSet
    ordering_fields = ["number"]
    ordering = ["-number"]

    @extend_schema(request=MatrixInputSerializer, responses={201: MatrixSerializer})
    def create(self, request):
        access.require_kind(request.user, MatrixVersion, write=True)
        body = MatrixInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            version = services.matrix_save(actor=request.user, **body.validated_data)
        return Response(MatrixSerializer(version).data, status=status.HTTP_201_CREATED)


class RiskViewSet(RegisterViewSet):
    """The risk register; `accept/` records an acceptance, `scenario/` runs the what-if."""

    model = Risk
    serializer_class = RiskSerializer
    filterset_class = RiskFilterSet
    ordering_fields = ["code", "score", "inherent_score", "residual_score", "next_review", "id"]
    ordering = ["code"]
    services = Services(services.risk_create, services.risk_update, services.risk_delete, "risk")

    def get_queryset(self):
        return super().get_queryset().prefetch_related("units", "sites", "resources", "activities")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "current_matrix": services.latest_matrix().pk}

    @extend_schema(request=RiskAcceptSerializer, responses=RiskSerializer)
    def accept(self, request, pk=None):
        risk = access.get_object_for_user(request.user, Risk, pk)
        if not may_accept(request.user):
            raise exceptions.PermissionDenied
        body = RiskAcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            services.risk_accept(actor=request.user, risk=risk, **body.validated_data)
        risk.refresh_from_db()
        return Response(self.get_serializer(risk).data)

    @extend_schema(request=None, responses={201: ScenarioSerializer})
    def scenario(self, request, pk=None):
        risk = access.get_object_for_user(request.user, Risk, pk, write=True)
        scenario = scenarios.scenario_run(actor=request.user, risk=risk)
        return Response(ScenarioSerializer(scenario).data, status=status.HTTP_201_CREATED)


class MeasureViewSet(RegisterViewSet):
    """Treatment measures of the risks (`?overdue=true`: the overdue list)."""

    model = Measure
    serializer_class = MeasureSerializer
    filterset_class = MeasureFilterSet
    ordering_fields = ["due_date", "status", "id"]
    ordering = ["due_date", "id"]
    services = Services(services.measure_create, services.measure_update, services.measure_delete,
                        "measure")  # fmt: skip

    def scope_unit(self, data: dict):
        risk = data.get("risk")
        return risk.unit if risk is not None else None


class RiskAssessmentViewSet(RegisterViewSet):
    """Periodic risk assessments; `sign-off/` (BCM manager) keeps the snapshot."""

    model = RiskAssessment
    serializer_class = RiskAssessmentSerializer
    filterset_class = AssessmentFilterSet
    ordering_fields = ["assessed_on", "code", "id"]
    ordering = ["-assessed_on", "code"]
    services = Services(services.assessment_create, services.assessment_update,
                        services.assessment_delete, "assessment")  # fmt: skip

    def get_queryset(self):
        return super().get_queryset().prefetch_related("units")

    @extend_schema(request=None, responses=RiskAssessmentSerializer)
    def sign_off(self, request, pk=None):
        assessment = access.get_object_for_user(request.user, RiskAssessment, pk)
        if not may_sign_off(request.user, assessment):
            if assessment.status != "draft":
                raise Conflict(_("This assessment was already signed off."))
            raise exceptions.PermissionDenied
        assessment = services.assessment_sign_off(actor=request.user, assessment=assessment)
        return Response(self.get_serializer(assessment).data)


class AssessedRiskFilterSet(SearchFilterSet):
    search_fields = ("code", "title")

    class Meta:
        model = AssessedRisk
        fields = ["q", "assessment"]


class AssessedRiskViewSet(BaseApiViewSet):
    """The risks as each signed-off assessment saw them."""

    model = AssessedRisk
    serializer_class = AssessedRiskSerializer
    filterset_class = AssessedRiskFilterSet
    ordering_fields = ["code", "inherent_score", "id"]
    ordering = ["code"]


urlpatterns = [
    *routes("risk/threats", ThreatViewSet, "risk-threat"),
    path(
        "risk/matrices/",
        MatrixViewSet.as_view({"get": "list", "post": "create"}),
        name="risk-matrix-list",
    ),
    path(
        "risk/matrices/<int:pk>/",
        MatrixViewSet.as_view({"get": "retrieve"}),
        name="risk-matrix-detail",
    ),
    *routes("risk/risks", RiskViewSet, "risk-risk"),
    *routes("risk/measures", MeasureViewSet, "risk-measure"),
    *routes("risk/assessments", RiskAssessmentViewSet, "risk-assessment"),
    *routes("risk/assessed-risks", AssessedRiskViewSet, "risk-assessedrisk", read_only=True),
    path("risk/risks/<int:pk>/accept/", RiskViewSet.as_view({"post": "accept"}),
         name="risk-risk-accept"),
    path("risk/risks/<int:pk>/scenario/", RiskViewSet.as_view({"post": "scenario"}),
         name="risk-risk-scenario"),
    path("risk/assessments/<int:pk>/sign-off/", RiskAssessmentViewSet.as_view({"post": "sign_off"}),
         name="risk-assessment-sign-off"),
]  # fmt: skip
