"""Writing and verifying audit events. Every service calls `audit_record` itself."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.utils import timezone

from resilia.audit.actions import ACTION_LABELS
from resilia.audit.models import GENESIS_HASH, AuditEvent
from resilia.core.context import current_context
from resilia.core.db import WRITE_LOCK_KEY
from resilia.core.trail import diff, json_safe, snapshot

__all__ = ["VerifyResult", "audit_record", "audit_verify", "diff", "snapshot"]


def _append_lock() -> None:
    # Resilia's PostgreSQL backend takes the write lock first in every transaction
    # (core.backends.postgresql), so this one is normally ours already (advisory locks are
    # re-entrant); it stays for a connection configured with Django's plain backend.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK_KEY])
    # SQLite: settings use IMMEDIATE transactions, so the write lock is already ours.


@transaction.atomic
def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    `actor` may be None (system, anonymous failed login). The request id, client address
    and source come from the active request context. `action` must be a registered name
    (`resilia.audit.actions`): an unknown one raises ValueError and nothing is written.
    """
    if action not in ACTION_LABELS:
        # A typo here would record an event no filter or label knows; refuse it loudly instead.
        raise ValueError(
            f"Unknown audit action {action!r}: register it with "
            "resilia.audit.actions.register_action() before recording it."
        )
    ctx = current_context()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    _append_lock()
    last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        seq=(last.seq + 1) if last else 1,
        timestamp=timezone.now().astimezone(dt.UTC),
        actor_id=actor_id,
        actor_repr=(actor.get_username() if actor_id else "")[:200],
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        object_repr=str(object_repr)[:300],
        # Round-trip through JSON so that what is hashed is exactly what the database returns.
        changes=json.loads(json.dumps(json_safe(changes or {}))),
        request_id=ctx.request_id,
        client_ip=ctx.client_ip or "",
        source=ctx.source,
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = event.compute_hash()
    event.save()
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""


def audit_verify() -> VerifyResult:
    """Walk the chain in order; report the first event whose content or link was altered."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return VerifyResult(
                False, checked, event.seq, event.pk, f"missing event(s) before seq {event.seq}"
            )
        if event.timestamp.tzinfo is not None:
            event.timestamp = event.timestamp.astimezone(dt.UTC)
        if event.prev_hash != prev_hash:
            return VerifyResult(False, checked, event.seq, event.pk, "link to previous broken")
        if event.compute_hash() != event.hash:
            return VerifyResult(False, checked, event.seq, event.pk, "content altered")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    return VerifyResult(True, checked)
