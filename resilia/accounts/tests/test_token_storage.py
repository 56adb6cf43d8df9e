"""API tokens are stored hashed, legacy clear keys are carried over, the CLI is audited;
the SQLite database and its WAL are private to the server's user."""

from __future__ import annotations

import importlib
import io
import os
import stat
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.utils import ConnectionHandler
from django.test import Client

from resilia.accounts import services
from resilia.accounts.models import ApiToken
from resilia.accounts.tests.conftest import events
from resilia.core.sqlite.base import private_database

migration = importlib.import_module("resilia.accounts.migrations.0003_api_token")


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.django_db
def test_it_stores_no_usable_key(personas):
    key = services.token_create(actor=personas["coord_a"]).key
    stored = list(ApiToken.objects.values_list("digest", flat=True))
    assert stored == [ApiToken.digest_of(key)] and key not in str(stored)
    ok = Client().get("/api/units/", HTTP_AUTHORIZATION=f"Token {key}")
    digest = Client().get("/api/units/", HTTP_AUTHORIZATION=f"Token {stored[0]}")
    assert (ok.status_code, digest.status_code) == (200, 401)


@pytest.mark.django_db
def test_it_hashes_the_clear_keys_of_drf_tokens(personas):
    key, user = "0123456789abcdef0123456789abcdef01234567", personas["manager"]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY,"
            " created timestamp with time zone NOT NULL, user_id bigint NOT NULL)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY,"
            " created datetime NOT NULL, user_id bigint NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)", [key, "2026-01-02 03:04:05", user.pk]
        )
    editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    migration.hash_legacy_tokens(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
        cursor.execute("DROP TABLE authtoken_token")
    assert ApiToken.objects.get(user=user).digest == ApiToken.digest_of(key)
    response = Client().get("/api/units/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


@pytest.mark.django_db
def test_it_issues_tokens_from_the_cli_audited_and_has_no_drf_create_token(personas):
    with pytest.raises(CommandError):
        call_command("drf_create_token", "coord_a")
    out = io.StringIO()
    call_command("token", "create", "coord_a", stdout=out)
    key = out.getvalue().strip()
    assert ApiToken.objects.get(user=personas["coord_a"]).digest == ApiToken.digest_of(key)
    [event] = events("token_create")
    assert (event.actor, event.object_id, event.source) == (
        None,
        str(personas["coord_a"].pk),
        "cli",
    )
    call_command("token", "revoke", "coord_a", stdout=io.StringIO())
    assert not ApiToken.objects.exists() and len(events("token_revoke")) == 1
    with pytest.raises(CommandError):
        call_command("token", "create", "nobody")


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_it_creates_the_database_and_its_wal_private(tmp_path, django_db_blocker):
    old = os.umask(0o022)
    try:
        path = tmp_path / "data" / "resilia.sqlite3"
        handler = ConnectionHandler(
            {
                "default": {
                    "ENGINE": "resilia.core.sqlite",
                    "NAME": str(path),
                    "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;"},
                }
            }
        )
        db = handler["default"]
        with django_db_blocker.unblock(), db.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x integer)")
            cursor.execute("INSERT INTO t VALUES (1)")
        assert mode(path.parent) == 0o700
        for name in ("resilia.sqlite3", "resilia.sqlite3-wal", "resilia.sqlite3-shm"):
            assert mode(path.parent / name) == 0o600, name
        db.close()
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_it_tightens_a_readable_database_left_by_an_older_version(tmp_path):
    path = tmp_path / "resilia.sqlite3"
    path.write_bytes(b"")
    path.with_name("resilia.sqlite3-wal").write_bytes(b"")
    for name in ("resilia.sqlite3", "resilia.sqlite3-wal"):
        (tmp_path / name).chmod(0o644)
    tmp_path.chmod(0o755)
    private_database(path)
    assert mode(tmp_path) == 0o700
    assert mode(path) == mode(path.with_name("resilia.sqlite3-wal")) == 0o600
