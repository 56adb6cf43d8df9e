"""The declarations of the risk registers (see resilia.core.lists)."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from resilia.core.durations import human_minutes
from resilia.core.lists import Column, Register
from resilia.risk.filters import (
    AssessmentFilterSet,
    MeasureFilterSet,
    RiskFilterSet,
    ThreatFilterSet,
)
from resilia.risk.models import Measure, Risk, RiskAssessment, Threat


def _duration(obj):
    return None if obj.typical_duration is None else human_minutes(obj.typical_duration)


THREATS = Register(
    model=Threat,
    filterset=ThreatFilterSet,
    title=_("Threat catalogue"),
    basename="risk-threats",
    columns=[
        Column("code", _("Code"), "code", order="code", link=True, css="text-nowrap"),
        Column("name", pgettext_lazy("risk", "Name"), "display_name", order="name"),
        Column("class", _("Class of emergency"), "get_threat_class_display", order="threat_class"),
        Column("group", _("Group"), "get_group_display", order="group"),
        Column("duration", _("Typical duration"), _duration, css="text-nowrap"),
        Column(
            "kinds", _("Resources it typically hits"), lambda t: "、".join(t.resource_kind_labels())
        ),
        Column("risks", _("Risks"), "risk_count", order="risk_count", css="text-end"),
    ],
    ordering=("code",),
    annotate=lambda qs: qs.annotate(risk_count=Count("risks")),
    create_url="risk:threat_create",
    template="risk/threat_list_page.html",
)

RISKS = Register(
    model=Risk,
    filterset=RiskFilterSet,
    title=_("Risk register"),
    basename="risk-register",
    columns=[
        Column("code", _("Code"), "code", order="code", link=True, css="text-nowrap"),
        Column("title", _("Title"), "display_title", order="title"),
        Column("threat", _("Threat"), "threat.display_name", order="threat__code"),
        Column("unit", _("Owning unit"), "unit.display_name", order="unit__path"),
        Column("owner", _("Risk owner"), "owner.full_name", guard="owner"),
        Column(
            "inherent",
            _("Inherent score"),
            "inherent_score",
            order="inherent_score",
            css="text-end",
        ),  # fmt: skip
        Column(
            "residual",
            _("Residual score"),
            "residual_score",
            order="residual_score",
            css="text-end",
        ),  # fmt: skip
        Column("band", _("Band"), "band_name", order="score", template="risk/_band_cell.html"),
        Column("treatment", _("Treatment"), "get_treatment_display", order="treatment"),
        Column(
            "next_review", _("Next review"), "next_review", order="next_review", css="text-nowrap"
        ),  # fmt: skip
        Column("matrix", _("Risk matrix"), "matrix", order="matrix__number", on_page=False),
        Column("status", _("Status"), "get_status_display", order="status"),
    ],
    ordering=("code",),
    select_related=("threat", "unit", "owner", "matrix"),
    create_url="risk:risk_create",
    template="risk/risk_list_page.html",
)

MEASURES = Register(
    model=Measure,
    filterset=MeasureFilterSet,
    title=_("Treatment measures"),
    basename="risk-measures",
    columns=[
        Column(
            "risk",
            pgettext_lazy("risk", "Risk"),
            "risk.code",
            order="risk__code",
            link=True,
            css="text-nowrap",
        ),
        Column("title", pgettext_lazy("risk", "Measure"), "title", order="title"),
        Column("owner", _("Owner"), "owner.full_name", order="owner__full_name", guard="owner"),
        Column("due", _("Due date"), "due_date", order="due_date", css="text-nowrap"),
        Column(
            "status",
            _("Status"),
            "get_status_display",
            order="status",
            template="risk/_measure_status_cell.html",
        ),  # fmt: skip
        Column("evidence", pgettext_lazy("risk", "Evidence"), "evidence", on_page=False),
    ],
    ordering=("due_date", "pk"),
    select_related=("risk", "owner"),
    template="risk/list_page.html",
)

ASSESSMENTS = Register(
    model=RiskAssessment,
    filterset=AssessmentFilterSet,
    title=_("Risk assessments"),
    basename="risk-assessments",
    columns=[
        Column("code", _("Code"), "code", order="code", link=True, css="text-nowrap"),
        Column("name", pgettext_lazy("risk", "Name"), "display_name", order="name"),
        Column("date", _("Assessment date"), "assessed_on", order="assessed_on"),
        Column("status", _("Status"), "get_status_display", order="status"),
        Column("signed_off_by", _("Signed off by"), "signed_off_by"),
        Column("risks", _("Risks assessed"), "entry_count", order="entry_count", css="text-end"),
    ],
    ordering=("-assessed_on", "code"),
    select_related=("signed_off_by",),
    annotate=lambda qs: qs.annotate(entry_count=Count("entries")),
    create_url="risk:assessment_create",
    template="risk/list_page.html",
)
