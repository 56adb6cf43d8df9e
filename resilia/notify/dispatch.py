"""Sending the queued deliveries of a send: claim, send, record, retry, fall back.

A worker claims a batch of rows at once (status SENDING, `claimed_at` and the batch's `claim`
token, committed before anything goes out), then sends them over `NOTIFY_CONNECTIONS` lanes in
parallel (default 4): each lane is a thread with its own connection per channel (one SMTP
connection, one HTTP session) and its own database connection. A lane records each message
right after its own send: one short transaction updates the row, if it still holds the
batch's token, and inserts its attempt row. Rate limits, the answers read per batch and the
channels switched off are shared by the lanes of a run.

A worker killed with kill -9 leaves the rows of its batch SENDING: the next dispatcher takes
those older than the claim lease back to QUEUED and sends them again with the same key
(Message-ID, Idempotency-Key). E-mail and webhooks hold back the last bytes that make the
peer keep the message (`Transport.commits_before_accept`); on PostgreSQL the record's COMMIT
and those bytes are then written back to back, without a thread switch between them
(notify.handover): a kill before leaves the peer an unfinished message, which it discards,
and the row is sent again; a kill after leaves the row sent and the message delivered, once.
On SQLite the last bytes go first, then the record's commit, as close. The robots and SMS
gateways, sent through one library call, are recorded right after the peer's answer: a kill
between the two can send one of those again, at most one per lane, with the same key.

A caller inside a transaction (the tests, with a fixed clock), or on an in-memory SQLite
database, is served by one lane in its own thread: other connections would not see its
uncommitted rows, or would fail on the shared cache's table locks.
"""

from __future__ import annotations

import datetime as dt
import functools
import queue
import threading
import time
import uuid
from collections import deque

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from resilia.core.context import request_context
from resilia.notify import handover
from resilia.notify.models import Acknowledgement, Attempt, Delivery, Send
from resilia.notify.tokens import ack_url
from resilia.notify.transports import Outgoing, TransportError, transport_for
from resilia.notify.transports.base import Withdrawn

# Rows claimed at once. Large enough that the claim and the record are a small part of a
# batch's time, small enough that a batch's rows are sent within seconds of their claim.
BATCH = 200


def claim_seconds() -> int:
    return int(getattr(settings, "NOTIFY_CLAIM_SECONDS", 300))


def lanes() -> int:
    """Messages a worker sends at once: its threads, each with its own connections."""
    return max(1, int(getattr(settings, "NOTIFY_CONNECTIONS", 4)))


def stale_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=claim_seconds())


class _Limiter:
    """A channel's sliding window of sends (messages per seconds), seeded from the rows.
    Shared by the lanes of a run: `_Run.take` asks and notes under the run's lock."""

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


def dispatch(send_id: int, *, now=None, max_wait: float = 2.0, parallel: int | None = None):
    """Send what is due for one send; returns counts. `now` fixes the clock (tests);
    otherwise a short rate-limit wait (≤ `max_wait` s) is slept, a longer one left queued.
    `parallel`: the lanes (default `NOTIFY_CONNECTIONS`; one inside a transaction)."""
    fixed = now is not None
    count = parallel or lanes()
    if connection.in_atomic_block or _in_memory():
        count = 1
    run = _Run(fixed)
    recover(send_id, now or timezone.now())
    pool = _Pool(run, count) if count > 1 else None
    sender = None if pool else _Sender(run)
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
            if pool:
                pool.deliver(batch, acked, moment)
            else:
                for delivery in batch:
                    run.add(sender.deliver(delivery, acked, moment))
    finally:
        # A row claimed and not sent (an error ended the run) waits for its lease.
        if pool:
            pool.stop()
        else:
            sender.close()
    return run.counts


def _in_memory() -> bool:
    """An in-memory SQLite database (the tests'): other connections would share its cache
    and fail on its table locks instead of waiting for them."""
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


