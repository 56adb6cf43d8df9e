"""The columns of each report, shared by the XLSX and PDF exports and the CLI's human output
(the pages render the same row dictionaries with their own templates). Each column is text for
the PDF and the CLI; for the XLSX it is one or more typed cells (`Cell`): times as Excel
datetimes, durations as hours with the unit in the header, ranks and counts as integers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resilia.core.exports import DATETIME_FORMAT, HOURS_FORMAT, INTEGER_FORMAT

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


def hours(value) -> float | None:
    """Minutes as hours (a spreadsheet's duration cell); None stays None."""
    return None if value is None else round(float(value) / 60, 4)


def local_time(iso: str | None) -> dt.datetime | None:
    """An ISO time as the naive local datetime a spreadsheet holds (Excel has no zones)."""
    if iso is None:
        return None
    return timezone.localtime(dt.datetime.fromisoformat(iso)).replace(tzinfo=None)


@dataclass(frozen=True)
class Cell:
    """One typed XLSX column: its header, its value (a number, a datetime, or text where the
    value is missing for a reason worth saying) and its Excel number format."""

    label: object  # a lazy translation, or a function returning the header
    value: Callable[[dict], object]
    number_format: str | None = None

    def header(self) -> str:
        return self.label() if callable(self.label) else str(self.label)


@dataclass(frozen=True)
class Col:
    label: object  # a lazy translation
    text: Callable[[dict], str]
    weight: float = 2.0  # relative width in the PDF
    cells: tuple[Cell, ...] = ()  # the XLSX columns; none: one text column

    def xlsx(self) -> tuple[Cell, ...]:
        return self.cells or (Cell(self.label, self.text),)


def _in_hours(label) -> Callable[[], str]:
    # Built when the header is written, in the reader's language (a lazy string's % is not).
    return lambda: _("%(label)s (hours)") % {"label": label}


def duration_col(label, key: str, weight: float = 2.0, missing=None) -> Col:
    """A duration: text "1 d 2 h" for the PDF, hours in the XLSX (`missing`: the text of a
    missing value, or empty)."""

    def text(row):
        if row[key] is None and missing is not None:
            return str(missing)
        return duration(row[key])

    def value(row):
        if row[key] is None and missing is not None:
            return str(missing)
        return hours(row[key])

    return Col(label, text, weight, (Cell(_in_hours(label), value, HOURS_FORMAT),))


def integer_col(label, key: str, weight: float = 0.7) -> Col:
    return Col(
        label, lambda r: str(r[key]), weight, (Cell(label, lambda r: r[key], INTEGER_FORMAT),)
    )


def when_col(label, name: str, never=None) -> Col:
    """A time after T0: "+2 h (2026-05-01 11:00)" as text; in the XLSX the clock time and the
    hours after T0, in two columns."""

    def at(row):
        if row[f"{name}_at"] is None:
            return str(never) if never is not None else None
        return local_time(row[f"{name}_time"])

    def after(row):
        return hours(row[f"{name}_at"])

    def after_label():
        return _("%(label)s (hours after T0)") % {"label": label}

    return Col(
        label,
        lambda r: when(r, name, never=str(never) if never is not None else None),
        2.0,
        (Cell(label, at, DATETIME_FORMAT), Cell(after_label, after, HOURS_FORMAT)),
    )


NEVER_BACK = gettext_lazy("never (no known recovery)")


WHATIF_ACTIVITIES = [
    Col(gettext_lazy("Activity"), node_name),
    when_col(gettext_lazy("Stops at"), "stop"),
    when_col(gettext_lazy("Back at"), "back", NEVER_BACK),
    when_col(gettext_lazy("RTO breached at"), "rto_breach"),
    when_col(gettext_lazy("MTPD breached at"), "mtpd_breach"),
    Col(gettext_lazy("Cause"), cause, 4.0),
    Col(gettext_lazy("Teams"), teams),
]
WHATIF_RESOURCES = [
    Col(gettext_lazy("Resource"), node_name),
    when_col(gettext_lazy("Stops at"), "stop"),
    when_col(gettext_lazy("Back at"), "back", NEVER_BACK),
    Col(gettext_lazy("Cause"), cause, 4.0),
]
ORDER = [
    integer_col(gettext_lazy("Rank"), "rank"),
    Col(gettext_lazy("Node"), node_name),
    duration_col(gettext_lazy("Required RTO"), "required_rto"),
    duration_col(gettext_lazy("Required RPO"), "required_rpo"),
    Col(gettext_lazy("Imposed by"), lambda r: node_name(r["rto_by"])),
    duration_col(gettext_lazy("MTPD"), "mtpd"),
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


UNTESTED = gettext_lazy("never tested")


def gap_reason(row: dict):
    """Why an activity is a gap: too slow a capability, or one never tested."""
    if row.get("untested"):
        return gettext_lazy("it needs a capability never tested")
    return gettext_lazy("recovery takes longer than its RTO")


GAP_RESOURCES = [
    Col(gettext_lazy("Resource"), node_name),
    Col(gettext_lazy("Measure"), measure, 1.2),
    duration_col(gettext_lazy("Tested capability"), "capability", missing=UNTESTED),
    duration_col(gettext_lazy("Required objective"), "objective"),
    Col(gettext_lazy("Imposed by"), lambda r: node_name(r["activity"])),
]
GAP_ACTIVITIES = [
    Col(gettext_lazy("Activity"), node_name),
    duration_col(gettext_lazy("RTO"), "rto"),
    duration_col(gettext_lazy("Recovery takes at least"), "bound"),
    Col(gettext_lazy("Limited by"), lambda r: node_name(r["limited_by"])),
    Col(gettext_lazy("Why"), lambda r: str(gap_reason(r)), 2.5),
]
SPOF = [
    integer_col(gettext_lazy("Rank"), "rank"),
    Col(gettext_lazy("Node"), node_name),
    integer_col(gettext_lazy("Prioritised activities stopped"), "breaks", 2.0),
    duration_col(gettext_lazy("Strictest RTO among them"), "strictest_rto"),
    Col(gettext_lazy("Key person"), lambda r: _("yes") if r["key_person"] else "", 1.0),
]


@dataclass(frozen=True)
class Section:
    """One table of a report: a heading, its columns and its rows."""

    heading: str
    columns: list[Col]
    rows: list[dict]
    sheet: str = ""  # the XLSX sheet's name: short, within Excel's 31 characters

    def header(self) -> list[str]:
        return [str(c.label) for c in self.columns]

    def lines(self) -> list[list[str]]:
        return [[c.text(row) for c in self.columns] for row in self.rows]

    def cells(self) -> list[Cell]:
        return [cell for c in self.columns for cell in c.xlsx()]
