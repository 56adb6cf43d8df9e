"""The audit log page, its export, the chain verification and any object's history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from resilia.audit.access import can_verify_chain
from resilia.audit.actions import action_label
from resilia.audit.filters import AuditEventFilterSet
from resilia.audit.models import AuditEvent
from resilia.audit.presenters import absolute_url, clean_pk, present, resolve_model
from resilia.audit.services import audit_record, audit_verify
from resilia.core import access
from resilia.core.exports import FORMATS, export_response

PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 25


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def log(request):
    """The whole trail for audit readers, filtered, paginated, exportable."""
    access.require_kind(request.user, AuditEvent)
    filterset = AuditEventFilterSet(request.GET, AuditEvent.objects.for_user(request.user))
    events = filterset.qs.order_by("-seq")
    fmt = request.GET.get("export")
    if fmt in FORMATS:
        return _export(request, events, filterset, fmt)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset,
        "page": page,
        # The change tables load when a row is opened (event_changes): a page of 50 events
        # rendered every one, with a query per kind of object and of foreign key they named.
        "rows": present(request.user, page.object_list, changes=False),
        "query": query.urlencode(),
        "can_verify": can_verify_chain(request.user),
    }
    return render(request, "audit/log.html", context)


@login_required
def event_changes(request, seq: int):
    """One event's change table: the log's row, opened (a partial for htmx, else a page)."""
    access.require_kind(request.user, AuditEvent)
    event = get_object_or_404(AuditEvent.objects.for_user(request.user), seq=seq)
    (row,) = present(request.user, [event])
    template = "audit/_event_changes.html" if _is_htmx(request) else "audit/event.html"
    return render(request, template, {"row": row})


@login_required
def open_object(request, object_type, object_id):
    """The log's link to an event's object: its page when it exists and the reader may read
    it, else its history (which says so). Access is checked here, when the link is followed,
    so the log costs no query per kind of object it names."""
    access.require_kind(request.user, AuditEvent)
    model = resolve_model(object_type)
    pk = clean_pk(model, object_id) if model is not None else None
    if pk is None:
        raise Http404
    try:
        obj = access.readable(request.user, model._default_manager.all()).filter(pk=pk).first()
    except LookupError:  # no access policy: a system object, shown by its history only
        obj = None
    url = absolute_url(obj) if obj is not None else ""
    return redirect(url or reverse("audit:object_history", args=[model._meta.label_lower, pk]))


def _export(request, events, filterset, fmt):
    headers = [
        _("sequence"),
        _("time"),
        _("actor"),
        _("action"),
        _("object type"),
        _("object id"),
        _("object"),
        _("client address"),
        _("request id"),
        _("changes"),
    ]
    events = list(events)
    rows = [
        [
            e.seq,
            e.timestamp,  # typed: an Excel datetime, "YYYY-MM-DD HH:MM:SS" in CSV
            e.actor_repr,
            str(action_label(e.action)),
            e.object_type,
            e.object_id,
            e.object_repr,
            e.client_ip,
            e.request_id,
            _changes_text(e.changes),
        ]
        for e in events
    ]
    filters = {k: v for k, v in filterset.form.cleaned_data.items() if v not in (None, "")}
    audit_record(
        actor=request.user,
        action="export",
        object_type=AuditEvent._meta.label_lower,
        object_repr=str(AuditEvent._meta.verbose_name_plural),
        changes={"format": fmt, "rows": len(rows), "filters": filters},
    )
    return export_response(fmt=fmt, basename="audit-log", headers=headers, rows=rows)


def _changes_text(changes) -> str:
    """One line per changed field: 'field: before → after'."""
    lines = []
    for key, values in (changes or {}).items():
        if isinstance(values, list) and len(values) == 2:
            lines.append(f"{key}: {values[0]} → {values[1]}")
        else:
            lines.append(f"{key}: {values}")
    return "\n".join(lines)


@login_required
@require_POST
def verify(request):
    """Run the chain verification, record that it was run, and show the result."""
    if not can_verify_chain(request.user):
        raise PermissionDenied
    result = audit_verify()
    broken = None
    if not result.ok:
        broken = AuditEvent.objects.filter(pk=result.broken_id).first()
    audit_record(
        actor=request.user,
        action="verify",
        object_type=AuditEvent._meta.label_lower,
        object_repr=str(AuditEvent._meta.verbose_name_plural),
        changes={"result": "ok" if result.ok else "broken", "checked": result.checked},
    )
    context = {"result": result, "broken": broken, "reason": _reason_text(result)}
    if _is_htmx(request):
        return render(request, "audit/_verify_result.html", context)
    if result.ok:
        messages.success(
            request, _("Audit chain intact: %(count)d events checked.") % {"count": result.checked}
        )
    else:
        messages.error(
            request,
            _("Audit chain broken at event %(seq)s: %(reason)s")
            % {"seq": result.broken_seq, "reason": context["reason"]},
        )
    return redirect("audit:log")


def _reason_text(result) -> str:
    if result.ok:
        return ""
    if result.reason.startswith("missing"):
        return _("events before it were deleted")
    if result.reason.startswith("link"):
        return _("its link to the previous event was altered")
    if result.reason.startswith("truncated"):
        return _("the newest events were deleted: a checkpoint records a later head")
    if result.reason.startswith("rewritten"):
        return _("events were rewritten and re-hashed: a checkpoint records another hash")
    if result.reason.startswith("checkpoint"):
        return _("a checkpoint file is not genuine")
    if result.reason.startswith("downgrade"):
        return _("its hash was recomputed with the old, unkeyed scheme")
    return _("its content was altered after it was recorded")


def _history_target(user, object_type: str, object_id: str):
    """(model, pk, object or None when deleted) if the user may read this object's history.

    The object's own access decides; a deleted object's history is for audit readers only.
    """
    model = resolve_model(object_type)
    pk = clean_pk(model, object_id) if model is not None else None
    if pk is None:
        raise Http404
    try:
        return model, pk, access.get_object_for_user(user, model, pk)
    except LookupError:  # no access policy: a system object, for audit readers only
        pass
    except (Http404, PermissionDenied):
        if model._default_manager.filter(pk=pk).exists():
            raise
    if not access.can_read_kind(user, AuditEvent):
        raise Http404
    return model, pk, model._default_manager.filter(pk=pk).first()


@login_required
def object_history(request, object_type, object_id):
    """The events of one object, newest first; a partial for htmx (the lazy history tab)."""
    model, pk, obj = _history_target(request.user, object_type, object_id)
    events = AuditEvent.objects.about(request.user, model, pk).order_by("-seq")
    page = Paginator(events, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "model": model,
        "object": obj,
        "object_type": model._meta.label_lower,
        "object_id": pk,
        "page": page,
        "rows": present(request.user, page.object_list, link_objects=False),
        "back_url": absolute_url(obj) if obj is not None else "",
        "object_repr": str(obj) if obj is not None else _deleted_repr(page),
    }
    template = "audit/_object_history.html" if _is_htmx(request) else "audit/object_history.html"
    return render(request, template, context)


def _deleted_repr(page) -> str:
    first = next(iter(page.object_list), None)
    return first.object_repr if first is not None else ""
