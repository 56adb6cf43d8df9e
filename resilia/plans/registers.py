"""The declaration of the plan register (see resilia.core.lists)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from resilia.core.lists import Column, Register
from resilia.plans.filters import PlanFilterSet
from resilia.plans.models import Plan

PLANS = Register(
    model=Plan,
    filterset=PlanFilterSet,
    title=_("Plans"),
    basename="plans",
    columns=[
        Column("code", _("Code"), "code", order="code", link=True, css="text-nowrap"),
        # In context: a plan's name (名称), not a person's (姓名, the msgid's first reading).
        Column("name", pgettext_lazy("plan", "Name"), "display_name", order="name"),
        Column("kind", _("Type"), "get_kind_display", order="kind"),
        Column("unit", _("Unit"), "unit.display_name", order="unit__path"),
        Column("status", _("Status"), "get_status_display", order="status"),
        Column("next_review", _("Next review"), "next_review", order="next_review"),
    ],
    ordering=("code",),
    select_related=("unit",),
    create_url="plans:plan_create",
)
