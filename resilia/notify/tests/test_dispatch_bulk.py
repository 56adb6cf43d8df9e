"""The fan-out claims in batches and records each message right after its send: a message
costs one short transaction and nothing else, the next message goes out only once the last is
recorded, one SMTP connection carries a lane's messages, and a late worker never records over
a row taken back from it (issue 12, fan-out speed; the kill -9 guarantee is test_kill.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resilia.core.context import request_context
from resilia.notify import dispatch as dispatching
from resilia.notify import services as notify
from resilia.notify.models import Attempt, Delivery
from resilia.notify.tests.conftest import T0
from resilia.org import services as org

pytestmark = pytest.mark.django_db


def _send(setup, org_tree, n, tag):
    with request_context(source="test"):
        people = [
            org.person_create(
                actor=None,
                full_name=f"员工{tag}{i:02}",
                unit=org_tree["dept_a"],
                email=f"{tag}{i}@example.com",
            )
            for i in range(n)
        ]
        return notify.send_start(
            actor=None,
            title="演练",
            template=setup["tpl"],
            channels=[setup["email"]],
            people=people,
            now=T0,
        )


def _queries(send) -> int:
    with CaptureQueriesContext(connection) as ctx:
        counts = dispatching.dispatch(send.pk, now=T0)
    assert counts["sent"] == Delivery.objects.filter(send=send).count()
    return len(ctx.captured_queries)


def test_it_costs_each_message_one_short_transaction_and_nothing_more(setup, org_tree):
    small, large = _send(setup, org_tree, 3, "s"), _send(setup, org_tree, 40, "l")
    few, many = _queries(small), _queries(large)
    # Per message: its record (savepoint, insert the attempt, update the row, release);
    # the claim, the answers read and the recovery stay per batch.
    assert many - few == (40 - 3) * 4, (few, many)
    assert len(setup["smtp"].messages) == 43
    sent = Delivery.objects.filter(send=large)
    assert set(sent.values_list("status", flat=True)) == {"sent"}
    assert sent.filter(claim__isnull=False).count() == 0
    assert Attempt.objects.filter(delivery__send=large, ok=True, number=1).count() == 40
    assert all(d.sent_at == T0 and d.attempts == 1 for d in sent)


def test_it_records_each_message_before_the_next_goes_out(setup, org_tree, monkeypatch):
    """What a kill -9 can catch unrecorded is the one message in flight, not a backlog."""
    from resilia.notify.transports.email import Email

    send = _send(setup, org_tree, 6, "r")
    unrecorded = []
    original = Email.send

    def checking_send(self, message, commit=None):
        arrived = {m["Message-ID"] for m in setup["smtp"].messages}
        recorded = {
            f"<{k}@resilia>"
            for k in Delivery.objects.filter(send=send, status="sent", tries__ok=True).values_list(
                "key", flat=True
            )
        }
        unrecorded.append(len(arrived - recorded))
        original(self, message, commit)

    monkeypatch.setattr(Email, "send", checking_send)
    assert dispatching.dispatch(send.pk, now=T0)["sent"] == 6
    assert unrecorded == [0] * 6


def test_a_refusal_after_the_data_is_a_retry_not_a_send(setup, org_tree, monkeypatch):
    """A server that refuses the message once its data is complete (a 554 after DATA): the
    row recorded sent goes back to a retry, its attempt recorded as failed, not sent."""

    send = _send(setup, org_tree, 1, "x")

    async def refuse(server, session, envelope):
        return "554 Message rejected"

    monkeypatch.setattr(setup["smtp"], "handle_DATA", refuse, raising=False)
    assert dispatching.dispatch(send.pk, now=T0)["retry"] == 1
    (row,) = Delivery.objects.filter(send=send)
    assert row.status == "queued" and row.attempts == 1 and "554" in row.error
    assert [(a.number, a.ok) for a in row.tries.all()] == [(1, False)]
    assert row.claim is None and row.sent_at is None


def test_it_claims_in_batches_and_records_every_row(setup, org_tree, monkeypatch):
    monkeypatch.setattr(dispatching, "BATCH", 7)
    send = _send(setup, org_tree, 16, "b")
    assert dispatching.dispatch(send.pk, now=T0)["sent"] == 16
    keys = {
        f"<{k}@resilia>" for k in Delivery.objects.filter(send=send).values_list("key", flat=True)
    }
    assert {m["Message-ID"] for m in setup["smtp"].messages} == keys


def test_it_reuses_one_smtp_connection_for_the_batch(setup, org_tree, monkeypatch):
    opened = []
    from resilia.notify.transports.email import Email

    original = Email.open

    def counting_open(self):
        opened.append(self.channel.pk)
        original(self)

    monkeypatch.setattr(Email, "open", counting_open)
    send = _send(setup, org_tree, 12, "c")
    dispatching.dispatch(send.pk, now=T0)
    assert opened == [setup["email"].pk]


def test_it_does_not_record_over_a_row_taken_back_from_a_late_worker(setup, org_tree):
    """A worker that stalled past its lease: its row was taken back and claimed again by
    another worker; the stalled worker's outcome must not overwrite the new claim."""
    send = _send(setup, org_tree, 1, "t")
    (row,) = dispatching._claim(send.pk, T0)
    later = T0 + dt.timedelta(seconds=dispatching.claim_seconds() + 1)
    assert dispatching.recover(send.pk, later) == 1
    (again,) = dispatching._claim(send.pk, later)
    recorded = dispatching._record(
        row, status=Delivery.Status.SENT, attempts=1, sent_at=T0, attempt=(1, True, "", 5)
    )
    assert recorded is False
    again.refresh_from_db()
    assert (again.status, again.attempts) == ("sending", 0)
    assert again.claim is not None and again.claim != row.claim
    assert not Attempt.objects.filter(delivery=again).exists()


def test_it_creates_nothing_twice_when_a_wave_is_queued_again(setup, org_tree):
    send = _send(setup, org_tree, 5, "q")
    people = [d.person for d in Delivery.objects.filter(send=send).select_related("person")]
    before = set(Delivery.objects.filter(send=send).values_list("pk", "key"))
    notify.queue_wave(send, people, wave=0, now=T0)
    assert set(Delivery.objects.filter(send=send).values_list("pk", "key")) == before
    assert len(before) == 5


def test_it_builds_the_same_acknowledgement_link_as_reversing_it():
    from django.urls import reverse

    from resilia.notify.tokens import ack_token, ack_url, read_token

    url = ack_url(12, 34, "https://resilia.example/")
    assert url == "https://resilia.example" + reverse("notify:ack", args=[ack_token(12, 34)])
    assert read_token(url.rstrip("/").rsplit("/", 1)[1]) == (12, 34)


def test_its_lanes_share_one_rate_limit_per_channel(setup):
    """Parallel lanes sending to a robot (20 a minute) let 20 through in all, not 20 each."""
    import threading

    run = dispatching._Run(fixed=True)
    assert run.take(setup["hook"], (20, 60.0), T0) == 0  # the first, seeding the window
    waits, start = [], threading.Barrier(8)

    def lane():
        start.wait()
        for _ in range(5):
            waits.append(run.take(setup["hook"], (20, 60.0), T0))

    threads = [threading.Thread(target=lane) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(1 for w in waits if w == 0) == 19
    assert all(w == 60.0 for w in waits if w != 0)
