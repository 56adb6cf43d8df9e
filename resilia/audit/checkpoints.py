"""Signed checkpoints of the audit chain's head, exported to files outside the database.

The chain alone proves that no row was edited in place; it cannot tell that the newest rows
were deleted, or that a row was rewritten and every later one re-hashed. A checkpoint is a
small JSON file naming the head's sequence number and hash at a moment, signed with the
chain's HMAC key: `audit_verify` then refuses a chain that ends before a checkpoint or holds
another hash at its sequence number. The scheduler writes one every
AUDIT_CHECKPOINT_MINUTES into AUDIT_CHECKPOINT_DIR; keep that directory where whoever
administers the database cannot rewrite it (another machine's share, WORM storage), or copy
the files there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from resilia.audit.models import AuditEvent, chain_key

FORMAT = 1
PREFIX = "audit-checkpoint-"


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint file; `genuine` is False when its signature does not match."""

    seq: int
    hash: str
    created: str
    path: Path
    genuine: bool


def _signature(seq: int, head_hash: str, created: str) -> str:
    message = f"resilia-audit-checkpoint:{FORMAT}:{seq}:{head_hash}:{created}".encode()
    return hmac.new(chain_key(), message, hashlib.sha256).hexdigest()


def checkpoints_read(directory: str | os.PathLike) -> list[Checkpoint]:
    """Every checkpoint file of `directory`, by sequence number; a file that cannot be read
    or parsed counts as not genuine (a forged or damaged checkpoint must not be skipped)."""
    folder = Path(directory)
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob(f"{PREFIX}*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            seq, head_hash, created = int(data["seq"]), str(data["hash"]), str(data["created"])
            genuine = data.get("format") == FORMAT and hmac.compare_digest(
                str(data["signature"]), _signature(seq, head_hash, created)
            )
        except (OSError, ValueError, KeyError, TypeError):
            seq, head_hash, created, genuine = 0, "", "", False
        found.append(Checkpoint(seq, head_hash, created, path, genuine))
    return sorted(found, key=lambda mark: mark.seq)


def checkpoint_write(directory: str | os.PathLike) -> Checkpoint | None:
    """Write a signed checkpoint of the current head into `directory` (created 0700, the
    file 0600); None when the trail is empty. Idempotent: the same head is written once."""
    head = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    if head is None:
        return None
    folder = Path(directory)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{PREFIX}{head.seq:012d}.json"
    if path.exists():
        return next(mark for mark in checkpoints_read(folder) if mark.path == path)
    created = timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds")
    data = {
        "format": FORMAT,
        "seq": head.seq,
        "hash": head.hash,
        "created": created,
        "signature": _signature(head.seq, head.hash, created),
    }
    partial = folder / f".{path.name}.tmp"
    descriptor = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
        handle.write("\n")
    os.replace(partial, path)  # atomic: a reader never sees half a checkpoint
    return Checkpoint(head.seq, head.hash, created, path, True)
