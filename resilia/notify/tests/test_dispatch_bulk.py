"""The fan-out records in bulk: a batch costs the same queries whatever its size, one SMTP
connection carries the batch, and a late worker never records over a row taken back from it
(issue 12, fan-out speed; the kill -9 guarantee itself is test_kill.py)."""

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


def test_it_sends_a_batch_in_the_same_number_of_queries_whatever_its_size(
    setup, org_tree, settings
):
    # Outcomes are recorded at the batch's end (and every NOTIFY_FLUSH_MS, which only adds
    # records when sending is slow): with a wide window, the count is the batch's own.
    settings.NOTIFY_FLUSH_MS = 60_000
    small, large = _send(setup, org_tree, 3, "s"), _send(setup, org_tree, 40, "l")
    few, many = _queries(small), _queries(large)
    assert many == few, (few, many)
    # Take back stale rows (1); claim (savepoint, select, update, release, read: 5); the
    # answers so far (1); record (savepoint, insert attempts, update rows, release: 4); the
    # next, empty claim (3).
    assert many <= 14
    assert len(setup["smtp"].messages) == 43
    sent = Delivery.objects.filter(send=large)
    assert set(sent.values_list("status", flat=True)) == {"sent"}
    assert sent.filter(claim__isnull=False).count() == 0
    assert Attempt.objects.filter(delivery__send=large, ok=True, number=1).count() == 40
    assert all(d.sent_at == T0 and d.attempts == 1 for d in sent)


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
    book = dispatching._Book()
    book.add(row, status=Delivery.Status.SENT, attempts=1, sent_at=T0, attempt=(1, True, "", 5))
    book.flush()
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
