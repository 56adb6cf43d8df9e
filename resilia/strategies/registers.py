"""The declaration of the strategy options register (see resilia.core.lists)."""

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from resilia.core.lists import Column, Register, duration_column
from resilia.strategies.filters import OptionFilterSet
from resilia.strategies.models import Option


def _money(attribute):
    def show(obj):
        return floatformat(getattr(obj, attribute), "2g")

    return show


def _subject_code(option):
    return option.subject.code


def _subject_name(option):
    return option.subject.display_name


OPTIONS = Register(
    model=Option,
    filterset=OptionFilterSet,
    title=_("Strategy options"),
    basename="strategy-options",
    columns=[
        Column("name", _("Option"), "display_name", order="name", link=True),
        Column(
            "subject",
            _("For"),
            _subject_code,
            template="strategies/_subject_cell.html",
            css="text-nowrap",
        ),
        Column("subject_name", _("Activity or resource"), _subject_name),
        Column("kind", _("kind"), "get_kind_display", order="kind"),
        Column("family", _("family"), "get_family_display", on_page=False),
        duration_column("recovery_time", _("Recovery time"), "recovery_time"),
        duration_column("recovery_point", _("Recovery point"), "recovery_point"),
        Column("cost_once", _("one-off cost"), "cost_once", order="cost_once", css="text-end"),
        Column("cost_yearly", _("yearly cost"), "cost_yearly", order="cost_yearly", css="text-end"),
        Column("residual_risk", _("residual risk"), "get_residual_risk_display"),
        Column("status", _("status"), "get_status_display", order="status"),
        Column("tested_on", _("tested on"), "tested_on", order="tested_on", on_page=False),
    ],
    ordering=("-id",),
    select_related=("activity", "resource"),
    create_url="strategies:option_create",
)
