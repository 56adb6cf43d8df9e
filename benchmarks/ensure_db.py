"""Create the PostgreSQL database a benchmark URL names, when it does not exist yet.

    .venv/bin/python benchmarks/ensure_db.py postgres://postgres@127.0.0.1:5432/bench_pages

`make bench-pages` runs it before migrating, so the benchmark needs no `createdb` by hand.
It connects to the server's `postgres` database with the same user, host and port.
"""

from __future__ import annotations

import sys
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: ensure_db.py postgres://USER@HOST:PORT/NAME")
    url = urlsplit(sys.argv[1])
    if url.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(f"ensure_db.py: not a PostgreSQL URL: {sys.argv[1]}")
    name = unquote(url.path.lstrip("/"))
    if not name:
        sys.exit("ensure_db.py: the URL names no database")
    params = {
        "dbname": "postgres",
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 5432,
        "user": unquote(url.username or "postgres"),
    }
    if url.password:
        params["password"] = unquote(url.password)
    with psycopg.connect(**params, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if found is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created the database {name}")


if __name__ == "__main__":
    main()
