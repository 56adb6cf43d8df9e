"""Background tasks of the BIA (run by the worker; the shell's scheduler enqueues them)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from resilia.core.context import request_context


@task()
def bia_reminders() -> dict:
    """Today's reminders of open assessments (idempotent: a Reminder row per day and person)."""
    from resilia.bia.reminders import send_reminders

    with request_context(source="task"):
        return send_reminders(timezone.localdate())
