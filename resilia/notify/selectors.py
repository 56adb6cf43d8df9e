"""Reads of a send for its live view and the roll-call: a few grouped queries, whatever the
number of recipients (each served by the delivery indexes)."""

from __future__ import annotations

from django.db.models import Count
from django.db.models.functions import TruncMinute

from resilia.notify.models import Acknowledgement, Answer, Delivery, Send


def wave_table(send: Send) -> list[dict]:
    """Per wave and channel: queued, sent, failed, acknowledged, skipped."""
    rows: dict[tuple, dict] = {}
    grouped = (
        Delivery.objects.filter(send=send)
        .values("wave", "channel__name", "status")
        .annotate(n=Count("pk"))
        .order_by("wave", "channel__name")
    )
    for g in grouped:
        row = rows.setdefault(
            (g["wave"], g["channel__name"]),
            {"wave": g["wave"] + 1, "channel": g["channel__name"]}
            | dict.fromkeys(Delivery.Status.values, 0),
        )
        row[g["status"]] += g["n"]
    return list(rows.values())


def timeline(send: Send) -> list[dict]:
    """Per minute since the start: messages sent, failed, and answers received."""
    out: dict = {}
    sent = (
        Delivery.objects.filter(send=send, sent_at__isnull=False)
        .annotate(m=TruncMinute("sent_at"))
        .values("m")
        .annotate(n=Count("pk"))
    )
    for g in sent:
        out.setdefault(g["m"], {"minute": g["m"], "sent": 0, "failed": 0, "acks": 0})["sent"] = g[
            "n"
        ]
    failed = (
        Delivery.objects.filter(send=send, status=Delivery.Status.FAILED)
        .annotate(m=TruncMinute("created_at"))
        .values("m")
        .annotate(n=Count("pk"))
    )
    for g in failed:
        out.setdefault(g["m"], {"minute": g["m"], "sent": 0, "failed": 0, "acks": 0})["failed"] = g[
            "n"
        ]
    acks = (
        Acknowledgement.objects.filter(send=send)
        .annotate(m=TruncMinute("at"))
        .values("m")
        .annotate(n=Count("pk"))
    )
    for g in acks:
        out.setdefault(g["m"], {"minute": g["m"], "sent": 0, "failed": 0, "acks": 0})["acks"] = g[
            "n"
        ]
    return [out[k] for k in sorted(out)]


def rollcall_counts(send: Send) -> dict:
    """Recipients, answered, safe, need help, no answer."""
    recipients = Delivery.objects.filter(send=send).values("person_id").distinct().count()
    answers = dict(
        Acknowledgement.objects.filter(send=send).values_list("answer").annotate(n=Count("pk"))
    )
    answered = sum(answers.values())
    return {
        "recipients": recipients,
        "answered": answered,
        "safe": answers.get(Answer.SAFE, 0)
        + answers.get(Answer.COMING, 0)
        + answers.get(Answer.ACK, 0),
        "help": answers.get(Answer.HELP, 0) + answers.get(Answer.CANNOT, 0),
        "no_answer": recipients - answered,
    }


def unanswered(send: Send):
    """The people notified who have not answered (for the export), by name."""
    from resilia.org.models import Person

    answered = Acknowledgement.objects.filter(send=send).values("person_id")
    return (
        Person.objects.filter(deliveries__send=send)
        .exclude(pk__in=answered)
        .select_related("unit", "site")
        .distinct()
        .order_by("full_name", "pk")
    )
