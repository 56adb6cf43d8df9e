"""Each transport against a real local peer: what it sends, how it signs, how it reads the
peer's errors (permanent or worth a retry), and the configurations it refuses."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
from django.core.exceptions import ValidationError

from resilia.notify.models import Channel
from resilia.notify.transports import Outgoing, TransportError, transport_for
from resilia.notify.transports.sms_http import aliyun_signed_query
from resilia.notify.transports.webhook import signature

MSG = Outgoing(
    address="13800000001",
    subject="【应急】停电",
    body="请确认",
    key="k-1",
    ack_url="http://x/a/t/",
    mobile="13800000001",
)


def channel(kind, **config):
    return Channel(name=kind, kind=kind, config=config)


def test_it_signs_a_webhook_with_an_hmac_header(receiver):
    transport = transport_for(channel("webhook", url=receiver.url(), secret="s3cret"))
    transport.send(MSG)
    (req,) = receiver.requests
    stamp = req["headers"]["X-Resilia-Timestamp"]
    assert req["headers"]["X-Resilia-Signature"] == signature("s3cret", stamp, req["body"].encode())
    assert req["headers"]["Idempotency-Key"] == "k-1"
    assert json.loads(req["body"])["ack_url"] == "http://x/a/t/"


def test_it_posts_to_a_wecom_robot_mentioning_the_mobile(receiver):
    transport_for(channel("wecom", webhook_url=receiver.url())).send(MSG)
    body = receiver.json()[0]
    assert body["msgtype"] == "text"
    assert body["text"]["mentioned_mobile_list"] == ["13800000001"]


def test_it_signs_a_dingtalk_robot_call(receiver):
    transport_for(
        channel(
            "dingtalk", webhook_url=receiver.url("/robot/send?access_token=t"), sign_secret="SEC"
        )
    ).send(MSG)
    query = parse_qs(urlsplit(receiver.requests[0]["path"]).query)
    stamp, sign = query["timestamp"][0], query["sign"][0]
    mac = hmac.new(b"SEC", f"{stamp}\nSEC".encode(), hashlib.sha256).digest()
    assert (
        unquote_plus(sign) == base64.b64encode(mac).decode()
        or sign == base64.b64encode(mac).decode()
    )
    assert receiver.json()[0]["at"]["atMobiles"] == ["13800000001"]


def test_it_signs_a_feishu_bot_call(receiver):
    transport_for(channel("feishu", webhook_url=receiver.url(), sign_secret="SEC")).send(MSG)
    body = receiver.json()[0]
    mac = hmac.new(f"{body['timestamp']}\nSEC".encode(), b"", hashlib.sha256).digest()
    assert body["sign"] == base64.b64encode(mac).decode()


def test_it_sends_a_wecom_app_card_with_the_ack_button(receiver):
    receiver.replies = [(200, {"errcode": 0, "access_token": "TOK"}), (200, {"errcode": 0})]
    t = transport_for(
        channel(
            "wecom",
            mode="app",
            api_base=receiver.url(""),
            corp_id="c",
            secret="s",
            agent_id="1000002",
        )
    )
    t.send(Outgoing(**{**MSG.__dict__, "address": "zhangwei"}))
    assert receiver.requests[1]["path"] == "/cgi-bin/message/send?access_token=TOK"
    card = receiver.json()[0]
    assert card["touser"] == "zhangwei" and card["textcard"]["url"] == "http://x/a/t/"


def test_it_takes_a_robot_errcode_for_a_permanent_error_and_busy_for_a_retry(receiver):
    t = transport_for(channel("wecom", webhook_url=receiver.url()))
    receiver.replies = [
        (200, {"errcode": 93000, "errmsg": "invalid webhook url"}),
        (200, {"errcode": 45009, "errmsg": "api freq out of limit"}),
    ]
    with pytest.raises(TransportError) as bad:
        t.send(MSG)
    assert bad.value.permanent
    with pytest.raises(TransportError) as busy:
        t.send(MSG)
    assert not busy.value.permanent


def test_it_retries_a_5xx_and_gives_up_on_a_4xx(receiver):
    t = transport_for(channel("sms_http", url=receiver.url()))
    receiver.replies = [(503, {}), (401, {})]
    with pytest.raises(TransportError) as first:
        t.send(MSG)
    with pytest.raises(TransportError) as second:
        t.send(MSG)
    assert (first.value.permanent, second.value.permanent) == (False, True)


def test_it_cannot_reach_a_peer_that_is_not_there():
    t = transport_for(channel("webhook", url="http://127.0.0.1:9/", secret="x"))
    with pytest.raises(TransportError) as exc:
        t.send(MSG)
    assert not exc.value.permanent


def test_it_signs_an_aliyun_style_sms_request(receiver):
    receiver.replies = [(200, {"Code": "OK"})]
    transport_for(
        channel(
            "sms_http",
            style="aliyun",
            url=receiver.url("/"),
            access_key_id="AK",
            access_key_secret="SK",
            sign_name="示例银行",
            template_code="SMS_1",
        )
    ).send(MSG)
    params = {k: v[0] for k, v in parse_qs(receiver.requests[0]["body"]).items()}
    given = params.pop("Signature")
    assert aliyun_signed_query(params, "SK")["Signature"] == given
    assert params["PhoneNumbers"] == "13800000001" and params["Action"] == "SendSms"


def test_it_reads_a_tencent_style_error(receiver):
    receiver.replies = [
        (200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "bad"}}})
    ]
    t = transport_for(
        channel(
            "sms_http",
            style="tencent",
            url=receiver.url("/"),
            access_key_id="AK",
            access_key_secret="SK",
            sign_name="示例",
            template_code="1",
            sdk_app_id="14",
        )
    )
    with pytest.raises(TransportError) as exc:
        t.send(MSG)
    assert exc.value.permanent
    assert receiver.requests[0]["headers"]["Authorization"].startswith("TC3-HMAC-SHA256 ")


def test_it_sends_e_mail_with_the_delivery_key_as_message_id(smtp_server):
    t = transport_for(
        channel(
            "email",
            host="127.0.0.1",
            port=smtp_server.controller.port,
            from_email="bcm@example.com",
        )
    )
    t.send(Outgoing(**{**MSG.__dict__, "address": "a@example.com"}))
    t.close()
    (mail,) = smtp_server.messages
    assert mail["Message-ID"] == "<k-1@resilia>" and mail["Subject"] == "【应急】停电"


@pytest.mark.parametrize(
    ("kind", "config", "words"),
    [
        ("email", {"port": 25}, "required"),
        ("webhook", {"url": "ftp://nowhere", "secret": "x"}, "http(s)"),
        ("wecom", {"mode": "app"}, "required"),
        ("sms_http", {"url": "http://gw", "style": "aliyun"}, "required"),
        ("email", {"host": "h", "from_email": "a@b", "port": "x"}, "whole number"),
        ("webhook", {"url": "http://h", "secret": "x", "colour": "red"}, "Unknown"),
    ],
)
def test_it_refuses_an_incomplete_or_wrong_configuration(kind, config, words):
    with pytest.raises(ValidationError) as exc:
        transport_for(channel(kind, **config)).validate_config()
    assert words in " ".join(exc.value.messages)


def _email(smtp_server):
    return transport_for(
        channel(
            "email",
            host="127.0.0.1",
            port=smtp_server.controller.port,
            from_email="应急办公室 <bcm@example.com>",
        )
    )


def _whole(last) -> bool:
    """A dispatcher's `commit` that records nothing and writes the last bytes."""
    last.send_all()
    return True


