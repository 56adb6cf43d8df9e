"""API of the BIA (read side): `/api/bia/frameworks/`, `/api/bia/campaigns/`,
`/api/bia/assessments/`.

Reads through the access choke point (resilia.bia.access policies) like every register;
assessments filter by the same filter set as the pages (campaign, status, unit, q, mine).
Writes go through resilia.bia.services and the workflow decisions of resilia.bia.access:
PATCH an assessment's answers, POST `submit/`, `return/` (comment), `review/` and `approve/`
(mtpd_override, override_reason) on it, and `launch/` on a campaign. A role that may not take
the step answers 403; a step the record's state does not allow (submitting an approved
assessment, approving one not yet reviewed) answers 409; a refused answer (a rating off the
scale, an RTO not strictly below the MTPD) answers 400 naming the field.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from resilia.api.serializers import StrictSerializer
from resilia.api.viewsets import BaseApiViewSet
from resilia.bia import access as bia_access
from resilia.bia import services
from resilia.bia.filters import AssessmentFilterSet, CampaignFilterSet
from resilia.bia.models import Assessment, Campaign, FrameworkVersion
from resilia.core import access
from resilia.core.access import WRITE_ALL
from resilia.core.filters import SearchFilterSet


class FrameworkFilterSet(SearchFilterSet):
    search_fields = ("note",)

    class Meta:
        model = FrameworkVersion
        fields = ["q"]


class FrameworkSerializer(serializers.ModelSerializer):
    """One version of the impact framework: categories with their scale and threshold, time
    points (minutes), criticality tiers by RTO band, peak periods, resource time points."""

    class Meta:
        model = FrameworkVersion
        fields = [
            "id",
            "number",
            "categories",
            "time_points",
            "tiers",
            "peak_periods",
            "resource_points",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer):
    """A BIA campaign (年度业务影响分析) with its scope and framework version."""

    class Meta:
        model = Campaign
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "period_start",
            "period_end",
            "deadline",
            "units",
            "activities",
            "framework",
            "status",
            "instructions",
            "launched_at",
        ]
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer):
    """One activity's answers, with the derived MTPD (minutes) and the categories driving it."""

    activity_code = serializers.CharField(source="activity.code", read_only=True)
    mtpd = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "campaign",
            "activity",
            "activity_code",
            "framework",
            "assignee",
            "status",
            "version",
            "ratings",
            "peaks",
            "losses",
            "resources",
            "rto",
            "rto_all",
            "rpo",
            "mbco_level",
            "mbco",
            "workaround",
            "workaround_minutes",
            "alternate_site",
            "dependencies_confirmed",
            "customer_facing",
            "accounting",
            "time_critical",
            "severe_impact",
            "derived_mtpd",
            "derived_drivers",
            "derived_peak",
            "mtpd_override",
            "override_reason",
            "mtpd",
            "submitted_at",
            "approved_at",
        ]
        read_only_fields = fields


class FrameworkInputSerializer(StrictSerializer):
    """A new version of the framework (the BCM office); checked by the services."""

    categories = serializers.ListField(child=serializers.DictField())
    time_points = serializers.ListField(child=serializers.IntegerField())
    tiers = serializers.ListField(child=serializers.DictField())
    peak_periods = serializers.ListField(child=serializers.DictField(), required=False)
    resource_points = serializers.ListField(child=serializers.IntegerField(), required=False)
    note = serializers.CharField(allow_blank=True, required=False, default="")


class FrameworkViewSet(BaseApiViewSet):
    """Versions of the impact framework, newest first; POST saves a new version."""

    model = FrameworkVersion
    serializer_class = FrameworkSerializer
    filterset_class = FrameworkFilterSet
    ordering_fields = ["number"]
    ordering = ["-number"]
    services = services

    @extend_schema(request=FrameworkInputSerializer, responses={201: FrameworkSerializer})
    def create(self, request):
        access.require_kind(request.user, FrameworkVersion, write=True)
        body = FrameworkInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            version = services.framework_save(actor=request.user, **body.validated_data)
        return Response(FrameworkSerializer(version).data, status=status.HTTP_201_CREATED)


class CampaignInputSerializer(StrictSerializer):
    """A campaign's fields; its scope by unit and activity ids you may read."""

    code = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, allow_blank=True, required=False)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    deadline = serializers.DateField()
    instructions = serializers.CharField(allow_blank=True, required=False)
    units = serializers.ListField(child=serializers.IntegerField(), required=False)
    activities = serializers.ListField(child=serializers.IntegerField(), required=False)

    def validate(self, attrs):
        user = self.context["user"]
        from resilia.dependencies.models import Activity
        from resilia.org.models import Unit

        for name, model in (("units", Unit), ("activities", Activity)):
            if name in attrs:
                ids = attrs[name]
                found = list(model.objects.for_user(user).filter(pk__in=ids))
                if len(found) != len(set(ids)):
                    raise serializers.ValidationError({name: [_("Unknown or unreadable id.")]})
                attrs[name] = found
        return attrs


