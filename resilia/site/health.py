"""GET /healthz: is this Resilia able to serve, and are its background workers alive?

For load balancers and monitoring (no login, no session, no personal data): 200 while
the database answers ("ok", or "degraded" when no worker has shown a sign of life
recently or a task runs past its lease), 503 with "error" when the database cannot be reached.
"""

from __future__ import annotations

import datetime as dt
import time
from importlib.metadata import PackageNotFoundError, version

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# The scheduler enqueues the heartbeat task every minute: three missed beats is a dead worker.
WORKER_STALE_AFTER = dt.timedelta(minutes=3)


def _version() -> str:
    try:
        return version("resilia")
    except PackageNotFoundError:
        return "unknown"


def database_status() -> dict:
    """Run one trivial query; report the vendor, whether it answered and how fast."""
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"vendor": connection.vendor, "ok": False, "error": exc.__class__.__name__}
    return {
        "vendor": connection.vendor,
        "ok": True,
        "latency_ms": round((time.monotonic() - started) * 1000, 1),
    }


def _beat(name: str):
    from resilia.ops.models import Heartbeat

    return Heartbeat.objects.filter(name=name).only("last_seen").first()


def worker_status(now: dt.datetime | None = None) -> dict:
    """The worker heartbeat; the immediate backend needs no worker, so it is always ok."""
    now = now or timezone.now()
    backend = settings.TASKS_BACKEND
    status = {"backend": backend, "last_heartbeat": None, "ok": backend == "immediate"}
    try:
        worker, scheduler = _beat("worker"), _beat("scheduler")
    except DatabaseError:
        status["ok"] = False
        return status
    if worker is not None:
        status["last_heartbeat"] = worker.last_seen.isoformat()
        status["ok"] = status["ok"] or now - worker.last_seen <= WORKER_STALE_AFTER
    status["scheduler_last_heartbeat"] = scheduler.last_seen.isoformat() if scheduler else None
    return status


def tasks_status(now: dt.datetime | None = None) -> dict:
    """How many tasks run past their lease (a worker died under them) until the sweep
    recovers them; `stale` is None when the queue cannot be read."""
    from resilia.ops.leases import stale_tasks

    status = {"stale": None, "lease_seconds": settings.TASK_LEASE_SECONDS, "ok": False}
    try:
        status["stale"] = len(stale_tasks(now=now))
    except Exception:  # noqa: BLE001 (a health check reports a broken queue, never raises)
        return status
    status["ok"] = status["stale"] == 0
    return status


def health_report() -> tuple[dict, int]:
    """The health document and its HTTP status."""
    database = database_status()
    worker = (
        worker_status()
        if database["ok"]
        else {
            "backend": settings.TASKS_BACKEND,
            "last_heartbeat": None,
            "ok": False,
        }
    )
    tasks = (
        tasks_status()
        if database["ok"]
        else {"stale": None, "lease_seconds": settings.TASK_LEASE_SECONDS, "ok": False}
    )
    if not database["ok"]:
        overall = "error"
    elif not worker["ok"] or not tasks["ok"]:
        overall = "degraded"
    else:
        overall = "ok"
    report = {
        "status": overall,
        "database": database,
        "worker": worker,
        "tasks": tasks,
        "version": _version(),
    }
    return report, 200 if database["ok"] else 503


@never_cache
@require_GET
def healthz(request):
    """The health document as JSON; 503 when the database is unreachable."""
    report, status = health_report()
    return JsonResponse(report, status=status)
