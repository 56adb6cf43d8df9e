"""Background task of incidents (the shell's scheduler enqueues it every minute): regrade the
open incidents as time passes, set their new deadlines, remind before each deadline. Safe to
run twice: a deadline is reminded once (its reminded_at)."""

from __future__ import annotations

from django_tasks import task

from resilia.core.context import request_context


@task()
def incidents_tick() -> dict:
    from resilia.incidents.reminders import send_reminders
    from resilia.incidents.services import tick

    with request_context(source="task"):
        result = tick()
        result.update(send_reminders())
        return result
