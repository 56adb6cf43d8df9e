"""Reminders by e-mail, from a daily job: plans whose review is due, and holders of a
published version who have not acknowledged it.

`send_reminders(today)`: a plan's owner is reminded on the review date and weekly after it
while the plan is overdue; a holder is chased `PLANS_ACK_CHASE_DAYS` days (default 7) after
publication, then weekly, until they acknowledge. A `Reminder` row per plan, person, kind and
day makes a repeated run send nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from resilia.plans.models import Acknowledgement, Plan, PlanVersion, Reminder, Status

logger = logging.getLogger(__name__)


def _weekly(start: dt.date, today: dt.date) -> bool:
    late = (today - start).days
    return late >= 0 and late % 7 == 0


def due(today: dt.date):
    """(plan, person, kind, version) of today's reminders."""
    for plan in (
        Plan.objects.filter(status=Status.PUBLISHED, next_review__lte=today)
        .exclude(owner__isnull=True)
        .select_related("owner")
        .order_by("pk")
    ):
        if _weekly(plan.next_review, today) and plan.owner.email and plan.owner.is_active:
            yield plan, plan.owner, Reminder.Kind.REVIEW, None
    days = getattr(settings, "PLANS_ACK_CHASE_DAYS", 7)
    for v in (
        PlanVersion.objects.filter(status=Status.PUBLISHED, published_at__isnull=False)
        .select_related("plan")
        .order_by("pk")
    ):
        start = timezone.localdate(v.published_at) + dt.timedelta(days=days)
        if not _weekly(start, today):
            continue
        acked = set(Acknowledgement.objects.filter(version=v).values_list("person_id", flat=True))
        for person in v.plan.distribution.filter(is_active=True).exclude(email="").order_by("pk"):
            if person.pk not in acked:
                yield v.plan, person, Reminder.Kind.ACK, v


def send_reminders(today: dt.date) -> dict:
    """Send today's reminders; returns how many were sent and skipped."""
    sent = skipped = 0
    for plan, person, kind, version in due(today):
        try:
            with transaction.atomic():
                Reminder.objects.create(plan=plan, person=person, kind=kind, day=today)
                _mail(plan, person, kind, version)
        except IntegrityError:
            skipped += 1  # already reminded today
        except OSError:
            logger.exception("could not e-mail the plan reminder to %s", person.email)
            skipped += 1
        else:
            sent += 1
    return {"sent": sent, "skipped": skipped}


def _mail(plan, person, kind, version) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "plan": plan,
            "person": person,
            "version": version,
            "review": kind == Reminder.Kind.REVIEW,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("plans/email/reminder_subject.txt", context)
        body = render_to_string("plans/email/reminder.txt", context)
    EmailMessage(" ".join(subject.split()), body, to=[person.email]).send()
