"""Sends: start one, its live view (per wave and channel, over time), answers on the page,
close it; the roll-call with its live counts and the export of who has not answered."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from resilia.core import access
from resilia.core.exports import export_response
from resilia.core.lists import list_view
from resilia.core.trail import record
from resilia.notify import forms, registers, selectors, services
from resilia.notify.models import Answer, Send


@login_required
def send_list(request):
    return list_view(request, registers.SENDS)


def _start(request, form, **kwargs):
    try:
        return services.send_start(actor=request.user, **kwargs)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def send_create(request):
    if not access.can_create(request.user, Send):
        raise PermissionDenied
    # "Start a send with this policy" (the policy's page) preselects it.
    initial = {"policy": request.GET.get("policy")} if request.GET.get("policy") else None
    form = forms.SendForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        tree = d["call_tree"]
        people = [c.person for c in tree.contacts.select_related("person")] if tree else ()
        send = _start(
            request,
            form,
            title=d["title"],
            kind=d["kind"],
            template=d["template"],
            channels=list(d["channels"]),
            policy=d["policy"],
            people=people,
            context={k: d[k] for k in ("incident", "plan", "deadline") if d[k]},
        )
        if send is not None:
            return redirect(send)
    return render(
        request,
        "core/form.html",
        {"form": form, "kind": Send._meta.verbose_name},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def rollcall_create(request):
    if not access.can_create(request.user, Send):
        raise PermissionDenied
    form = forms.RollCallForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        send = _start(
            request,
            form,
            title=d["title"],
            kind=Send.Kind.ROLLCALL,
            template=d["template"],
            channels=list(d["channels"]),
            site=d["site"],
            unit=d["unit"],
        )
        if send is not None:
            return redirect(send)
    context = {"form": form, "kind": _("safety roll-call")}
    return render(request, "core/form.html", context, status=422 if form.errors else 200)


def _live_context(request, send) -> dict:
    return {
        "obj": send,
        "waves": selectors.wave_table(send),
        "timeline": selectors.timeline(send),
        "counts": selectors.rollcall_counts(send),
        "acks": send.acknowledgements.select_related("person").order_by("-at")[:50],
    }


@login_required
def send_detail(request, pk):
    send = access.get_object_for_user(request.user, Send, pk)
    context = _live_context(request, send) | {
        "can_write": access.can_write(request.user, send),
        "answer_form": forms.AnswerForm(send=send),
        "answers": [(a, Answer(a).label) for a in send.answers],
    }
    return render(request, "notify/send_detail.html", context)


@login_required
def send_live(request, pk):
    """The live part of the page (htmx polls it every few seconds)."""
    send = access.get_object_for_user(request.user, Send, pk)
    return render(request, "notify/_send_live.html", _live_context(request, send))


@login_required
@require_POST
def send_ack(request, pk):
    """An answer recorded on the page (the person signed in, or the BCM office for them)."""
    send = access.get_object_for_user(request.user, Send, pk)
    form = forms.AnswerForm(request.POST, send=send)
    if not form.is_valid():
        messages.error(request, _("Choose a person and an answer."))
        return redirect(send)
    person = form.cleaned_data["person"]
    if person.pk != getattr(request.user, "person_id", None) and not access.can_write(
        request.user, send
    ):
        raise PermissionDenied
    try:
        services.acknowledge(
            actor=request.user,
            send=send,
            person=person,
            answer=form.cleaned_data["answer"],
            via="web",
        )
        messages.success(request, _("The answer was recorded."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(send)


@login_required
@require_POST
def send_close(request, pk):
    send = access.get_object_for_user(request.user, Send, pk, write=True)
    services.send_close(actor=request.user, send=send)
    messages.success(request, _("The send is closed: nothing more goes out."))
    return redirect(send)


@login_required
def send_unanswered(request, pk):
    """XLSX of who has not answered (audited as an export)."""
    send = access.get_object_for_user(request.user, Send, pk)
    people = list(selectors.unanswered(send))
    record(
        actor=request.user,
        action="export",
        obj=send,
        changes={"format": "xlsx", "rows": len(people), "list": "unanswered"},
    )
    return export_response(
        fmt="xlsx",
        basename="unanswered",
        headers=[_("full name"), _("unit"), _("site"), _("mobile"), _("e-mail")],
        rows=[
            [
                p.full_name,
                p.unit.display_name,
                p.site.display_name if p.site else "",
                p.mobile,
                p.email,
            ]
            for p in people
        ],
    )
