"""The only two pages without a login: the acknowledgement link and the SMS reply receiver.

Each is signed (the link by django.core.signing with an expiry; the receiver by an HMAC of
the channel's reply secret over timestamp and body) and rate-limited per client address.
"""

from __future__ import annotations

import hmac
import json
import re
import time

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from resilia.core.context import request_context
from resilia.core.middleware import over_limit
from resilia.notify import services
from resilia.notify.models import Answer, Channel, Send
from resilia.notify.tokens import REPLY_LENGTH, read_token
from resilia.notify.transports.webhook import signature
from resilia.org.models import Person

LIMIT, WINDOW = 30, 60  # requests per client address and minute, on each endpoint


@require_http_methods(["GET", "POST"])
def ack(request, token: str):
    """Show the message's answers (GET) and record the one tapped (POST). No login."""
    if over_limit(request, "notify-ack", limit=LIMIT, window=WINDOW):
        return HttpResponse(_("Too many requests: try again in a minute."), status=429)
    try:
        send_id, person_id = read_token(token)
    except signing.SignatureExpired:
        return _ack_error(request, _("This link has expired."), 410)
    except signing.BadSignature:
        return _ack_error(request, _("This link is not valid: it was altered or cut short."), 400)
    send = Send.objects.filter(pk=send_id).first()
    person = Person.objects.filter(pk=person_id).first()
    if send is None or person is None:
        return _ack_error(request, _("This message no longer exists."), 404)
    current = send.acknowledgements.filter(person=person).first()
    if request.method == "POST":
        answer = request.POST.get("answer", "")
        try:
            with request_context(source="web"):
                current = services.acknowledge(
                    actor=None, send=send, person=person, answer=answer, via="link"
                )
        except ValidationError as exc:
            return _ack_error(request, " ".join(exc.messages), 400)
    choices = [(a, Answer(a).label) for a in send.answers]
    return render(
        request,
        "notify/ack.html",
        {"send": send, "person": person, "current": current, "choices": choices},
    )


def _ack_error(request, message: str, status: int):
    return render(request, "notify/ack.html", {"error": message}, status=status)


# "<code>", "<code> 2" or "<code>2", any case; the digit picks the message's answer.
REPLY = re.compile(rf"^\s*([A-Za-z0-9]{{{REPLY_LENGTH}}})\s*([0-9])?\s*$")


def _number(text: str) -> str:
    """A mobile number compared on its last 11 digits (+86, spaces and dashes dropped)."""
    return re.sub(r"\D", "", text or "")[-11:]


@csrf_exempt
@require_POST
def sms_reply(request, channel_id: int):
    """A gateway's inbound SMS: {"from": mobile, "text": "<code> 1|2"}, signed with the
    channel's reply secret (X-Resilia-Timestamp, X-Resilia-Signature, as our webhooks).

    The code names the open deliveries of one person and send; it answers only from the
    number it was sent to. "<code>" alone gives the first answer (acknowledged, I can come,
    I am safe), "<code> 2" the second.
    """
    if over_limit(request, "notify-sms", limit=LIMIT, window=WINDOW):
        return JsonResponse({"error": _("Too many requests.")}, status=429)
    channel = Channel.objects.filter(pk=channel_id, kind="sms_http").first()
    secret = (channel.config or {}).get("reply_secret", "") if channel else ""
    stamp = request.headers.get("X-Resilia-Timestamp", "")
    given = request.headers.get("X-Resilia-Signature", "")
    if not secret or not stamp.isdigit() or abs(time.time() - int(stamp)) > 300:
        return JsonResponse({"error": _("Unsigned or stale request.")}, status=403)
    if not hmac.compare_digest(given, signature(secret, stamp, request.body)):
        return JsonResponse({"error": _("Bad signature.")}, status=403)
    try:
        data = json.loads(request.body)
        mobile, text = str(data["from"]), str(data["text"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": _("Expected JSON with from and text.")}, status=400)
    match = REPLY.match(text)
    sender = _number(mobile)
    if not match or not sender:
        return JsonResponse({"error": _("The reply has no code.")}, status=400)
    code, choice = match.group(1).upper(), match.group(2)
    rows = list(
        services.open_deliveries()
        .filter(reply_code=code)
        .select_related("send", "person", "channel")
    )
    if not rows:
        return JsonResponse({"error": _("No message waits for this code.")}, status=404)
    mine = [d for d in rows if sender in _sent_to(d)]
    if not mine:
        return JsonResponse({"error": _("This code was not sent to this number.")}, status=403)
    send, person = mine[0].send, mine[0].person
    answers = send.answers
    number = int(choice) if choice else 1
    if not 1 <= number <= len(answers):
        return JsonResponse(
            {"error": _("Reply the code, then 1 to %(n)s.") % {"n": len(answers)}}, status=400
        )
    answer = answers[number - 1]
    try:
        with request_context(source="web"):
            services.acknowledge(actor=None, send=send, person=person, answer=answer, via="sms")
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"ok": True, "send": send.pk, "answer": answer})


def _sent_to(delivery) -> set[str]:
    """The numbers a delivery's code was sent to: the SMS's own address; for a message on
    another channel, the person's mobile."""
    numbers = {_number(delivery.person.mobile)}
    if delivery.channel.kind == "sms_http":
        numbers = {_number(delivery.address)}
    return numbers - {""}
