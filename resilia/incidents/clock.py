"""The live clock of an incident (issue 13 item 2): from what failed, the activities that stop,
each with its downtime so far against its RTO and MTPD, the next step of its BIA impact curve,
and a countdown.

The engine's what-if of the incident's failed nodes, run from the moment of detection, says when
each activity stops and when it breaches its RTO and its MTPD (docs/engine.md); the clock
compares those times with the time elapsed. It reads the compiled model once (memoised per
revision), the visible activities' labels in batches, and their latest approved assessments in
two queries: the number of queries does not grow with the number of activities.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from resilia.analysis.results import Analysis
from resilia.analysis.whatif import WhatIfReport
from resilia.bia import services as bia_services
from resilia.dependencies.models import Activity, Resource
from resilia.engine import bia as engine_bia
from resilia.engine.model import ModelError

# How close to a threshold (in minutes) the clock warns: the row turns amber.
# A clock may be a little ahead of the server's: a detection time, a journal entry, a task's
# progress or a noticed time up to this far in the future is accepted as "now".
CLOCK_SKEW = dt.timedelta(minutes=5)
WARN_MINUTES = 30


def failed_keys(incident) -> list[str]:
    """Engine keys of the incident's failed nodes: its resources, its activities, and every
    resource located at its sites (analysis.whatif's meaning of a failed site)."""
    keys = [f"resource:{c}" for c in incident.resources.values_list("code", flat=True)]
    keys += [f"activity:{c}" for c in incident.activities.values_list("code", flat=True)]
    site_ids = list(incident.sites.values_list("pk", flat=True))
    if site_ids:
        at_sites = Resource.objects.filter(site_id__in=site_ids).values_list("code", flat=True)
        keys += [f"resource:{c}" for c in at_sites]
    return sorted(set(keys))


@dataclass
class Row:
    code: str
    name: str
    url: str | None
    stop_at: float | None  # minutes after detection
    rto: float | None
    mtpd: float | None
    rto_breach_at: float | None
    mtpd_breach_at: float | None
    elapsed: float
    impact_next: dict | None = None

    @property
    def downtime(self) -> float:
        """Minutes the activity has been stopped (0 while it still runs)."""
        if self.stop_at is None:
            return 0.0
        return max(0.0, self.elapsed - self.stop_at)

    def _left(self, at):
        return None if at is None else at - self.elapsed

    @property
    def to_rto(self) -> float | None:
        return self._left(self.rto_breach_at)

    @property
    def to_mtpd(self) -> float | None:
        return self._left(self.mtpd_breach_at)

    @property
    def state(self) -> str:
        """running, stopped, warning (a threshold within WARN_MINUTES), rto (RTO exceeded) or
        mtpd (MTPD exceeded: the impact is no longer tolerable)."""
        if self.to_mtpd is not None and self.to_mtpd <= 0:
            return "mtpd"
        if self.to_rto is not None and self.to_rto <= 0:
            return "rto"
        if self.stop_at is None or self.elapsed < self.stop_at:
            return "running"
        nearest = [t for t in (self.to_rto, self.to_mtpd) if t is not None]
        if nearest and min(nearest) <= WARN_MINUTES:
            return "warning"
        return "stopped"

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "state": self.state,
            "stop_at": self.stop_at,
            "downtime": round(self.downtime, 1),
            "rto": self.rto,
            "mtpd": self.mtpd,
            "to_rto": None if self.to_rto is None else round(self.to_rto, 1),
            "to_mtpd": None if self.to_mtpd is None else round(self.to_mtpd, 1),
            "impact_next": self.impact_next,
        }


@dataclass
class Clock:
    at: dt.datetime
    elapsed: float
    rows: list[Row] = field(default_factory=list)
    hidden: int = 0
    total: int = 0

    def counts(self) -> dict[str, int]:
        out = {"running": 0, "stopped": 0, "warning": 0, "rto": 0, "mtpd": 0}
        for row in self.rows:
            out[row.state] += 1
        return out


