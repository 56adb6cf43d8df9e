"""`resilia worker`: the database queue's worker (django-tasks-db's `db_worker`), kept alive.

`db_worker` ignores a locked database only while it claims a task; a lock met anywhere
else — opening its transaction, recording a result — ends the process, and a long import
holds SQLite's write lock for as long as it runs. This command runs the same worker and,
when the database is busy or the connection is lost, logs it, waits and carries on. Any
other error still ends it (the supervisor of `serve` restarts it).
"""

from __future__ import annotations

import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from resilia.core.db import is_contention

logger = logging.getLogger("resilia.worker")

# How long to wait before trying again; the database is busy for seconds, not milliseconds.
BACKOFF_SECONDS = 2.0


def _lost_connection(exc: Exception) -> bool:
    if isinstance(exc, InterfaceError):
        return True
    return not all(conn.is_usable() for conn in connections.all() if conn.connection)


class Command(DbWorkerCommand):
    help = "Run the database queue's worker; it outlasts a busy or unreachable database."

    def handle(self, *args, **options):
        while True:
            try:
                return super().handle(*args, **options)
            except (OperationalError, InterfaceError) as exc:
                if not (is_contention(exc) or _lost_connection(exc)):
                    raise
                logger.warning(
                    "Worker: the database is unavailable (%s); carrying on in %.0f s",
                    exc,
                    BACKOFF_SECONDS,
                )
                for conn in connections.all():
                    conn.close()
                time.sleep(BACKOFF_SECONDS)
