"""The periodic scheduler: jobs declared in code, their next run kept in the database.

`resilia scheduler` calls `tick()` every few seconds. A tick reads the due
`ScheduledJob` rows and claims each one with a compare-and-swap UPDATE
(`WHERE pk = ? AND next_run_at = <the value we read>`): exactly one process sees
"1 row updated" for a given run, and only that process enqueues the task. So any
number of schedulers (one per machine, for availability) enqueue each run once,
on SQLite and PostgreSQL alike, without locks held between ticks.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from resilia.bia import tasks as bia_tasks
from resilia.hazards import tasks as hazards_tasks
from resilia.incidents import tasks as incidents_tasks
from resilia.notify import tasks as notify_tasks
from resilia.plans import tasks as plans_tasks
from resilia.risk import tasks as risk_tasks
from resilia.site import tasks

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A periodic job: run `task` every `interval`, or daily at `daily_at` (local time)."""

    name: str
    task: object
    interval: dt.timedelta | None = None
    daily_at: dt.time | None = None

    def __post_init__(self):
        if (self.interval is None) == (self.daily_at is None):
            raise ValueError(f"job {self.name}: give exactly one of interval and daily_at")

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        """The first run strictly after `moment`."""
        if self.interval is not None:
            return moment + self.interval
        local = timezone.localtime(moment)
        candidate = local.replace(
            hour=self.daily_at.hour, minute=self.daily_at.minute, second=0, microsecond=0
        )
        if candidate <= local:
            candidate = timezone.make_aware(
                dt.datetime.combine(local.date() + dt.timedelta(days=1), self.daily_at)
            )
        return candidate


JOBS: tuple[Job, ...] = (
    # Proves to /healthz that a worker executes tasks.
    Job("worker_heartbeat", tasks.worker_heartbeat, interval=dt.timedelta(minutes=1)),
    # Off-hours, before people start work, so a broken chain is in the morning's mail.
    Job("audit_chain_verify", tasks.audit_chain_verify, daily_at=dt.time(2, 0)),
    # Anchors the audit chain outside the database (resilia/audit/checkpoints.py).
    Job(
        "audit_checkpoint",
        tasks.audit_checkpoint,
        interval=dt.timedelta(minutes=settings.AUDIT_CHECKPOINT_MINUTES),
    ),
    Job("task_results_prune", tasks.task_results_prune, daily_at=dt.time(3, 30)),
    # Report files are for downloading, not keeping: a week, then they go.
    Job("report_jobs_prune", tasks.report_jobs_prune, daily_at=dt.time(3, 40)),
    # A task whose worker was killed stays running for ever; the lease sweep recovers it.
    Job("stale_tasks_sweep", tasks.stale_tasks_sweep, interval=dt.timedelta(minutes=5)),
    # Before people start work: the departments' BIA reminders (resilia/bia/reminders.py).
    Job("bia_reminders", bia_tasks.bia_reminders, daily_at=dt.time(8, 0)),
    # The owners' reminders of treatment measures (resilia/risk/reminders.py).
    Job("risk_measure_reminders", risk_tasks.risk_measure_reminders, daily_at=dt.time(8, 5)),
    # Just after midnight, so the day's inspection rounds are on the inspectors' lists.
    Job("hazard_rounds_schedule", hazards_tasks.hazard_rounds_schedule, daily_at=dt.time(0, 10)),
    # With the BIA reminders: overdue rectifications to the managers (hazards/escalations.py).
    Job("hazard_escalations", hazards_tasks.hazard_escalations, daily_at=dt.time(8, 5)),
    # The plans whose review is due and the holders who have not read theirs.
    Job("plans_reminders", plans_tasks.plans_reminders, daily_at=dt.time(8, 5)),
    # The waves of escalation policies, and the deliveries a dead worker left (resilia/notify).
    Job("notify_tick", notify_tasks.notify_tick, interval=dt.timedelta(minutes=1)),
    # Open incidents: the level as time passes, the next reporting deadlines, their reminders.
    Job("incidents_tick", incidents_tasks.incidents_tick, interval=dt.timedelta(minutes=1)),
)


def jobs_sync(jobs: Iterable[Job] = JOBS, *, now: dt.datetime | None = None) -> None:
    """Create the row of every declared job that has none yet (its first run: now for
    interval jobs, the next daily time for daily jobs). Existing rows keep their time."""
    from resilia.ops.models import ScheduledJob

    now = now or timezone.now()
    for job in jobs:
        first = now if job.interval is not None else job.next_after(now)
        ScheduledJob.objects.get_or_create(name=job.name, defaults={"next_run_at": first})


def due(jobs: Iterable[Job] = JOBS, *, now: dt.datetime | None = None) -> list:
    """The rows of declared jobs whose next run is at or before `now`."""
    from resilia.ops.models import ScheduledJob

    names = [job.name for job in jobs]
    now = now or timezone.now()
    return list(ScheduledJob.objects.filter(name__in=names, next_run_at__lte=now))


def claim(row, job: Job, *, now: dt.datetime | None = None) -> bool:
    """Claim one due run of `job` and enqueue its task; False when another process won.

    The UPDATE compares `next_run_at` with the value this process read: it changes the
    row only if nobody moved it in between. The task is enqueued when the claim
    commits, so a rolled-back claim enqueues nothing.
    """
    from resilia.ops.models import ScheduledJob

    now = now or timezone.now()
    with transaction.atomic():
        won = (
            ScheduledJob.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
                next_run_at=job.next_after(now), last_run_at=now
            )
            == 1
        )
        if won:
            transaction.on_commit(lambda: _enqueue(row.pk, job))
    return won


def _enqueue(pk: int, job: Job) -> None:
    from resilia.ops.models import ScheduledJob

    result = job.task.enqueue()
    ScheduledJob.objects.filter(pk=pk).update(last_task_id=str(result.id)[:64])
    logger.info("enqueued %s as task %s", job.name, result.id)


def tick(jobs: Iterable[Job] = JOBS, *, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every due job this process manages to claim; returns their names."""
    jobs = tuple(jobs)
    by_name = {job.name: job for job in jobs}
    now = now or timezone.now()
    return [row.name for row in due(jobs, now=now) if claim(row, by_name[row.name], now=now)]
