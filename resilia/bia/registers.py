"""The declarations of the BIA registers (see resilia.core.lists)."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from resilia.bia.filters import AssessmentFilterSet, CampaignFilterSet
from resilia.bia.models import Assessment, Campaign
from resilia.core.durations import human_minutes
from resilia.core.lists import Column, Register


def _minutes(attribute):
    def show(obj):
        value = getattr(obj, attribute)
        return None if value is None else human_minutes(value)

    return show


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
        Column(
            "mtpd",
            _("Derived MTPD"),
            _minutes("derived_mtpd"),
            order="derived_mtpd",
            css="text-nowrap",
        ),
        Column("rto", _("RTO"), _minutes("rto"), order="rto", css="text-nowrap"),
        Column("rpo", _("RPO"), _minutes("rpo"), order="rpo", css="text-nowrap"),
        Column("version", _("Version"), "version", order="version"),
    ],
    ordering=("campaign__code", "activity__code"),
    select_related=("activity", "activity__unit", "campaign", "assignee"),
    template="bia/list_page.html",
)
