"""Feishu (飞书): a group bot (5 messages a second per chat, optionally signed), or an
application message (an interactive card whose button opens the acknowledgement link)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from django.utils.translation import gettext_lazy as _

from resilia.notify.transports.base import Field, Outgoing, check_code
from resilia.notify.transports.modes import APP, ROBOT, RobotOrApp

# 9499 / 11232: too many requests.
TEMPORARY = (9499, 11232)


def bot_sign(secret: str, timestamp: str) -> str:
    """Feishu's bot signature: base64(HMAC-SHA256(key="<ts>\\n<secret>", message=b""))."""
    mac = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


class Feishu(RobotOrApp):
    kind = "feishu"
    rate = (5, 1.0)
    fields = (
        Field("mode", _("mode"), choices=(ROBOT, APP), default=ROBOT),
        Field("webhook_url", _("robot webhook address"), required=False, url=True),
        Field("sign_secret", _("robot signing secret"), required=False, secret=True),
        Field("api_base", _("API address"), url=True, default="https://open.feishu.cn"),
        Field("app_id", _("app ID"), required=False),
        Field("app_secret", _("app secret"), required=False, secret=True),
        Field("rate_per_minute", _("messages per minute"), required=False, integer=True),
    )
    user_id_field = "feishu_id"
    app_fields = ("app_id", "app_secret")

    def send(self, message: Outgoing, commit=None) -> None:
        if self.robot:
            payload = {
                "msg_type": "text",
                "content": {"text": f"{message.subject}\n{message.body}"},
            }
            if self.config.get("sign_secret"):
                stamp = str(int(time.time()))
                payload |= {"timestamp": stamp, "sign": bot_sign(self.config["sign_secret"], stamp)}
            reply = self.post_json(self.config["webhook_url"], payload)
            return check_code(reply, field="code", temporary=TEMPORARY)
        base = self.config["api_base"].rstrip("/")
        if not self.token:
            reply = self.post_json(
                f"{base}/open-apis/auth/v3/tenant_access_token/internal",
                {"app_id": self.config["app_id"], "app_secret": self.config["app_secret"]},
            )
            check_code(reply, field="code", temporary=TEMPORARY)
            self.token = reply.get("tenant_access_token", "")
        import json

        card = {
            "header": {"title": {"tag": "plain_text", "content": message.subject}},
            "elements": [
                {"tag": "div", "text": {"tag": "plain_text", "content": message.body}},
                {
                    "tag": "action",
                    "actions": [
                        {
                            "tag": "button",
                            "type": "primary",
                            "text": {"tag": "plain_text", "content": "确认 OK"},
                            "url": message.ack_url or base,
                        }
                    ],
                },
            ],
        }
        reply = self.post_json(
            f"{base}/open-apis/im/v1/messages?receive_id_type=user_id",
            {
                "receive_id": message.address,
                "msg_type": "interactive",
                "content": json.dumps(card, ensure_ascii=False),
            },
            headers={"Authorization": f"Bearer {self.token}"},
        )
        check_code(reply, field="code", temporary=TEMPORARY)
