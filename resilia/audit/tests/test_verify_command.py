"""`resilia audit verify`: passes on an intact chain, names the first tampered row, exits 1."""

import datetime as dt
import io
import json
import threading

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from resilia.audit.models import AuditEvent
from resilia.audit.services import audit_record, audit_verify
from resilia.core.context import request_context

TABLE = AuditEvent._meta.db_table


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _verify_output():
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_it_reports_the_number_of_events_checked_on_an_untouched_chain(personas):
    output = _verify_output()
    count = AuditEvent.objects.count()
    assert count > 0
    assert f"OK: {count} event(s) checked" in output
    head = AuditEvent.objects.order_by("-seq").first()
    assert head.hash in output


def _third_event():
    return AuditEvent.objects.order_by("seq")[2]


@pytest.mark.parametrize(
    "column,value",
    [
        ("object_repr", "forged"),
        ("changes", json.dumps({"name": ["a", "b"]})),
        ("timestamp", dt.datetime(2001, 1, 1, tzinfo=dt.UTC)),
        ("actor_id", "user"),
    ],
)
def test_it_names_the_row_edited_through_raw_sql(personas, column, value):
    victim = _third_event()
    if column == "actor_id":
        value = personas["auditor"].pk
    _raw(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [value, victim.pk])
    with pytest.raises(CommandError) as exc:
        _verify_output()
    message = str(exc.value)
    assert exc.value.returncode == 1
    assert f"seq {victim.seq} (id {victim.pk}," in message
    assert "content altered" in message


def test_it_names_the_event_after_a_deleted_row(personas):
    victim = _third_event()
    follower = AuditEvent.objects.get(seq=victim.seq + 1)
    _raw(f"DELETE FROM {TABLE} WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError) as exc:
        _verify_output()
    assert f"seq {follower.seq} (id {follower.pk}," in str(exc.value)
    assert "missing event(s)" in str(exc.value)


def test_it_exits_with_status_1_from_the_console_script(personas, capsys):
    victim = _third_event()
    _raw(f"UPDATE {TABLE} SET object_repr = %s WHERE id = %s", ["forged", victim.pk])
    with pytest.raises(SystemExit) as exc:
        ManagementUtility(["resilia", "audit", "verify"]).execute()
    assert exc.value.code == 1
    assert f"seq {victim.seq}" in capsys.readouterr().err


def _in_thread(function):
    """Run `function` in a thread of its own (its own connection) and return its result."""
    outcome = {}

    def target():
        try:
            outcome["value"] = function()
        except Exception as exc:  # re-raised in the caller's thread
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _append_many(count):
    with request_context(source="test"):
        for index in range(count):
            audit_record(actor=None, action="update", object_type="test.thing", object_id=index)


@pytest.fixture
def shared_database(tmp_path):
    """A database that several connections share the way production processes do.

    PostgreSQL already is one. pytest-django's SQLite test database lives in shared-cache
    memory, where a competing writer fails with "table is locked" at once instead of waiting
    on the busy timeout; a file database behaves like the real deployment. The test thread's
    own connection stays on the memory database (closing it would destroy it), so the test
    reads the file database from other threads.
    """
    if connection.vendor != "sqlite":
        yield
        return
    settings_dict = connection.settings_dict
    original = settings_dict["NAME"]
    settings_dict["NAME"] = str(tmp_path / "chain.sqlite3")
    try:
        _in_thread(lambda: call_command("migrate", verbosity=0))
        yield
    finally:
        settings_dict["NAME"] = original


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_chain_unbroken_under_concurrent_appends(shared_database):
    # PostgreSQL: the advisory lock serialises; SQLite: IMMEDIATE transactions + busy timeout.
    threads_n, per_thread = (8, 25) if connection.vendor == "postgresql" else (3, 10)
    errors: list[Exception] = []

    def append():
        try:
            _append_many(per_thread)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    def inspect():
        seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
        return audit_verify(), seqs

    result, seqs = _in_thread(inspect)
    total = threads_n * per_thread
    assert result.ok, result
    assert result.checked == total
    assert seqs == list(range(1, total + 1))
