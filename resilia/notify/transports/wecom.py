"""WeCom (企业微信): a group robot, or an application message (a text card whose button opens
the acknowledgement link). Group robots take 20 messages a minute and cannot receive replies."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from resilia.notify.transports.base import Field, Outgoing, check_code
from resilia.notify.transports.modes import APP, ROBOT, RobotOrApp

# 45009: over the API's frequency limit; -1: system busy. Worth a retry, nothing else is.
TEMPORARY = (45009, -1)


class WeCom(RobotOrApp):
    kind = "wecom"
    rate = (20, 60.0)
    fields = (
        Field("mode", _("mode"), choices=(ROBOT, APP), default=ROBOT),
        Field("webhook_url", _("robot webhook address"), required=False, url=True),
        Field("api_base", _("API address"), url=True, default="https://qyapi.weixin.qq.com"),
        Field("corp_id", _("corp ID"), required=False),
        Field("secret", _("application secret"), required=False, secret=True),
        Field("agent_id", _("agent ID"), required=False),
        Field("rate_per_minute", _("messages per minute"), required=False, integer=True),
    )

    user_id_field = "wecom_id"
    app_fields = ("corp_id", "secret", "agent_id")

    def send(self, message: Outgoing, commit=None) -> None:
        if self.robot:
            text = f"{message.subject}\n{message.body}"
            reply = self.post_json(
                self.config["webhook_url"],
                {
                    "msgtype": "text",
                    "text": {
                        "content": text,
                        "mentioned_mobile_list": [message.mobile] if message.mobile else [],
                    },
                },
            )
            return check_code(reply, field="errcode", temporary=TEMPORARY)
        base = self.config["api_base"].rstrip("/")
        if not self.token:
            reply = self.http(
                "GET",
                f"{base}/cgi-bin/gettoken",
                params={"corpid": self.config["corp_id"], "corpsecret": self.config["secret"]},
            )
            check_code(reply, field="errcode", temporary=TEMPORARY)
            self.token = reply.get("access_token", "")
        card = {
            "title": message.subject,
            "description": message.body[:500],
            "url": message.ack_url or "https://work.weixin.qq.com",
            "btntxt": "确认 OK",
        }
        reply = self.post_json(
            f"{base}/cgi-bin/message/send?access_token={self.token}",
            {
                "touser": message.address,
                "msgtype": "textcard",
                "agentid": self.config["agent_id"],
                "textcard": card,
            },
        )
        check_code(reply, field="errcode", temporary=TEMPORARY)
