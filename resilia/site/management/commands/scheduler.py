"""`resilia scheduler`: enqueue the periodic jobs of resilia.site.scheduler when due.

Run one per machine (or more, for availability): claims are compare-and-swap, so two
schedulers never enqueue the same run twice.
"""

from __future__ import annotations

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from resilia.ops.models import Heartbeat
from resilia.ops.services import heartbeat_touch
from resilia.site import scheduler

logger = logging.getLogger("resilia.scheduler")


class Command(BaseCommand):
    help = "Run the periodic scheduler (enqueues due jobs; Ctrl-C or SIGTERM stops it)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=10.0, help="seconds between ticks (default 10)"
        )
        parser.add_argument("--once", action="store_true", help="tick once and exit")

    def handle(self, *args, interval: float, once: bool, **options):
        self.running = True
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        scheduler.jobs_sync()
        names = ", ".join(job.name for job in scheduler.JOBS)
        self.stdout.write(f"scheduler: {len(scheduler.JOBS)} job(s): {names}")
        while self.running:
            close_old_connections()
            try:
                heartbeat_touch(name=Heartbeat.SCHEDULER)
                for name in scheduler.tick():
                    self.stdout.write(f"scheduler: enqueued {name}")
            except DatabaseError:
                # A database restart must not kill the scheduler: log and try next tick.
                logger.exception("scheduler tick failed")
            if once:
                break
            self._sleep(interval)
        self.stdout.write("scheduler: stopped")

    def _stop(self, signum, frame):
        self.running = False

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while self.running and time.monotonic() < deadline:
            time.sleep(min(0.5, deadline - time.monotonic()))
