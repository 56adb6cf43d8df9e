"""Tasks for the lease tests: each waits (bounded) until a file exists, so that a test can
kill the worker in the middle of one and let its retry finish at once."""

from __future__ import annotations

import os
import time

from django_tasks import task

from resilia.site.tasks import idempotent

WAIT_LIMIT = 60


def _wait_for(path: str) -> dict:
    deadline = time.monotonic() + WAIT_LIMIT
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.1)
    return {"released": os.path.exists(path), "pid": os.getpid()}


@idempotent
@task()
def nap(release: str) -> dict:
    """Idempotent: safe to run again."""
    return _wait_for(release)


@task()
def nap_once(release: str) -> dict:
    """Not declared idempotent: a stale run of it is failed, not retried."""
    return _wait_for(release)
