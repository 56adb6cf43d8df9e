"""What the home page shows: the continuity figures of the reader's scope, counts per register
and recent activity, all through the choke point.

Each continuity figure is one count that opens the register filtered to exactly those rows
(the register's own filter set, also the API's query parameters). The figures that need the
engine (unmet RTOs, capability gaps, single points of failure) come from the compiled model of
the current revision, and the activity and resource figures are tallied per unit once per
revision (a reader's figure is the sum over their scope's units); the others are one aggregate
query per register, so the page costs a constant number of queries whatever the size of the
model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np
from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from resilia.audit.models import AuditEvent
from resilia.core import access
from resilia.dependencies.filters import (
    UNTESTED,
    WITHOUT_OBJECTIVES,
    gap_resource_pks,
    spof_resource_pks,
    stale_before,
    unmet_rto_activity_pks,
)
from resilia.dependencies.models import Activity, Resource
from resilia.dependencies.selectors import compiled_model
from resilia.org.models import Person, Site, Team, Unit
from resilia.plans.models import Plan
from resilia.plans.readiness import lowest


@dataclass(frozen=True)
class Figure:
    """One continuity figure: `count` rows, opening `url` (None: no register behind it)."""

    key: str
    label: str
    count: int
    url: str | None
    icon: str


def _scope(user, model):
    """(rows the figures count, whether the register may be opened) or None: nothing shown.
    Executives see organisation-wide totals without a register (access.report_count)."""
    if access.can_read_kind(user, model):
        return access.report_rows(user, model), True
    if access.reports_whole_model(user) and access.can_view_reports(user):
        return model._default_manager.all(), False
    return None


def _unit_scope(user, model):
    """(whether the register may be opened, the units counted as access.report_units) or
    None: nothing shown; the same decisions as `_scope`."""
    if access.can_read_kind(user, model):
        return True, access.report_units(user, model)
    if access.reports_whole_model(user) and access.can_view_reports(user):
        return False, None
    return None


NO_UNIT = -1


@dataclass(frozen=True)
class Tally:
    """Counts of one register per unit (NO_UNIT: rows without one), derived once per model
    state: a reader's figure is the sum over the units of their scope, whatever the size of
    the register (issue 7: heavy results computed once per revision)."""

    units: np.ndarray  # sorted unit ids
    counts: dict[str, np.ndarray]  # figure -> count per unit, aligned with `units`

    def total(self, scope: tuple[list[int], bool] | None) -> dict[str, int]:
        if scope is None:
            mask = np.ones(len(self.units), dtype=bool)
        else:
            ids, unitless = scope
            mask = np.isin(self.units, np.asarray(ids, dtype=np.int64))
            if unitless:
                mask |= self.units == NO_UNIT
        return {key: int(values[mask].sum()) for key, values in self.counts.items()}


def _positions(sorted_values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Where each of `wanted` is in `sorted_values`, those absent left out (a row created or
    deleted between two reads)."""
    if not len(sorted_values):
        return np.zeros(0, dtype=np.int64)
    pos = np.minimum(np.searchsorted(sorted_values, wanted), len(sorted_values) - 1)
    return pos[sorted_values[pos] == wanted]


def _tally(model, aggregates: dict, engine: dict[str, list[int]]) -> Tally:
    """One GROUP BY unit over `model` for `aggregates`, and the engine's `pks` per figure
    placed in their rows' units (one read of every row's pk and unit)."""
    grouped = list(model._default_manager.order_by().values("unit_id").annotate(**aggregates))
    units = np.array(
        sorted(NO_UNIT if row["unit_id"] is None else row["unit_id"] for row in grouped),
        dtype=np.int64,
    )
    counts = {key: np.zeros(len(units), dtype=np.int64) for key in [*aggregates, *engine]}
    for row in grouped:
        at = int(np.searchsorted(units, NO_UNIT if row["unit_id"] is None else row["unit_id"]))
        for key in aggregates:
            counts[key][at] = row[key]
    if any(len(found) for found in engine.values()):
        rows = model._default_manager.order_by("pk").values_list("pk", "unit_id")
        pairs = np.array([(pk, NO_UNIT if u is None else u) for pk, u in rows], dtype=np.int64)
        pks, unit_of = pairs.reshape(-1, 2).T
        for key, found in engine.items():
            at = _positions(units, unit_of[_positions(pks, np.asarray(found, dtype=np.int64))])
            counts[key] += np.bincount(at, minlength=len(units))
    return Tally(units=units, counts=counts)


