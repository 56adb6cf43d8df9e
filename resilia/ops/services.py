"""Services of Resilia's own operations: heartbeats, the audit chain check, housekeeping.

Called by the thin tasks in resilia.site.tasks; each is idempotent, so a task that runs
twice (a retry, two workers) changes nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from resilia.audit.services import VerifyResult, audit_record, audit_verify
from resilia.ops.models import Heartbeat

logger = logging.getLogger(__name__)


def process_label() -> str:
    """host:pid of the calling process, as shown on the health page."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def heartbeat_touch(*, name: str, detail: str = "") -> Heartbeat:
    """Record that the process kind `name` is alive now (one row per kind, upserted).

    Not audited: a heartbeat is machine telemetry written every minute, not a change
    anyone made to the BCM data.
    """
    beat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_seen": timezone.now(), "detail": detail or process_label()}
    )
    return beat


def _admin_recipients():
    from resilia.accounts.models import Role, User

    return (
        User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def _notify_admins(result: VerifyResult) -> int:
    """E-mail each system administrator in their own language; returns how many were sent."""
    sent = 0
    for admin in _admin_recipients():
        language = admin.language or settings.LANGUAGE_CODE
        with translation.override(language):
            context = {"result": result, "site_url": settings.SITE_URL, "user": admin}
            subject = render_to_string("ops/email/audit_chain_broken_subject.txt", context)
            body = render_to_string("ops/email/audit_chain_broken.txt", context)
        message = EmailMessage(" ".join(subject.split()), body, to=[admin.email])
        try:
            message.send()
            sent += 1
        except OSError:
            # A down mail server must not hide the finding: the audit event below stays.
            logger.exception("could not e-mail %s about the broken audit chain", admin.email)
    return sent


def audit_chain_check() -> dict:
    """Verify the audit hash chain; when it is broken, record `audit_chain_broken` and
    e-mail the system administrators. Returns a JSON-safe summary for the task result."""
    result = audit_verify()
    summary = {"ok": result.ok, "checked": result.checked}
    if result.ok:
        return summary
    summary.update(broken_seq=result.broken_seq, reason=result.reason)
    with transaction.atomic():
        audit_record(
            actor=None,
            action="audit_chain_broken",
            object_type="audit.auditevent",
            object_id=str(result.broken_id or ""),
            object_repr=f"#{result.broken_seq}",
            changes={"broken_seq": result.broken_seq, "reason": result.reason},
        )
    summary["notified"] = _notify_admins(result)
    return summary


def task_results_prune(*, min_age_days: int = 14) -> int:
    """Delete finished database task results older than `min_age_days`; returns how many.

    Only the database backend keeps results in our tables (RQ expires its own in Redis).
    """
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - dt.timedelta(days=min_age_days)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    return deleted
