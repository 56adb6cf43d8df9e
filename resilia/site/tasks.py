"""Background tasks of the platform, through the Django tasks API (django_tasks backport).

Tasks stay thin: they open a request context (so audit events say source="task") and
call one service. Each is idempotent, so a retried or duplicated run changes nothing
twice. Enqueue them with `enqueue_on_commit`, never in the middle of a transaction that
may still roll back.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from resilia.core.context import request_context


def enqueue_on_commit(task_obj, *args, **kwargs) -> None:
    """Enqueue `task_obj` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task_obj.enqueue(*args, **kwargs))


@task()
def worker_heartbeat() -> dict:
    """Prove that a worker executes tasks: refresh the worker heartbeat row.

    The scheduler enqueues it every minute; /healthz reads the row it writes.
    """
    from resilia.ops.models import Heartbeat
    from resilia.ops.services import heartbeat_touch, process_label

    beat = heartbeat_touch(name=Heartbeat.WORKER, detail=process_label())
    return {"worker": beat.detail, "at": beat.last_seen.isoformat()}


@task()
def audit_chain_verify() -> dict:
    """Daily: verify the audit hash chain; alert the system administrators if broken."""
    from resilia.ops.services import audit_chain_check

    with request_context(source="task"):
        return audit_chain_check()


@task()
def task_results_prune(min_age_days: int = 14) -> dict:
    """Daily: delete finished task results older than `min_age_days` days."""
    from resilia.ops.services import task_results_prune as prune

    return {"deleted": prune(min_age_days=min_age_days), "at": timezone.now().isoformat()}
