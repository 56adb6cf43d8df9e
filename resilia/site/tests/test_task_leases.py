"""A task whose worker is killed with SIGKILL (kill -9) in the middle of it, on the database
worker and on RQ: /healthz reports it stale and degrades, the lease sweep (as the scheduler
runs it) re-enqueues an idempotent task once and fails any other one with the reason."""

from __future__ import annotations

import os
import signal

import pytest

from resilia.site.tests.conftest import resilia_argv, run_script

pytestmark = pytest.mark.django_db(transaction=True)

# The child processes take a task as stale one second after it started.
LEASE = {"TASK_LEASE_SECONDS": "1"}

ENQUEUE_AND_WAIT_RUNNING = """
from resilia.site.tests import sleepy
result = getattr(sleepy, os.environ["TASK"]).enqueue(os.environ["RELEASE"])
deadline = time.monotonic() + 40
while time.monotonic() < deadline:
    result.refresh()
    if str(result.status) == "RUNNING":
        break
    time.sleep(0.1)
print(json.dumps({"id": str(result.id), "status": str(result.status)}))
"""

# What /healthz answers once the task is past its lease, the sweep as the scheduler's job runs
# it, and what /healthz answers after.
HEALTH_SWEEP_HEALTH = """
from resilia.site.health import health_report
from resilia.site.tasks import stale_tasks_sweep
deadline = time.monotonic() + 40
while time.monotonic() < deadline:
    before, _status = health_report()
    if before["tasks"]["stale"]:
        break
    time.sleep(0.2)
swept = stale_tasks_sweep.call()
after, _status = health_report()
print(json.dumps({"before": before, "swept": swept, "after": after}))
"""

RESULT = """
from django_tasks import default_task_backend
result = default_task_backend.get_result(os.environ["ID"])
deadline = time.monotonic() + float(os.environ.get("WAIT", "0"))
while time.monotonic() < deadline and not result.is_finished:
    time.sleep(0.2)
    result.refresh()
print(json.dumps({
    "status": str(result.status),
    "errors": [(e.exception_class_path, e.traceback) for e in result.errors],
    "value": result.return_value if str(result.status) == "SUCCESSFUL" else None,
}))
"""


def _worker_argv(backend: str) -> list[str]:
    if backend == "database":
        return resilia_argv("db_worker", "--interval", "0.2", "--no-startup-delay", "-v0")
    return resilia_argv("rqworker", "--job-class", "django_tasks_rq.Job", "default")


# The Redis variant runs on SQLite only (resilia/conftest.py, one_database): the queue it
# tests is Redis, whatever the database.
@pytest.fixture(params=["database", pytest.param("rq", marks=pytest.mark.one_database)])
def env(request, shared_db_env):
    env = dict(shared_db_env, TASKS_BACKEND=request.param, **LEASE)
    if request.param == "rq":
        # A Redis database of its own for the test (conftest.redis_url).
        env["REDIS_URL"] = request.getfixturevalue("redis_url")
    return env


def _kill_worker_in_the_middle(env, children, task: str, release: str) -> str:
    # A session of its own, so that SIGKILL reaches RQ's work horse too: the whole worker dies.
    worker = children.start(_worker_argv(env["TASKS_BACKEND"]), env, start_new_session=True)
    started = run_script(ENQUEUE_AND_WAIT_RUNNING, dict(env, TASK=task, RELEASE=release))
    assert started["status"] == "RUNNING", started
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    return started["id"]


def _result(env, task_id: str, wait: float = 0) -> dict:
    return run_script(RESULT, dict(env, ID=task_id, WAIT=str(wait)))


def test_it_retries_a_killed_idempotent_task_once_then_fails_it(env, children, tmp_path):
    release = str(tmp_path / "release")
    task_id = _kill_worker_in_the_middle(env, children, "nap", release)
    assert _result(env, task_id)["status"] == "RUNNING"  # what the probe saw, for ever

    outcome = run_script(HEALTH_SWEEP_HEALTH, env)
    assert outcome["before"]["status"] == "degraded"
    assert outcome["before"]["tasks"]["stale"] == 1 and not outcome["before"]["tasks"]["ok"]
    assert outcome["swept"]["retried"] == [task_id] and outcome["swept"]["failed"] == []
    assert outcome["after"]["tasks"] == {"stale": 0, "lease_seconds": 1, "ok": True}
    assert _result(env, task_id)["status"] == "READY"

    # The retry is killed too: the second time, the sweep fails it with the reason.
    _kill_worker_in_the_middle_of_retry(env, children, task_id)
    outcome = run_script(HEALTH_SWEEP_HEALTH, env)
    assert (outcome["swept"]["retried"], outcome["swept"]["failed"]) == ([], [task_id])
    final = _result(env, task_id)
    assert final["status"] == "FAILED"
    (error,) = final["errors"][-1:]
    assert error[0] == "resilia.ops.leases.LeaseExpired"
    assert "already retried once" in error[1]


def _kill_worker_in_the_middle_of_retry(env, children, task_id: str) -> None:
    worker = children.start(_worker_argv(env["TASKS_BACKEND"]), env, start_new_session=True)
    waited = run_script(
        """
from django_tasks import default_task_backend
result = default_task_backend.get_result(os.environ["ID"])
deadline = time.monotonic() + 40
while time.monotonic() < deadline and str(result.status) != "RUNNING":
    time.sleep(0.1)
    result.refresh()
print(json.dumps({"status": str(result.status)}))
""",
        dict(env, ID=task_id),
    )
    assert waited["status"] == "RUNNING"
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()


def test_it_lets_the_retry_of_a_killed_task_finish_on_a_new_worker(env, children, tmp_path):
    release = tmp_path / "release"
    task_id = _kill_worker_in_the_middle(env, children, "nap", str(release))
    assert run_script(HEALTH_SWEEP_HEALTH, env)["swept"]["retried"] == [task_id]
    release.touch()
    children.start(_worker_argv(env["TASKS_BACKEND"]), env)
    done = _result(env, task_id, wait=40)
    assert done["status"] == "SUCCESSFUL", done
    assert done["value"]["released"] is True


def test_it_fails_a_killed_task_not_marked_idempotent_with_the_reason(env, children, tmp_path):
    task_id = _kill_worker_in_the_middle(env, children, "nap_once", str(tmp_path / "release"))
    outcome = run_script(HEALTH_SWEEP_HEALTH, env)
    assert outcome["before"]["tasks"]["stale"] == 1
    assert outcome["swept"]["failed"] == [task_id] and outcome["swept"]["retried"] == []
    assert outcome["after"]["status"] != "error" and outcome["after"]["tasks"]["ok"]
    final = _result(env, task_id)
    assert final["status"] == "FAILED"
    exception, reason = final["errors"][-1]
    assert exception == "resilia.ops.leases.LeaseExpired"
    assert "its worker stopped under it" in reason and "not marked idempotent" in reason
