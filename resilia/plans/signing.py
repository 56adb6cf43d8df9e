"""The installation's Ed25519 key that signs the offline plan packs.

The private key lives in one file (settings.PACK_SIGNING_KEY_FILE, by default
`<data dir>/pack_signing_key`), PEM PKCS#8, created on first use with mode 600 like the data
directory's other keys. It never enters the database: whoever can write the database cannot
sign a pack. The public key travels in each pack's manifest, and `verify_pack` compares it
with this installation's own.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings


def key_path() -> Path:
    return Path(settings.PACK_SIGNING_KEY_FILE)


def _create(path: Path) -> None:
    """Write a new key, readable by its owner only; a key another process wrote first wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)


def private_key() -> Ed25519PrivateKey:
    """The installation's signing key, created on first use."""
    path = key_path()
    if not path.exists():
        _create(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 key")
    return key


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_b64(*, create: bool = True) -> str | None:
    """The installation's public key, raw 32 bytes in base64 (None: no key yet and not made)."""
    if not create and not key_path().exists():
        return None
    return base64.b64encode(raw_public(private_key().public_key())).decode("ascii")


def fingerprint(public_b64: str) -> str:
    """A short, readable name of a public key: the first 16 hex digits of its SHA-256, in
    groups of four (what a holder compares with the one the BCM office announces)."""
    digest = hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def sign(data: bytes) -> bytes:
    """The 64-byte Ed25519 signature of `data` by the installation's key."""
    return private_key().sign(data)


def signature_holds(public_b64: str, signature: bytes, data: bytes) -> bool:
    """Whether `signature` is `data` signed by the key `public_b64`; a malformed key or
    signature is simply a signature that does not hold."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64, validate=True))
        key.verify(signature, data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
