"""The signed acknowledgement link: no login, one tap, tamper-evident, and it expires."""

from __future__ import annotations

import functools

from django.core import signing
from django.urls import get_script_prefix, get_urlconf, reverse

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
    path = _ack_path(get_script_prefix(), get_urlconf())
    return base.rstrip("/") + path.replace(_SLOT, ack_token(send_id, person_id), 1)


# A fan-out makes one link a recipient: the path is reversed once (per script prefix and
# URL configuration) and the token put in its slot; tokens only hold characters reverse()
# leaves as they are (URL-safe base64 and ":").
_SLOT = "ACKTOKENSLOT"


@functools.lru_cache(maxsize=16)
def _ack_path(_prefix: str, _urlconf) -> str:
    return reverse("notify:ack", args=[_SLOT])


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
