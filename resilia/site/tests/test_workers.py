"""A real task through a real queue to a real worker process, for both backends."""

from __future__ import annotations

import pytest
import redis

from resilia.site.tests.conftest import enqueue_and_wait, resilia_argv

pytestmark = pytest.mark.django_db(transaction=True)


def _assert_ran_in_worker(outcome: dict) -> None:
    assert outcome["status"] == "SUCCESSFUL", outcome
    worker_pid = int(outcome["value"]["worker"].rsplit(":", 1)[1])
    # The heartbeat row was written by the worker process, not by the one that enqueued.
    assert worker_pid != outcome["enqueuer"]
    assert outcome["beat"] == outcome["value"]["worker"]


def test_it_runs_a_task_in_a_real_db_worker(shared_db_env, children):
    env = dict(shared_db_env, TASKS_BACKEND="database")
    children.start(resilia_argv("db_worker", "--interval", "0.2", "--no-startup-delay", "-v0"), env)
    _assert_ran_in_worker(enqueue_and_wait(env))


def test_it_runs_a_task_through_redis_in_a_real_rq_worker(
    shared_db_env, children, connection_vendor
):
    # A Redis database of its own per test database engine, so that the SQLite and the
    # PostgreSQL runs of CI (or two developers) never take each other's jobs.
    redis_url = f"redis://127.0.0.1:6379/{14 if connection_vendor == 'sqlite' else 15}"
    redis.Redis.from_url(redis_url).flushdb()
    env = dict(shared_db_env, TASKS_BACKEND="rq", REDIS_URL=redis_url)
    children.start(resilia_argv("rqworker", "--job-class", "django_tasks_rq.Job", "default"), env)
    _assert_ran_in_worker(enqueue_and_wait(env))


@pytest.fixture
def connection_vendor():
    from django.db import connection

    return connection.vendor
