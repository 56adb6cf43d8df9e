"""A generic webhook: JSON POST signed with an HMAC-SHA256 header.

Sent over one kept-alive connection per lane, in two writes when the dispatcher asks: the
request up to the body's last byte, then that byte, which the dispatcher's `commit` writes
back to back with the COMMIT of the delivery's record (notify.handover). A receiver reads
the whole body its Content-Length announces before it acts: one killed mid-way leaves it a
short request, which it drops. Every request also carries the delivery's key as
`Idempotency-Key`.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import select
import ssl
import time
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

from resilia.notify.handover import LastBytes
from resilia.notify.transports.base import (
    Field,
    Outgoing,
    Transport,
    TransportError,
    commit_or_drop,
)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Resilia-Signature value: sha256=HMAC(secret, "<timestamp>." + body)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class Webhook(Transport):
    kind = "webhook"
    address_field = ""
    commits_before_accept = True
    fields = (
        Field("url", _("URL"), url=True),
        Field("secret", _("signing secret"), secret=True),
        Field("rate_per_minute", _("messages per minute"), required=False, integer=True),
    )

    conn: http.client.HTTPConnection | None = None

    def address(self, person) -> str:
        return str(person.pk)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _connection(self) -> http.client.HTTPConnection:
        sock = self.conn.sock if self.conn is not None else None
        if sock is not None and select.select([sock], [], [], 0)[0]:
            # Readable while idle: the receiver closed the kept connection (or sent what no
            # request asked for). A new one, before anything of this request is written.
            self.close()
        if self.conn is None:
            url = urlsplit(self.config["url"])
            if url.scheme == "https":
                self.conn = http.client.HTTPSConnection(
                    url.hostname, url.port, timeout=self.timeout,
                    context=ssl.create_default_context(),
                )  # fmt: skip
            else:
                self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=self.timeout)
        return self.conn

    def send(self, message: Outgoing, commit=None) -> None:
        body = json.dumps(
            {
                "key": message.key,
                "person": message.address,
                "subject": message.subject,
                "text": message.body,
                "ack_url": message.ack_url,
            },
            ensure_ascii=False,
        ).encode()
        stamp = str(int(time.time()))
        url = urlsplit(self.config["url"])
        headers = {
            "Host": url.netloc,
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
            "X-Resilia-Timestamp": stamp,
            "X-Resilia-Signature": signature(self.config["secret"], stamp, body),
            "Idempotency-Key": message.key,
        }
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        try:
            conn = self._start(path, headers, body[:-1])
            if commit is not None:
                commit_or_drop(commit, LastBytes(conn.sock, body[-1:]), self.close, message.key)
            else:
                conn.send(body[-1:])
            response = conn.getresponse()
            text = response.read()[:300].decode(errors="replace")
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        if response.will_close:
            self.close()
        status = response.status
        if status == 429 or status >= 500:
            raise TransportError(f"HTTP {status}: {text}")
        if status >= 400:
            raise TransportError(f"HTTP {status}: {text}", permanent=True)

    def _start(self, path: str, headers: dict, head_of_body: bytes):
        conn = self._connection()
        conn.putrequest("POST", path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        conn.send(head_of_body)
        return conn
