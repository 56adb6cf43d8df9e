"""Saved what-ifs: save one with a name and a note, re-run it on the current model, compare two
side by side, delete one (issue 7 item 10). Every change is audited; every read goes through
the access choke point (resilia.analysis.access) and every result shown through the reader's
analysis scope.

A snapshot is the whole-model result in minutes after T0, so that two runs at different T0s
still compare: an activity that stops in one and not in the other, or whose RTO or MTPD
breach time moved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from resilia.analysis.access import may_save
from resilia.analysis.models import SavedWhatIf
from resilia.analysis.results import Analysis, minutes
from resilia.analysis.whatif import WhatIfReport, check_t0, parse_failures
from resilia.audit.services import audit_record
from resilia.core import access
from resilia.engine.model import ModelError

NAME_MAX = 200


def snapshot(report: WhatIfReport) -> dict:
    """The compact, unfiltered snapshot of a what-if's result (see SavedWhatIf)."""
    r, g = report.result, report.analysis.graph
    activities, resources = {}, {}
    for p, node in enumerate(r.nodes.tolist()):
        key = g.key(node)
        times = [minutes(r.stop_at[p]), minutes(r.back_at[p])]
        if g.kind[node] == 0:
            activities[key] = times + [minutes(r.rto_breach_at[p]), minutes(r.mtpd_breach_at[p])]
        else:
            resources[key] = times
    return {"activities": activities, "resources": resources}


def run(user, specs: list[str], at: dt.datetime | None) -> WhatIfReport:
    """The what-if of these KIND:CODE specs at T0 `at` (None: now) on the current model, seen
    by `user`; FailureError / TimeWindowError on bad input."""
    keys = parse_failures(user, specs)
    return WhatIfReport.run(Analysis(user, links=True), keys, check_t0(at))


@transaction.atomic
def saved_whatif_create(
    *, actor, name: str, note: str = "", specs: list[str], at: dt.datetime | None
) -> SavedWhatIf:
    """Run the what-if on the current model and keep it; `at` None keeps "now"."""
    if not may_save(actor):
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the what-if a name.")})
    if len(name) > NAME_MAX:
        raise ValidationError(
            {"name": _("The name is at most %(n)d characters long.") % {"n": NAME_MAX}}
        )
    report = run(actor, specs, at)
    saved = SavedWhatIf(
        name=name,
        note=(note or "").strip(),
        failed=list(specs),
        failed_keys=list(report.failed),
        at=at,
        ran_at=report.at,
        revision=report.analysis.revision,
        snapshot=snapshot(report),
        created_by=actor,
    )
    saved.activities = len(saved.snapshot["activities"])
    saved.full_clean()
    saved.save()
    audit_record(actor=actor, action="create", obj=saved, changes=_summary(saved))
    return saved


@transaction.atomic
def saved_whatif_delete(*, actor, saved: SavedWhatIf) -> None:
    if not access.can_write(actor, saved):
        raise PermissionDenied
    pk, text, changes = saved.pk, str(saved), _summary(saved)
    saved.delete()
    audit_record(
        actor=actor,
        action="delete",
        object_type="analysis.savedwhatif",
        object_id=str(pk),
        object_repr=text,
        changes=changes,
    )


def _summary(saved: SavedWhatIf) -> dict:
    """What the audit trail keeps of a saved what-if (not its snapshot)."""
    return {
        "name": saved.name,
        "note": saved.note,
        "failed": saved.failed,
        "at": saved.at.isoformat() if saved.at else "now",
        "revision": saved.revision,
        "activities": len(saved.snapshot.get("activities", {})),
        "resources": len(saved.snapshot.get("resources", {})),
    }


# Comparing two results -------------------------------------------------------------------

ONLY_A, ONLY_B, MOVED = "only_a", "only_b", "moved"
_WATCHED = (2, 3)  # the RTO and MTPD breach times, the positions in a snapshot's entry


@dataclass
class Change:
    key: str
    status: str  # ONLY_A, ONLY_B or MOVED
    a: list | None  # [stop, back, rto_breach, mtpd_breach] minutes after T0, or None
    b: list | None

    @property
    def shift(self) -> dict:
        """How many minutes the RTO and MTPD breaches moved (b - a), None if not both known."""
        found = {}
        for name, i in zip(("rto", "mtpd"), _WATCHED, strict=True):
            x = self.a[i] if self.a else None
            y = self.b[i] if self.b else None
            found[name] = None if x is None or y is None else y - x
        return found


def compare(a: dict, b: dict) -> list[Change]:
    """The activities that stop in one snapshot and not the other, or whose RTO or MTPD breach
    time (minutes after T0) moved — by earliest MTPD breach, then RTO breach, then stop."""
    acts_a, acts_b = a.get("activities", {}), b.get("activities", {})
    changes = []
    for key in acts_a.keys() | acts_b.keys():
        x, y = acts_a.get(key), acts_b.get(key)
        if y is None:
            changes.append(Change(key, ONLY_A, x, None))
        elif x is None:
            changes.append(Change(key, ONLY_B, None, y))
        elif any(x[i] != y[i] for i in _WATCHED):
            changes.append(Change(key, MOVED, x, y))

    def earliest(c: Change, i: int) -> float:
        times = [t[i] for t in (c.a, c.b) if t and t[i] is not None]
        return min(times) if times else float("inf")

    def order(c: Change):
        return (earliest(c, 3), earliest(c, 2), earliest(c, 0), c.key)

    return sorted(changes, key=order)


def visible(analysis: Analysis, keys) -> set[str]:
    """The keys the reader may be shown: nodes of the current model in their scope (a node
    since removed from the model only to those who see the whole model)."""
    if analysis.scope.whole:
        return set(keys)
    found = set()
    for key in keys:
        try:
            node = analysis.graph.index(key)
        except ModelError:  # no longer in the model
            continue
        if analysis.scope.sees(node):
            found.add(key)
    return found


def scoped(analysis: Analysis, changes: list[Change]) -> tuple[list[Change], int]:
    """The changes the reader may see, and how many were left out."""
    keys = visible(analysis, [c.key for c in changes])
    shown = [c for c in changes if c.key in keys]
    return shown, len(changes) - len(shown)


def saved_activities(analysis: Analysis, saved: SavedWhatIf) -> tuple[list[tuple], int]:
    """The saved result's activities the reader may see, as (key, times) by time to MTPD
    breach, then RTO breach, then stop; and how many were left out."""
    acts = saved.snapshot.get("activities", {})
    keys = visible(analysis, acts)

    def inf(v):
        return float("inf") if v is None else v

    rows = sorted(
        ((k, acts[k]) for k in keys),
        key=lambda kv: (inf(kv[1][3]), inf(kv[1][2]), inf(kv[1][0]), kv[0]),
    )
    return rows, len(acts) - len(rows)


def rerun_at(saved: SavedWhatIf) -> dt.datetime:
    """The T0 of a re-run: the saved one, or now for a what-if saved as "now"."""
    return saved.at or timezone.now()


def labels(analysis: Analysis, keys) -> dict[str, dict]:
    """Node dictionaries (name, code, link) of these keys; a node since removed from the model
    keeps its code as its name."""
    graph, nodes, found = analysis.graph, {}, {}
    for key in keys:
        try:
            nodes[key] = graph.index(key)
        except ModelError:  # no longer in the model
            kind, _sep, code = key.partition(":")
            found[key] = {"key": key, "kind": kind, "code": code, "name": code}
    names = analysis.labels(nodes.values())
    for key, node in nodes.items():
        found[key] = names.node(node)
    return found