def _activity_tally() -> Tally:
    def compute(_graph) -> Tally:
        aggregates = {
            "prioritised": Count("pk", filter=Q(rto__isnull=False)),
            "without_objectives": Count("pk", filter=WITHOUT_OBJECTIVES),
        }
        return _tally(Activity, aggregates, {"unmet": unmet_rto_activity_pks()})

    return compiled_model().derived("home:activities", compute)


def _resource_tally() -> Tally:
    stale = stale_before()
    recent_half = dt.timedelta(days=settings.CAPABILITY_TEST_STALE_DAYS // 2)

    def compute(_graph) -> Tally:
        tested = ~UNTESTED
        aggregates = {
            "untested": Count("pk", filter=UNTESTED),
            "stale": Count("pk", filter=Q(capability_tested_on__lt=stale)),
            "tested_stale": Count("pk", filter=tested & Q(capability_tested_on__lt=stale)),
            "tested_older": Count(
                "pk",
                filter=tested
                & Q(capability_tested_on__gte=stale, capability_tested_on__lt=stale + recent_half),
            ),
            "tested_recent": Count(
                "pk", filter=tested & Q(capability_tested_on__gte=stale + recent_half)
            ),
        }
        engine = {"gaps": gap_resource_pks(), "spofs": spof_resource_pks()}
        return _tally(Resource, aggregates, engine)

    # The ages of the tests move with the day (and the configured period): one tally a day.
    name = f"home:resources:{stale.isoformat()}:{recent_half.days}"
    return compiled_model().derived(name, compute)


def _link(url_name: str, linked: bool, **params) -> str | None:
    return f"{reverse(url_name)}?{urlencode(params)}" if linked else None


def _activity_figures(user, figures: list, charts: dict) -> None:
    shown = _unit_scope(user, Activity)
    if shown is None:
        return
    linked, units = shown
    found = _activity_tally().total(units)
    unmet_count = found["unmet"]
    url = "dependencies:activity_list"
    figures += [
        Figure(
            "rto_unmet",
            _("Prioritised activities whose RTO cannot be met"),
            unmet_count,
            _link(url, linked, rto_unmet="true"),
            "clock-exclamation",
        ),
        Figure(
            "no_objectives",
            _("Activities without MTPD, RTO or RPO"),
            found["without_objectives"],
            _link(url, linked, no_objectives="true"),
            "target-off",
        ),
    ]
    prioritised = found["prioritised"]
    if prioritised:
        charts["rto"] = {
            "title": str(_("Prioritised activities: RTO achievable?")),
            "slices": [
                {"name": str(_("RTO achievable")), "value": prioritised - unmet_count},
                {"name": str(_("RTO cannot be met")), "value": unmet_count},
            ],
        }


def _resource_figures(user, figures: list, charts: dict) -> None:
    shown = _unit_scope(user, Resource)
    if shown is None:
        return
    linked, units = shown
    found = _resource_tally().total(units)
    days = settings.CAPABILITY_TEST_STALE_DAYS
    url = "dependencies:resource_list"
    figures += [
        Figure(
            "spof",
            _("Single points of failure"),
            found["spofs"],
            _link(url, linked, spof="true"),
            "plug-connected-x",
        ),
        Figure(
            "gap",
            _("Resources with a capability gap"),
            found["gaps"],
            _link(url, linked, gap="true"),
            "arrows-diff",
        ),
        Figure(
            "untested",
            _("Resources never tested"),
            found["untested"],
            _link(url, linked, untested="true"),
            "flask-off",
        ),
        Figure(
            "stale",
            _("Resources whose last test is older than %(days)d days") % {"days": days},
            found["stale"],
            _link(url, linked, stale="true"),
            "calendar-time",
        ),
    ]
    if sum(found[k] for k in ("untested", "tested_stale", "tested_older", "tested_recent")):
        charts["tests"] = {
            "title": str(_("Resources by age of their last capability test")),
            "slices": [
                {"name": str(_("Never tested")), "value": found["untested"]},
                {
                    "name": str(_("Older than %(days)d days") % {"days": days}),
                    "value": found["tested_stale"],
                },
                {
                    "name": str(_("%(low)d to %(high)d days") % {"low": days // 2, "high": days}),
                    "value": found["tested_older"],
                },
                {
                    "name": str(_("Within %(days)d days") % {"days": days // 2}),
                    "value": found["tested_recent"],
                },
            ],
        }


def _people_figures(user, figures: list) -> None:
    shown = _scope(user, Person)
    if shown is None:
        return
    rows, linked = shown
    # A WHERE, not a FILTER over every person: the partial index person_key_no_deputy holds
    # just these rows (a few thousand of 100,000).
    without_deputy = rows.filter(is_key_person=True, deputy__isnull=True).count()
    figures.append(
        Figure(
            "no_deputy",
            _("Key people without a deputy"),
            without_deputy,
            _link("org:person_list", linked, is_key_person="true", has_deputy="false"),
            "user-exclamation",
        )
    )


def _hazard_figures(user, figures: list) -> None:
    """Major hazards (重大隐患) still open: listed for management until closed."""
    from resilia.hazards.models import OPEN_STATUSES, Hazard

    shown = _scope(user, Hazard)
    if shown is None:
        return
    rows, linked = shown
    count = rows.filter(grade="major", status__in=OPEN_STATUSES).count()
    url = reverse("hazards:major_list") if linked else None
    figures.append(Figure("major_hazards", _("Major hazards open"), count, url, "alert-octagon"))


def _incident_figures(user, figures: list) -> None:
    """Incidents under way, drills (演练) counted apart so that exercises never swell the
    figures of real disruptions (issue 13 item 8)."""
    from resilia.incidents.models import OPEN_STATUSES, Incident

    shown = _scope(user, Incident)
    if shown is None:
        return
    rows, linked = shown
    found = rows.filter(status__in=OPEN_STATUSES).aggregate(
        real=Count("pk", filter=Q(is_drill=False)), drills=Count("pk", filter=Q(is_drill=True))
    )
    figures.append(
        Figure(
            "open_incidents",
            _("Incidents under way"),
            found["real"],
            _link("incidents:list", linked, open="true", drill="false"),
            "urgent",
        )
    )
    if found["drills"]:
        figures.append(
            Figure(
                "open_drills",
                _("Drills under way"),
                found["drills"],
                _link("incidents:list", linked, open="true", drill="true"),
                "flag",
            )
        )


def continuity_figures(user) -> tuple[list[Figure], dict]:
    """The continuity figures of the user's scope and the data of the home page's charts."""
    figures: list[Figure] = []
    charts: dict = {}
    _incident_figures(user, figures)
    _activity_figures(user, figures, charts)
    _resource_figures(user, figures, charts)
    _people_figures(user, figures)
    _hazard_figures(user, figures)
    return figures, charts


def home_context(user) -> dict:
    """Continuity figures, register counts and recent activity of what the user may read;
    executives see organisation-wide totals only."""
    cards = []
    for model, url_name, icon in (
        (Unit, "org:unit_list", "sitemap"),
        (Person, "org:person_list", "users"),
        (Site, "org:site_list", "building"),
        (Team, "org:team_list", "users-group"),
    ):
        shown = access.report_count(user, model)
        if shown is None:
            continue
        count, linked = shown
        cards.append(
            {
                "label": model._meta.verbose_name_plural,
                "count": count,
                "url": url_name if linked else None,
                "icon": icon,
            }
        )
    figures, charts = continuity_figures(user)
    recent = None
    if access.can_read_kind(user, AuditEvent):
        recent = list(AuditEvent.objects.for_user(user).select_related("actor")[:10])
    # The published plans least ready first (resilia.plans.readiness, a constant query count).
    plans = lowest(user) if access.can_read_kind(user, Plan) else None
    return {
        "cards": cards,
        "figures": figures,
        "charts": charts,
        "recent_events": recent,
        "plans_readiness": plans,
    }
