"""Templates (placeholders, languages, SMS length) and acknowledgements by signed link, by
SMS reply code and on the page; bad input refused with a clear message, nothing half-sent."""

from __future__ import annotations

import json
import time

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.notify import messages
from resilia.notify import services as notify
from resilia.notify.models import Acknowledgement, Delivery, Send
from resilia.notify.tests.conftest import T0
from resilia.notify.tokens import ack_token
from resilia.notify.transports.webhook import signature

pytestmark = pytest.mark.django_db


def test_it_refuses_a_template_with_an_unknown_placeholder(personas):
    with request_context(source="test"), pytest.raises(ValidationError) as exc:
        notify.template_create(
            actor=personas["manager"], code="BAD", subject="{title}", body="请于{deadlne}前到岗"
        )
    assert "{deadlne}" in str(exc.value)
    with request_context(source="test"), pytest.raises(ValidationError, match="brace"):
        notify.template_create(actor=personas["manager"], code="BAD2", subject="x", body="{title")


def test_it_renders_in_each_recipients_language(setup, personas, people):
    from resilia.conftest import make_user

    make_user("carol_en", "auditor", person=people["carol"], language="en")
    with request_context(source="test"):
        send = notify.send_start(
            actor=personas["manager"],
            title="停电",
            template=setup["tpl"],
            channels=[setup["email"]],
            people=[people["alice"], people["carol"]],
            context={"incident": "INC-3"},
            now=T0,
        )
    zh = Delivery.objects.get(send=send, person=people["alice"])
    en = Delivery.objects.get(send=send, person=people["carol"])
    assert zh.subject == "【应急】停电" and zh.body.startswith("张伟：INC-3。请确认：http")
    assert en.subject == "[Emergency] 停电" and en.body.startswith("王芳: INC-3. Please")


def test_it_counts_sms_segments_70_chinese_160_latin():
    """3GPP TS 23.040: 160 GSM-7 or 70 UCS-2 characters; 153 / 67 per part when split."""
    assert messages.sms_segments("a" * 160) == 1
    assert messages.sms_segments("a" * 161) == 2
    assert messages.sms_segments("中" * 70) == 1
    assert messages.sms_segments("中" * 71) == 2
    assert messages.sms_segments("中" * 135) == 3


def test_it_refuses_a_send_whose_sms_is_too_long_and_sends_nothing(setup, personas, people):
    with request_context(source="test"):
        sms = notify.channel_create(
            actor=None,
            name="短信",
            kind="sms_http",
            config={"url": setup["receiver"].url(), "max_segments": 1},
        )
        long_tpl = notify.template_create(
            actor=None, code="LONG", subject="x", body="请立即到岗。" * 20
        )
        with pytest.raises(ValidationError, match="segments"):
            notify.send_start(
                actor=None,
                title="t",
                template=long_tpl,
                channels=[sms],
                people=[people["alice"]],
                now=T0,
            )
    assert not Send.objects.exists() and not Delivery.objects.exists()


def _send(setup, people, kind="callout"):
    with request_context(source="test"):
        return notify.send_start(
            actor=None,
            title="请到岗",
            kind=kind,
            template=setup["tpl"],
            channels=[setup["email"]],
            people=[people["alice"]],
            now=T0,
        )


def test_it_acknowledges_by_the_signed_link_without_a_login(setup, people):
    send = _send(setup, people)
    url = reverse("notify:ack", args=[ack_token(send.pk, people["alice"].pk)])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(url)
    assert page.status_code == 200 and "I can come" in page.content.decode()
    done = client.post(url, {"answer": "coming"})
    assert done.status_code == 200 and 'id="ack-done"' in done.content.decode()
    ack = Acknowledgement.objects.get(send=send, person=people["alice"])
    assert (ack.answer, ack.via) == ("coming", "link")
    event = AuditEvent.objects.get(action="notify.acknowledge")
    assert event.changes["answer"] == [None, "coming"]
    assert Delivery.objects.get(send=send).status == "skipped"  # not yet sent: never will be


def test_it_refuses_an_altered_or_expired_link(setup, people, settings):
    send = _send(setup, people)
    token = ack_token(send.pk, people["alice"].pk)
    altered = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        reverse("notify:ack", args=[token[:-2] + "xx"]), {"answer": "coming"}
    )
    assert altered.status_code == 400 and "altered" in altered.content.decode()
    from unittest import mock

    with (
        mock.patch("resilia.notify.tokens.MAX_AGE", -1),
        mock.patch(
            "resilia.notify.views_public.read_token",
            lambda t: signing.loads(t, salt="resilia.notify.ack", max_age=-1),
        ),
    ):
        old = Client(HTTP_ACCEPT_LANGUAGE="en").post(
            reverse("notify:ack", args=[token]), {"answer": "coming"}
        )
    assert old.status_code == 410 and "expired" in old.content.decode()
    assert not Acknowledgement.objects.exists()


def test_it_refuses_an_answer_the_message_did_not_ask_for(setup, people):
    send = _send(setup, people)
    url = reverse("notify:ack", args=[ack_token(send.pk, people["alice"].pk)])
    assert Client(HTTP_ACCEPT_LANGUAGE="en").post(url, {"answer": "safe"}).status_code == 400
    assert not Acknowledgement.objects.exists()


def _reply(client, channel, body: dict, secret="rs3cret", stamp=None):
    raw = json.dumps(body).encode()
    stamp = stamp or str(int(time.time()))
    return client.post(
        reverse("notify:sms_reply", args=[channel.pk]),
        raw,
        content_type="application/json",
        headers={
            "X-Resilia-Timestamp": stamp,
            "X-Resilia-Signature": signature(secret, stamp, raw),
        },
    )


def test_it_acknowledges_by_a_signed_sms_reply_code(setup, people):
    with request_context(source="test"):
        sms = notify.channel_create(
            actor=None,
            name="短信",
            kind="sms_http",
            config={"url": setup["receiver"].url(), "reply_secret": "rs3cret"},
        )
        send = notify.send_start(
            actor=None,
            title="请到岗",
            kind="callout",
            template=setup["tpl"],
            channels=[sms],
            people=[people["alice"]],
            now=T0,
        )
    code = Delivery.objects.get(send=send).reply_code
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert (
        _reply(
            client, sms, {"from": "+86 138 0000 0001", "text": f"{code} 2"}, secret="wrong"
        ).status_code
        == 403
    )
    assert _reply(client, sms, {"from": "13800000001", "text": "hello"}).status_code == 400
    assert (
        client.post(
            reverse("notify:sms_reply", args=[sms.pk]), b"{", content_type="application/json"
        ).status_code
        == 403
    )
    ok = _reply(client, sms, {"from": "+86 138 0000 0001", "text": f"{code} 2"})
    assert ok.status_code == 200, ok.content
    ack = Acknowledgement.objects.get(send=send)
    assert (ack.answer, ack.via) == ("cannot", "sms")
