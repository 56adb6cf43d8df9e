"""Time-based one-time passwords (RFC 6238), as authenticator apps show them.

Plain functions over pyotp; the QR code is drawn as inline SVG by segno (pure Python), so the
secret never leaves the server in an image request.
"""

from __future__ import annotations

import hmac
import io
import time

import pyotp
import segno

ISSUER = "Resilia"
# Accept the previous and the next 30-second step: phone clocks drift.
VALID_WINDOW = 1


def new_secret() -> str:
    """A fresh base32 secret (160 bits)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, account: str) -> str:
    """The otpauth:// URI that authenticator apps read."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (no XML declaration, fits in HTML)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(
        buffer, kind="svg", xmldecl=False, svgns=True, scale=5, border=2, nl=False
    )
    return buffer.getvalue().decode("utf-8")


def verify(secret: str, code: str, *, after_step: int | None = None, now: float | None = None):
    """The time step that `code` matches, or None.

    A step at or before `after_step` (the last accepted one) is refused, so a code seen over
    someone's shoulder cannot be used again.
    """
    code = (code or "").strip().replace(" ", "")
    if not secret or not code.isdigit() or len(code) != 6:
        return None
    otp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    current = int(now) // otp.interval
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        step = current + offset
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(otp.generate_otp(step), code):
            return step
    return None