def test_an_e_mail_whose_record_is_refused_never_reaches_the_server(smtp_server):
    """The dispatcher's commit refusing (the row taken back by another worker): the message
    is dropped before its last line, so the server keeps nothing; the next goes through on
    a new connection. Issue 12: nothing sent twice."""
    from resilia.notify.transports.base import Withdrawn

    t = _email(smtp_server)
    first = Outgoing(**{**MSG.__dict__, "address": "a@example.com", "key": "k-dropped"})
    with pytest.raises(Withdrawn):
        t.send(first, commit=lambda last: False)
    calls = []
    second = Outgoing(**{**MSG.__dict__, "address": "b@example.com", "key": "k-kept"})
    t.send(second, commit=lambda last: calls.append(1) or _whole(last))
    t.close()
    # The second's 250 came after the first connection was dropped: the server has answered
    # for everything it was ever going to keep.
    assert [m["Message-ID"] for m in smtp_server.messages] == ["<k-kept@resilia>"]
    assert calls == [1]
    (mail,) = smtp_server.messages
    assert mail["X-Envelope-To"] == "b@example.com"
    assert str(mail["From"]) == "应急办公室 <bcm@example.com>"
    assert mail.get_content().strip() == "请确认"


def test_a_webhook_whose_record_is_refused_never_reaches_the_receiver(receiver):
    """As for e-mail: the body's last byte is never sent, so the receiver reads a short
    request and drops it; the next request goes through on a new connection."""
    from resilia.notify.transports.base import Withdrawn

    t = transport_for(channel("webhook", url=receiver.url(), secret="s3cret"))
    with pytest.raises(Withdrawn):
        t.send(Outgoing(**{**MSG.__dict__, "key": "k-dropped"}), commit=lambda last: False)
    t.send(Outgoing(**{**MSG.__dict__, "key": "k-kept"}), commit=_whole)
    t.send(Outgoing(**{**MSG.__dict__, "key": "k-again"}))  # the kept connection, reused
    t.close()
    assert [r["headers"]["Idempotency-Key"] for r in receiver.requests] == ["k-kept", "k-again"]


def test_a_webhook_refusal_is_classified_after_the_last_byte(receiver):
    """429 and 5xx are temporary, another 4xx permanent (it switches the channel off)."""
    t = transport_for(channel("webhook", url=receiver.url(), secret="s3cret"))
    receiver.replies[:] = [(503, {}), (400, {"error": "bad"})]
    with pytest.raises(TransportError) as busy:
        t.send(MSG, commit=_whole)
    with pytest.raises(TransportError) as bad:
        t.send(MSG, commit=_whole)
    assert not busy.value.permanent and "503" in str(busy.value)
    assert bad.value.permanent and "400" in str(bad.value)
