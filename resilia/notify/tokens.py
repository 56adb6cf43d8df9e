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


# Reply codes: no 0/O, 1/I/L, which a person reading an SMS aloud or typing it confuses.
REPLY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REPLY_LENGTH = 6


def new_reply_codes(count: int, taken: set[str]) -> list[str]:
    """`count` random reply codes, distinct from each other and from `taken` (31^6, about
    887 million codes: a collision is rare and simply drawn again)."""
    import secrets

    codes: list[str] = []
    seen = set(taken)
    while len(codes) < count:
        code = "".join(secrets.choice(REPLY_ALPHABET) for _ in range(REPLY_LENGTH))
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes
