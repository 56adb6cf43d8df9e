"""A generic webhook: JSON POST signed with an HMAC-SHA256 header."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from django.utils.translation import gettext_lazy as _

from resilia.notify.transports.base import Field, Outgoing, Transport


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Resilia-Signature value: sha256=HMAC(secret, "<timestamp>." + body)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class Webhook(Transport):
    kind = "webhook"
    address_field = ""
    fields = (
        Field("url", _("URL"), url=True),
        Field("secret", _("signing secret"), secret=True),
        Field("rate_per_minute", _("messages per minute"), required=False, integer=True),
    )

    def address(self, person) -> str:
        return str(person.pk)

    def send(self, message: Outgoing) -> None:
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
        self.http(
            "POST",
            self.config["url"],
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Resilia-Timestamp": stamp,
                "X-Resilia-Signature": signature(self.config["secret"], stamp, body),
                "Idempotency-Key": message.key,
            },
        )
