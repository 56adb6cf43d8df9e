"""E-mail through an SMTP server: one kept smtplib connection per lane.

A server keeps a message only once the line that ends its data (".") arrives. The message
goes out in two writes: its headers and body, then that last line, which the dispatcher's
`commit` writes back to back with the COMMIT of the delivery's record (notify.handover). A
worker killed before leaves the server an unfinished message, which it discards, and the
row unsent; one killed after has the message sent once (the kernel still delivers what was
written before the process died).
"""

from __future__ import annotations

import base64
import functools
import re
import smtplib
import socket
import ssl
from email.header import Header
from email.utils import formatdate, parseaddr

from django.core.mail.message import sanitize_address
from django.utils.translation import gettext_lazy as _

from resilia.notify.handover import LastBytes
from resilia.notify.transports.base import (
    Field,
    Outgoing,
    Transport,
    TransportError,
    commit_or_drop,
)

END = b".\r\n"


# An address that needs no encoding or quoting (what the people register holds): used as it
# is, without the header parser `sanitize_address` runs (a third of a message's CPU).
PLAIN = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")


@functools.lru_cache(maxsize=256)
def header_address(address: str) -> str:
    if PLAIN.fullmatch(address):
        return address
    try:
        return sanitize_address(address, "utf-8")
    except ValueError as exc:
        raise TransportError(f"invalid address: {exc}") from exc


@functools.lru_cache(maxsize=256)
def header_subject(subject: str) -> str:
    """One line (no CR or LF can end the header early), RFC 2047 words when not ASCII;
    kept, since the messages of a send share their subject per language."""
    subject = re.sub(r"[\r\n]+", " ", subject)
    charset = "us-ascii" if subject.isascii() else "utf-8"
    return Header(subject, charset, header_name="Subject").encode(linesep="\r\n")


def render(message: Outgoing, from_email: str) -> bytes:
    """The RFC 5322 message: UTF-8 headers encoded as RFC 2047 words, the body in base64
    (no line of it can start with "." and any server takes it), CRLF line ends; it ends
    with CRLF, ready for the end-of-data line."""
    if "\n" in message.address or "\r" in message.address:
        raise TransportError("invalid address: a line break in it")
    key = re.sub(r"[^A-Za-z0-9._-]", "", message.key)
    head = (
        f"From: {header_address(from_email)}\r\nTo: {header_address(message.address)}\r\n"
        f"Subject: {header_subject(message.subject)}\r\n"
        f"Date: {formatdate()}\r\nMessage-ID: <{key}@resilia>\r\n"
        f"X-Resilia-Delivery: {key}\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    )
    body = base64.encodebytes(message.body.encode()).replace(b"\n", b"\r\n")
    return head.encode("ascii") + body


class Email(Transport):
    kind = "email"
    address_field = "email"
    commits_before_accept = True
    fields = (
        Field("host", _("SMTP server")),
        Field("port", _("port"), integer=True, default=25),
        Field("username", _("user name"), required=False),
        Field("password", _("password"), required=False, secret=True),
        Field("use_tls", _("STARTTLS"), required=False, choices=(True, False), default=False),
        Field("from_email", _("sender address")),
        Field("rate_per_minute", _("messages per minute"), required=False, integer=True),
    )

    smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        c = self.config
        smtp = None
        try:
            smtp = smtplib.SMTP(c["host"], int(c["port"]), timeout=self.timeout)
            # The data and its last line are two writes: without this, the second waits for
            # the server's delayed ACK of the first (40 ms on Linux).
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            smtp.ehlo_or_helo_if_needed()
            if c.get("use_tls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if c.get("username"):
                smtp.login(c["username"], c.get("password") or "")
        except smtplib.SMTPAuthenticationError as exc:
            _drop(smtp)
            raise TransportError(f"authentication failed: {exc}", permanent=True) from exc
        except (OSError, smtplib.SMTPException) as exc:
            _drop(smtp)
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        self.smtp = smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                _drop(self.smtp)
            self.smtp = None

    def abort(self) -> None:
        """Drop the connection without a word: the server discards an unfinished message."""
        _drop(self.smtp)
        self.smtp = None

    def send(self, message: Outgoing, commit=None) -> None:
        data = render(message, self.config["from_email"])
        if self.smtp is None:
            self.open()
        smtp = self.smtp
        try:
            code, reply = smtp.mail(parseaddr(self.config["from_email"])[1])
            if code != 250:
                smtp.rset()
                raise TransportError(f"sender refused: {code} {reply.decode(errors='replace')}")
            code, reply = smtp.rcpt(parseaddr(message.address)[1])
            if code not in (250, 251):
                smtp.rset()
                raise TransportError(
                    f"recipient refused: {code} {reply.decode(errors='replace')}", permanent=False
                )
            code, reply = smtp.docmd("DATA")
            if code != 354:
                smtp.rset()
                raise TransportError(f"data refused: {code} {reply.decode(errors='replace')}")
            smtp.send(data)
            if commit is not None:
                commit_or_drop(commit, LastBytes(smtp.sock, END), self.abort, message.key)
            else:
                smtp.send(END)
            code, reply = smtp.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            self.abort()
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        if code != 250:
            raise TransportError(f"message refused: {code} {reply.decode(errors='replace')}")


def _drop(smtp) -> None:
    if smtp is not None:
        try:
            smtp.close()
        except OSError:
            pass