class CampaignViewSet(BaseApiViewSet):
    """BIA campaigns; `launch/` creates one assessment per activity in scope (BCM office)."""

    model = Campaign
    services = services
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    ordering_fields = ["code", "period_start", "deadline", "id"]
    ordering = ["-period_start", "code"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("units", "activities")

    @extend_schema(request=CampaignInputSerializer, responses={201: CampaignSerializer})
    def create(self, request):
        access.require_kind(request.user, Campaign, write=True)
        body = CampaignInputSerializer(data=request.data, context={"user": request.user})
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            campaign = services.campaign_create(actor=request.user, **body.validated_data)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CampaignInputSerializer, responses=CampaignSerializer)
    def partial_update(self, request, pk=None):
        campaign = access.get_object_for_user(request.user, Campaign, pk, write=True)
        body = CampaignInputSerializer(
            data=request.data, partial=True, context={"user": request.user}
        )
        body.is_valid(raise_exception=True)
        if campaign.status != "draft" and {"units", "activities"} & set(body.validated_data):
            raise Conflict(_("The scope of a launched campaign cannot change."))
        with transaction.atomic():
            services.campaign_update(actor=request.user, campaign=campaign, **body.validated_data)
        campaign.refresh_from_db()
        return Response(CampaignSerializer(campaign).data)

    @extend_schema(request=None, responses=CampaignSerializer)
    def close(self, request, pk=None):
        campaign = access.get_object_for_user(request.user, Campaign, pk, write=True)
        if campaign.status != "launched":
            raise Conflict(_("Only a launched campaign can be closed."))
        with transaction.atomic():
            services.campaign_close(actor=request.user, campaign=campaign)
        campaign.refresh_from_db()
        return Response(CampaignSerializer(campaign).data)

    @extend_schema(request=None, responses=CampaignSerializer)
    def launch(self, request, pk=None):
        campaign = access.get_object_for_user(request.user, Campaign, pk, write=True)
        if campaign.status != "draft":
            raise Conflict(_("This campaign was already launched."))
        with transaction.atomic():
            services.campaign_launch(actor=request.user, campaign=campaign)
        campaign.refresh_from_db()
        return Response(CampaignSerializer(campaign).data)


