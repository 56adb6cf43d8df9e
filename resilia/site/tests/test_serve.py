"""`resilia serve` starts the web server, worker and scheduler, and Ctrl-C stops them all."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from django.utils import timezone

from resilia.site.tests.conftest import free_port, resilia_argv


def _health(port: int) -> tuple[int, dict] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)
    except OSError:
        return None


@pytest.mark.django_db(transaction=True)
def test_it_serves_runs_tasks_and_stops_everything_on_ctrl_c(shared_db_env, children):
    port = free_port()
    started = timezone.now()
    server = children.start(
        resilia_argv("serve", "--port", str(port)),
        dict(shared_db_env, TASKS_BACKEND="database"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Up and answering, then healthy once the scheduler's heartbeat task went through
    # the worker: proof that all three children work together.
    deadline, health = time.monotonic() + 60, None
    while time.monotonic() < deadline:
        health = _health(port)
        if health and health[1]["status"] == "ok":
            break
        time.sleep(0.5)
    assert health is not None and health[0] == 200, health
    assert health[1]["status"] == "ok", health
    beat = timezone.datetime.fromisoformat(health[1]["worker"]["last_heartbeat"])
    assert beat >= started
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as page:
        assert page.headers["Server"] == "Resilia"

    server.send_signal(signal.SIGINT)
    output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert f"Resilia is running at http://127.0.0.1:{port}/ (web, worker, scheduler)" in output
    assert "scheduler: stopped" in output and "Resilia stopped." in output
    assert _health(port) is None