def _known(analysis, keys) -> list[str]:
    """The keys the compiled model holds (a node added since the last compile is left out
    until the model is compiled again)."""
    found = []
    for key in keys:
        try:
            analysis.graph.index(key)
        except ModelError:
            continue
        found.append(key)
    return found


def elapsed_minutes(incident, now: dt.datetime | None = None) -> float:
    """Minutes from detection to now (or to the resolution, once resolved)."""
    end = incident.resolved_at or now or timezone.now()
    return max(0.0, (end - incident.detected_at).total_seconds() / 60)


def _impact_steps(activity_ids, downtime_of) -> dict[int, dict]:
    """The next step of each activity's BIA impact curve after its downtime so far: the time
    point, the worst rating there and whether it is unacceptable (two queries)."""
    out: dict[int, dict] = {}
    for activity_id, assessment in bia_services.last_approved(activity_ids).items():
        fw = assessment.framework
        points = list(fw.time_points or ())
        impacts = engine_bia.impact_over_time(
            fw.engine_categories(), len(points), assessment.ratings or {}
        )
        down = downtime_of.get(activity_id, 0.0)
        for point, impact in zip(points, impacts, strict=False):
            if point > down and impact.highest is not None:
                out[activity_id] = {
                    "at": point,
                    "in": round(point - down, 1),
                    "level": impact.highest,
                    "unacceptable": impact.intolerable,
                }
                break
    return out


def clock(
    incident,
    user=None,
    *,
    now: dt.datetime | None = None,
    limit: int | None = None,
    keys: list[str] | None = None,
):
    """The clock of `incident` as `user` may see it (None: the whole model), its rows ordered
    by the soonest MTPD breach, then RTO breach, then stop (the what-if's order). `keys`: the
    incident's failed_keys when the caller has them already (one read a page)."""
    now = now or timezone.now()
    elapsed = elapsed_minutes(incident, now)
    keys = failed_keys(incident) if keys is None else keys
    result = Clock(at=now, elapsed=elapsed)
    if not keys:
        return result
    analysis = Analysis(user, links=user is not None)
    known = _known(analysis, keys)
    if not known:
        return result
    report = WhatIfReport.run(analysis, known, at=incident.detected_at)
    result.hidden = report.hidden
    positions = report.activities
    result.total = len(positions)
    if limit is not None:
        positions = positions[:limit]
    rows = report.rows(positions)
    codes = [r["code"] for r in rows]
    ids = dict(Activity.objects.filter(code__in=codes).values_list("code", "pk"))
    for r in rows:
        result.rows.append(
            Row(
                code=r["code"],
                name=r["name"],
                url=r.get("url"),
                stop_at=r["stop_at"],
                rto=r.get("rto"),
                mtpd=r.get("mtpd"),
                rto_breach_at=r["rto_breach_at"],
                mtpd_breach_at=r["mtpd_breach_at"],
                elapsed=elapsed,
            )
        )
    downtime = {ids[row.code]: row.downtime for row in result.rows if row.code in ids}
    steps = _impact_steps(list(downtime), downtime)
    for row in result.rows:
        row.impact_next = steps.get(ids.get(row.code))
    return result


def derived_facts(
    incident, *, now: dt.datetime | None = None, keys: list[str] | None = None
) -> dict:
    """The facts a pack may derive rather than ask: the elapsed duration, the number of
    activities the failure stops by now (whole model), and the number of sites affected."""
    elapsed = elapsed_minutes(incident, now)
    keys = failed_keys(incident) if keys is None else keys
    stopped = 0
    if keys:
        analysis = Analysis(None)
        known = _known(analysis, keys)
        if known:
            report = WhatIfReport.run(analysis, known, at=incident.detected_at)
            stops = report.result.stop_at[report.activities]
            stopped = int((stops <= elapsed).sum())
    return {
        "elapsed": round(elapsed, 1),
        "activities": stopped,
        "sites": incident.sites.count(),
    }
