"""What each report is called and which tables it prints, from its JSON shape; shared by the
page exports and the CLI."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resilia.analysis import tables as t
from resilia.analysis.tables import Section

TITLES = {
    "whatif": gettext_lazy("What-if analysis"),
    "order": gettext_lazy("Recovery order"),
    "gaps": gettext_lazy("Objective and capability gaps"),
    "spof": gettext_lazy("Single points of failure"),
}
BASENAMES = {
    "whatif": "whatif",
    "order": "recovery-order",
    "gaps": "gaps",
    "spof": "single-points-of-failure",
}


def sections(kind: str, data: dict) -> list[Section]:
    """The tables of one report, from its JSON dictionary."""
    if kind == "whatif":
        return [
            Section(
                _("Affected activities"), t.WHATIF_ACTIVITIES, data["activities"], _("Activities")
            ),
            Section(_("Affected resources"), t.WHATIF_RESOURCES, data["resources"], _("Resources")),
        ]
    if kind == "order":
        return [
            Section(_("Recovery order"), t.ORDER, data["order"], _("Order")),
            Section(_("Dependency cycles"), t.CYCLES, data["cycles"], _("Cycles")),
        ]
    if kind == "gaps":
        return [
            Section(
                _("Resources whose capability falls short"),
                t.GAP_RESOURCES,
                data["resources"],
                _("Resource gaps"),
            ),
            Section(
                _("Activities whose RTO cannot be met"),
                t.GAP_ACTIVITIES,
                data["activities"],
                _("Activity gaps"),
            ),
        ]
    return [
        Section(_("Single points of failure"), t.SPOF, data["spofs"], _("SPOF")),
        Section(_("Key persons"), t.SPOF, data["key_persons"], _("Key persons")),
    ]


def whatif_meta(data: dict, failed_labels: list[str]) -> list[tuple[str, str]]:
    """Extra header lines of a what-if: what failed, and when."""
    return [
        (_("Failed"), ", ".join(failed_labels)),
        (_("Failure at (T0)"), t.clock(data["at"])),
    ]


def hidden_note(data: dict) -> list[tuple[str, str]]:
    if not data.get("hidden"):
        return []
    return [(_("Not visible to you"), _("%(n)s rows outside your scope") % {"n": data["hidden"]})]
