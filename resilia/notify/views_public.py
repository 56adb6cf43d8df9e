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
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from resilia.core.context import request_context
from resilia.core.middleware import client_ip
from resilia.notify import services
from resilia.notify.models import Answer, Channel, Send
from resilia.notify.tokens import read_token, reply_code
from resilia.notify.transports.webhook import signature
from resilia.org.models import Person

LIMIT, WINDOW = 30, 60  # requests per client address and minute, on each endpoint


def _limited(request, scope: str) -> bool:
    key = f"notify:{scope}:{client_ip(request) or '-'}:{int(time.time() // WINDOW)}"
    if cache.add(key, 1, WINDOW):
        return False
    try:
        return cache.incr(key) > LIMIT
    except ValueError:
        return False


@require_http_methods(["GET", "POST"])
def ack(request, token: str):
    """Show the message's answers (GET) and record the one tapped (POST). No login."""
    if _limited(request, "ack"):
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


REPLY = re.compile(r"^\s*(\d{4})\s*([12])?\s*$")


@csrf_exempt
@require_POST
def sms_reply(request, channel_id: int):
    """A gateway's inbound SMS: {"from": mobile, "text": "<code> 1|2"}, signed with the
    channel's reply secret (X-Resilia-Timestamp, X-Resilia-Signature, as our webhooks)."""
    if _limited(request, "sms"):
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
    digits = re.sub(r"\D", "", mobile)[-11:]
    if not match or not digits:
        return JsonResponse({"error": _("The reply has no code.")}, status=400)
    code, choice = match.group(1), match.group(2) or "1"
    for send in Send.objects.filter(
        status=Send.Status.RUNNING, deliveries__address__endswith=digits
    ).distinct():
        for person in Person.objects.filter(
            deliveries__send=send, mobile__endswith=digits
        ).distinct():
            if reply_code(send.pk, person.pk) == code:
                answer = send.answers[0] if choice == "1" else send.answers[-1]
                with request_context(source="web"):
                    services.acknowledge(
                        actor=None, send=send, person=person, answer=answer, via="sms"
                    )
                return JsonResponse({"ok": True, "send": send.pk, "answer": answer})
    return JsonResponse({"error": _("No message waits for this code.")}, status=404)
