"""Call trees and escalation policies against a real local SMTP server and HTTP receiver,
on a controllable clock (issue 12, "Done when"): waves every N minutes while fewer than K
acknowledged, repeats at most M times, deputies step in, an acknowledgement stops every
further message to that person whatever the channel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.notify import services as notify
from resilia.notify.dispatch import dispatch
from resilia.notify.models import Delivery, Send
from resilia.notify.tests.conftest import T0
from resilia.org import services as org

pytestmark = pytest.mark.django_db


def minutes(n):
    return T0 + dt.timedelta(minutes=n)


def start(setup, personas, *, quorum=1, repeat=0, channels=("email", "hook")):
    with request_context(source="test"):
        policy = notify.policy_create(
            actor=personas["manager"],
            code=f"P{quorum}{repeat}",
            name="数据库故障升级",
            quorum=quorum,
            repeat_limit=repeat,
            steps=[
                {"call_tree": setup["duty"], "wait_minutes": 5},
                {"call_tree": setup["dba"], "wait_minutes": 10},
            ],
        )
        return notify.send_start(
            actor=personas["manager"],
            title="核心数据库故障",
            template=setup["tpl"],
            channels=[setup[c] for c in channels],
            policy=policy,
            context={"incident": "INC-001 核心数据库宕机"},
            now=T0,
        )


def mailed(setup) -> list[str]:
    return sorted(m["X-Envelope-To"] for m in setup["smtp"].messages)


def test_it_escalates_wave_by_wave_on_the_clock_until_the_quorum(setup, personas, people):
    send = start(setup, personas)
    assert dispatch(send.pk, now=T0)["sent"] == 2  # alice: e-mail and webhook
    assert mailed(setup) == ["zhang.wei@example.com"]
    assert len(setup["receiver"].requests) == 1

    # Four minutes on: the wait (5 min) is not over, nothing new goes out.
    assert notify.sends_tick(now=minutes(4))["advanced"] == {}
    # Five minutes: nobody answered, the second wave reaches the DBAs.
    assert notify.sends_tick(now=minutes(5))["advanced"] == {send.pk: "wave"}
    dispatch(send.pk, now=minutes(5))
    assert mailed(setup) == ["li.na@example.com", "wang.fang@example.com", "zhang.wei@example.com"]

    with request_context(source="test"):
        notify.acknowledge(
            actor=None, send=send, person=people["bob"], answer="ack", via="link", now=minutes(6)
        )
    send.refresh_from_db()
    assert send.status == Send.Status.FINISHED  # quorum 1 reached: no further waves
    assert notify.sends_tick(now=minutes(60))["advanced"] == {}
    assert (
        Delivery.objects.filter(send=send, person=people["bob"])
        .values_list("status", flat=True)
        .distinct()
        .get()
        == Delivery.Status.ACKNOWLEDGED
    )
    actions = list(
        AuditEvent.objects.filter(object_type="notify.send", object_id=str(send.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "notify.send_start",
        "notify.send_wave",
        "notify.acknowledge",
        "notify.send_finish",
    ]


def test_it_repeats_at_most_m_times_and_stops_messaging_whoever_acknowledged(
    setup, personas, people
):
    """Quorum 2 ("2 DBAs on site"), repeat 1: waves 0-3, then the policy is exhausted."""
    send = start(setup, personas, quorum=2, repeat=1, channels=("email",))
    dispatch(send.pk, now=T0)
    notify.sends_tick(now=minutes(5))
    dispatch(send.pk, now=minutes(5))
    with request_context(source="test"):
        # Carol answers through the webhook-linked page: it counts for every channel.
        notify.acknowledge(
            actor=None, send=send, person=people["carol"], answer="ack", via="web", now=minutes(7)
        )
    assert notify.sends_tick(now=minutes(15))["advanced"] == {send.pk: "wave"}  # round 2: duty
    dispatch(send.pk, now=minutes(15))
    assert notify.sends_tick(now=minutes(20))["advanced"] == {send.pk: "wave"}  # round 2: DBAs
    dispatch(send.pk, now=minutes(20))
    assert notify.sends_tick(now=minutes(30))["advanced"] == {send.pk: "exhausted"}
    waves = list(
        Delivery.objects.filter(send=send)
        .order_by("wave", "person__full_name")
        .values_list("wave", "person__full_name")
    )
    # Round 2 starts again with the duty manager; its DBA wave leaves out carol, who answered.
    assert waves == [(0, "张伟"), (1, "李娜"), (1, "王芳"), (2, "张伟"), (3, "李娜")]
    assert mailed(setup).count("wang.fang@example.com") == 1


def test_it_brings_in_the_deputy_of_who_did_not_answer(setup, personas, people):
    with request_context(source="test"):
        org.person_update(actor=None, person=people["alice"], deputy=setup["dave"])
    send = start(setup, personas, channels=("email",))
    dispatch(send.pk, now=T0)
    notify.sends_tick(now=minutes(5))
    dispatch(send.pk, now=minutes(5))
    assert "liu.yang@example.com" in mailed(setup)
    assert Delivery.objects.get(send=send, person=setup["dave"]).wave == 1


def test_it_replaces_an_inactive_contact_by_their_deputy(setup, personas, people):
    with request_context(source="test"):
        org.person_update(actor=None, person=people["alice"], deputy=setup["dave"], is_active=False)
    send = start(setup, personas, channels=("email",))
    dispatch(send.pk, now=T0)
    assert mailed(setup) == ["liu.yang@example.com"]
    assert send.deliveries.count() == 1


def test_it_refuses_a_call_tree_contact_whose_deputies_form_a_cycle(setup, personas, people):
    with request_context(source="test"):
        org.person_update(actor=None, person=people["alice"], deputy=setup["dave"])
        org.person_update(actor=None, person=setup["dave"], deputy=people["alice"])
        # Two people backing each other up are a pair, accepted.
        notify.calltree_contact_add(actor=None, tree=setup["duty"], person=setup["dave"])
        org.person_update(actor=None, person=setup["dave"], deputy=people["carol"])
        org.person_update(actor=None, person=people["carol"], deputy=people["alice"])
        with pytest.raises(ValidationError, match="cycle"):
            notify.calltree_contact_add(
                actor=personas["manager"], tree=setup["dba"], person=people["alice"]
            )
    assert not setup["dba"].contacts.filter(person=people["alice"]).exists()


def test_the_minute_dispatches_a_send_with_work_left_once(setup, personas, people):
    """A send with many rows still due (queued, or left claimed by a dead worker) is
    dispatched once by the scheduler's minute, not once a row: a worker killed during a
    large fan-out would otherwise find thousands of tasks for one send on its queue."""
    with request_context(source="test"):
        send = notify.send_start(
            actor=personas["manager"],
            title="演练",
            template=setup["tpl"],
            channels=[setup["email"], setup["hook"]],
            people=[people["alice"], people["bob"], people["carol"], setup["dave"]],
            now=T0,
        )
    assert Delivery.objects.filter(send=send, status="queued").count() == 8
    Delivery.objects.filter(send=send, person=people["bob"]).update(
        status="sending", claimed_at=T0 - dt.timedelta(hours=1)
    )
    with request_context(source="test"):
        assert notify.sends_tick(now=minutes(1))["dispatched"] == [send.pk]
