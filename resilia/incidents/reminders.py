"""Reminders before a reporting deadline (issue 13 item 3).

A deadline not yet reported is reminded once, REMIND_BEFORE before it is due (or at once when
it is already that close), by e-mail to the incident's commander and scribe where they have an
account with an address, else to every BCM manager. The deadline's `reminded_at`, set in the
same transaction as the claim, makes a repeated run send nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from resilia.accounts.models import Role as AccountRole
from resilia.accounts.models import User
from resilia.incidents.models import OPEN_STATUSES, Deadline

logger = logging.getLogger(__name__)

REMIND_BEFORE = dt.timedelta(minutes=10)


def recipients(incident) -> list[User]:
    mailable = User.objects.filter(is_active=True).exclude(email="")
    people = incident.roles.filter(role__in=("commander", "scribe")).values_list(
        "person_id", flat=True
    )
    found = list(mailable.filter(person_id__in=list(people)).order_by("pk"))
    return found or list(mailable.filter(role=AccountRole.BCM_MANAGER).order_by("pk"))


def send_reminders(*, now=None) -> dict:
    now = now or timezone.now()
    sent = 0
    due = (
        Deadline.objects.filter(
            reminded_at__isnull=True,
            report__isnull=True,
            due_at__lte=now + REMIND_BEFORE,
            incident__status__in=OPEN_STATUSES,
        )
        .select_related("incident")
        .order_by("due_at", "pk")
    )
    for deadline in due:
        with transaction.atomic():
            claimed = Deadline.objects.filter(pk=deadline.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            for user in recipients(deadline.incident):
                try:
                    _mail(deadline, user, now)
                except OSError:
                    logger.exception("could not e-mail the deadline reminder to %s", user.email)
                else:
                    sent += 1
    return {"reminders": sent}


def _mail(deadline: Deadline, user: User, now) -> None:
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "deadline": deadline,
            "incident": deadline.incident,
            "minutes": max(0, int((deadline.due_at - now).total_seconds() // 60)),
            "site_url": settings.SITE_URL,
        }
        subject = render_to_string("incidents/email/deadline_subject.txt", context)
        body = render_to_string("incidents/email/deadline.txt", context)
    EmailMessage(" ".join(subject.split()), body, to=[user.email]).send()
