"""The periodic scheduler: due runs are enqueued exactly once, however many schedulers run."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from resilia.ops.models import ScheduledJob
from resilia.site import scheduler
from resilia.site.tests.conftest import resilia_argv, run_script

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def _enqueued(path_suffix: str) -> int:
    return DBTaskResult.objects.filter(task_path__endswith=path_suffix).count()


def _make_all_due(now: dt.datetime) -> None:
    scheduler.jobs_sync(now=now - dt.timedelta(days=2))
    ScheduledJob.objects.update(next_run_at=now - dt.timedelta(minutes=5))


@pytest.mark.django_db(transaction=True)
def test_it_enqueues_each_due_run_once_when_two_schedulers_interleave():
    _make_all_due(NOW)
    # Both schedulers read the due rows before either claims: the classic race.
    seen_by_a = scheduler.due(now=NOW)
    seen_by_b = scheduler.due(now=NOW)
    jobs = {job.name: job for job in scheduler.JOBS}
    won_a = [row.name for row in seen_by_a if scheduler.claim(row, jobs[row.name], now=NOW)]
    won_b = [row.name for row in seen_by_b if scheduler.claim(row, jobs[row.name], now=NOW)]

    assert sorted(won_a) == sorted(job.name for job in scheduler.JOBS)
    assert won_b == []
    for job in scheduler.JOBS:
        assert _enqueued(f".{job.name}") == 1, job.name
    # And a later tick at the same moment finds nothing due any more.
    assert scheduler.tick(now=NOW) == []


@pytest.mark.django_db(transaction=True)
def test_it_enqueues_a_due_run_once_when_scheduler_processes_race(shared_db_env):
    # Three real scheduler processes start together against one database; the interval
    # job is due at once, so each of them tries to claim its first run.
    processes = [
        subprocess.Popen(
            resilia_argv("scheduler", "--once"),
            env=shared_db_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert all(process.returncode == 0 for process in processes), outputs
    claimed = sum(out.count("enqueued worker_heartbeat") for out, _ in outputs)
    counts = run_script(
        "from django_tasks_db.models import DBTaskResult as R\n"
        "from resilia.ops.models import ScheduledJob as J\n"
        "print(json.dumps({'tasks': R.objects.filter("
        "task_path='resilia.site.tasks.worker_heartbeat').count(),"
        " 'jobs': J.objects.count()}))",
        shared_db_env,
    )
    assert claimed == 1
    assert counts == {"tasks": 1, "jobs": len(scheduler.JOBS)}


@pytest.mark.django_db
def test_it_schedules_daily_jobs_at_their_local_time():
    job = scheduler.Job("x", object(), daily_at=dt.time(2, 0))
    shanghai_0930 = NOW  # 17:30 in Asia/Shanghai
    nxt = timezone.localtime(job.next_after(shanghai_0930))
    assert (nxt.date(), nxt.hour, nxt.minute) == (dt.date(2026, 3, 3), 2, 0)
    every = scheduler.Job("y", object(), interval=dt.timedelta(minutes=1))
    assert every.next_after(NOW) == NOW + dt.timedelta(minutes=1)
    with pytest.raises(ValueError):
        scheduler.Job("z", object())


@pytest.mark.django_db
def test_it_keeps_the_next_run_of_existing_jobs_when_syncing():
    scheduler.jobs_sync(now=NOW)
    ScheduledJob.objects.filter(name="audit_chain_verify").update(next_run_at=NOW)
    scheduler.jobs_sync(now=NOW + dt.timedelta(days=1))
    assert ScheduledJob.objects.get(name="audit_chain_verify").next_run_at == NOW
    assert ScheduledJob.objects.count() == len(scheduler.JOBS)


@pytest.mark.django_db
def test_it_skips_missed_runs_instead_of_catching_up():
    _make_all_due(NOW)
    ScheduledJob.objects.filter(name="worker_heartbeat").update(
        next_run_at=NOW - dt.timedelta(days=3)
    )
    with pytest.MonkeyPatch.context():
        names = scheduler.tick(now=NOW)
    assert names.count("worker_heartbeat") == 1
    row = ScheduledJob.objects.get(name="worker_heartbeat")
    assert row.next_run_at == NOW + dt.timedelta(minutes=1)
    assert row.last_run_at == NOW
