"""Background tasks of the plans (run by the worker; the shell's scheduler enqueues them)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from resilia.core.context import request_context


@task()
def plans_reminders() -> dict:
    """Today's review and acknowledgement reminders (idempotent: one Reminder row a day)."""
    from resilia.plans.reminders import send_reminders

    with request_context(source="task"):
        return send_reminders(timezone.localdate())
