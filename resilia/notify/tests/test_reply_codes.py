"""SMS reply codes (issue 12): six symbols a person cannot misread, unique among the open
deliveries, answered only from the number the code was sent to, with the answer the digit
after it picks."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client
from django.urls import reverse

from resilia.core.context import request_context
from resilia.notify import services as notify
from resilia.notify import tokens
from resilia.notify.dispatch import dispatch
from resilia.notify.models import Acknowledgement, Delivery
from resilia.notify.tests.conftest import T0
from resilia.notify.transports.webhook import signature

pytestmark = pytest.mark.django_db
SECRET = "rs3cret"


@pytest.fixture
def sms(setup):
    with request_context(source="test"):
        channel = notify.channel_create(
            actor=None,
            name="短信",
            kind="sms_http",
            config={"url": setup["receiver"].url(), "reply_secret": SECRET},
        )
        tpl = notify.template_create(
            actor=None,
            code="SMS",
            subject="{title}",
            body="{title}：回复 {reply_code} 1 到岗，2 不能",
        )
    return {"channel": channel, "tpl": tpl}


def _start(sms, people, who, kind="callout"):
    with request_context(source="test"):
        send = notify.send_start(
            actor=None,
            title="请到岗",
            kind=kind,
            template=sms["tpl"],
            channels=[sms["channel"]],
            people=[people[w] for w in who],
            now=T0,
        )
    dispatch(send.pk, now=T0)  # the SMS go out (to the local gateway) before anyone replies
    return send


def _reply(sms, sender: str, text: str):
    raw = json.dumps({"from": sender, "text": text}).encode()
    stamp = str(int(time.time()))
    return Client(HTTP_ACCEPT_LANGUAGE="en").post(
        reverse("notify:sms_reply", args=[sms["channel"].pk]),
        raw,
        content_type="application/json",
        headers={
            "X-Resilia-Timestamp": stamp,
            "X-Resilia-Signature": signature(SECRET, stamp, raw),
        },
    )


def _code(send, person) -> str:
    return Delivery.objects.get(send=send, person=person).reply_code


def test_it_gives_each_sms_a_six_symbol_code_a_person_cannot_misread(sms, people, setup):
    send = _start(sms, people, ("alice", "bob", "carol"))
    rows = list(Delivery.objects.filter(send=send))
    codes = [d.reply_code for d in rows]
    assert len(set(codes)) == 3
    for row in rows:
        assert len(row.reply_code) == 6
        assert not set(row.reply_code) & set("0O1IL")
        assert set(row.reply_code) <= set(tokens.REPLY_ALPHABET)
        assert f"回复 {row.reply_code} 1 到岗" in row.body
    sent = [r["text"] for r in setup["receiver"].json()]
    assert sorted(sent) == sorted(d.body for d in rows)  # the gateway got the codes


def test_it_draws_again_a_code_already_open(monkeypatch):
    # The random source is the outside world here: make it give a taken code first.
    symbols = iter("AAAAAA" + "BBBBBB" + "BBBBBB" + "CCCCCC")
    monkeypatch.setattr("secrets.choice", lambda alphabet: next(symbols))
    # AAAAAA is open, the second BBBBBB would repeat the first: both are drawn again.
    assert tokens.new_reply_codes(2, {"AAAAAA"}) == ["BBBBBB", "CCCCCC"]


def test_it_counts_only_open_deliveries_codes_as_taken(sms, people):
    running = _start(sms, people, ("alice",))
    closed = _start(sms, people, ("bob",))
    with request_context(source="test"):
        notify.send_close(actor=None, send=closed)
    taken = notify.open_reply_codes()
    assert _code(running, people["alice"]) in taken
    assert _code(closed, people["bob"]) not in taken


def test_it_acknowledges_from_the_number_the_code_was_sent_to_with_the_chosen_answer(sms, people):
    send = _start(sms, people, ("alice", "bob"))
    code = _code(send, people["alice"])
    response = _reply(sms, "+86 138-0000-0001", f"{code.lower()} 2")
    assert response.status_code == 200, response.content
    ack = Acknowledgement.objects.get(send=send)
    assert (ack.person, ack.answer, ack.via) == (people["alice"], "cannot", "sms")
    # A second reply changes the answer; the code alone is the first answer.
    assert _reply(sms, "13800000001", code).status_code == 200
    ack.refresh_from_db()
    assert ack.answer == "coming"
    assert not Acknowledgement.objects.filter(person=people["bob"]).exists()


def test_it_refuses_the_code_from_another_number(sms, people):
    send = _start(sms, people, ("alice", "bob"))
    code = _code(send, people["alice"])
    response = _reply(sms, people["bob"].mobile, f"{code} 1")
    assert response.status_code == 403
    assert response.json()["error"] == "This code was not sent to this number."
    assert not Acknowledgement.objects.exists()


def test_it_refuses_a_code_no_open_message_carries(sms, people):
    send = _start(sms, people, ("alice",))
    code = _code(send, people["alice"])
    with request_context(source="test"):
        notify.send_close(actor=None, send=send)
    response = _reply(sms, "13800000001", f"{code} 1")
    assert response.status_code == 404
    assert response.json()["error"] == "No message waits for this code."
    assert _reply(sms, "13800000001", "23456").status_code == 400  # too short: no code
    assert not Acknowledgement.objects.exists()


def test_it_refuses_an_answer_the_message_does_not_offer(sms, people):
    send = _start(sms, people, ("alice",), kind="alert")
    code = _code(send, people["alice"])
    response = _reply(sms, "13800000001", f"{code} 2")
    assert response.status_code == 400
    assert response.json()["error"] == "Reply the code, then 1 to 1."
    assert not Acknowledgement.objects.exists()


def test_it_answers_a_roll_call_i_need_help(sms, people, org_tree):
    with request_context(source="test"):
        send = notify.send_start(
            actor=None,
            title="平安确认",
            kind="rollcall",
            template=sms["tpl"],
            channels=[sms["channel"]],
            unit=org_tree["dept_a"],
            now=T0,
        )
    code = _code(send, people["alice"])
    assert _reply(sms, "13800000001", f"{code} 2").status_code == 200
    assert Acknowledgement.objects.get(send=send, person=people["alice"]).answer == "help"
