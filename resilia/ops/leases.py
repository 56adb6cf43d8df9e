"""Task leases: find the tasks left RUNNING by a worker that died under them, and recover them.

A worker killed with SIGKILL (out of memory, a host lost) never marks its task finished: on
the database backend the row stays RUNNING, on RQ the job stays STARTED, for ever. A task
whose run started longer ago than the lease (`settings.TASK_LEASE_SECONDS`, longer than any
task runs) is stale. The sweep, run by the scheduler, puts a stale idempotent task back in
its queue once and marks any other one FAILED with the reason; /healthz counts the stale.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

# Recorded as the failed task's exception class, so that a lease failure is easy to find.
LEASE_EXPIRED = "resilia.ops.leases.LeaseExpired"
RQ_RETRIES_META = "resilia_lease_retries"


class LeaseExpired(Exception):  # noqa: N818 (a recorded reason, never raised)
    """The reason recorded on a task that outlived its lease."""


@dataclass(frozen=True)
class StaleTask:
    """A task left running past its lease: its backend id, task path and start time."""

    id: str
    task_path: str
    started_at: dt.datetime
    attempts: int


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.TASK_LEASE_SECONDS)


def _cutoff(now: dt.datetime | None) -> dt.datetime:
    return (now or timezone.now()) - lease()


def _reason(stale: StaleTask, why: str) -> str:
    return (
        f"{LEASE_EXPIRED}: the task started at {stale.started_at.isoformat()} and was still "
        f"running after the lease of {settings.TASK_LEASE_SECONDS} s: its worker stopped "
        f"under it. {why}"
    )


def stale_tasks(*, now: dt.datetime | None = None) -> list[StaleTask]:
    """The tasks of the configured backend running longer than the lease."""
    if settings.TASKS_BACKEND == "database":
        return _db_stale(_cutoff(now))
    if settings.TASKS_BACKEND == "rq":
        return [stale for stale, _job, _registry, _key in _rq_stale(_cutoff(now))]
    return []  # the immediate backend runs tasks inside the caller


def stale_tasks_sweep(*, retryable: Callable[[str], bool], now: dt.datetime | None = None) -> dict:
    """Recover every stale task: re-enqueue it when `retryable(task_path)` and it has run only
    once; otherwise mark it failed with the reason. Returns the ids of both, JSON-safe."""
    done: dict[str, list[str]] = {"retried": [], "failed": []}
    cutoff = _cutoff(now)
    if settings.TASKS_BACKEND == "database":
        for stale in _db_stale(cutoff):
            retry = stale.attempts < 2 and retryable(stale.task_path)
            if _db_recover(stale, retry, now or timezone.now()):
                done["retried" if retry else "failed"].append(stale.id)
    elif settings.TASKS_BACKEND == "rq":
        for stale, job, registry, key in _rq_stale(cutoff):
            retry = stale.attempts < 2 and retryable(stale.task_path)
            _rq_recover(stale, job, registry, key, retry)
            done["retried" if retry else "failed"].append(stale.id)
    for outcome, ids in done.items():
        for task_id in ids:
            logger.warning("stale task %s past its lease: %s", task_id, outcome)
    return done


def _why(retry: bool, stale: StaleTask) -> str:
    if retry:
        return "Enqueued again (the task is idempotent)."
    if stale.attempts >= 2:
        return "Not retried: it was already retried once."
    return "Not retried: the task is not marked idempotent."


# The database backend (django_tasks_db) ------------------------------------------------------


def _db_stale(cutoff: dt.datetime) -> list[StaleTask]:
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.running().filter(started_at__lt=cutoff).order_by("started_at")
    return [
        StaleTask(str(r.id), r.task_path, r.started_at, len(r.worker_ids))
        for r in rows.only("id", "task_path", "started_at", "worker_ids")
    ]


def _db_recover(stale: StaleTask, retry: bool, now: dt.datetime) -> bool:
    """Compare-and-swap on (RUNNING, started_at): a second sweeper, or a worker that did
    finish meanwhile, leaves this one changing nothing."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.filter(
        pk=stale.id, status=TaskResultStatus.RUNNING, started_at=stale.started_at
    )
    if retry:
        changed = row.update(status=TaskResultStatus.READY, started_at=None)
    else:
        changed = row.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=LEASE_EXPIRED,
            traceback=_reason(stale, _why(False, stale)),
        )
    return changed == 1


# RQ (django_tasks_rq) -------------------------------------------------------------------------


def _rq_stale(cutoff: dt.datetime):
    """(StaleTask, job, registry, registry entry) of each job STARTED before `cutoff`."""
    import django_rq
    from django_tasks_rq.backend import Job
    from rq.exceptions import NoSuchJobError
    from rq.job import JobStatus
    from rq.registry import StartedJobRegistry

    found = []
    for name in settings.RQ_QUEUES:
        queue = django_rq.get_queue(name, job_class=Job)
        registry = StartedJobRegistry(queue=queue)
        for job_id, execution_id in registry.get_job_and_execution_ids(cleanup=False):
            try:
                job = Job.fetch(job_id, connection=queue.connection)
            except NoSuchJobError:
                continue
            started = job.started_at
            if started is not None and timezone.is_naive(started):
                started = started.replace(tzinfo=dt.UTC)
            if job.get_status() != JobStatus.STARTED or started is None or started >= cutoff:
                continue
            attempts = 1 + int(job.meta.get(RQ_RETRIES_META, 0))
            stale = StaleTask(job.id, job.func_name, started, attempts)
            found.append((stale, job, registry, f"{job_id}:{execution_id}"))
    return found


def _rq_recover(stale: StaleTask, job, registry, key: str, retry: bool) -> None:
    import django_rq
    from rq.job_lifecycle import record_job_failure

    connection = registry.connection
    connection.zrem(registry.key, key)
    if retry:
        job.meta[RQ_RETRIES_META] = int(job.meta.get(RQ_RETRIES_META, 0)) + 1
        job.save_meta()
        job.started_at = None
        django_rq.get_queue(job.origin, job_class=type(job)).enqueue_job(job)
        return
    # django_tasks_rq reads the exception class of a failure from the job's meta.
    job.meta.setdefault("_django_tasks_rq_exceptions", []).append(LEASE_EXPIRED)
    job.save_meta()
    with connection.pipeline() as pipeline:
        record_job_failure(job, _reason(stale, _why(False, stale)), pipeline)
        pipeline.execute()
