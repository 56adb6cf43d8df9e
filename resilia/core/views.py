"""View helpers every register's pages share: save a form through its service, confirm a
deletion and explain what blocks it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _


def save_form(request, form, service, **kwargs):
    """Call the service with the form's data; its validation errors land on the form."""
    data = {name: form.cleaned_data[name] for name in form.Meta.fields}
    try:
        return service(actor=request.user, **kwargs, **data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


def blockers(exc: ProtectedError | RestrictedError) -> list[str]:
    """'2 people: 张伟, 李娜' per kind of object that prevents a deletion."""
    by_kind: dict[str, list[str]] = {}
    for obj in exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects:
        by_kind.setdefault(str(obj._meta.verbose_name_plural), []).append(str(obj))
    lines = []
    for kind, names in by_kind.items():
        shown = ", ".join(names[:5]) + ("…" if len(names) > 5 else "")
        lines.append(
            _("%(kind)s (%(count)d): %(names)s")
            % {"kind": kind, "count": len(names), "names": shown}
        )
    return lines


def confirm_delete(request, obj, service, redirect_to: str, **kwargs):
    """GET: the confirmation page. POST: delete, or explain what blocks the deletion."""
    context = {"obj": obj, "kind": obj._meta.verbose_name, "cancel_url": obj.get_absolute_url()}
    if request.method == "POST":
        try:
            service(actor=request.user, **kwargs)
        except (ProtectedError, RestrictedError) as exc:
            context["blockers"] = blockers(exc)
            return render(request, "core/confirm_delete.html", context, status=409)
        messages.success(request, _("%(name)s was deleted.") % {"name": obj})
        return redirect(redirect_to)
    return render(request, "core/confirm_delete.html", context)
