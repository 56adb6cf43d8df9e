"""Trigram indexes for the registers' search as you type (`SearchFilterSet`, global search).

A register's `q` is `icontains` over its search fields, which PostgreSQL runs as
`UPPER(col) LIKE UPPER('%text%')`: no B-tree serves it, so at 100,000 people every search
read the whole table (0.4 s). A GIN trigram index on `UPPER(col)` serves that very expression
(0.6 ms), one index a field, combined by a bitmap OR. SQLite has none and needs none at the
sizes it is used for. Written as migration operations rather than `Meta.indexes`, so that
the models stay the same on both databases.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DatabaseError, migrations, transaction


def _name(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"[:63]


def trigram_indexes(table: str, columns: Sequence[str]) -> migrations.RunPython:
    """A migration operation: on PostgreSQL, the pg_trgm extension (trusted: a database owner
    may create it) and one index a column. Where the extension cannot be created, the
    migration goes on without the indexes: search still works, only slower."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError:
            return
        for column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{_name(table, column)}" ON "{table}"'
                f' USING gin (UPPER("{column}"::text) gin_trgm_ops)'
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{_name(table, column)}"')

    return migrations.RunPython(forwards, backwards, elidable=False)
