"""The what-if report: "these nodes fail at T0 — what stops, when, when can it be back, and
when does each activity breach its RTO and its MTPD?" (engine semantics: docs/engine.md).

Failed nodes are named `KIND:KEY` (docs/analysis.md): `activity:CODE`, `resource:CODE`,
`supplier:CODE` (a resource of kind supplier) and `site:CODE` (every resource located at the
site: its facilities and whatever else has the site as location).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from resilia.analysis.results import Analysis, Labels, minutes, teams_by_unit
from resilia.analysis.scope import readable
from resilia.dependencies.models import Activity, Resource
from resilia.org.models import Site

KINDS = ("activity", "resource", "site", "supplier")

# The failure times T0 a what-if accepts, from EARLIEST_T0 up to (not including) LATEST_T0: wide
# enough for any exercise or plan, narrow enough that T0 plus the model's durations (its stop,
# recovery and breach times) stays a valid date in every time zone. Every entry point (page,
# exports, API, CLI) asks check_t0(); WhatIfReport.run() asks it again.
EARLIEST_T0 = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST_T0 = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


class FailureError(ValueError):
    """A failed-node specification that names nothing the user may pick; the message is
    translated and names the specification."""


class TimeWindowError(ValueError):
    """A failure time T0 outside EARLIEST_T0..LATEST_T0; the message is translated."""


def check_t0(at: dt.datetime | None) -> dt.datetime | None:
    """`at` itself if it lies in the accepted window (or is None: now); TimeWindowError if not."""
    if at is not None and not (EARLIEST_T0 <= at < LATEST_T0):
        raise TimeWindowError(
            _("The failure time must be between %(earliest)s and %(latest)s.")
            % {"earliest": EARLIEST_T0.date().isoformat(), "latest": LATEST_T0.date().isoformat()}
        )
    return at


def parse_failures(user, specs: list[str]) -> list[str]:
    """Engine keys of the nodes named by `specs` (KIND:KEY), among those the user may read."""
    keys: list[str] = []
    if not specs:
        raise FailureError(_("Pick at least one failed node."))
    for spec in specs:
        kind, sep, code = (spec or "").strip().partition(":")
        kind, code = kind.strip().lower(), code.strip()
        if not sep or not code:
            raise FailureError(
                _("%(spec)s: write KIND:CODE, for example resource:DC1.") % {"spec": spec}
            )
        if kind not in KINDS:
            raise FailureError(
                _("%(spec)s: the kind must be activity, resource, site or supplier.")
                % {"spec": spec}
            )
        found = _resolve(user, kind, code)
        if found is None:
            raise FailureError(
                _("%(spec)s: there is no such node, or you may not see it.") % {"spec": spec}
            )
        if not found:
            raise FailureError(_("%(spec)s: no resource is located at this site.") % {"spec": spec})
        keys += [k for k in found if k not in keys]
    return keys


def _resolve(user, kind: str, code: str) -> list[str] | None:
    if kind == "activity":
        exists = readable(user, Activity).filter(code=code).exists()
        return [f"activity:{code}"] if exists else None
    if kind in ("resource", "supplier"):
        rows = readable(user, Resource).filter(code=code)
        if kind == "supplier":
            rows = rows.filter(kind=Resource.Kind.SUPPLIER)
        return [f"resource:{code}"] if rows.exists() else None
    site = readable(user, Site).filter(code=code).first()
    if site is None:
        return None
    codes = readable(user, Resource).filter(site=site).order_by("code")
    return [f"resource:{c}" for c in codes.values_list("code", flat=True)]


def _inf(values: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(values), np.inf, values)


@dataclass
class WhatIfReport:
    """The result of one what-if, with the visible affected activities sorted by time to MTPD
    breach, then to RTO breach, then stop time, and the visible affected resources by stop."""

    analysis: Analysis
    failed: list[str]
    at: dt.datetime
    activities: np.ndarray  # positions in the engine result
    resources: np.ndarray
    hidden: int  # affected nodes outside the user's scope

    @classmethod
    def run(cls, analysis: Analysis, failed: list[str], at: dt.datetime | None = None):
        check_t0(at)
        graph = analysis.graph
        result = analysis.model.whatif(failed)
        positions = np.arange(len(result.nodes))
        visible = analysis.scope.filter(result.nodes) if len(result.nodes) else result.nodes
        mask = np.isin(result.nodes, visible)
        kinds = graph.kind[result.nodes]
        acts = positions[mask & (kinds == 0)]
        acts = acts[
            np.lexsort(
                (
                    result.nodes[acts],
                    result.stop_at[acts],
                    _inf(result.rto_breach_at[acts]),
                    _inf(result.mtpd_breach_at[acts]),
                )
            )
        ]
        ress = positions[mask & (kinds == 1)]  # already ordered by (stop_at, node)
        report = cls(
            analysis=analysis,
            failed=failed,
            at=at or timezone.now(),
            activities=acts,
            resources=ress,
            hidden=int((~mask).sum()),
        )
        report.result = result
        report.failed_nodes = set(result.failed_nodes.tolist())
        return report

    def _clock(self, value) -> str | None:
        value = minutes(value)
        if value is None:
            return None
        return timezone.localtime(self.at + dt.timedelta(minutes=value)).isoformat()

    def _link(self, dependent: int, dependency: int) -> tuple[str | None, float]:
        """(OR group name or None, tolerance) of the link dependent → dependency."""
        g = self.analysis.graph
        for term in range(g.term_ptr[dependent], g.term_ptr[dependent + 1]):
            for link in range(g.term_link_ptr[term], g.term_link_ptr[term + 1]):
                if g.link_dst[link] == dependency:
                    group = g.group_names.get(term) if g.link_or[link] else None
                    return group, float(g.link_tol[link])
        return None, 0.0

    def rows(self, positions) -> list[dict]:
        """Row dictionaries (the JSON shape) for these positions of the engine result."""
        g, result = self.analysis.graph, self.result
        positions = [int(p) for p in positions]
        causes = {}
        wanted = set()
        for p in positions:
            node = int(result.nodes[p])
            chain = [(g.index(a), g.index(b)) for a, b in result.cause_links(node)]
            causes[p] = chain
            wanted.add(node)
            wanted.update(v for link in chain for v in link)
        labels = self.analysis.labels(wanted)
        teams = teams_by_unit(
            self.analysis,
            [labels.unit_id(int(result.nodes[p])) for p in positions if self._is_activity(p)],
        )
        return [self._row(p, causes[p], labels, teams) for p in positions]

    def _is_activity(self, p: int) -> bool:
        return self.analysis.graph.kind[self.result.nodes[p]] == 0

    def _row(self, p: int, chain, labels: Labels, teams) -> dict:
        g, r = self.analysis.graph, self.result
        node = int(r.nodes[p])
        row = labels.node(node)
        times = {
            "stop_at": r.stop_at[p],
            "back_at": r.back_at[p],
            "rto_breach_at": r.rto_breach_at[p],
            "mtpd_breach_at": r.mtpd_breach_at[p],
        }
        row["failed"] = node in self.failed_nodes
        for name, value in times.items():
            row[name] = minutes(value)
        for name, value in times.items():
            row[name.removesuffix("_at") + "_time"] = self._clock(value)
        if self._is_activity(p):
            row["rto"] = minutes(g.rto[node])
            row["mtpd"] = minutes(g.mtpd[node])
            row["teams"] = teams.get(labels.unit_id(node), [])
        row["cause"] = []
        for dependent, dependency in chain:
            group, tolerance = self._link(dependent, dependency)
            row["cause"].append(
                {
                    "dependent": labels.node(dependent),
                    "dependency": labels.node(dependency),
                    "group": group,
                    "tolerance": minutes(tolerance),
                }
            )
        return row

    def timeline(self, positions) -> list[dict]:
        """The chart's data for these activity positions (minutes after T0): its name, its
        record's page where the reader may open it, and its times."""
        r = self.result
        positions = [int(p) for p in positions]
        labels = self.analysis.labels(int(r.nodes[p]) for p in positions)
        found = []
        for p in positions:
            node = labels.node(int(r.nodes[p]))
            found.append(
                {
                    "name": f"{node['name']} ({node['code']})",
                    "url": node.get("url"),
                    "stop": minutes(r.stop_at[p]),
                    "back": minutes(r.back_at[p]),
                    "rto": minutes(r.rto_breach_at[p]),
                    "mtpd": minutes(r.mtpd_breach_at[p]),
                }
            )
        return found

    def affected_keys(self) -> set[str]:
        """The keys of every failed or stopped node the user may see (for activation)."""
        g, nodes = self.analysis.graph, self.result.nodes
        positions = np.concatenate([self.activities, self.resources])
        return {g.key(int(nodes[p])) for p in positions}

    def as_json(self) -> dict:
        """The whole result in the documented JSON shape."""
        return {
            "analysis": "whatif",
            "revision": self.analysis.revision,
            "at": timezone.localtime(self.at).isoformat(),
            "failed": self.failed,
            "activities": self.rows(self.activities),
            "resources": self.rows(self.resources),
            "hidden": self.hidden,
        }
