"""DingTalk (钉钉): a group robot (optionally signed), or a work notification from an
application (an action card whose button opens the acknowledgement link)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

from django.utils.translation import gettext_lazy as _

from resilia.notify.transports.base import Field, Outgoing, check_code
from resilia.notify.transports.modes import APP, ROBOT, RobotOrApp

# 130101: sending too fast; -1: busy.
TEMPORARY = (130101, -1)


def robot_sign(secret: str, timestamp_ms: str) -> str:
    """DingTalk's robot signature: base64(HMAC-SHA256(secret, "<ms>\\n<secret>")), URL-quoted."""
    mac = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256)
    return quote_plus(base64.b64encode(mac.digest()).decode())


class DingTalk(RobotOrApp):
    kind = "dingtalk"
    rate = (20, 60.0)
    fields = (
        Field("mode", _("mode"), choices=(ROBOT, APP), default=ROBOT),
        Field("webhook_url", _("robot webhook address"), required=False, url=True),
        Field("sign_secret", _("robot signing secret"), required=False, secret=True),
        Field("api_base", _("API address"), url=True, default="https://oapi.dingtalk.com"),
        Field("app_key", _("app key"), required=False),
        Field("app_secret", _("app secret"), required=False, secret=True),
        Field("agent_id", _("agent ID"), required=False),
        Field("rate_per_minute", _("messages per minute"), required=False, integer=True),
    )
    user_id_field = "dingtalk_id"
    app_fields = ("app_key", "app_secret", "agent_id")

    def send(self, message: Outgoing, commit=None) -> None:
        if self.robot:
            url = self.config["webhook_url"]
            if self.config.get("sign_secret"):
                stamp = str(int(time.time() * 1000))
                sign = robot_sign(self.config["sign_secret"], stamp)
                url += ("&" if "?" in url else "?") + f"timestamp={stamp}&sign={sign}"
            payload = {
                "msgtype": "text",
                "text": {"content": f"{message.subject}\n{message.body}"},
                "at": {"atMobiles": [message.mobile] if message.mobile else []},
            }
            return check_code(self.post_json(url, payload), field="errcode", temporary=TEMPORARY)
        base = self.config["api_base"].rstrip("/")
        if not self.token:
            reply = self.http(
                "GET",
                f"{base}/gettoken",
                params={"appkey": self.config["app_key"], "appsecret": self.config["app_secret"]},
            )
            check_code(reply, field="errcode", temporary=TEMPORARY)
            self.token = reply.get("access_token", "")
        card = {
            "title": message.subject,
            "markdown": message.body,
            "single_title": "确认 OK",
            "single_url": message.ack_url or base,
        }
        reply = self.post_json(
            f"{base}/topapi/message/corpconversation/asyncsend_v2?access_token={self.token}",
            {
                "agent_id": self.config["agent_id"],
                "userid_list": message.address,
                "msg": {"msgtype": "action_card", "action_card": card},
            },
        )
        check_code(reply, field="errcode", temporary=TEMPORARY)
