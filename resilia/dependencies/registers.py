"""The declarations of the resources and activities registers (see resilia.core.lists)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from resilia.core.lists import Column, Register, duration_column
from resilia.dependencies.filters import ActivityFilterSet, ResourceFilterSet
from resilia.dependencies.models import Activity, Resource

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
        duration_column("recovery_time", _("recovery time"), "recovery_time"),
        duration_column("recovery_point", _("recovery point"), "recovery_point"),
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
        duration_column("mtpd", _("MTPD"), "mtpd"),
        duration_column("rto", _("RTO"), "rto"),
        duration_column("rpo", _("RPO"), "rpo"),
        Column("products", _("products and services"), "products", export="products"),
    ],
    ordering=("code",),
    select_related=("unit", "owner"),
    create_url="dependencies:activity_create",
    template="dependencies/list_page.html",
    extra={"import_kind": "activities"},
)
