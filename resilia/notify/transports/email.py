"""E-mail through an SMTP server, with Django's SMTP backend (one connection per batch)."""

from __future__ import annotations

import smtplib

from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext_lazy as _

from resilia.notify.transports.base import Field, Outgoing, Transport, TransportError


class Email(Transport):
    kind = "email"
    address_field = "email"
    fields = (
        Field("host", _("SMTP server")),
        Field("port", _("port"), integer=True, default=25),
        Field("username", _("user name"), required=False),
        Field("password", _("password"), required=False, secret=True),
        Field("use_tls", _("STARTTLS"), required=False, choices=(True, False), default=False),
        Field("from_email", _("sender address")),
        Field("rate_per_minute", _("messages per minute"), required=False, integer=True),
    )

    connection = None

    def open(self) -> None:
        c = self.config
        self.connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend",
            host=c["host"],
            port=int(c["port"]),
            username=c.get("username") or "",
            password=c.get("password") or "",
            use_tls=bool(c.get("use_tls")),
            timeout=self.timeout,
            fail_silently=False,
        )
        try:
            self.connection.open()
        except (OSError, smtplib.SMTPException) as exc:
            self.connection = None
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except (OSError, smtplib.SMTPException):
                pass
            self.connection = None

    def send(self, message: Outgoing) -> None:
        if self.connection is None:
            self.open()
        mail = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=self.config["from_email"],
            to=[message.address],
            connection=self.connection,
            # The delivery's key: a resend after a crash carries the same Message-ID.
            headers={"Message-ID": f"<{message.key}@resilia>", "X-Resilia-Delivery": message.key},
        )
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise TransportError(f"recipient refused: {exc}", permanent=False) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise TransportError(f"authentication failed: {exc}", permanent=True) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
