"""Background tasks of the risk app (run by the worker; the shell's scheduler enqueues them)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from resilia.core.context import request_context


@task()
def risk_measure_reminders() -> dict:
    """Today's reminders of treatment measures (idempotent: a row per measure, kind and day)."""
    from resilia.risk.reminders import send_measure_reminders

    with request_context(source="task"):
        return send_measure_reminders(timezone.localdate())
