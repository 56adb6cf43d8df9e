"""The channel kinds: one transport module per kind (CONVENTIONS.md item 9)."""

from __future__ import annotations

from resilia.notify.transports.base import Outgoing, Transport, TransportError
from resilia.notify.transports.dingtalk import DingTalk
from resilia.notify.transports.email import Email
from resilia.notify.transports.feishu import Feishu
from resilia.notify.transports.sms_http import SmsHttp
from resilia.notify.transports.webhook import Webhook
from resilia.notify.transports.wecom import WeCom

TRANSPORTS: dict[str, type[Transport]] = {
    t.kind: t for t in (Email, SmsHttp, WeCom, DingTalk, Feishu, Webhook)
}

__all__ = ["TRANSPORTS", "Outgoing", "Transport", "TransportError", "transport_for"]


def transport_for(channel) -> Transport:
    """The transport of a channel row, reading its configuration."""
    return TRANSPORTS[channel.kind](channel)
