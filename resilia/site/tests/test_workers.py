"""A real task through a real queue to a real worker process, for both backends."""

from __future__ import annotations

import sqlite3
import time

import pytest

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


def test_it_runs_a_task_through_redis_in_a_real_rq_worker(shared_db_env, children, redis_url):
    env = dict(shared_db_env, TASKS_BACKEND="rq", REDIS_URL=redis_url)
    children.start(resilia_argv("rqworker", "--job-class", "django_tasks_rq.Job", "default"), env)
    _assert_ran_in_worker(enqueue_and_wait(env))


@pytest.fixture
def connection_vendor():
    from django.db import connection

    return connection.vendor


def test_it_keeps_the_db_worker_alive_while_the_database_is_locked(
    shared_db_env, children, tmp_path, connection_vendor
):
    if connection_vendor != "sqlite":
        pytest.skip("a locked database is SQLite's case")
    env = dict(shared_db_env, TASKS_BACKEND="database", SQLITE_BUSY_TIMEOUT="1")
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = children.start(
            resilia_argv("worker", "--interval", "0.2", "--no-startup-delay", "-v0"),
            env,
            stderr=out,
        )
    # A second connection holds the write lock, as a long import does, until the worker
    # has met it (bounded wait).
    holder = sqlite3.connect(env["SQLITE_PATH"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        deadline = time.monotonic() + 60
        while "database is unavailable" not in log.read_text() and worker.poll() is None:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert worker.poll() is None, log.read_text()
    assert "database is locked" in log.read_text()
    _assert_ran_in_worker(enqueue_and_wait(env))
