"""The real periodic jobs: audit chain verification and pruning of old task results."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from resilia.accounts.models import Role, User
from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.org import services as org
from resilia.site import tasks


@pytest.fixture
def admins(db):
    return [
        User.objects.create(username="ops_en", role=Role.ADMIN, email="en@example.com",
                            language="en"),
        User.objects.create(username="ops_zh", role=Role.ADMIN, email="zh@example.com",
                            language="zh-hans"),
        User.objects.create(username="root", role=Role.EXECUTIVE, is_superuser=True,
                            email="root@example.com"),
        User.objects.create(username="nomail", role=Role.ADMIN, email=""),
        User.objects.create(username="gone", role=Role.ADMIN, email="gone@example.com",
                            is_active=False),
        User.objects.create(username="mgr", role=Role.BCM_MANAGER, email="mgr@example.com"),
    ]  # fmt: skip


def _some_events():
    with request_context(source="test"):
        for code in ("A", "B", "C"):
            org.unit_create(actor=None, code=code, name=code, kind="department")


def test_it_records_nothing_and_mails_nobody_when_the_chain_is_intact(admins, mailoutbox):
    _some_events()
    before = AuditEvent.objects.count()
    summary = tasks.audit_chain_verify.call()
    assert summary == {"ok": True, "checked": before}
    assert AuditEvent.objects.count() == before
    assert mailoutbox == []


def test_it_alerts_admins_in_their_language_when_the_chain_is_broken(admins, mailoutbox):
    _some_events()
    # Someone edits the trail behind the application's back.
    AuditEvent.objects.filter(seq=2).update(object_repr="tampered")
    summary = tasks.audit_chain_verify.call()

    assert summary["ok"] is False and summary["broken_seq"] == 2
    assert summary["notified"] == 3
    event = AuditEvent.objects.get(action="audit_chain_broken")
    assert event.source == "task" and event.actor_id is None
    assert event.changes == {"broken_seq": 2, "reason": "content altered"}
    by_recipient = {mail.to[0]: mail for mail in mailoutbox}
    assert set(by_recipient) == {"en@example.com", "zh@example.com", "root@example.com"}
    assert "integrity check" in by_recipient["en@example.com"].subject
    assert "#2" in by_recipient["en@example.com"].body
    assert by_recipient["zh@example.com"].subject == "[Resilia] 审计日志完整性校验未通过"
    assert "哈希链在第 #2 条事件处断开" in by_recipient["zh@example.com"].body


def test_it_prunes_only_old_finished_task_results(db):
    old = tasks.worker_heartbeat.enqueue()
    fresh = tasks.worker_heartbeat.enqueue()
    waiting = tasks.worker_heartbeat.enqueue()
    long_ago = timezone.now() - dt.timedelta(days=30)
    DBTaskResult.objects.filter(id=old.id).update(status="SUCCESSFUL", finished_at=long_ago)
    DBTaskResult.objects.filter(id=fresh.id).update(status="SUCCESSFUL", finished_at=timezone.now())

    assert tasks.task_results_prune.call()["deleted"] == 1
    left = {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}
    assert left == {fresh.id, waiting.id}
    # Idempotent: a second run finds nothing more to delete.
    assert tasks.task_results_prune.call()["deleted"] == 0
