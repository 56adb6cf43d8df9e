"""Reminders of treatment measures, by e-mail to their owners: `before` the due date
(RISK_MEASURE_REMINDER_DAYS_BEFORE, 7 days by default), then `overdue` the day after it and
weekly while the measure stays open. `send_measure_reminders(today)` runs daily in the worker
(resilia.risk.tasks, scheduled by the shell); a MeasureReminder row per measure, kind and day
makes a repeated run send nothing twice."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from resilia.risk.models import OPEN_MEASURE, Measure, MeasureReminder

logger = logging.getLogger(__name__)


def reminder_kind(due: dt.date, today: dt.date) -> str | None:
    """Which reminder `today` is for a measure due on `due`, if any."""
    before = getattr(settings, "RISK_MEASURE_REMINDER_DAYS_BEFORE", 7)
    if today == due - dt.timedelta(days=before):
        return MeasureReminder.Kind.BEFORE
    late = (today - due).days
    if late >= 1 and (late - 1) % 7 == 0:
        return MeasureReminder.Kind.OVERDUE
    return None


def send_measure_reminders(today: dt.date) -> dict:
    """Send today's reminders; returns how many were sent and skipped."""
    before = getattr(settings, "RISK_MEASURE_REMINDER_DAYS_BEFORE", 7)
    sent = skipped = 0
    # The open measures due `before` days ahead, or overdue (served by the status/due index).
    measures = (
        Measure.objects.filter(status__in=OPEN_MEASURE)
        .filter(Q(due_date=today + dt.timedelta(days=before)) | Q(due_date__lt=today))
        .exclude(owner__email="")
        .select_related("owner", "risk")
        .order_by("due_date", "pk")
    )
    for measure in measures.iterator(chunk_size=500):
        kind = reminder_kind(measure.due_date, today)
        if kind is None:
            continue
        try:
            with transaction.atomic():
                MeasureReminder.objects.create(measure=measure, kind=kind, day=today)
                _mail(measure, kind)
        except IntegrityError:
            skipped += 1  # already reminded today
        except OSError:
            logger.exception("could not e-mail the measure reminder to %s", measure.owner.email)
            skipped += 1
        else:
            sent += 1
    return {"sent": sent, "skipped": skipped}


def _mail(measure: Measure, kind: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "measure": measure,
            "late": kind == MeasureReminder.Kind.OVERDUE,
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("risk/email/measure_reminder_subject.txt", context)
        body = render_to_string("risk/email/measure_reminder.txt", context)
    EmailMessage(" ".join(subject.split()), body, to=[measure.owner.email]).send()