class Conflict(exceptions.APIException):
    """The record's state does not allow this step (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class AnswersSerializer(StrictSerializer):
    """The answers a coordinator gives (all optional in a PATCH); checked by the services."""

    ratings = serializers.DictField(child=serializers.ListField(allow_null=True), required=False)
    peaks = serializers.DictField(required=False)
    losses = serializers.ListField(required=False)
    resources = serializers.ListField(child=serializers.DictField(), required=False)
    rto = serializers.IntegerField(min_value=0, allow_null=True, required=False)
    rto_all = serializers.IntegerField(min_value=0, allow_null=True, required=False)
    rpo = serializers.IntegerField(min_value=0, allow_null=True, required=False)
    mbco_level = serializers.CharField(max_length=100, allow_blank=True, required=False)
    mbco = serializers.CharField(allow_blank=True, required=False)
    workaround = serializers.CharField(allow_blank=True, required=False)
    workaround_minutes = serializers.IntegerField(min_value=0, allow_null=True, required=False)
    alternate_site = serializers.IntegerField(allow_null=True, required=False)
    dependencies_confirmed = serializers.BooleanField(required=False)
    customer_facing = serializers.BooleanField(required=False)
    accounting = serializers.BooleanField(required=False)
    time_critical = serializers.BooleanField(required=False)
    severe_impact = serializers.BooleanField(required=False)


class CommentSerializer(StrictSerializer):
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class ApproveSerializer(StrictSerializer):
    mtpd_override = serializers.IntegerField(min_value=0, allow_null=True, required=False)
    override_reason = serializers.CharField(allow_blank=True, required=False, default="")
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class AssessmentViewSet(BaseApiViewSet):
    """Impact assessments in the reader's scope, their answers and their workflow."""

    model = Assessment
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilterSet
    ordering_fields = ["status", "derived_mtpd", "rto", "id"]
    ordering = ["campaign", "activity__code"]
    # The schema documents 409 for views with services (resilia.api.schema).
    services = services

    def get_queryset(self):
        return super().get_queryset().select_related("activity", "activity__unit", "framework")

    def _object(self, pk) -> Assessment:
        obj = access.get_object_for_user(self.request.user, Assessment, pk)
        return Assessment.objects.select_related("activity__unit", "framework", "campaign").get(
            pk=obj.pk
        )

    def _done(self, assessment):
        assessment.refresh_from_db()
        return Response(AssessmentSerializer(assessment).data)

    @extend_schema(request=AnswersSerializer, responses=AssessmentSerializer)
    def partial_update(self, request, pk=None):
        a = self._object(pk)
        if not access.can_write(request.user, a):
            raise exceptions.PermissionDenied()
        if not a.editable:
            raise Conflict(
                _("This assessment is %(status)s: its answers cannot change.")
                % {"status": a.get_status_display()}
            )
        data = AnswersSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers = dict(data.validated_data)
        if "alternate_site" in answers and answers["alternate_site"] is not None:
            from resilia.org.models import Site

            site = Site.objects.for_user(request.user).filter(pk=answers["alternate_site"]).first()
            if site is None:
                raise exceptions.ValidationError({"alternate_site": [_("No such site.")]})
            answers["alternate_site"] = site
        with transaction.atomic():
            services.assessment_save(actor=request.user, assessment=a, **answers)
        return self._done(a)

    def _step(self, request, pk, *, may, state_ok, run, serializer=None):
        a = self._object(pk)
        if not may(request.user, a):
            raise exceptions.PermissionDenied()
        if not state_ok(a):
            raise Conflict(
                _("This assessment is %(status)s: this step does not apply to it.")
                % {"status": a.get_status_display()}
            )
        kwargs = {}
        if serializer is not None:
            body = serializer(data=request.data)
            body.is_valid(raise_exception=True)
            kwargs = dict(body.validated_data)
        with transaction.atomic():
            run(actor=request.user, assessment=a, **kwargs)
        return self._done(a)

    @extend_schema(request=None, responses=AssessmentSerializer)
    def submit(self, request, pk=None):
        return self._step(
            request,
            pk,
            may=access.can_write,
            state_ok=lambda a: a.editable,
            run=services.assessment_submit,
        )

    @extend_schema(request=CommentSerializer, responses=AssessmentSerializer)
    def send_back(self, request, pk=None):
        return self._step(
            request,
            pk,
            may=_office,
            state_ok=_submitted,
            run=services.assessment_return,
            serializer=CommentSerializer,
        )

    @extend_schema(request=CommentSerializer, responses=AssessmentSerializer)
    def review(self, request, pk=None):
        return self._step(
            request,
            pk,
            may=_office,
            state_ok=_submitted,
            run=services.assessment_review,
            serializer=CommentSerializer,
        )

    @extend_schema(request=ApproveSerializer, responses=AssessmentSerializer)
    def approve(self, request, pk=None):
        return self._step(
            request,
            pk,
            may=lambda user, a: bia_access.is_unit_approver(user, a.activity.unit),
            state_ok=lambda a: a.status == "reviewed",
            run=services.assessment_approve,
            serializer=ApproveSerializer,
        )


def _office(user, assessment) -> bool:
    return access.role_of(user) in WRITE_ALL


def _submitted(assessment) -> bool:
    return assessment.status == "submitted"


urlpatterns = [
    path(
        "bia/frameworks/",
        FrameworkViewSet.as_view({"get": "list", "post": "create"}),
        name="bia-framework-list",
    ),
    path(
        "bia/frameworks/<int:pk>/",
        FrameworkViewSet.as_view({"get": "retrieve"}),
        name="bia-framework-detail",
    ),
    path(
        "bia/campaigns/",
        CampaignViewSet.as_view({"get": "list", "post": "create"}),
        name="bia-campaign-list",
    ),
    path(
        "bia/campaigns/<int:pk>/",
        CampaignViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="bia-campaign-detail",
    ),
    path(
        "bia/campaigns/<int:pk>/close/",
        CampaignViewSet.as_view({"post": "close"}),
        name="bia-campaign-close",
    ),
    path(
        "bia/campaigns/<int:pk>/launch/",
        CampaignViewSet.as_view({"post": "launch"}),
        name="bia-campaign-launch",
    ),
    path(
        "bia/assessments/", AssessmentViewSet.as_view({"get": "list"}), name="bia-assessment-list"
    ),
    path(
        "bia/assessments/<int:pk>/",
        AssessmentViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="bia-assessment-detail",
    ),
    *[
        path(
            f"bia/assessments/<int:pk>/{step}/",
            AssessmentViewSet.as_view({"post": method}),
            name=f"bia-assessment-{step}",
        )
        for step, method in (
            ("submit", "submit"),
            ("return", "send_back"),
            ("review", "review"),
            ("approve", "approve"),
        )
    ],
]