class _Run:
    """What the lanes of one dispatch share: the counts, the rate limiters, the channels
    switched off during the run."""

    def __init__(self, fixed: bool):
        self.fixed = fixed
        self.lock = threading.Lock()
        self.counts = {"sent": 0, "failed": 0, "retry": 0, "skipped": 0, "fallback": 0}
        self.limiters: dict[int, _Limiter] = {}
        self.off: set[int] = set()

    def add(self, outcome: str) -> None:
        with self.lock:
            self.counts[outcome] += 1

    def take(self, channel, limit, moment) -> float:
        """Seconds until the channel may carry one more message; 0: noted, send it now."""
        at = moment.timestamp() if self.fixed else time.time()
        with self.lock:
            limiter = self.limiters.get(channel.pk)
            if limiter is None:
                limiter = self.limiters[channel.pk] = _Limiter(channel, limit, moment)
            wait = limiter.wait(at)
            if wait <= 0:
                limiter.note(at)
            return wait

    def switch_off(self, channel) -> bool:
        """Note the channel off for the run; False if another lane already did."""
        with self.lock:
            first = channel.pk not in self.off
            self.off.add(channel.pk)
            return first


class _Pool:
    """The lanes: threads taking the deliveries of a batch from one queue."""

    def __init__(self, run: _Run, count: int):
        self.run = run
        self.jobs: queue.Queue = queue.Queue()
        self.error: BaseException | None = None
        language = translation.get_language()
        self.threads = [
            threading.Thread(target=self._lane, args=(language,), name=f"notify-lane-{i}")
            for i in range(count)
        ]
        for thread in self.threads:
            thread.daemon = True
            thread.start()

    def deliver(self, batch, acked, moment) -> None:
        for delivery in batch:
            self.jobs.put((delivery, acked, moment))
        self.jobs.join()
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        for _thread in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join()

    def _lane(self, language) -> None:
        sender = _Sender(self.run)
        try:
            with translation.override(language):
                while (job := self.jobs.get()) is not None:
                    try:
                        if self.error is None:  # after an error, leave the rest claimed
                            self.run.add(sender.deliver(*job))
                    except BaseException as exc:  # noqa: BLE001 (re-raised by the run)
                        self.error = self.error or exc
                    finally:
                        self.jobs.task_done()
        finally:
            sender.close()
            connections.close_all()  # this thread's own database connections


