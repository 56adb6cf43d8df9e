"""The declarations of the hazard registers (see resilia.core.lists)."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from resilia.core.lists import Column, Register
from resilia.hazards.filters import (
    HazardFilterSet,
    RoundFilterSet,
    ScheduleFilterSet,
    TemplateFilterSet,
    overdue_q,
)
from resilia.hazards.models import (
    OPEN_STATUSES,
    ChecklistTemplate,
    Grade,
    Hazard,
    InspectionRound,
    Schedule,
)

TEMPLATES = Register(
    model=ChecklistTemplate,
    filterset=TemplateFilterSet,
    title=_("Checklist templates"),
    basename="checklist-templates",
    columns=[
        Column("code", _("Code"), "code", order="code", link=True, css="text-nowrap"),
        Column("name", _("Name"), "display_name", order="name"),
        Column("kind", _("Kind"), "get_kind_display", order="kind"),
        Column("version", _("Version"), "version", order="version"),
        Column("items", _("Checks"), "item_count", order="item_count"),
        Column("active", _("Active"), "is_active", order="is_active"),
    ],
    ordering=("code",),
    annotate=lambda qs: qs.annotate(item_count=Count("items")),
    create_url="hazards:template_create",
    template="hazards/list_page.html",
)

SCHEDULES = Register(
    model=Schedule,
    filterset=ScheduleFilterSet,
    title=_("Inspection schedules"),
    basename="inspection-schedules",
    columns=[
        Column("site", _("Site"), "site.display_name", order="site__code"),
        Column("template", _("Checklist"), "template.display_name", order="template__code"),
        Column("resource", _("Equipment"), "resource.display_name", order="resource__code"),
        Column(
            "frequency",
            pgettext_lazy("inspection", "Frequency"),
            "get_frequency_display",
            order="frequency",
        ),
        Column("inspector", _("Inspector"), "inspector", order="inspector__username"),
        Column("next_due", _("Next round due"), "next_due", order="next_due"),
        Column("active", _("Active"), "is_active", order="is_active"),
        Column("edit", "", lambda s: s.pk, template="hazards/_schedule_edit.html", export=None),
    ],
    ordering=("next_due",),
    select_related=("site", "template", "resource", "inspector"),
    create_url="hazards:schedule_create",
    template="hazards/list_page.html",
)

ROUNDS = Register(
    model=InspectionRound,
    filterset=RoundFilterSet,
    title=_("Inspection rounds"),
    basename="inspection-rounds",
    columns=[
        Column(
            "due",
            pgettext_lazy("inspection", "Due date"),
            "due_date",
            order="due_date",
            css="text-nowrap",
        ),
        Column("site", _("Site"), "site.display_name", order="site__code", link=True),
        Column("template", _("Checklist"), "template.display_name", order="template__code"),
        Column("inspector", _("Inspector"), "inspector", order="inspector__username"),
        Column("status", _("Status"), "get_status_display", order="status"),
        Column("hazards", _("Hazards"), "hazard_count", order="hazard_count"),
        Column("completed", _("Completed"), "completed_at", order="completed_at", on_page=False),
    ],
    ordering=("-due_date",),
    select_related=("site", "template", "inspector"),
    annotate=lambda qs: qs.annotate(hazard_count=Count("hazards")),
    create_url="hazards:round_create",
    template="hazards/list_page.html",
)


def _days_open(hazard) -> int:
    end = hazard.closed_at or timezone.now()
    return (end - hazard.found_at).days


def _deadline(hazard):
    rect = getattr(hazard, "rectification", None)
    return rect.deadline if rect is not None else None


def _responsible(hazard):
    rect = getattr(hazard, "rectification", None)
    return rect.responsible.full_name if rect is not None else None


def _hazards(title, basename, narrow=None) -> Register:
    return Register(
        model=Hazard,
        filterset=HazardFilterSet,
        title=title,
        basename=basename,
        columns=[
            Column("number", _("Number"), "number", order="pk", link=True, css="text-nowrap"),
            Column("title", _("Title"), "title", order="title"),
            Column(
                "grade",
                _("Grade"),
                "get_grade_display",
                order="grade",
                template="hazards/_grade.html",
            ),
            Column("site", _("Site"), "site.display_name", order="site__code"),
            Column("location", _("Location"), "location", on_page=False),
            Column("found", _("Found"), "found_at", order="found_at", css="text-nowrap"),
            Column("age", _("Days open"), _days_open, order="found_at"),
            Column("status", _("Status"), "get_status_display", order="status"),
            Column(
                "responsible",
                _("Responsible person"),
                _responsible,
                order="rectification__responsible__full_name",
            ),
            Column(
                "deadline",
                pgettext_lazy("rectification", "Deadline"),
                _deadline,
                order="rectification__deadline",
                css="text-nowrap",
            ),
        ],  # fmt: skip
        ordering=("-found_at",),
        select_related=("site", "rectification", "rectification__responsible"),
        annotate=narrow,
        template="hazards/list_page.html",
        extra={"ledger": True},
    )


HAZARDS = _hazards(_("Hazards"), "hazards")
MAJOR = _hazards(
    _("Major hazards"),
    "major-hazards",
    lambda qs: qs.filter(grade=Grade.MAJOR, status__in=OPEN_STATUSES),
)
OVERDUE = _hazards(_("Overdue rectifications"), "overdue-rectifications",
                   lambda qs: qs.filter(overdue_q()))  # fmt: skip
