"""Run real Resilia processes (workers, schedulers, the server) against the test database.

pytest-django's SQLite test database lives in memory, where no other process can see it,
so on SQLite child processes get a file database, migrated once per session and copied
per test. On PostgreSQL they use the very database pytest-django created; the tests that
use them are `transaction=True`, so what they write is committed and visible both ways.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

CHILD_TIMEOUT = 60


def base_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: ours, minus database settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
    env.update(SECRET_KEY="test-only-secret", DJANGO_SETTINGS_MODULE="resilia.settings")
    env.update(extra)
    return env


def resilia_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "resilia.cli", *args]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "resilia.sqlite3"
    subprocess.run(
        resilia_argv("migrate", "--noinput", "-v0"),
        env=base_env(SQLITE_PATH=str(path)),
        check=True,
        timeout=300,
    )
    return path


@pytest.fixture
def shared_db_env(request, tmp_path) -> dict[str, str]:
    """Environment variables that point a child process at a database this test can share."""
    if connection.vendor == "postgresql":
        assert request.node.get_closest_marker("django_db").kwargs.get("transaction")
        s = connection.settings_dict
        url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        return base_env(DATABASE_URL=url)
    template = request.getfixturevalue("migrated_sqlite_template")
    path = tmp_path / "resilia.sqlite3"
    shutil.copy(template, path)
    return base_env(SQLITE_PATH=str(path))


def run_script(code: str, env: dict[str, str], timeout: float = CHILD_TIMEOUT) -> dict:
    """Run Python `code` inside Django in a child process; it prints one JSON line."""
    prelude = "import django, json, os, sys, time\ndjango.setup()\n"
    done = subprocess.run(
        [sys.executable, "-c", prelude + code],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


class Children:
    """Child processes started by a test, always stopped at its end."""

    def __init__(self):
        self.processes: list[subprocess.Popen] = []

    def start(self, argv: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(argv, env=env, **kwargs)
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 15
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def children():
    started = Children()
    yield started
    started.stop_all()


ENQUEUE_AND_WAIT = """
from resilia.site.tasks import worker_heartbeat
from resilia.ops.models import Heartbeat
result = worker_heartbeat.enqueue()
deadline = time.monotonic() + float(os.environ.get("WAIT_SECONDS", "40"))
while time.monotonic() < deadline:
    result.refresh()
    if result.is_finished:
        break
    time.sleep(0.2)
beat = Heartbeat.objects.filter(name="worker").first()
print(json.dumps({
    "status": str(result.status),
    "value": result.return_value if result.status == "SUCCESSFUL" else None,
    "enqueuer": os.getpid(),
    "beat": beat.detail if beat else None,
}))
"""


def enqueue_and_wait(env: dict[str, str]) -> dict:
    """Enqueue the heartbeat task from a child process and wait (bounded) for its result."""
    return run_script(ENQUEUE_AND_WAIT, env)


# Redis databases the tests may take (0 is the default of a real installation). Each test that
# runs an RQ worker borrows one for its duration, so that parallel workers (pytest-xdist), the
# SQLite and PostgreSQL runs and other people on the machine never flush or take each other's
# jobs: it is claimed with SET NX, then emptied.
REDIS_TEST_DATABASES = range(8, 16)
REDIS_CLAIM = "resilia-test:claimed-by"


@pytest.fixture
def redis_url(children):
    """The URL of an empty Redis database that this test alone uses until it ends."""
    import uuid

    import redis

    token = uuid.uuid4().hex
    deadline = time.monotonic() + CHILD_TIMEOUT
    while True:
        for number in REDIS_TEST_DATABASES:
            url = f"redis://127.0.0.1:6379/{number}"
            client = redis.Redis.from_url(url)
            # Longer than any one test; a claim left by a killed run lapses by itself.
            if client.set(REDIS_CLAIM, token, nx=True, ex=600):
                with client.pipeline(transaction=True) as claim:
                    claim.flushdb().set(REDIS_CLAIM, token, ex=600).execute()
                try:
                    yield url
                finally:
                    # Its workers stop before another test may empty the database under them.
                    children.stop_all()
                    if client.get(REDIS_CLAIM) == token.encode():
                        client.delete(REDIS_CLAIM)
                    client.close()
                return
            client.close()
        assert time.monotonic() < deadline, "every Redis test database stayed claimed"
        time.sleep(0.5)


def json_lines(text: str) -> list:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]
