"""Django's SQLite backend with private files: data directory 0700, database and WAL 0600.

SQLite gives its -wal, -shm and -journal files the mode of the database file, so creating
the database 0600 before SQLite opens it keeps the whole set private whatever the umask;
files left readable by an older version are tightened on each connection.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.db.backends.sqlite3 import base

SIDE_FILES = ("-wal", "-shm", "-journal")


def private_database(path: Path) -> None:
    """Create `path`'s directory 0700 and the file 0600 if missing; tighten them if ours."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    else:
        _tighten(path.parent, 0o700)
    if not path.exists():
        # An empty file is an empty SQLite database.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for candidate in (path, *(path.with_name(path.name + s) for s in SIDE_FILES)):
        _tighten(candidate, 0o600)


def _tighten(path: Path, mode: int) -> None:
    try:
        status = path.stat()
        if status.st_mode & 0o077 and status.st_uid == os.getuid():
            path.chmod(mode)
    except (FileNotFoundError, AttributeError):
        # Gone meanwhile, or Windows (no getuid), where the ACL of the folder decides.
        pass


class DatabaseWrapper(base.DatabaseWrapper):
    """The sqlite3 backend; only where the file is created differs."""

    def get_new_connection(self, conn_params):
        if not self.is_in_memory_db():
            private_database(Path(conn_params["database"]))
        connection = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            # The WAL and shared-memory files appear once the journal mode is set.
            private_database(Path(conn_params["database"]))
        return connection
