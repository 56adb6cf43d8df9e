"""Contention: the write lock every transaction takes first, and what a busy database answers.

Two writers that lock rows and then the audit chain in different orders deadlock on
PostgreSQL; on SQLite a long writer makes the others wait until the busy timeout ends in
"database is locked". Resilia avoids the first by taking one lock, the write lock, before
anything else in every transaction (`backends.postgresql`; on SQLite, IMMEDIATE transactions
do the same). What contention remains — a writer that held the lock past the busy timeout,
a deadlock outside those transactions — is retried once by `ContentionMiddleware` and then
answered with a 503 and `Retry-After`, never a 500.
"""

from __future__ import annotations

from django.db import OperationalError, connection, transaction
from django.utils.translation import gettext_lazy as _

__all__ = [
    "BUSY_MESSAGE",
    "RETRY_AFTER_SECONDS",
    "WRITE_LOCK_KEY",
    "is_contention",
    "refresh_statistics",
    "worth_retrying",
]

# Rows written at once above which the planner's statistics of a table are refreshed.
BULK_STATISTICS_ROWS = 1000

# The PostgreSQL advisory lock that serialises writing transactions (and so the audit chain).
WRITE_LOCK_KEY = 220301

# What a client is told to wait before trying again.
RETRY_AFTER_SECONDS = 5

BUSY_MESSAGE = _(
    "The database is busy with another change. Nothing was saved; try again in a few seconds."
)

# PostgreSQL's deadlock_detected and serialization_failure: the loser is rolled back at
# once, so running it again is cheap and usually succeeds.
_PG_RETRY = frozenset({"40P01", "40001"})
# lock_not_available (lock_timeout), query_canceled (statement_timeout while waiting).
_PG_BUSY = _PG_RETRY | {"55P03"}


def _sqlstate(exc: BaseException) -> str | None:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


def is_contention(exc: BaseException | None) -> bool:
    """Whether `exc` is a lock wait that failed (the database is busy), not a real error."""
    if not isinstance(exc, OperationalError):
        return False
    if _sqlstate(exc) in _PG_BUSY:
        return True
    # SQLite: "database is locked" after the busy timeout; "database table is locked" in a
    # shared cache.
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text


def worth_retrying(exc: BaseException | None) -> bool:
    """A deadlock or serialisation failure: rolled back at once, so worth running again.

    A SQLite lock is not: the request has already waited the whole busy timeout.
    """
    return isinstance(exc, OperationalError) and _sqlstate(exc) in _PG_RETRY


def refresh_statistics(*models) -> None:
    """Bring PostgreSQL's view of the tables of `models` up to date once the transaction
    commits, as after any bulk load:

    - the planner's statistics (ANALYZE): they still describe the empty table, and it plans
      a sequential scan of 100,000 rows where an index would answer;
    - the GIN (trigram) indexes' pending lists: rows inserted after the index was built wait
      in a list every search reads through to the end, until a VACUUM moves them into the
      index (seen: a search of 100,000 people 217 ms instead of 4 ms).

    The server's autovacuum does both, later, and only where it is switched on. Nothing on
    SQLite, whose planner needs no statistics for the indexes Resilia has."""
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in models]

    def refresh() -> None:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
                cursor.execute(
                    "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i"
                    " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
                    " WHERE i.indrelid = %s::regclass AND a.amname = 'gin'",
                    [connection.ops.quote_name(table)],
                )

    transaction.on_commit(refresh)