def _next_due_in(send_id, moment) -> float | None:
    first = (
        Delivery.objects.filter(send_id=send_id, status=Delivery.Status.QUEUED)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return None if first is None else (first - moment).total_seconds()


class _Sender:
    """One lane: its own transport per channel (so its own SMTP connection or HTTP session).
    Every outcome is recorded by `_record` before the lane takes its next message."""

    def __init__(self, run: _Run):
        self.run = run
        self.transports: dict = {}

    def close(self) -> None:
        for transport in self.transports.values():
            transport.close()
        self.transports = {}

    def deliver(self, delivery, acked, moment) -> str:
        channel, run = delivery.channel, self.run
        if delivery.person_id in acked or delivery.send.status != Send.Status.RUNNING:
            _record(delivery, status=Delivery.Status.SKIPPED)
            return "skipped"
        if not channel.is_active or channel.pk in run.off:
            return _fall_back(delivery, _("The channel is switched off."), moment)
        transport = self.transports.get(channel.pk)
        if transport is None:
            transport = self.transports[channel.pk] = transport_for(channel)
        limit = transport.rate_limit()
        if limit:
            wait = run.take(channel, limit, moment)
            if wait > 0:
                if channel.fallback_id:
                    return _fall_back(delivery, _("Over the channel's rate limit."), moment)
                _record(
                    delivery,
                    status=Delivery.Status.QUEUED,
                    next_attempt_at=moment + dt.timedelta(seconds=wait),
                    claimed_at=None,
                )
                return "retry"
        outgoing = Outgoing(
            address=delivery.address,
            subject=delivery.subject,
            body=delivery.body,
            key=str(delivery.key),
            ack_url=ack_url(delivery.send_id, delivery.person_id, settings.SITE_URL),
            mobile=delivery.person.mobile,
        )
        number = delivery.attempts + 1
        started = time.monotonic()
        recorded = False

        def record_sent(last=None) -> bool:
            nonlocal recorded
            ms = int((time.monotonic() - started) * 1000)
            fields = {
                "status": Delivery.Status.SENT,
                "attempts": number,
                "sent_at": moment if run.fixed else timezone.now(),
                "duration_ms": ms,
                "error": "",
            }
            attempt = (number, True, "", ms)
            if last is None:
                recorded = _record(delivery, attempt=attempt, **fields)
            else:
                recorded = _record_handing_over(delivery, last, attempt=attempt, **fields)
            return recorded

        before_accept = transport.commits_before_accept
        try:
            transport.send(outgoing, commit=record_sent if before_accept else None)
        except Withdrawn:
            return "skipped"  # taken back after its lease: another dispatcher's row now
        except TransportError as exc:
            if recorded:  # refused after its last bytes: not sent after all
                _unrecord(delivery, number)
            return self._failed(delivery, transport, exc, number, started, moment)
        if not before_accept:
            # Accepted by the peer: record it now, before anything else (a kill -9 between
            # the two sends this message again, with the same key).
            record_sent()
        return "sent"

    def _failed(self, delivery, transport, exc, number, started, moment) -> str:
        ms = int((time.monotonic() - started) * 1000)
        error = str(exc)[:2000]
        attempt = (number, False, error, ms)
        if exc.permanent:
            from resilia.notify.services import channel_disable

            _record(
                delivery,
                status=Delivery.Status.FAILED,
                attempts=number,
                error=error,
                duration_ms=ms,
                attempt=attempt,
            )
            if self.run.switch_off(delivery.channel):
                with request_context(source="task"):
                    channel_disable(actor=None, channel=delivery.channel, reason=error)
            delivery.channel.is_active = False
            _fall_back(delivery, error, moment, already_failed=True)
            return "failed"
        if number < transport.max_attempts:
            _record(
                delivery,
                status=Delivery.Status.QUEUED,
                attempts=number,
                error=error,
                duration_ms=ms,
                claimed_at=None,
                next_attempt_at=moment + dt.timedelta(seconds=transport.backoff(number)),
                attempt=attempt,
            )
            return "retry"
        _record(
            delivery,
            status=Delivery.Status.FAILED,
            attempts=number,
            error=error,
            duration_ms=ms,
            attempt=attempt,
        )
        _fall_back(delivery, error, moment, already_failed=True)
        return "failed"


def _fall_back(delivery, reason: str, moment, *, already_failed=False) -> str:
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
        _record(delivery, status=Delivery.Status.FAILED, error=note[:2000])
    else:
        Delivery.objects.filter(pk=delivery.pk).update(error=note[:2000])
    return "fallback" if note != reason else "failed"


def _unrecord(delivery, number: int) -> None:
    """Take back the "sent" a transport's `commit` recorded for a message its peer then
    refused: the row SENDING under its claim again, without that attempt's row, so the
    failure is recorded as any other."""
    with transaction.atomic():
        Attempt.objects.filter(delivery_id=delivery.pk, number=number, ok=True).delete()
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENT).update(
            status=Delivery.Status.SENDING, claim=delivery.claim, claimed_at=delivery.claimed_at
        )


