"""SMS through an HTTP gateway: a generic JSON gateway, or the signed APIs in the style of
Aliyun (RPC signature, HMAC-SHA1) and Tencent Cloud (TC3-HMAC-SHA256). Every endpoint is
configurable, so a private gateway (or a test's local receiver) can stand in."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
import uuid
from urllib.parse import quote, urlsplit

from django.utils.translation import gettext_lazy as _

from resilia.notify.transports.base import Field, Outgoing, Transport, TransportError

GENERIC, ALIYUN, TENCENT = "generic", "aliyun", "tencent"


def _pct(value: str) -> str:
    return quote(value, safe="-_.~")


def aliyun_signed_query(params: dict, secret: str, method: str = "POST") -> dict:
    """Aliyun's RPC signature: HMAC-SHA1 over METHOD&%2F&<sorted, percent-encoded query>."""
    canonical = "&".join(f"{_pct(k)}={_pct(str(v))}" for k, v in sorted(params.items()))
    to_sign = f"{method}&%2F&{_pct(canonical)}"
    mac = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1)
    return params | {"Signature": base64.b64encode(mac.digest()).decode()}


def tencent_authorization(*, secret_id, secret_key, host, body: str, timestamp: int) -> str:
    """Tencent Cloud's TC3-HMAC-SHA256 Authorization header for a JSON POST to `host`."""
    service = host.split(".")[0]
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:application/json; charset=utf-8\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(body.encode()).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )

    def _h(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = _h(_h(_h(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders=content-type;host, Signature={sig}"
    )


class SmsHttp(Transport):
    kind = "sms_http"
    address_field = "mobile"
    fields = (
        Field("style", _("gateway style"), choices=(GENERIC, ALIYUN, TENCENT), default=GENERIC),
        Field("url", _("gateway address"), url=True),
        Field("token", _("access token"), required=False, secret=True),
        Field("access_key_id", _("access key ID"), required=False),
        Field("access_key_secret", _("access key secret"), required=False, secret=True),
        Field("sign_name", _("SMS signature"), required=False),
        Field("template_code", _("gateway template code"), required=False),
        Field("sdk_app_id", _("SDK app ID"), required=False),
        Field("region", _("region"), required=False, default="ap-guangzhou"),
        Field("max_segments", _("maximum segments"), integer=True, default=3),
        Field("reply_secret", _("reply webhook secret"), required=False, secret=True),
        Field("rate_per_minute", _("messages per minute"), required=False, integer=True),
    )

    def validate_config(self) -> None:
        super().validate_config()
        from django.core.exceptions import ValidationError

        style = self.config["style"]
        wanted = {
            ALIYUN: ("access_key_id", "access_key_secret", "sign_name", "template_code"),
            TENCENT: (
                "access_key_id",
                "access_key_secret",
                "sign_name",
                "template_code",
                "sdk_app_id",
            ),
        }.get(style, ())
        labels = {f.name: f.label for f in self.fields}
        missing = [labels[n] for n in wanted if not self.config.get(n)]
        if missing:
            raise ValidationError(
                {"config": [_("%(field)s is required.") % {"field": m} for m in missing]}
            )

    def send(self, message: Outgoing, commit=None) -> None:
        style = self.config["style"]
        text = message.body
        if style == ALIYUN:
            return self._aliyun(message.address, text)
        if style == TENCENT:
            return self._tencent(message.address, text)
        headers = {"Idempotency-Key": message.key}
        if self.config.get("token"):
            headers["Authorization"] = f"Bearer {self.config['token']}"
        reply = self.post_json(
            self.config["url"], {"to": message.address, "text": text, "key": message.key}, headers
        )
        if reply.get("ok") is False:
            raise TransportError(
                str(reply.get("error", reply))[:500], permanent=bool(reply.get("permanent"))
            )

    def _aliyun(self, mobile: str, text: str) -> None:
        c = self.config
        params = aliyun_signed_query(
            {
                "AccessKeyId": c["access_key_id"],
                "Action": "SendSms",
                "Format": "JSON",
                "PhoneNumbers": mobile,
                "SignName": c["sign_name"],
                "TemplateCode": c["template_code"],
                "TemplateParam": json.dumps({"content": text}, ensure_ascii=False),
                "SignatureMethod": "HMAC-SHA1",
                "SignatureNonce": uuid.uuid4().hex,
                "SignatureVersion": "1.0",
                "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "Version": "2017-05-25",
            },
            c["access_key_secret"],
        )
        reply = self.http("POST", c["url"], data=params)
        if reply.get("Code") != "OK":
            code = str(reply.get("Code", ""))
            raise TransportError(
                f"{code}: {reply.get('Message', '')}"[:500],
                permanent=not code.startswith(("isv.BUSINESS_LIMIT", "Throttling")),
            )

    def _tencent(self, mobile: str, text: str) -> None:
        c = self.config
        body = json.dumps(
            {
                "PhoneNumberSet": [mobile if mobile.startswith("+") else f"+86{mobile}"],
                "SmsSdkAppId": c["sdk_app_id"],
                "SignName": c["sign_name"],
                "TemplateId": c["template_code"],
                "TemplateParamSet": [text],
            },
            ensure_ascii=False,
        )
        stamp = int(time.time())
        host = urlsplit(c["url"]).hostname or ""
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Version": "2021-01-11",
            "X-TC-Timestamp": str(stamp),
            "X-TC-Region": c["region"],
            "Authorization": tencent_authorization(
                secret_id=c["access_key_id"],
                secret_key=c["access_key_secret"],
                host=host,
                body=body,
                timestamp=stamp,
            ),
        }
        reply = self.http("POST", c["url"], data=body.encode(), headers=headers)
        response = reply.get("Response", {})
        if "Error" in response:
            code = response["Error"].get("Code", "")
            raise TransportError(
                f"{code}: {response['Error'].get('Message', '')}"[:500],
                permanent=code.startswith(("AuthFailure", "InvalidParameter")),
            )
        status = (response.get("SendStatusSet") or [{}])[0]
        if status.get("Code") != "Ok":
            raise TransportError(f"{status.get('Code')}: {status.get('Message', '')}"[:500])
