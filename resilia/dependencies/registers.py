"""The declarations of the resources and activities registers (see resilia.core.lists)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from resilia.core.durations import human_minutes
from resilia.core.lists import Column, Register
from resilia.dependencies.filters import ActivityFilterSet, ResourceFilterSet
from resilia.dependencies.models import Activity, Resource


def _minutes(attribute):
    def show(obj):
        value = getattr(obj, attribute)
        return None if value is None else human_minutes(value)

    return show


RESOURCES = Register(
    model=Resource,
    filterset=ResourceFilterSet,
    title=_("Resources"),
    basename="resources",
    columns=[
        Column("code", _("code"), "code", order="code", link=True, css="text-nowrap"),
        Column("name", _("name"), "display_name", order="name"),
        Column("kind", _("kind"), "get_kind_display", order="kind"),
        Column("unit", _("unit"), "unit.display_name", order="unit__path"),
        Column("criticality", _("criticality"), "get_criticality_display", order="criticality"),
        Column(
            "recovery_time",
            _("recovery time"),
            _minutes("recovery_time"),
            order="recovery_time",
            css="text-nowrap",
        ),
        Column(
            "recovery_point",
            _("recovery point"),
            _minutes("recovery_point"),
            order="recovery_point",
            css="text-nowrap",
        ),
        Column(
            "tested",
            _("capability tested on"),
            "capability_tested_on",
            order="capability_tested_on",
            css="text-nowrap",
        ),
        Column("redundancy", _("redundancy"), "get_redundancy_display", order="redundancy"),
        Column("site", _("site"), "site.display_name", order="site__code", guard="site"),
        Column("owner", _("owner"), "owner.full_name", order="owner__full_name", guard="owner"),
    ],
    ordering=("code",),
    select_related=("unit", "site", "owner"),
    create_url="dependencies:resource_create",
    template="dependencies/list_page.html",
    extra={"import_kind": "resources"},
)

ACTIVITIES = Register(
    model=Activity,
    filterset=ActivityFilterSet,
    title=_("Activities"),
    basename="activities",
    columns=[
        Column("code", _("code"), "code", order="code", link=True, css="text-nowrap"),
        Column("name", _("name"), "display_name", order="name"),
        Column("unit", _("unit"), "unit.display_name", order="unit__path"),
        Column("owner", _("owner"), "owner.full_name", order="owner__full_name", guard="owner"),
        Column("mtpd", _("MTPD"), _minutes("mtpd"), order="mtpd", css="text-nowrap"),
        Column("rto", _("RTO"), _minutes("rto"), order="rto", css="text-nowrap"),
        Column("rpo", _("RPO"), _minutes("rpo"), order="rpo", css="text-nowrap"),
        Column("products", _("products and services"), "products", export="products"),
    ],
    ordering=("code",),
    select_related=("unit", "owner"),
    create_url="dependencies:activity_create",
    template="dependencies/list_page.html",
    extra={"import_kind": "activities"},
)
