"""Sending the queued deliveries of a send: claim, send, record, retry, fall back.

A worker claims a batch of rows at once (status SENDING, `claimed_at` and the batch's `claim`
token, committed before anything goes out), sends them over one connection per channel, and
records the outcomes in bulk: one transaction updates the rows still holding the token and
inserts their attempt rows, at the end of the batch and whenever `NOTIFY_FLUSH_MS` have passed
since the last record. The queries of a batch do not grow with its size.

A worker killed with kill -9 leaves the rows of its batch SENDING: the next dispatcher takes
those older than the claim lease back to QUEUED and sends them again with the same key
(Message-ID, Idempotency-Key), so nothing is lost, and a receiver that keeps keys drops the
copies a kill can make: those accepted since the last record (at most the last
`NOTIFY_FLUSH_MS` of sending; one message when a message takes longer than that).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import deque

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from resilia.core.context import request_context
from resilia.notify.models import Acknowledgement, Attempt, Delivery, Send
from resilia.notify.tokens import ack_url
from resilia.notify.transports import Outgoing, TransportError, transport_for

# Rows claimed at once. Large enough that the claim and the record are a small part of a
# batch's time, small enough that a batch's rows are sent within seconds of their claim.
BATCH = 200


def claim_seconds() -> int:
    return int(getattr(settings, "NOTIFY_CLAIM_SECONDS", 300))


def stale_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=claim_seconds())


class _Limiter:
    """A channel's sliding window of sends (messages per seconds), seeded from the rows."""

    def __init__(self, channel, limit, now):
        self.count, self.window = limit
        since = now - dt.timedelta(seconds=self.window)
        sent = Delivery.objects.filter(channel=channel, sent_at__gte=since).order_by("sent_at")
        self.times = deque(t.timestamp() for t in sent.values_list("sent_at", flat=True))

    def wait(self, at: float) -> float:
        """Seconds until one more message may go (0: now)."""
        while self.times and self.times[0] <= at - self.window:
            self.times.popleft()
        if len(self.times) < self.count:
            return 0.0
        return self.times[0] + self.window - at

    def note(self, at: float) -> None:
        self.times.append(at)


def _claim(send_id: int, now) -> list[Delivery]:
    """Claim up to BATCH due rows in one committed transaction; the rows this call got.

    PostgreSQL: the due rows are locked with SKIP LOCKED, so two workers take different
    rows. SQLite runs one writer at a time (IMMEDIATE transactions); the update takes only
    rows still queued and marks them with this batch's token, which the read then selects.
    """
    token = uuid.uuid4()
    with transaction.atomic():
        due = Delivery.objects.filter(
            send_id=send_id, status=Delivery.Status.QUEUED, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return []
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SENDING, claimed_at=now, claim=token
        )
    return list(
        Delivery.objects.filter(pk__in=ids, claim=token)
        .select_related("channel", "channel__fallback", "person", "send")
        .order_by("pk")
    )


def recover(send_id: int, now) -> int:
    """Take back rows claimed by a worker that died (claimed longer ago than the lease)."""
    return Delivery.objects.filter(
        send_id=send_id, status=Delivery.Status.SENDING, claimed_at__lt=stale_before(now)
    ).update(status=Delivery.Status.QUEUED, claimed_at=None, claim=None)


def dispatch(send_id: int, *, now=None, max_wait: float = 2.0) -> dict:
    """Send what is due for one send; returns counts. `now` fixes the clock (tests);
    otherwise a short rate-limit wait (≤ `max_wait` s) is slept, a longer one left queued."""
    fixed = now is not None
    counts = {"sent": 0, "failed": 0, "retry": 0, "skipped": 0, "fallback": 0}
    transports, limiters = {}, {}
    book = _Book()
    recover(send_id, now or timezone.now())
    try:
        while True:
            moment = now or timezone.now()
            batch = _claim(send_id, moment)
            if not batch:
                if fixed:
                    break
                wait = _next_due_in(send_id, moment)
                if wait is None or wait > max_wait:
                    break
                time.sleep(max(wait, 0.01))
                continue
            acked = set(
                Acknowledgement.objects.filter(
                    send_id=send_id, person_id__in=[d.person_id for d in batch]
                ).values_list("person_id", flat=True)
            )
            for delivery in batch:
                outcome = _one(delivery, acked, transports, limiters, moment, fixed, book)
                counts[outcome] += 1
                book.flush_if_due()
            book.flush()
    finally:
        # Record what went out before an error ends the run (the rest waits for its lease).
        book.flush()
        for transport in transports.values():
            transport.close()
    return counts


