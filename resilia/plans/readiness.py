"""The readiness score of a plan, explained line by line (issue 11 item 6).

Each line is a check worth some points; the score is the points earned over those that
apply, as a percentage. The exercise line joins once exercises exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from resilia.plans import selectors
from resilia.plans.models import Acknowledgement, Status


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

    @property
    def shade(self) -> str:
        return "green" if self.score >= 80 else "yellow" if self.score >= 50 else "red"


def readiness(plan, *, today: dt.date | None = None) -> Readiness:
    """Reviewed on time, contacts verified recently, critical path within every RTO, the
    distribution list's acknowledgements complete; a plan with nothing published scores 0."""
    today = today or timezone.localdate()
    version = selectors.published(plan)
    lines: list[Line] = []
    if version is None:
        lines.append(
            Line("published", _("A version is published"), False, _("Nothing published yet."), 100)
        )
        return Readiness(0, lines)
    due = plan.next_review
    lines.append(
        Line(
            "review",
            _("Reviewed on time"),
            due is not None and due >= today,
            _("Next review due %(date)s.") % {"date": due} if due else _("No review date."),
        )
    )
    days = getattr(settings, "PLANS_CONTACTS_VERIFY_DAYS", 90)
    verified = plan.contacts_verified_at
    fresh = verified is not None and (timezone.now() - verified).days <= days
    lines.append(
        Line(
            "contacts",
            _("Contacts verified in the last %(days)d days") % {"days": days},
            fresh,
            _("Last verified %(date)s.") % {"date": timezone.localdate(verified)}
            if verified
            else _("Never verified."),
        )
    )
    paths = selectors.activity_paths(version)
    late = [p.activity.code for p in paths if p.late]
    lines.append(
        Line(
            "rto",
            _("Critical path within the RTO of every activity in scope"),
            bool(paths) and not late,
            (_("Longer than the RTO: %(codes)s.") % {"codes": ", ".join(late)})
            if late
            else (
                _("%(n)d activities within their RTO.") % {"n": len(paths)}
                if paths
                else _("No activity in scope.")
            ),
        )
    )
    holders = set(plan.distribution.values_list("pk", flat=True))
    acked = set(
        Acknowledgement.objects.filter(version=version, person_id__in=holders).values_list(
            "person_id", flat=True
        )
    )
    lines.append(
        Line(
            "acks",
            _("Every holder acknowledged the published version"),
            bool(holders) and acked >= holders,
            _("%(done)d of %(all)d acknowledged.") % {"done": len(acked), "all": len(holders)},
        )
    )
    total = sum(line.weight for line in lines)
    earned = sum(line.weight for line in lines if line.ok)
    return Readiness(round(100 * earned / total), lines)


def is_published(plan) -> bool:
    return plan.status == Status.PUBLISHED
