"""A model import and API writers on one SQLite file at once (issue 8, finding 3).

Three processes share a file database, as `resilia serve` runs them: `resilia model import`
of a first file of a few thousand items, an API client PATCHing an activity in a loop from
before the import starts until after it ends, and the database worker. Every API write
either succeeds or is answered 503 with Retry-After (never 500), the import lands whole,
the worker is still alive and runs a task, and the audit chain verifies.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from django.db import connection

from resilia.site.tests.conftest import enqueue_and_wait, resilia_argv, run_script

pytestmark = pytest.mark.django_db(transaction=True)

ITEMS = 3000

SETUP = """
from resilia.accounts.models import Role, User
from resilia.accounts.services import token_create
from resilia.core.context import request_context
from resilia.dependencies import services as deps
from resilia.org import services as org
with request_context(source="test"):
    unit = org.unit_create(actor=None, code="OPS", name="运营部", kind="department")
    user = User.objects.create_user("manager", password="x", role=Role.BCM_MANAGER)
    activity = deps.activity_create(actor=None, code="LIVE", name="在线业务", unit=unit)
    key = token_create(actor=None, user=user).key
print(json.dumps({"key": key, "activity": activity.pk}))
"""

# PATCH until the import has ended and a few writes more; bounded by a deadline.
WRITER = """
from django.test import Client
client = Client(raise_request_exception=False, HTTP_HOST="localhost",
                HTTP_AUTHORIZATION="Token " + os.environ["API_KEY"])
url = f"/api/activities/{os.environ['ACTIVITY']}/"
done, ready = os.environ["DONE_FILE"], os.environ["READY_FILE"]
seen, after, deadline, n = [], 0, time.monotonic() + 300, 0
while after < 5 and time.monotonic() < deadline:
    n += 1
    finished = os.path.exists(done)
    r = client.patch(url, {"name": f"在线业务 {n}"}, content_type="application/json")
    seen.append({"status": r.status_code, "retry_after": r.get("Retry-After"),
                 "during": not finished})
    if n == 3:
        open(ready, "w").close()
    after += finished
print(json.dumps(seen))
"""

VERIFY = """
from resilia.audit.services import audit_verify
from resilia.dependencies.models import Activity, Dependency, Resource
result = audit_verify(checkpoint_dir=None)
print(json.dumps({"ok": result.ok, "reason": result.reason, "resources": Resource.objects.count(),
                  "activities": Activity.objects.count(), "links": Dependency.objects.count()}))
"""


def _model_file(path) -> dict[str, int]:
    n_res, n_act = ITEMS * 3 // 10, ITEMS * 2 // 10
    n_links = ITEMS - n_res - n_act
    data = {
        "version": 1,
        "units": [{"code": "OPS", "name": "运营部", "kind": "department"}],
        "resources": [
            {"code": f"R{i}", "name": f"资源{i}", "kind": "application", "unit": "OPS"}
            for i in range(n_res)
        ],
        "activities": [
            {
                "code": f"A{i}",
                "name": f"活动{i}",
                "unit": "OPS",
                "objectives": {"mtpd": 480, "rto": 120},
            }
            for i in range(n_act)
        ],  # fmt: skip
        "dependencies": [
            {"dependent": f"activity:A{i % n_act}", "dependency": f"resource:R{i % n_res}"}
            for i in range(n_links)
        ],
    }
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return {"resources": n_res, "activities": n_act + 1, "links": n_links}


def _wait_for(path, process: subprocess.Popen, deadline: float) -> None:
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_api_writes_during_a_long_import_succeed_or_get_503_and_the_worker_survives(
    shared_db_env, children, tmp_path
):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's single write lock is the case; PostgreSQL writers queue")
    # A short busy timeout, so that a writer meeting the import's lock gives up and the
    # busy answer is exercised rather than waited out.
    env = dict(shared_db_env, TASKS_BACKEND="database", SQLITE_BUSY_TIMEOUT="1")
    setup = run_script(SETUP, env)
    expected = _model_file(tmp_path / "model.json")
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = children.start(
            resilia_argv("worker", "--interval", "0.2", "--no-startup-delay", "-v0"),
            env,
            stderr=out,
        )
    done, ready = tmp_path / "import.done", tmp_path / "writer.ready"
    writer_env = dict(
        env,
        API_KEY=setup["key"],
        ACTIVITY=str(setup["activity"]),
        DONE_FILE=str(done),
        READY_FILE=str(ready),
    )
    prelude = "import django, json, os, sys, time\ndjango.setup()\n"
    writer = children.start(
        [sys.executable, "-c", prelude + WRITER],
        writer_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    _wait_for(ready, writer, deadline)
    imported = subprocess.run(
        resilia_argv("model", "import", str(tmp_path / "model.json")),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    done.touch()
    out, err = writer.communicate(timeout=300)
    assert imported.returncode == 0, imported.stderr[-3000:]
    assert writer.returncode == 0, err[-3000:]
    seen = json.loads(out.strip().splitlines()[-1])

    assert any(s["during"] for s in seen)  # writes overlapped the import
    statuses = {s["status"] for s in seen}
    assert statuses <= {200, 503}, seen
    assert all(s["retry_after"] for s in seen if s["status"] == 503), seen
    assert worker.poll() is None, log.read_text()
    state = run_script(VERIFY, env)
    assert state == {"ok": True, "reason": "", **expected}, state
    outcome = enqueue_and_wait(env)
    assert outcome["status"] == "SUCCESSFUL", (outcome, log.read_text())
