"""Delivery rows and attempts: retries with backoff, a permanent error switching the channel
off (audited, the admins told) with the fallback taking over, robot rate limits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.notify import services as notify
from resilia.notify.dispatch import dispatch
from resilia.notify.models import Attempt, Delivery
from resilia.notify.tests.conftest import T0

pytestmark = pytest.mark.django_db


def send_to(setup, personas, people, channels, who=("alice",)):
    with request_context(source="test"):
        return notify.send_start(
            actor=personas["manager"],
            title="机房停电",
            template=setup["tpl"],
            channels=channels,
            people=[people[w] for w in who],
            context={"incident": "INC-002"},
            now=T0,
        )


def test_it_retries_with_backoff_and_stores_every_attempt(setup, personas, people):
    setup["receiver"].replies = [(503, {}), (502, {})]
    send = send_to(setup, personas, people, [setup["hook"]])
    assert dispatch(send.pk, now=T0)["retry"] == 1
    row = Delivery.objects.get(send=send)
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.next_attempt_at == T0 + dt.timedelta(seconds=30)
    assert dispatch(send.pk, now=T0 + dt.timedelta(seconds=10)) == dict.fromkeys(
        ["sent", "failed", "retry", "skipped", "fallback"], 0
    )  # not due yet
    dispatch(send.pk, now=T0 + dt.timedelta(seconds=30))
    row.refresh_from_db()
    assert row.next_attempt_at == T0 + dt.timedelta(seconds=90)  # 30 s, then 60 s
    dispatch(send.pk, now=T0 + dt.timedelta(seconds=90))
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 3)
    assert list(Attempt.objects.filter(delivery=row).values_list("number", "ok")) == [
        (1, False),
        (2, False),
        (3, True),
    ]
    assert "HTTP 503" in Attempt.objects.get(delivery=row, number=1).error


def test_it_switches_a_channel_off_on_a_permanent_error_and_falls_back(setup, personas, people):
    with request_context(source="test"):
        notify.channel_update(actor=None, channel=setup["hook"], fallback=setup["email"])
    setup["receiver"].replies = [(401, {"error": "bad key"})]
    send = send_to(setup, personas, people, [setup["hook"]])
    dispatch(send.pk, now=T0)
    setup["hook"].refresh_from_db()
    assert not setup["hook"].is_active and "HTTP 401" in setup["hook"].disabled_reason
    assert AuditEvent.objects.filter(
        action="notify.channel_disable", object_id=str(setup["hook"].pk)
    ).exists()
    failed = Delivery.objects.get(send=send, channel=setup["hook"])
    assert failed.status == "failed" and "instead" in failed.error
    dispatch(send.pk, now=T0)  # the fallback row
    assert [m["X-Envelope-To"] for m in setup["smtp"].messages] == ["zhang.wei@example.com"]
    assert Delivery.objects.get(send=send, channel=setup["email"]).status == "sent"


def test_it_tells_the_admins_when_a_channel_is_switched_off(setup, personas, people, settings):
    settings.ADMINS = [("Admin", "admin@example.com")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with request_context(source="test"), pytest.MonkeyPatch.context():
        notify.channel_disable(actor=None, channel=setup["hook"], reason="HTTP 401")
    # on_commit never fires inside the test transaction: run the callbacks by hand.
    from django.db import connection

    for _sids, func, _robust in connection.run_on_commit:
        func()
    assert any("Webhook" in m.subject for m in mail.outbox)


def test_it_keeps_a_robot_to_its_rate_and_sends_the_rest_by_the_fallback(
    setup, personas, people, receiver, org_tree
):
    """WeCom group robots take 20 messages a minute (issue 12): the 21st goes by e-mail."""
    from resilia.org import services as org

    with request_context(source="test"):
        robot = notify.channel_create(
            actor=None,
            name="企业微信群机器人",
            kind="wecom",
            config={"webhook_url": receiver.url()},
            fallback=setup["email"],
        )
        many = [
            org.person_create(
                actor=None,
                full_name=f"员工{i:02}",
                unit=org_tree["dept_a"],
                mobile=f"139000000{i:02}",
                email=f"e{i}@example.com",
            )
            for i in range(22)
        ]
        send = notify.send_start(
            actor=None, title="演练", template=setup["tpl"], channels=[robot], people=many, now=T0
        )
    counts = dispatch(send.pk, now=T0)
    # 20 by the robot, 2 moved to e-mail and sent in the same run.
    assert counts["sent"] == 22 and counts["fallback"] == 2
    assert len(receiver.requests) == 20
    assert len(setup["smtp"].messages) == 2


def test_it_defers_a_robot_over_its_rate_without_a_fallback(
    setup, personas, people, receiver, org_tree
):
    from resilia.org import services as org

    with request_context(source="test"):
        robot = notify.channel_create(
            actor=None, name="飞书机器人", kind="feishu", config={"webhook_url": receiver.url()}
        )
        many = [
            org.person_create(actor=None, full_name=f"员工{i}", unit=org_tree["dept_a"])
            for i in range(7)
        ]
        send = notify.send_start(
            actor=None, title="演练", template=setup["tpl"], channels=[robot], people=many, now=T0
        )
    assert dispatch(send.pk, now=T0)["sent"] == 5  # Feishu: 5 a second per chat
    later = Delivery.objects.filter(send=send, status="queued")
    assert later.count() == 2 and all(d.next_attempt_at > T0 for d in later)
    assert dispatch(send.pk, now=T0 + dt.timedelta(seconds=1))["sent"] == 2
