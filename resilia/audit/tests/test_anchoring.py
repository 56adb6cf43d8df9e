"""The chain is keyed and anchored: deleting the newest events, or rewriting a row and
re-hashing everything after it, fails verification; events of the old scheme still verify."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import stat

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from resilia.audit.checkpoints import checkpoint_write, checkpoints_read
from resilia.audit.models import AuditEvent, chain_key
from resilia.audit.services import audit_record, audit_verify
from resilia.site import tasks

pytestmark = pytest.mark.django_db
TABLE = AuditEvent._meta.db_table


@pytest.fixture
def anchor(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "anchor")
    return tmp_path / "anchor"


def _rehash_from(seq: int, *, key: bytes | None, version: int) -> None:
    """What an attacker with write access to the table does after editing row `seq`:
    recompute every hash from there on, with `key` (None: plain SHA-256)."""
    events = list(AuditEvent.objects.order_by("seq"))
    prev = events[seq - 2].hash if seq > 1 else "0" * 64
    for event in events[seq - 1 :]:
        event.prev_hash, event.hash_version = prev, version
        message = (prev + event.canonical()).encode("utf-8")
        if key is None:
            digest = hashlib.sha256(message).hexdigest()
        else:
            digest = hmac.new(key, message, hashlib.sha256).hexdigest()
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TABLE} SET prev_hash = %s, hash = %s, hash_version = %s WHERE id = %s",
                [prev, digest, version, event.pk],
            )
        prev = digest


def _rewrite(seq: int, text: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET object_repr = %s WHERE seq = %s", [text, seq])


def test_it_keys_new_events(personas):
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.hash_version == 2
    message = (event.prev_hash + event.canonical()).encode("utf-8")
    assert event.hash != hashlib.sha256(message).hexdigest()
    assert event.hash == hmac.new(chain_key(), message, hashlib.sha256).hexdigest()


def test_it_detects_deleting_the_newest_events_below_a_checkpoint(personas, anchor):
    mark = checkpoint_write(anchor)
    assert audit_verify().ok
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE seq >= %s", [mark.seq - 1])
    result = audit_verify()
    assert not result.ok and result.reason.startswith("truncated")
    assert result.broken_seq == mark.seq
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify", stdout=io.StringIO())
    assert exc.value.returncode == 1 and "truncated" in str(exc.value)


def test_it_detects_a_row_rewritten_and_the_rest_rehashed_without_the_key(personas, anchor):
    _rewrite(3, "forged")
    _rehash_from(3, key=b"guessed", version=2)
    result = audit_verify(checkpoint_dir=None)
    assert not result.ok and result.broken_seq == 3 and result.reason == "content altered"


def test_it_detects_a_rehash_with_the_old_unkeyed_scheme(personas, anchor):
    head = AuditEvent.objects.order_by("-seq").first().seq
    _rewrite(head, "forged")
    _rehash_from(head, key=None, version=1)  # the newest row re-hashed with plain SHA-256
    result = audit_verify(checkpoint_dir=None)
    assert not result.ok and result.broken_seq == head
    assert result.reason.startswith("downgrade")


def test_it_detects_a_rehash_even_with_the_key_against_a_checkpoint(personas, anchor):
    mark = checkpoint_write(anchor)
    _rewrite(3, "forged")
    _rehash_from(3, key=chain_key(), version=2)
    assert audit_verify(checkpoint_dir=None).ok  # the chain alone cannot tell
    result = audit_verify()
    assert not result.ok and result.reason.startswith("rewritten")
    assert result.broken_seq == mark.seq


def test_it_refuses_a_forged_checkpoint(personas, anchor):
    mark = checkpoint_write(anchor)
    data = json.loads(mark.path.read_text())
    data["seq"] = 1
    mark.path.write_text(json.dumps(data))
    result = audit_verify()
    assert not result.ok and result.reason.startswith("checkpoint forged")


def test_it_still_verifies_events_of_the_unkeyed_scheme(personas, anchor):
    _rehash_from(1, key=None, version=1)  # the trail as an older version wrote it
    assert audit_verify().ok
    audit_record(actor=None, action="verify", object_type="audit.auditevent")
    assert AuditEvent.objects.order_by("-seq").first().hash_version == 2
    checkpoint_write(anchor)
    result = audit_verify()
    assert result.ok and result.checkpoints == 1


def test_it_writes_checkpoints_on_schedule_once_per_head_and_privately(personas, anchor):
    first = tasks.audit_checkpoint.call()
    assert tasks.audit_checkpoint.call() == first
    [mark] = checkpoints_read(anchor)
    assert mark.genuine and str(mark.path) == first["written"]
    assert stat.S_IMODE(os.stat(mark.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(anchor).st_mode) == 0o700
    audit_record(actor=None, action="verify", object_type="audit.auditevent")
    tasks.audit_checkpoint.call()
    assert len(checkpoints_read(anchor)) == 2
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "2 checkpoint(s) hold" in out.getvalue()


def test_it_warns_at_deploy_without_an_own_key(settings):
    settings.AUDIT_HMAC_KEY = None
    assert "resilia.W001" in [m.id for m in run_checks(include_deployment_checks=True)]
    settings.AUDIT_HMAC_KEY = "k" * 43
    assert "resilia.W001" not in [m.id for m in run_checks(include_deployment_checks=True)]
