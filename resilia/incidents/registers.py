"""The incident register (see resilia.core.lists)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from resilia.core.lists import Column, Register
from resilia.incidents.filters import IncidentFilterSet
from resilia.incidents.models import Incident

INCIDENTS = Register(
    model=Incident,
    filterset=IncidentFilterSet,
    title=_("Incidents"),
    basename="incidents",
    columns=[
        Column("code", _("Number"), "code", order="code", link=True, css="text-nowrap"),
        Column("title", _("Title"), "title", order="title"),
        Column("drill", _("Drill"), "is_drill", order="is_drill"),
        Column("category", _("Category"), "get_category_display", order="category"),
        Column("level", _("Response level"), "level_name", order="level"),
        Column("status", _("Status"), "get_status_display", order="status"),
        Column("detected", _("Detected"), "detected_at", order=("detected_at", "id")),
        Column("unit", _("Unit"), "unit.display_name", order="unit__code"),
    ],
    ordering=("-detected_at", "-id"),
    select_related=("pack", "unit"),
    create_url="incidents:declare",
    template="incidents/list_page.html",
)
