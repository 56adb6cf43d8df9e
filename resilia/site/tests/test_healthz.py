"""GET /healthz for load balancers and monitoring."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from resilia.ops.models import Heartbeat
from resilia.ops.services import heartbeat_touch
from resilia.site.tests.conftest import base_env, free_port, json_lines

pytestmark = pytest.mark.django_db


def test_it_reports_ok_with_a_fresh_worker_heartbeat(client):
    heartbeat_touch(name=Heartbeat.WORKER, detail="host:42")
    response = client.get("/healthz")
    data = response.json()
    assert response.status_code == 200
    assert data["status"] == "ok"
    assert data["database"]["ok"] is True
    assert data["database"]["vendor"] == connection.vendor
    assert data["worker"]["backend"] == "database"
    assert data["worker"]["ok"] is True
    assert data["worker"]["last_heartbeat"] is not None
    assert data["version"] == "0.1.0"
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_reports_degraded_but_serving_when_the_worker_is_silent(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["worker"] == {
        "backend": "database",
        "last_heartbeat": None,
        "ok": False,
        "scheduler_last_heartbeat": None,
    }
    stale = timezone.now() - dt.timedelta(minutes=10)
    Heartbeat.objects.create(name=Heartbeat.WORKER, last_seen=stale)
    data = client.get("/healthz").json()
    assert data["status"] == "degraded" and data["worker"]["ok"] is False
    assert data["worker"]["last_heartbeat"] == stale.isoformat()


def test_it_needs_no_worker_with_the_immediate_backend(client, settings):
    settings.TASKS_BACKEND = "immediate"
    assert client.get("/healthz").json()["status"] == "ok"


def test_it_answers_503_when_the_database_fails(client):
    def fail(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(fail):
        response = client.get("/healthz")
    data = response.json()
    assert response.status_code == 503
    assert data["status"] == "error"
    assert data["database"] == {
        "vendor": connection.vendor,
        "ok": False,
        "error": "OperationalError",
    }
    assert data["worker"]["ok"] is False


def test_it_refuses_other_methods_and_needs_no_login(client):
    assert client.post("/healthz").status_code == 405
    assert client.get("/healthz").status_code == 200


SCRIPT = """
import django, json
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
response = Client().get("/healthz")
print(json.dumps({"code": response.status_code, "body": response.json()}))
"""


def test_it_answers_503_when_the_database_server_is_unreachable():
    # A real connection attempt to a PostgreSQL port where nothing listens.
    env = base_env(DATABASE_URL=f"postgres://resilia@127.0.0.1:{free_port()}/resilia")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (outcome,) = json_lines(done.stdout)
    assert outcome["code"] == 503
    assert outcome["body"]["status"] == "error"
    assert outcome["body"]["database"]["vendor"] == "postgresql"
    assert outcome["body"]["database"]["ok"] is False


def test_it_reports_tasks_running_past_their_lease_and_degrades(client, settings):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    heartbeat_touch(name=Heartbeat.WORKER, detail="host:42")
    settings.TASK_LEASE_SECONDS = 600
    assert client.get("/healthz").json()["tasks"] == {
        "stale": 0,
        "lease_seconds": 600,
        "ok": True,
    }
    now = timezone.now()
    for minutes in (5, 11):  # within the lease, past it
        DBTaskResult.objects.create(
            status=TaskResultStatus.RUNNING,
            started_at=now - dt.timedelta(minutes=minutes),
            args_kwargs={"args": [], "kwargs": {}},
            task_path="resilia.site.tasks.worker_heartbeat",
            backend_name="default",
            run_after=now,
            worker_ids=["gone"],
        )
    data = client.get("/healthz").json()
    assert data["status"] == "degraded" and data["worker"]["ok"] is True
    assert data["tasks"] == {"stale": 1, "lease_seconds": 600, "ok": False}