def _record_handing_over(delivery, last, *, attempt, **fields) -> bool:
    """Record a message sent and write its `last` bytes (notify.handover.LastBytes); False,
    with nothing written, if the row no longer holds its claim.

    On PostgreSQL the record's statements run in a transaction of their own, then its COMMIT
    and the last bytes are written back to back (`handover.hand_over`): a kill before leaves
    the row unsent and the peer an unfinished message; after, both done. On SQLite the last
    bytes, then the commit, back to back (`handover.end_and_commit`). Inside a caller's
    transaction the last bytes go just before the record's end.
    """
    conn = transaction.get_connection()
    conn.ensure_connection()
    if conn.in_atomic_block:  # a caller's transaction: the last bytes just before its end
        return _record(delivery, attempt=attempt, then=last.send_all, **fields)
    if conn.vendor == "sqlite":
        end = functools.partial(handover.end_and_commit, last, conn.connection.commit)
        try:
            return _record(delivery, attempt=attempt, then=end, **fields)
        except handover.Unended as gone:
            _unrecord(delivery, attempt[0])
            raise gone.__cause__ from None
    send_commit = handover.commit_sender(conn)
    if send_commit is None:
        return _record(delivery, attempt=attempt, then=last.send_all, **fields)
    with conn.cursor() as cursor:
        cursor.execute("BEGIN")
        try:
            mine = _write_record(cursor, conn, delivery, attempt, fields)
        except BaseException:
            _abandon(conn)
            raise
        if not mine:
            cursor.execute("ROLLBACK")
            return False
    queued, written = handover.hand_over(send_commit, last)
    try:
        last.send_rest(written)
    except OSError:
        # The peer never had the message's end: its record must not say sent (taking it back
        # does nothing if the COMMIT did not take).
        if queued:
            _committed(conn)
            _unrecord(delivery, attempt[0])
        raise
    if not (queued and _committed(conn)):
        # The message went and its record did not: record it again, as any other.
        _abandon(conn)
        _record(delivery, attempt=attempt, **fields)
    return True


def _committed(conn) -> bool:
    """The COMMIT's answer; False when none came (the connection is then closed: recording
    again writes nothing if it did commit, the record holding only for a row still claimed)."""
    try:
        return handover.commit_answer(conn)
    except (OSError, TimeoutError):
        _abandon(conn)
        return False


def _abandon(conn) -> None:
    """Close a connection whose transaction state is not known (the server rolls back)."""
    try:
        conn.close()
    except Exception:  # noqa: BLE001 (already broken: a new one opens on the next query)
        conn.connection = None


# The fields an outcome sets; those it does not name keep the claimed row's values.
_FIELDS = ("status", "attempts", "sent_at", "duration_ms", "error", "next_attempt_at", "claimed_at")


def _record(delivery, *, attempt=None, then=None, **fields) -> bool:
    """Record one outcome at once, in one short transaction on this thread's connection;
    False if the row no longer holds its claim (taken back after its lease: not written).

    Two statements, both only for the row still SENDING under its batch's claim token, so a
    row taken back and claimed again is not written over: the attempt (`attempt` is its
    number, ok, error, duration), then the row's outcome. Every outcome takes the row out of
    SENDING, so the update also clears the claim. `then`: called inside the transaction once
    the row is written (not if it is no longer held); an error from it rolls the record back.
    """
    conn = transaction.get_connection()  # the real one, not the proxy
    with transaction.atomic(), conn.cursor() as cursor:
        if not _write_record(cursor, conn, delivery, attempt, fields):
            return False
        if then is not None:
            then()
        return True


def _write_record(cursor, conn, delivery, attempt, fields) -> bool:
    """The record's two statements on `cursor`, inside the caller's transaction; False if
    the row no longer holds its claim (neither statement then writes anything)."""
    insert, update = _statements()
    held = [
        delivery.pk,
        Delivery.Status.SENDING.value,
        Delivery._meta.get_field("claim").get_db_prep_save(delivery.claim, conn),
    ]
    values = [
        field.get_db_prep_save(fields.get(field.name, getattr(delivery, field.attname)), conn)
        for field in (Delivery._meta.get_field(name) for name in _FIELDS)
    ]
    if attempt is not None:
        at = Attempt._meta.get_field("at").get_db_prep_save(timezone.now(), conn)
        cursor.execute(insert, [delivery.pk, attempt[0], at, *attempt[1:], *held])
    cursor.execute(update, [*values, *held])
    return cursor.rowcount == 1


@functools.cache
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
