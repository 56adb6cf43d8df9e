"""Writing and verifying audit events. Every service calls `audit_record` itself."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from resilia.audit.actions import ACTION_LABELS
from resilia.audit.models import GENESIS_HASH, HASH_VERSION, AuditEvent
from resilia.core.context import current_context
from resilia.core.db import WRITE_LOCK_KEY
from resilia.core.trail import diff, json_safe, snapshot

__all__ = ["VerifyResult", "audit_record", "audit_record_many", "audit_verify", "diff", "snapshot"]

# Rows per INSERT of a bulk append (well under SQLite's 32,766 bound variables: 15 columns).
BULK_BATCH = 500

# "Use settings.AUDIT_CHECKPOINT_DIR" (None means: no checkpoints).
UNSET_DIR = object()


def _append_lock() -> None:
    # Resilia's PostgreSQL backend takes the write lock first in every transaction
    # (core.backends.postgresql), so this one is normally ours already (advisory locks are
    # re-entrant); it stays for a connection configured with Django's plain backend.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK_KEY])
    # SQLite: settings use IMMEDIATE transactions, so the write lock is already ours.


def _check_action(action: str) -> None:
    if action not in ACTION_LABELS:
        # A typo here would record an event no filter or label knows; refuse it loudly instead.
        raise ValueError(
            f"Unknown audit action {action!r}: register it with "
            "resilia.audit.actions.register_action() before recording it."
        )


def _event(actor, ctx, when, *, action, obj, object_type, object_id, object_repr, changes):
    """An unsaved, unchained event (seq, prev_hash and hash are set by the caller)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        timestamp=when,
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
        hash_version=HASH_VERSION,
    )


def _chain(events: list[AuditEvent]) -> None:
    """Give the events the next sequence numbers and hashes after the chain's head.

    The caller holds the write lock (`_append_lock`), so the head cannot move meanwhile."""
    last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    for event in events:
        seq += 1
        event.seq, event.prev_hash = seq, prev
        event.hash = prev = event.compute_hash()


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
    _check_action(action)
    event = _event(
        actor,
        current_context(),
        timezone.now().astimezone(dt.UTC),
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        changes=changes,
    )
    _append_lock()
    _chain([event])
    event.save()
    return event


@transaction.atomic
def audit_record_many(
    *, actor, action: str, objects: list[tuple[models.Model, dict]]
) -> list[AuditEvent]:
    """Append one event per (object, changes), in order, as `audit_record` would one by one.

    The bulk services' line to the trail: each object keeps its own event (its history tab
    shows it) with the same content, but the chain head is read once, under one take of the
    write lock, and the rows are inserted in batches of BULK_BATCH.
    """
    _check_action(action)
    if not objects:
        return []
    ctx = current_context()
    when = timezone.now().astimezone(dt.UTC)
    events = [
        _event(
            actor,
            ctx,
            when,
            action=action,
            obj=obj,
            object_type="",
            object_id="",
            object_repr="",
            changes=changes,
        )
        for obj, changes in objects
    ]
    _append_lock()
    _chain(events)
    # bulk_create skips AuditEvent.save(), whose only job is refusing updates: these are new.
    AuditEvent.objects.bulk_create(events, batch_size=BULK_BATCH)
    return events


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of `audit_verify`. `reason` starts with a stable key: "missing", "link",
    "content", "downgrade", "checkpoint forged", "truncated" or "rewritten"."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""
    checkpoints: int = 0
    checkpoint_seq: int | None = None


def audit_verify(*, checkpoint_dir: str | None = UNSET_DIR) -> VerifyResult:
    """Walk the chain in order; report the first event whose content or link was altered,
    then hold the chain against the signed checkpoints of `checkpoint_dir` (by default
    settings.AUDIT_CHECKPOINT_DIR): a checkpoint beyond the head means the newest events
    were deleted, one whose hash differs means events were rewritten and re-hashed."""
    from resilia.audit import checkpoints as cp

    if checkpoint_dir is UNSET_DIR:
        checkpoint_dir = settings.AUDIT_CHECKPOINT_DIR
    marks = cp.checkpoints_read(checkpoint_dir) if checkpoint_dir else []
    for mark in marks:
        if not mark.genuine:
            return VerifyResult(
                False, 0, mark.seq, None, f"checkpoint forged: {mark.path.name}", len(marks)
            )
    wanted = {mark.seq: mark for mark in marks}
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    version = 1
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return VerifyResult(
                False, checked, event.seq, event.pk, f"missing event(s) before seq {event.seq}"
            )
        if event.timestamp.tzinfo is not None:
            event.timestamp = event.timestamp.astimezone(dt.UTC)
        if event.prev_hash != prev_hash:
            return VerifyResult(False, checked, event.seq, event.pk, "link to previous broken")
        if event.hash_version < version:
            return VerifyResult(False, checked, event.seq, event.pk, "downgrade of the hash scheme")
        version = event.hash_version
        try:
            intact = event.compute_hash() == event.hash
        except ValueError:
            intact = False
        if not intact:
            return VerifyResult(False, checked, event.seq, event.pk, "content altered")
        mark = wanted.pop(event.seq, None)
        if mark is not None and mark.hash != event.hash:
            return VerifyResult(
                False,
                checked,
                event.seq,
                event.pk,
                f"rewritten: checkpoint {mark.path.name} records another hash",
            )
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    if wanted:
        beyond = max(wanted)
        return VerifyResult(
            False,
            checked,
            beyond,
            None,
            f"truncated: checkpoint {wanted[beyond].path.name} records seq {beyond},"
            f" the chain ends at {expected_seq - 1}",
            len(marks),
        )
    latest = max((mark.seq for mark in marks), default=None)
    return VerifyResult(True, checked, checkpoints=len(marks), checkpoint_seq=latest)
