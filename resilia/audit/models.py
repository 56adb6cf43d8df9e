"""The append-only, hash-chained audit trail (Zulip RealmAuditLog, NetBox ObjectChange)."""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64
# Version 1: SHA-256 of the previous hash and the canonical content (events recorded before
# the chain was keyed; they keep verifying). Version 2: HMAC-SHA256 under the chain key,
# which is kept outside the database, so rewriting a row and re-hashing everything after
# it needs a secret the database does not hold. A chain never goes back to version 1.
HASH_VERSION = 2


def chain_key() -> bytes:
    """The HMAC key of the chain: AUDIT_HMAC_KEY, else one derived from SECRET_KEY."""
    if settings.AUDIT_HMAC_KEY:
        return settings.AUDIT_HMAC_KEY.encode("utf-8")
    return hmac.new(
        settings.SECRET_KEY.encode("utf-8"), b"resilia.audit.chain", hashlib.sha256
    ).digest()


class AuditEventQuerySet(models.QuerySet):
    def for_user(self, user):
        """The events the user may read in the audit log: all of them or none (the policy)."""
        from resilia.core import access

        return access.readable(user, self)

    def about(self, user, model, pk):
        """The events of one object, for its history tab: readable by whoever may read the
        object (`access.may_read_about`), none otherwise."""
        from resilia.core import access

        if not access.may_read_about(user, model, pk, trail=self.model):
            return self.none()
        return self.filter(object_type=model._meta.label_lower, object_id=str(pk))

    def for_object(self, obj):
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class AuditEvent(models.Model):
    """One event of the audit trail: who did what to which object, when and from where.

    Rows are never updated or deleted. Each holds a keyed hash (HMAC-SHA256, `hash_version`
    2; plain SHA-256 for rows of version 1) of its own canonical content and of the event
    before it, so any edit behind the application's back breaks the chain at that row, and
    signed checkpoints of the head reveal a truncated or re-hashed tail (`resilia audit
    verify`).
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    timestamp = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_repr = models.CharField(_("actor name"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)
    client_ip = models.CharField(_("client address"), max_length=45, blank=True)
    source = models.CharField(_("source"), max_length=16, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)
    # Rows written before the field existed are version 1; `audit_record` writes HASH_VERSION.
    hash_version = models.PositiveSmallIntegerField(_("hash scheme"), default=1)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-seq"]
        indexes = [
            # History tab of one object: WHERE object_type=? AND object_id=? ORDER BY seq DESC.
            models.Index(fields=["object_type", "object_id", "seq"], name="audit_object_idx"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit events are append-only")

    def canonical(self) -> str:
        """The content the hash covers, as canonical JSON."""
        payload = {
            "seq": self.seq,
            "timestamp": self.timestamp.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_repr": self.actor_repr,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "changes": self.changes,
            "request_id": self.request_id,
            "client_ip": self.client_ip,
            "source": self.source,
        }
        return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def compute_hash(self) -> str:
        """The hash of this row under its own `hash_version`."""
        message = (self.prev_hash + self.canonical()).encode("utf-8")
        if self.hash_version == 1:
            return hashlib.sha256(message).hexdigest()
        if self.hash_version == 2:
            return hmac.new(chain_key(), message, hashlib.sha256).hexdigest()
        raise ValueError(f"unknown audit hash version {self.hash_version}")
