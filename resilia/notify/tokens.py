"""The signed acknowledgement link: no login, one tap, tamper-evident, and it expires."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

SALT = "resilia.notify.ack"
# A link stays good for three days: long enough for an incident, short enough to go stale.
MAX_AGE = 3 * 24 * 3600


def ack_token(send_id: int, person_id: int) -> str:
    """A compact signed token naming the send and the person."""
    return signing.dumps([send_id, person_id], salt=SALT, compress=True)


def read_token(token: str, *, max_age: int = MAX_AGE) -> tuple[int, int]:
    """(send_id, person_id); signing.SignatureExpired or BadSignature when altered or old."""
    send_id, person_id = signing.loads(token, salt=SALT, max_age=max_age)
    return int(send_id), int(person_id)


def ack_url(send_id: int, person_id: int, base: str = "") -> str:
    """The absolute link (`base` is the site's address, NOTIFY_BASE_URL)."""
    return base.rstrip("/") + reverse("notify:ack", args=[ack_token(send_id, person_id)])


def reply_code(send_id: int, person_id: int) -> str:
    """A short code a person can reply by SMS ("<code> 1" = I can come / I am safe)."""
    import hashlib

    from django.conf import settings

    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{send_id}:{person_id}".encode()).hexdigest()
    return str(int(digest[:8], 16) % 9000 + 1000)