def _next_due_in(send_id, moment) -> float | None:
    first = (
        Delivery.objects.filter(send_id=send_id, status=Delivery.Status.QUEUED)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return None if first is None else (first - moment).total_seconds()


def _one(delivery, acked, transports, limiters, moment, fixed, book) -> str:
    channel = delivery.channel
    if delivery.person_id in acked or delivery.send.status != Send.Status.RUNNING:
        book.add(delivery, status=Delivery.Status.SKIPPED)
        return "skipped"
    if not channel.is_active:
        return _fall_back(delivery, _("The channel is switched off."), moment, book)
    transport = transports.get(channel.pk)
    if transport is None:
        transport = transports[channel.pk] = transport_for(channel)
    limit = transport.rate_limit()
    if limit:
        limiter = limiters.get(channel.pk) or limiters.setdefault(
            channel.pk, _Limiter(channel, limit, moment)
        )
        at = moment.timestamp() if fixed else time.time()
        wait = limiter.wait(at)
        if wait > 0:
            if channel.fallback_id:
                return _fall_back(delivery, _("Over the channel's rate limit."), moment, book)
            book.add(
                delivery,
                status=Delivery.Status.QUEUED,
                next_attempt_at=moment + dt.timedelta(seconds=wait),
                claimed_at=None,
            )
            return "retry"
        limiter.note(at)
    started = time.monotonic()
    number = delivery.attempts + 1
    try:
        transport.send(
            Outgoing(
                address=delivery.address,
                subject=delivery.subject,
                body=delivery.body,
                key=str(delivery.key),
                ack_url=ack_url(delivery.send_id, delivery.person_id, settings.SITE_URL),
                mobile=delivery.person.mobile,
            )
        )
    except TransportError as exc:
        return _failed(delivery, transport, exc, number, started, moment, book)
    ms = int((time.monotonic() - started) * 1000)
    book.add(
        delivery,
        status=Delivery.Status.SENT,
        attempts=number,
        sent_at=moment if fixed else timezone.now(),
        duration_ms=ms,
        error="",
        attempt=(number, True, "", ms),
    )
    return "sent"


def _failed(delivery, transport, exc, number, started, moment, book) -> str:
    ms = int((time.monotonic() - started) * 1000)
    error = str(exc)[:2000]
    if exc.permanent:
        from resilia.notify.services import channel_disable

        book.add(
            delivery,
            status=Delivery.Status.FAILED,
            attempts=number,
            error=error,
            duration_ms=ms,
            attempt=(number, False, error, ms),
        )
        book.flush()  # rare: the channel goes off now, and the fallback row is made at once
        with request_context(source="task"):
            channel_disable(actor=None, channel=delivery.channel, reason=error)
        delivery.channel.is_active = False
        _fall_back(delivery, error, moment, book, already_failed=True)
        return "failed"
    if number < transport.max_attempts:
        book.add(
            delivery,
            status=Delivery.Status.QUEUED,
            attempts=number,
            error=error,
            duration_ms=ms,
            claimed_at=None,
            next_attempt_at=moment + dt.timedelta(seconds=transport.backoff(number)),
            attempt=(number, False, error, ms),
        )
        return "retry"
    book.add(
        delivery,
        status=Delivery.Status.FAILED,
        attempts=number,
        error=error,
        duration_ms=ms,
        attempt=(number, False, error, ms),
    )
    book.flush()
    _fall_back(delivery, error, moment, book, already_failed=True)
    return "failed"


def _fall_back(delivery, reason: str, moment, book, *, already_failed=False) -> str:
    """Move the message to the channel's fallback (once per wave), else fail it."""
    fallback = delivery.channel.fallback
    note = reason
    if fallback is not None and fallback.is_active:
        address = transport_for(fallback).address(delivery.person)
        if address:
            Delivery.objects.bulk_create(
                [
                    Delivery(
                        send_id=delivery.send_id,
                        person_id=delivery.person_id,
                        channel=fallback,
                        wave=delivery.wave,
                        address=address[:200],
                        language=delivery.language,
                        subject=delivery.subject,
                        body=delivery.body,
                        reply_code=delivery.reply_code,
                        next_attempt_at=moment,
                        created_at=moment,
                    )
                ],
                ignore_conflicts=True,
            )
            note = _("%(reason)s Sent by %(channel)s instead.") % {
                "reason": reason,
                "channel": fallback.name,
            }
    if not already_failed:
        book.add(delivery, status=Delivery.Status.FAILED, error=note[:2000])
    else:
        Delivery.objects.filter(pk=delivery.pk).update(error=note[:2000])
    return "fallback" if note != reason else "failed"


# The fields an outcome sets; those it does not name keep the claimed row's values.
_FIELDS = ("status", "attempts", "sent_at", "duration_ms", "error", "next_attempt_at", "claimed_at")


class _Book:
    """The outcomes sent but not yet recorded, written in bulk by `flush()`.

    A flush is one transaction of two statements whatever the number of rows, each executed
    for all of them (`executemany`: SQLite runs it in-process, psycopg pipelines it in one
    round trip): the attempts, inserted only for rows still SENDING under their batch's claim
    token, then the rows' outcomes, under the same condition, so that a row taken back after
    its lease and claimed again is not written over. Every outcome takes its row out of
    SENDING, so the update also clears the claim.
    """

    def __init__(self):
        self.pending: list[tuple[Delivery, dict, tuple | None]] = []
        self.every = int(getattr(settings, "NOTIFY_FLUSH_MS", 10)) / 1000
        self.last = time.monotonic()

    def add(self, delivery, *, attempt=None, **fields) -> None:
        self.pending.append((delivery, fields, attempt))

    def flush_if_due(self) -> None:
        if self.pending and time.monotonic() - self.last >= self.every:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            pending, self.pending = self.pending, []
            insert, update = _statements()
            conn = transaction.get_connection()  # the real one, not the proxy
            fields = [Delivery._meta.get_field(name) for name in _FIELDS]
            uuid_field, at_field = Delivery._meta.get_field("claim"), Attempt._meta.get_field("at")
            at = at_field.get_db_prep_save(timezone.now(), conn)
            sending = Delivery.Status.SENDING.value
            attempts, outcomes = [], []
            for d, f, a in pending:
                held = [d.pk, sending, uuid_field.get_db_prep_save(d.claim, conn)]
                if a is not None:
                    attempts.append([d.pk, a[0], at, a[1], a[2], a[3], *held])
                values = [
                    field.get_db_prep_save(f.get(field.name, getattr(d, field.attname)), conn)
                    for field in fields
                ]
                outcomes.append([*values, *held])
            with transaction.atomic(), conn.cursor() as cursor:
                if attempts:
                    cursor.executemany(insert, attempts)
                cursor.executemany(update, outcomes)
        self.last = time.monotonic()


def _statements() -> tuple[str, str]:
    """The two statements of a record, from the models' own table and column names."""
    q = connection.ops.quote_name
    d, a = Delivery._meta, Attempt._meta
    held = (
        f"{q(d.pk.column)} = %s AND {q(d.get_field('status').column)} = %s "
        f"AND {q(d.get_field('claim').column)} = %s"
    )
    columns = ("delivery", "number", "at", "ok", "error", "duration_ms")
    insert = (
        f"INSERT INTO {q(a.db_table)} ({', '.join(q(a.get_field(c).column) for c in columns)}) "
        f"SELECT {', '.join(['%s'] * len(columns))} "
        f"WHERE EXISTS (SELECT 1 FROM {q(d.db_table)} WHERE {held})"
    )
    sets = ", ".join(f"{q(d.get_field(name).column)} = %s" for name in _FIELDS)
    update = (
        f"UPDATE {q(d.db_table)} SET {sets}, {q(d.get_field('claim').column)} = NULL WHERE {held}"
    )
    return insert, update
