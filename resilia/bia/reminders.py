"""Reminders of open assessments, by e-mail, before, on and after a campaign's deadline.

`send_reminders(today)` runs daily in the worker (resilia.bia.tasks, scheduled by the shell):
for each launched campaign it works out which reminder today is — `before` the deadline
(BIA_REMINDER_DAYS_BEFORE days ahead), `on` it, `after` it (the day after, then weekly) — and
e-mails each assignee with open assessments (draft or returned) one message listing them, in
the assignee's language. A `Reminder` row per campaign, person, kind and day makes a repeated
run send nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from resilia.bia.models import EDITABLE, Assessment, Campaign, CampaignStatus, Reminder

logger = logging.getLogger(__name__)


def reminder_kind(deadline: dt.date, today: dt.date) -> str | None:
    """Which reminder `today` is for a campaign due on `deadline`, if any."""
    before = getattr(settings, "BIA_REMINDER_DAYS_BEFORE", 7)
    if today == deadline - dt.timedelta(days=before):
        return Reminder.Kind.BEFORE
    if today == deadline:
        return Reminder.Kind.ON
    late = (today - deadline).days
    if late >= 1 and (late - 1) % 7 == 0:
        return Reminder.Kind.AFTER
    return None


def send_reminders(today: dt.date) -> dict:
    """Send today's reminders; returns how many were sent and skipped."""
    sent = skipped = 0
    for campaign in Campaign.objects.filter(status=CampaignStatus.LAUNCHED).order_by("pk"):
        kind = reminder_kind(campaign.deadline, today)
        if kind is None:
            continue
        open_by_user = defaultdict(list)
        for a in (
            Assessment.objects.filter(campaign=campaign, status__in=EDITABLE)
            .exclude(assignee__isnull=True)
            .exclude(assignee__email="")
            .filter(assignee__is_active=True)
            .select_related("assignee", "activity")
            .order_by("activity__code")
        ):
            open_by_user[a.assignee].append(a)
        for user, rows in open_by_user.items():
            try:
                with transaction.atomic():
                    Reminder.objects.create(
                        campaign=campaign, user=user, kind=kind, day=today, assessments=len(rows)
                    )
                    _mail(campaign, user, kind, rows)
            except IntegrityError:
                skipped += 1  # already reminded today
            except OSError:
                logger.exception("could not e-mail the BIA reminder to %s", user.email)
                skipped += 1
            else:
                sent += 1
    return {"sent": sent, "skipped": skipped}


def _mail(campaign, user, kind, rows) -> None:
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "campaign": campaign,
            "user": user,
            "kind": kind,
            "rows": rows,
            "site_url": settings.SITE_URL,
            "late": kind == Reminder.Kind.AFTER,
        }
        subject = render_to_string("bia/email/reminder_subject.txt", context)
        body = render_to_string("bia/email/reminder.txt", context)
    EmailMessage(" ".join(subject.split()), body, to=[user.email]).send()
