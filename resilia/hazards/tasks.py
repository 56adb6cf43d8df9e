"""Background tasks of hazard inspection (run by the worker; the shell's scheduler enqueues
them daily). Both are idempotent."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from resilia.core.context import request_context


@task()
def hazard_rounds_schedule() -> dict:
    """Create today's due inspection rounds (one per schedule and due date)."""
    from resilia.hazards.services import rounds_schedule

    with request_context(source="task"):
        return rounds_schedule(timezone.localdate())


@task()
def hazard_escalations() -> dict:
    """E-mail today's overdue rectifications to the managers (one row per day and manager)."""
    from resilia.hazards.escalations import send_escalations

    with request_context(source="task"):
        return send_escalations(timezone.localdate())
