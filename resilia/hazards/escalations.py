"""Overdue rectifications escalated to the manager by e-mail, from a daily job.

A hazard whose order is past its deadline and not yet reported fixed is escalated the day
after the deadline, then every seven days while it stays overdue, to the head of the
responsible person's unit (the user linked to that person), or, when the unit has no head
with an account and an e-mail address, to every BCM manager. One `Escalation` row per
hazard, manager and day makes a repeated or retried run send nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from resilia.accounts.models import Role, User
from resilia.hazards.models import Escalation, Hazard, HazardStatus

logger = logging.getLogger(__name__)


def overdue(today: dt.date):
    """Hazards being rectified past their deadline (served by the deadline index)."""
    return Hazard.objects.filter(status=HazardStatus.RECTIFYING, rectification__deadline__lt=today)


def is_escalation_day(deadline: dt.date, today: dt.date) -> bool:
    late = (today - deadline).days
    return late >= 1 and (late - 1) % 7 == 0


def managers_of(hazard: Hazard) -> list[User]:
    """Who is told: the responsible person's unit head, else the BCM managers."""
    head_id = hazard.rectification.responsible.unit.head_id
    mailable = User.objects.filter(is_active=True).exclude(email="")
    if head_id:
        heads = list(mailable.filter(person_id=head_id))
        if heads:
            return heads
    return list(mailable.filter(role=Role.BCM_MANAGER).order_by("pk"))


def send_escalations(today: dt.date) -> dict:
    """Send today's overdue notices; returns how many were sent and skipped."""
    sent = skipped = 0
    rows = (
        overdue(today)
        .select_related("site", "rectification__responsible__unit")
        .order_by("rectification__deadline", "pk")
    )
    for hazard in rows:
        deadline = hazard.rectification.deadline
        if not is_escalation_day(deadline, today):
            continue
        days = (today - deadline).days
        for user in managers_of(hazard):
            try:
                with transaction.atomic():
                    Escalation.objects.create(
                        hazard=hazard, user=user, day=today, days_overdue=days
                    )
                    _mail(hazard, user, days)
            except IntegrityError:
                skipped += 1  # already escalated today
            except OSError:
                logger.exception("could not e-mail the hazard escalation to %s", user.email)
                skipped += 1
            else:
                sent += 1
    return {"sent": sent, "skipped": skipped}


def _mail(hazard: Hazard, user: User, days: int) -> None:
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "hazard": hazard,
            "rect": hazard.rectification,
            "user": user,
            "days": days,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("hazards/email/overdue_subject.txt", context)
        body = render_to_string("hazards/email/overdue.txt", context)
    EmailMessage(" ".join(subject.split()), body, to=[user.email]).send()
