"""The declarations of the BIA registers (see resilia.core.lists)."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from resilia.bia.filters import AssessmentFilterSet, CampaignFilterSet
from resilia.bia.models import Assessment, Campaign
from resilia.core.lists import Column, Register, duration_column

CAMPAIGNS = Register(
    model=Campaign,
    filterset=CampaignFilterSet,
    title=_("BIA campaigns"),
    basename="bia-campaigns",
    columns=[
        Column("code", _("Code"), "code", order="code", link=True, css="text-nowrap"),
        Column("name", _("Name"), "display_name", order="name"),
        Column("period_start", _("Period from"), "period_start", order="period_start"),
        Column("period_end", _("Period to"), "period_end", order="period_end"),
        Column("deadline", _("Deadline"), "deadline", order="deadline", css="text-nowrap"),
        Column("status", _("Status"), "get_status_display", order="status"),
        Column("assessments", _("Assessments"), "assessment_count", order="assessment_count"),
    ],
    ordering=("-period_start", "code"),
    annotate=lambda qs: qs.annotate(assessment_count=Count("assessments")),
    create_url="bia:campaign_create",
    template="bia/list_page.html",
)

ASSESSMENTS = Register(
    model=Assessment,
    filterset=AssessmentFilterSet,
    title=_("Impact assessments"),
    basename="bia-assessments",
    columns=[
        Column(
            "activity",
            _("Activity"),
            "activity.code",
            order="activity__code",
            link=True,
            css="text-nowrap",
        ),
        Column("name", _("Name"), "activity.display_name", order="activity__name"),
        Column("unit", _("Unit"), "activity.unit.display_name", order="activity__unit__path"),
        Column("campaign", _("Campaign"), "campaign.code", order="campaign__code"),
        Column("status", _("Status"), "get_status_display", order="status"),
        Column("assignee", _("Assigned to"), "assignee", order="assignee__username"),
        duration_column("mtpd", _("Derived MTPD"), "derived_mtpd"),
        duration_column("rto", _("RTO"), "rto"),
        duration_column("rpo", _("RPO"), "rpo"),
        Column("version", _("Version"), "version", order="version"),
    ],
    ordering=("campaign__code", "activity__code"),
    select_related=("activity", "activity__unit", "campaign", "assignee"),
    template="bia/list_page.html",
)
