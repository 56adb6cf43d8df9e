"""The readiness score of a plan, explained line by line (issue 11 item 6).

Each line is a check worth some points; the score is the points earned over those that
apply, as a percentage: reviewed on time, contacts verified recently, the critical path
within the RTO of every activity in scope, every holder's acknowledgement. The exercise line
joins once exercises exist. `readiness_many` scores many plans in a constant number of
queries (the home page).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from resilia.plans.models import Acknowledgement, Plan, PlanVersion, Status


@dataclass
class Line:
    code: str
    label: str
    ok: bool
    detail: str
    weight: int = 25


@dataclass
class Readiness:
    score: int
    lines: list[Line]
    plan: Plan | None = None

    @property
    def shade(self) -> str:
        return "green" if self.score >= 80 else "yellow" if self.score >= 50 else "red"


def _score(plan, version, scope, holders, acked, today) -> Readiness:
    """scope: [(code, rto, best)] of the version's activities; holders, acked: person ids."""
    if version is None:
        line = Line(
            "published", _("A version is published"), False, _("Nothing published yet."), 100
        )
        return Readiness(0, [line], plan)
    due = plan.next_review
    days = getattr(settings, "PLANS_CONTACTS_VERIFY_DAYS", 90)
    verified = plan.contacts_verified_at
    late = [code for code, rto, best in scope if rto is not None and best > rto]
    if late:
        rto_detail = _("Longer than the RTO: %(codes)s.") % {"codes": ", ".join(late)}
    elif scope:
        rto_detail = _("%(n)d activities within their RTO.") % {"n": len(scope)}
    else:
        rto_detail = _("No activity in scope.")
    lines = [
        Line(
            "review",
            _("Reviewed on time"),
            due is not None and due >= today,
            _("Next review due %(date)s.") % {"date": due} if due else _("No review date."),
        ),
        Line(
            "contacts",
            _("Contacts verified in the last %(days)d days") % {"days": days},
            verified is not None and (timezone.now() - verified).days <= days,
            _("Last verified %(date)s.") % {"date": timezone.localdate(verified)}
            if verified
            else _("Never verified."),
        ),
        Line(
            "rto",
            _("Critical path within the RTO of every activity in scope"),
            bool(scope) and not late,
            rto_detail,
        ),
        Line(
            "acks",
            _("Every holder acknowledged the published version"),
            bool(holders) and acked >= holders,
            _("%(done)d of %(all)d acknowledged.")
            % {"done": len(acked & holders), "all": len(holders)},
        ),
    ]
    total = sum(line.weight for line in lines)
    earned = sum(line.weight for line in lines if line.ok)
    return Readiness(round(100 * earned / total), lines, plan)


def readiness_many(plans, *, today: dt.date | None = None) -> list[Readiness]:
    """The readiness of each plan, in five queries whatever their number."""
    today = today or timezone.localdate()
    plans = list(plans)
    ids = [p.pk for p in plans]
    versions = {
        v.plan_id: v for v in PlanVersion.objects.filter(plan_id__in=ids, status=Status.PUBLISHED)
    }
    vids = [v.pk for v in versions.values()]
    scope = defaultdict(list)
    through = PlanVersion.activities.through.objects.filter(planversion_id__in=vids)
    by_version = {v.pk: v for v in versions.values()}
    for vid, aid, code, rto in through.values_list(
        "planversion_id", "activity_id", "activity__code", "activity__rto"
    ):
        sched = by_version[vid].schedule or {}
        best = (sched.get("activities", {}).get(str(aid)) or sched).get("best", 0)
        scope[vid].append((code, rto, best))
    holders = defaultdict(set)
    for pid, person in Plan.distribution.through.objects.filter(plan_id__in=ids).values_list(
        "plan_id", "person_id"
    ):
        holders[pid].add(person)
    acked = defaultdict(set)
    for vid, person in Acknowledgement.objects.filter(version_id__in=vids).values_list(
        "version_id", "person_id"
    ):
        acked[vid].add(person)
    out = []
    for p in plans:
        v = versions.get(p.pk)
        vid = v.pk if v else None
        out.append(
            _score(p, v, sorted(scope.get(vid, [])), holders[p.pk], acked.get(vid, set()), today)
        )
    return out


def readiness(plan, *, today: dt.date | None = None) -> Readiness:
    """The readiness of one plan (see the module docstring)."""
    return readiness_many([plan], today=today)[0]


def lowest(user, limit: int = 8) -> list[Readiness]:
    """The published plans the user may read, least ready first (the home page's card)."""
    plans = Plan.objects.for_user(user).filter(status=Status.PUBLISHED).order_by("code")[:200]
    return sorted(readiness_many(plans), key=lambda r: (r.score, r.plan.code))[:limit]
