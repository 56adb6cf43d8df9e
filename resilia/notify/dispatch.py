"""Sending the queued deliveries of a send: claim, send, record, retry, fall back.

A worker claims a few rows at a time (status SENDING with `claimed_at`, committed before
anything goes out), sends each and records the outcome with its attempt row in one small
transaction. A worker killed with kill -9 leaves at most the rows of its batch SENDING: the
next dispatcher takes those older than the claim lease back to QUEUED and sends them again
with the same key (Message-ID, Idempotency-Key), so nothing is lost, and a receiver that
keeps keys drops the one copy a kill between "accepted" and "recorded" can make.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import deque

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from resilia.core.context import request_context
from resilia.notify.models import Acknowledgement, Attempt, Delivery, Send
from resilia.notify.tokens import ack_url
from resilia.notify.transports import Outgoing, TransportError, transport_for

BATCH = 20


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
    with transaction.atomic():
        due = Delivery.objects.filter(
            send_id=send_id, status=Delivery.Status.QUEUED, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:BATCH])
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SENDING, claimed_at=now
        )
    return list(
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.SENDING, claimed_at=now)
        .select_related("channel", "channel__fallback", "person", "send")
        .order_by("pk")
    )


def recover(send_id: int, now) -> int:
    """Take back rows claimed by a worker that died (claimed longer ago than the lease)."""
    return Delivery.objects.filter(
        send_id=send_id, status=Delivery.Status.SENDING, claimed_at__lt=stale_before(now)
    ).update(status=Delivery.Status.QUEUED, claimed_at=None)


def dispatch(send_id: int, *, now=None, max_wait: float = 2.0) -> dict:
    """Send what is due for one send; returns counts. `now` fixes the clock (tests);
    otherwise a short rate-limit wait (≤ `max_wait` s) is slept, a longer one left queued."""
    fixed = now is not None
    counts = {"sent": 0, "failed": 0, "retry": 0, "skipped": 0, "fallback": 0}
    transports, limiters = {}, {}
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
                outcome = _one(delivery, acked, transports, limiters, moment, fixed)
                counts[outcome] += 1
    finally:
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


def _one(delivery, acked, transports, limiters, moment, fixed) -> str:
    channel = delivery.channel
    if delivery.person_id in acked or delivery.send.status != Send.Status.RUNNING:
        _settle(delivery, status=Delivery.Status.SKIPPED)
        return "skipped"
    if not channel.is_active:
        return _fall_back(delivery, _("The channel is switched off."), moment)
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
                return _fall_back(delivery, _("Over the channel's rate limit."), moment)
            _settle(
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
        return _failed(delivery, transport, exc, number, started, moment)
    ms = int((time.monotonic() - started) * 1000)
    _settle(
        delivery,
        status=Delivery.Status.SENT,
        attempts=number,
        sent_at=moment if fixed else timezone.now(),
        duration_ms=ms,
        error="",
        attempt=(number, True, "", ms),
    )
    return "sent"


def _failed(delivery, transport, exc, number, started, moment) -> str:
    ms = int((time.monotonic() - started) * 1000)
    error = str(exc)[:2000]
    if exc.permanent:
        from resilia.notify.services import channel_disable

        _settle(
            delivery,
            status=Delivery.Status.FAILED,
            attempts=number,
            error=error,
            duration_ms=ms,
            attempt=(number, False, error, ms),
        )
        with request_context(source="task"):
            channel_disable(actor=None, channel=delivery.channel, reason=error)
        delivery.channel.is_active = False
        _fall_back(delivery, error, moment, already_failed=True)
        return "failed"
    if number < transport.max_attempts:
        _settle(
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
    _settle(
        delivery,
        status=Delivery.Status.FAILED,
        attempts=number,
        error=error,
        duration_ms=ms,
        attempt=(number, False, error, ms),
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
        _settle(delivery, status=Delivery.Status.FAILED, error=note)
    else:
        Delivery.objects.filter(pk=delivery.pk).update(error=note[:2000])
    return "fallback" if note != reason else "failed"


def _settle(delivery, *, attempt=None, **fields) -> None:
    """Record a claimed row's outcome (and its attempt) in one small transaction."""
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING).update(**fields)
        if attempt is not None:
            number, ok, error, ms = attempt
            Attempt.objects.create(
                delivery_id=delivery.pk,
                number=number,
                at=timezone.now(),
                ok=ok,
                error=error,
                duration_ms=ms,
            )
