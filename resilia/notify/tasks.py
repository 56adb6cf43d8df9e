"""Background tasks of notification (thin: load by id, call a service; idempotent)."""

from __future__ import annotations

from django_tasks import task

from resilia.core.context import request_context


@task()
def notify_dispatch(send_id: int) -> dict:
    """Send the due deliveries of one send (claims make a second run send nothing twice)."""
    from resilia.notify.dispatch import dispatch

    with request_context(source="task"):
        return dispatch(send_id)


@task()
def notify_tick() -> dict:
    """Every minute: advance the due waves, dispatch what is left (see services.sends_tick)."""
    from resilia.notify.services import sends_tick

    with request_context(source="task"):
        return sends_tick()
