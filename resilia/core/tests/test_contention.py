"""Contention never reaches a user as a 500: concurrent writers queue on PostgreSQL, and a
database that stays locked answers a translated 503 with Retry-After, pages and API alike."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.audit.services import audit_verify
from resilia.core.context import request_context
from resilia.core.db import RETRY_AFTER_SECONDS, is_contention, worth_retrying
from resilia.dependencies import services as deps
from resilia.dependencies.models import Activity, Dependency

ROUNDS = 10
PATCHERS = 5


def _activity_with_links(actor, unit, n: int) -> Activity:
    with request_context(source="test"):
        activity = deps.activity_create(
            actor=actor, code=f"ACT-{n}", name=f"业务 {n}", unit=unit, rto=60, mtpd=120
        )
        for i in range(3):
            resource = deps.resource_create(
                actor=actor, code=f"R-{n}-{i}", name=f"资源 {n}-{i}", kind="application", unit=unit
            )
            deps.dependency_create(actor=actor, dependent=activity, dependency=resource)
    return activity


def _hammer(clients: list[Client], activity_id: int) -> list[int]:
    """PATCH from every client but the last, DELETE from the last, all released at once."""
    url = f"/api/activities/{activity_id}/"
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def patch(client, i):
        try:
            barrier.wait()
            response = client.patch(url, {"name": f"改名 {i}"}, content_type="application/json")
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    def delete(client):
        try:
            barrier.wait()
            statuses.append(client.delete(url).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=patch, args=(c, i)) for i, c in enumerate(clients[:-1])]
    threads.append(threading.Thread(target=delete, args=(clients[-1],)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
def test_it_queues_concurrent_writers_of_one_activity_without_deadlock(personas, org_tree):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers with its own lock; this is PostgreSQL's case")
    manager = personas["manager"]
    clients = []
    for _ in range(PATCHERS + 1):
        client = Client(raise_request_exception=False)
        client.force_login(manager)
        clients.append(client)
    seen: list[int] = []
    for n in range(ROUNDS):
        activity = _activity_with_links(manager, org_tree["dept_a"], n)
        statuses = _hammer(clients, activity.pk)
        seen += statuses
        assert not Activity.objects.filter(pk=activity.pk).exists()
        assert not Dependency.objects.filter(dependent_activity_id=activity.pk).exists()
    # A PATCH that runs after the DELETE finds nothing (404); none fails with a 5xx.
    assert set(seen) <= {200, 204, 404}, sorted(seen)
    assert seen.count(204) == ROUNDS
    assert AuditEvent.objects.filter(action="delete", object_type="dependencies.activity").count()
    assert audit_verify().ok


class _Writer:
    """A second connection that takes SQLite's write lock, as a long import does."""

    def __init__(self):
        connection.ensure_connection()
        name = connection.settings_dict["NAME"]
        self.db = sqlite3.connect(name, uri=True, isolation_level=None)

    def hold(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")


@pytest.fixture
def sqlite_writer(transactional_db):
    if connection.vendor != "sqlite":
        pytest.skip("holds SQLite's write lock")
    writer = _Writer()
    yield writer
    writer.release()
    writer.db.close()


def _activity(personas, org_tree) -> Activity:
    with request_context(source="test"):
        return deps.activity_create(
            actor=personas["manager"], code="LOCK", name="锁", unit=org_tree["dept_a"]
        )


def test_it_answers_a_locked_database_with_503_in_the_api(personas, org_tree, sqlite_writer):
    activity = _activity(personas, org_tree)
    events = AuditEvent.objects.count()
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(personas["manager"])
    sqlite_writer.hold()
    response = client.patch(
        f"/api/activities/{activity.pk}/", {"name": "新"}, content_type="application/json"
    )
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    error = response.json()["error"]
    assert error["code"] == "busy"
    assert error["message"] == "数据库正忙于另一项更改，本次未保存任何内容；请几秒钟后重试。"
    assert error["request_id"] == response["X-Request-ID"]
    sqlite_writer.release()
    activity.refresh_from_db()
    assert activity.name == "锁"
    assert AuditEvent.objects.count() == events


def test_it_answers_a_locked_database_with_a_503_page(personas, org_tree, sqlite_writer):
    activity = _activity(personas, org_tree)
    client = Client(raise_request_exception=False)
    client.force_login(personas["manager"])
    sqlite_writer.hold()
    response = client.post(reverse("dependencies:activity_delete", args=[activity.pk]))
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "数据库正忙于另一项更改" in response.content.decode()
    sqlite_writer.release()
    assert Activity.objects.filter(pk=activity.pk).exists()


class _Deadlock(Exception):
    sqlstate = "40P01"


# Transactional: the request must run outside any transaction for a second run to be safe.
@pytest.mark.django_db(transaction=True)
def test_it_runs_a_request_that_lost_a_deadlock_again_once(personas, org_tree, monkeypatch):
    activity = _activity(personas, org_tree)
    real = deps.object_update
    calls = []

    def deadlock_first(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("deadlock detected") from _Deadlock()
        return real(**kwargs)

    monkeypatch.setattr(deps, "object_update", deadlock_first)
    client = Client(raise_request_exception=False)
    client.force_login(personas["manager"])
    response = client.patch(
        f"/api/activities/{activity.pk}/", {"name": "再来"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert len(calls) == 2
    activity.refresh_from_db()
    assert activity.name == "再来"
    assert AuditEvent.objects.filter(action="update", object_id=str(activity.pk)).count() == 1


@pytest.mark.django_db
def test_it_answers_503_when_the_second_run_deadlocks_too(personas, org_tree, monkeypatch):
    activity = _activity(personas, org_tree)

    def deadlock(**kwargs):
        raise OperationalError("deadlock detected") from _Deadlock()

    monkeypatch.setattr(deps, "object_update", deadlock)
    client = Client(raise_request_exception=False)
    client.force_login(personas["manager"])
    response = client.post(
        reverse("dependencies:activity_edit", args=[activity.pk]),
        {"code": "LOCK", "name": "再来", "unit": org_tree["dept_a"].pk},
    )
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_it_tells_contention_from_other_database_errors():
    locked = OperationalError("database is locked")
    assert is_contention(locked) and not worth_retrying(locked)
    try:
        raise OperationalError("deadlock detected") from _Deadlock()
    except OperationalError as deadlock:
        assert is_contention(deadlock) and worth_retrying(deadlock)
    assert not is_contention(OperationalError("no such table: x"))
    assert not is_contention(ValueError("database is locked"))
