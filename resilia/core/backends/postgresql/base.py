"""Django's PostgreSQL backend, with the write lock taken first in every transaction.

Services lock rows (UPDATE, DELETE) and then append to the audit chain, which is
serialised by an advisory lock. Taken in that order, two transactions deadlock: one holds
a row the other needs and waits for the chain lock the other holds. Taking the lock at the
start of every transaction, before any row, gives every transaction the same order — what
SQLite's IMMEDIATE transactions do with its write lock — so they queue instead of
deadlocking. Autocommit statements (most reads) take no lock.
"""

from __future__ import annotations

from django.db.backends.postgresql import base

from resilia.core.db import WRITE_LOCK_KEY


class DatabaseWrapper(base.DatabaseWrapper):
    def _set_autocommit(self, autocommit):
        super()._set_autocommit(autocommit)
        if not autocommit:
            # The first statement opens the transaction, so the lock is its first lock;
            # pg_advisory_xact_lock is released at COMMIT or ROLLBACK.
            with self.wrap_database_errors, self.connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK_KEY])
