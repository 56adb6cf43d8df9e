"""The transport base class: configuration checks, retries with backoff, HTTP and errors.

One subclass per channel kind, each in its own module, declares its configuration fields,
what it reads from a person (`address_field`), its rate limit, and `send()`. Everything
around a send (timing, attempt rows, backoff, switching a channel off) is here, once.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# How a secret configuration value is shown (pages, API): never in clear.
MASK = "••••••"


class TransportError(Exception):
    """A send failed. `permanent`: retrying cannot help (bad credentials, unknown key)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Withdrawn(Exception):
    """The dispatcher's `commit` refused (the row is no longer this worker's): the transport
    dropped the message before its last bytes, so the peer keeps nothing."""


def commit_or_drop(commit, last, drop, key: str) -> None:
    """Hand the message's `last` bytes (a `LastBytes`) to the dispatcher's `commit`, which
    records the delivery and writes them; if it refuses or fails, `drop` the connection
    (the peer discards the unfinished message) and raise."""
    try:
        held = commit(last)
    except BaseException:
        drop()
        raise
    if not held:
        drop()
        raise Withdrawn(key)


@dataclasses.dataclass(frozen=True)
class Field:
    """One configuration field of a transport (drives its form and its validation)."""

    name: str
    label: Any
    required: bool = True
    secret: bool = False
    url: bool = False
    integer: bool = False
    choices: tuple = ()
    default: Any = ""


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """What a transport sends: already rendered in the recipient's language."""

    address: str
    subject: str
    body: str
    key: str
    ack_url: str = ""
    mobile: str = ""


class Transport:
    """Base of every channel kind."""

    kind = ""
    fields: tuple[Field, ...] = ()
    # The Person attribute that addresses the recipient; "" for a group robot, which posts
    # to its group (mentioning the person's mobile) whoever the recipient is.
    address_field = ""
    # (messages, seconds) one channel of this kind may carry; None: no limit of its own.
    rate: tuple[int, float] | None = None
    max_attempts = 4
    backoff_seconds = 30
    timeout = 10
    # True: `send(message, commit=...)` sends everything but the last bytes the peer needs
    # to keep the message, then calls `commit(last)` with those bytes (a
    # `notify.handover.LastBytes`) instead of writing them: the dispatcher records the
    # delivery and writes them back to back with the record's COMMIT (see notify.handover).
    # `commit` returning False (the row is no longer this worker's): the transport drops the
    # connection and raises Withdrawn. Transports that go through a library's one-call send
    # (the robots, SMS) cannot split it: they are recorded right after the peer's answer.
    commits_before_accept = False

    def __init__(self, channel):
        self.channel = channel
        self.config = {f.name: f.default for f in self.fields} | dict(channel.config or {})

    # Configuration ---------------------------------------------------------------------
    def validate_config(self) -> None:
        """Refuse an incomplete configuration or one that points nowhere (ValidationError)."""
        errors = []
        for f in self.fields:
            value = self.config.get(f.name, "")
            if f.required and value in ("", None):
                errors.append(_("%(field)s is required.") % {"field": f.label})
            elif f.url and value and not _is_http_url(str(value)):
                errors.append(_("%(field)s is not an http(s) address.") % {"field": f.label})
            elif f.integer and value not in ("", None):
                try:
                    int(value)
                except (TypeError, ValueError):
                    errors.append(_("%(field)s must be a whole number.") % {"field": f.label})
            elif f.choices and value and value not in f.choices:
                errors.append(_("%(field)s has an unknown value.") % {"field": f.label})
        unknown = set(self.config) - {f.name for f in self.fields}
        if unknown:
            errors.append(
                _("Unknown configuration keys: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}
            )
        if errors:
            raise ValidationError({"config": errors})

    def rate_limit(self) -> tuple[int, float] | None:
        """The channel's limit: its configured `rate_per_minute`, else the kind's."""
        per_minute = self.config.get("rate_per_minute")
        if per_minute:
            return int(per_minute), 60.0
        return self.rate

    # Sending ---------------------------------------------------------------------------
    def address(self, person) -> str:
        """The recipient's address on this channel ("" if the person has none)."""
        if not self.address_field:
            return getattr(person, "mobile", "") or "*"
        return getattr(person, self.address_field, "") or ""

    def open(self) -> None:
        """Prepare for a batch (an SMTP connection, an access token)."""

    def close(self) -> None:
        """End a batch."""
        if self.session is not None:
            self.session.close()
            self.session = None

    def send(self, message: Outgoing, commit=None) -> None:
        """Send one message; raise TransportError on failure. `commit`: see
        `commits_before_accept` (None: send it all at once)."""
        raise NotImplementedError

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before try `attempt + 1`: 30 s, 60 s, 120 s, ..."""
        return self.backoff_seconds * 2 ** max(0, attempt - 1)

    # HTTP helper -----------------------------------------------------------------------
    def post_json(self, url: str, payload: dict, headers: dict | None = None, **kw) -> dict:
        """POST JSON, classify the failure (4xx permanent, 429/5xx/network temporary)."""
        body = json.dumps(payload, ensure_ascii=False).encode()
        return self.http(
            "POST",
            url,
            data=body,
            headers={"Content-Type": "application/json"} | (headers or {}),
            **kw,
        )

    session = None

    def http(self, method: str, url: str, **kw) -> dict:
        import requests

        if self.session is None:
            # One connection kept alive for the batch (a fan-out posts thousands).
            self.session = requests.Session()
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kw)
        except requests.RequestException as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise TransportError(f"HTTP {response.status_code}: {response.text[:300]}")
        if response.status_code >= 400:
            raise TransportError(
                f"HTTP {response.status_code}: {response.text[:300]}", permanent=True
            )
        try:
            return response.json() if response.content else {}
        except ValueError:
            return {"text": response.text[:300]}


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def check_code(reply: dict, *, field: str, ok=(0,), temporary=()) -> None:
    """Raise for an API reply whose `field` is not one of `ok` (robots answer HTTP 200)."""
    code = reply.get(field, ok[0])
    if code in ok:
        return
    text = reply.get("errmsg") or reply.get("msg") or reply.get("Message") or ""
    raise TransportError(f"{field}={code}: {text}"[:500], permanent=code not in temporary)
