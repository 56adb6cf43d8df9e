"""The columns of each report, as text, shared by the XLSX and PDF exports and the CLI's
human output (the pages render the same row dictionaries with their own templates)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

NOT_VISIBLE = gettext_lazy("(not visible to you)")


def duration(value) -> str:
    """Minutes as "1 d 2 h 5 min" in the active language; "—" for None."""
    if value is None:
        return "—"
    total = round(float(value))
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)s d") % {"n": days})
    if hours:
        parts.append(_("%(n)s h") % {"n": hours})
    if mins or not parts:
        parts.append(_("%(n)s min") % {"n": mins})
    return " ".join(parts)


def clock(iso: str | None) -> str:
    if iso is None:
        return "—"
    return formats.date_format(dt.datetime.fromisoformat(iso), "Y-m-d H:i")


def node_name(node: dict | None) -> str:
    """ "name (CODE)", or the not-visible marker without name."""
    if node is None:
        return "—"
    if node.get("key") is None:
        return str(NOT_VISIBLE)
    return f"{node['name']} ({node['code']})"


def when(row: dict, name: str, never: str | None = None) -> str:
    """A time both as a duration after T0 and as a clock time: "+2 h (2026-05-01 11:00)"."""
    value = row[f"{name}_at"]
    if value is None:
        return never if never is not None else "—"
    return f"+{duration(value)} ({clock(row[f'{name}_time'])})"


def cause(row: dict) -> str:
    """The chain of links from the failed node: "DC1 → [OR site] core → payment"."""
    if row.get("failed"):
        return _("failed")
    if not row["cause"]:
        return "—"
    parts = [node_name(row["cause"][0]["dependency"])]
    for link in row["cause"]:
        notes = []
        if link["group"]:
            notes.append(_("OR group %(group)s") % {"group": link["group"]})
        else:
            notes.append(_("AND"))
        if link["tolerance"]:
            notes.append(_("tolerance %(time)s") % {"time": duration(link["tolerance"])})
        parts.append(f"[{', '.join(notes)}] {node_name(link['dependent'])}")
    return " → ".join(parts)


def teams(row: dict) -> str:
    return ", ".join(f"{t['name']} ({t['code']})" for t in row.get("teams", [])) or "—"


@dataclass(frozen=True)
class Col:
    label: object  # a lazy translation
    text: Callable[[dict], str]
    weight: float = 2.0  # relative width in the PDF


def _never(row):
    return when(row, "back", never=_("never (no known recovery)"))


WHATIF_ACTIVITIES = [
    Col(gettext_lazy("Activity"), node_name),
    Col(gettext_lazy("Stops at"), lambda r: when(r, "stop")),
    Col(gettext_lazy("Back at"), _never),
    Col(gettext_lazy("RTO breached at"), lambda r: when(r, "rto_breach")),
    Col(gettext_lazy("MTPD breached at"), lambda r: when(r, "mtpd_breach")),
    Col(gettext_lazy("Cause"), cause, 4.0),
    Col(gettext_lazy("Teams"), teams),
]
WHATIF_RESOURCES = [
    Col(gettext_lazy("Resource"), node_name),
    Col(gettext_lazy("Stops at"), lambda r: when(r, "stop")),
    Col(gettext_lazy("Back at"), _never),
    Col(gettext_lazy("Cause"), cause, 4.0),
]
ORDER = [
    Col(gettext_lazy("Rank"), lambda r: str(r["rank"]), 0.7),
    Col(gettext_lazy("Node"), node_name),
    Col(gettext_lazy("Required RTO"), lambda r: duration(r["required_rto"])),
    Col(gettext_lazy("Required RPO"), lambda r: duration(r["required_rpo"])),
    Col(gettext_lazy("Imposed by"), lambda r: node_name(r["rto_by"])),
    Col(gettext_lazy("MTPD"), lambda r: duration(r["mtpd"])),
]
CYCLES = [
    Col(
        gettext_lazy("Cycle members"), lambda r: ", ".join(node_name(n) for n in r["members"]), 3.0
    ),
    Col(
        gettext_lazy("Blocked by the cycle"),
        lambda r: ", ".join(node_name(n) for n in r["blocked"]) or "—",
        3.0,
    ),
]


def measure(row: dict) -> str:
    if row["measure"] == "recovery_time":
        return _("recovery time")
    return _("recovery point")


GAP_RESOURCES = [
    Col(gettext_lazy("Resource"), node_name),
    Col(gettext_lazy("Measure"), measure, 1.2),
    Col(
        gettext_lazy("Tested capability"),
        lambda r: duration(r["capability"]) if r["capability"] is not None else _("unknown"),
    ),
    Col(gettext_lazy("Required objective"), lambda r: duration(r["objective"])),
    Col(gettext_lazy("Imposed by"), lambda r: node_name(r["activity"])),
]
GAP_ACTIVITIES = [
    Col(gettext_lazy("Activity"), node_name),
    Col(gettext_lazy("RTO"), lambda r: duration(r["rto"])),
    Col(gettext_lazy("Recovery takes at least"), lambda r: duration(r["bound"])),
    Col(gettext_lazy("Limited by"), lambda r: node_name(r["limited_by"])),
]
SPOF = [
    Col(gettext_lazy("Rank"), lambda r: str(r["rank"]), 0.7),
    Col(gettext_lazy("Node"), node_name),
    Col(gettext_lazy("Prioritised activities stopped"), lambda r: str(r["breaks"])),
    Col(gettext_lazy("Strictest RTO among them"), lambda r: duration(r["strictest_rto"])),
    Col(gettext_lazy("Key person"), lambda r: _("yes") if r["key_person"] else "", 1.0),
]


@dataclass(frozen=True)
class Section:
    """One table of a report: a heading, its columns and its rows."""

    heading: str
    columns: list[Col]
    rows: list[dict]

    def header(self) -> list[str]:
        return [str(c.label) for c in self.columns]

    def lines(self) -> list[list[str]]:
        return [[c.text(row) for c in self.columns] for row in self.rows]
