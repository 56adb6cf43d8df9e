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
from resilia.ops.tasks import report_job_render

# Module paths of the tasks that may run again after a worker died under them (the lease sweep
# re-enqueues those once, and fails the others). Mark one with @idempotent above @task().
IDEMPOTENT: set[str] = set()


def idempotent(task_obj):
    """Declare `task_obj` safe to run twice, so that a stale run of it is retried once."""
    IDEMPOTENT.add(task_obj.module_path)
    return task_obj


def is_idempotent(task_path: str) -> bool:
    """Whether the task at `task_path` was declared idempotent (importing it declares it)."""
    from django.utils.module_loading import import_string

    try:
        import_string(task_path)
    except ImportError:
        return False
    return task_path in IDEMPOTENT


def enqueue_on_commit(task_obj, *args, **kwargs) -> None:
    """Enqueue `task_obj` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task_obj.enqueue(*args, **kwargs))


# Report jobs (resilia.ops) start over when rerun, and leave a finished job alone.
idempotent(report_job_render)


@idempotent
@task()
def worker_heartbeat() -> dict:
    """Prove that a worker executes tasks: refresh the worker heartbeat row.

    The scheduler enqueues it every minute; /healthz reads the row it writes.
    """
    from resilia.ops.models import Heartbeat
    from resilia.ops.services import heartbeat_touch, process_label

    beat = heartbeat_touch(name=Heartbeat.WORKER, detail=process_label())
    return {"worker": beat.detail, "at": beat.last_seen.isoformat()}


@idempotent
@task()
def audit_chain_verify() -> dict:
    """Daily: verify the audit hash chain; alert the system administrators if broken."""
    from resilia.ops.services import audit_chain_check

    with request_context(source="task"):
        return audit_chain_check()


@idempotent
@task()
def audit_checkpoint() -> dict:
    """Hourly: export a signed checkpoint of the audit chain's head (idempotent: an unchanged
    head is written once). Nothing to do without AUDIT_CHECKPOINT_DIR."""
    from django.conf import settings

    from resilia.audit.checkpoints import checkpoint_write

    if not settings.AUDIT_CHECKPOINT_DIR:
        return {"written": None}
    mark = checkpoint_write(settings.AUDIT_CHECKPOINT_DIR)
    return {"written": str(mark.path) if mark else None, "seq": mark.seq if mark else None}


@task()
def task_results_prune(min_age_days: int = 14) -> dict:
    """Daily: delete finished task results older than `min_age_days` days."""
    from resilia.ops.services import task_results_prune as prune

    return {"deleted": prune(min_age_days=min_age_days), "at": timezone.now().isoformat()}


@idempotent
@task()
def report_jobs_prune(min_age_days: int = 7) -> dict:
    """Daily: delete report jobs (and their files) finished more than a week ago."""
    from resilia.ops.services import report_jobs_prune as prune

    with request_context(source="task"):
        return {"deleted": prune(min_age_days=min_age_days), "at": timezone.now().isoformat()}


@idempotent
@task()
def stale_tasks_sweep() -> dict:
    """Every five minutes: recover the tasks left running past their lease by a dead worker
    (re-enqueue the idempotent ones once, fail the others with the reason)."""
    from resilia.ops.leases import stale_tasks_sweep as sweep

    return {**sweep(retryable=is_idempotent), "at": timezone.now().isoformat()}


# Tasks of the apps below the shell that are safe to run twice (each keeps its own record of
# what it did): declared here, where the lease sweep looks.
def _declare_app_tasks() -> None:
    from resilia.bia import tasks as bia_tasks
    from resilia.notify import tasks as notify_tasks

    idempotent(bia_tasks.bia_reminders)
    # Deliveries are claimed rows: a second run sends nothing twice.
    idempotent(notify_tasks.notify_dispatch)
    idempotent(notify_tasks.notify_tick)

    from resilia.hazards import tasks as hazards_tasks

    idempotent(hazards_tasks.hazard_rounds_schedule)
    idempotent(hazards_tasks.hazard_escalations)

    from resilia.incidents import tasks as incidents_tasks

    # Regrading is a pure function of the facts and the time; a deadline is reminded once.
    idempotent(incidents_tasks.incidents_tick)


_declare_app_tasks()
