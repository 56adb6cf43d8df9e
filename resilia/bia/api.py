"""API of the BIA (read side): `/api/bia/frameworks/`, `/api/bia/campaigns/`,
`/api/bia/assessments/`.

Reads through the access choke point (resilia.bia.access policies) like every register;
assessments filter by the same filter set as the pages (campaign, status, unit, q, mine).
The write side (framework versions, campaign CRUD and launch/close, answers and the
workflow actions) is to follow through resilia.bia.services.
"""

from __future__ import annotations

from rest_framework import serializers

from resilia.api.viewsets import BaseApiViewSet, routes
from resilia.bia.filters import AssessmentFilterSet, CampaignFilterSet
from resilia.bia.models import Assessment, Campaign, FrameworkVersion
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


class FrameworkViewSet(BaseApiViewSet):
    """Versions of the impact framework, newest first."""

    model = FrameworkVersion
    serializer_class = FrameworkSerializer
    filterset_class = FrameworkFilterSet
    ordering_fields = ["number"]
    ordering = ["-number"]


class CampaignViewSet(BaseApiViewSet):
    """BIA campaigns."""

    model = Campaign
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    ordering_fields = ["code", "period_start", "deadline", "id"]
    ordering = ["-period_start", "code"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("units", "activities")


class AssessmentViewSet(BaseApiViewSet):
    """Impact assessments in the reader's scope."""

    model = Assessment
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilterSet
    ordering_fields = ["status", "derived_mtpd", "rto", "id"]
    ordering = ["campaign", "activity__code"]

    def get_queryset(self):
        return super().get_queryset().select_related("activity")


urlpatterns = [
    *routes("bia/frameworks", FrameworkViewSet, "bia-framework", read_only=True),
    *routes("bia/campaigns", CampaignViewSet, "bia-campaign", read_only=True),
    *routes("bia/assessments", AssessmentViewSet, "bia-assessment", read_only=True),
]
