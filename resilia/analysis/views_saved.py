"""Pages of the saved what-ifs: save from the what-if page, list, open one (its saved result),
re-run it on the current model, compare two, delete (resilia.analysis.saved)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from resilia.analysis import saved as svc
from resilia.analysis.access import may_save
from resilia.analysis.forms import WhatIfForm, describe
from resilia.analysis.models import SavedWhatIf
from resilia.analysis.results import Analysis
from resilia.analysis.scope import can_analyse
from resilia.analysis.whatif import FailureError, TimeWindowError
from resilia.core import access
from resilia.core.views import confirm_delete

PER_PAGE = 50


def _guard(request) -> None:
    if not can_analyse(request.user):
        raise PermissionDenied


def _whatif_url(specs, at: str = "") -> str:
    query = [("fail", s) for s in specs] + ([("at", at)] if at else []) + [("run", "1")]
    return reverse("analysis:whatif") + "?" + urlencode(query)


@login_required
@require_POST
def save(request):
    """Save the what-if on the page (its failed nodes and its T0, empty for "now")."""
    _guard(request)
    if not may_save(request.user):
        raise PermissionDenied
    form = WhatIfForm(request.POST, user=request.user)
    raw_at = request.POST.get("at", "").strip()
    back = _whatif_url(form.specs, raw_at)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect(back)
    try:
        saved = svc.saved_whatif_create(
            actor=request.user,
            name=request.POST.get("name", ""),
            note=request.POST.get("note", ""),
            specs=form.specs,
            at=form.cleaned_data["at"] if raw_at else None,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    except (FailureError, TimeWindowError) as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, _("The what-if “%(name)s” was saved.") % {"name": saved.name})
    return redirect(saved)


@login_required
def saved_list(request):
    _guard(request)
    rows = SavedWhatIf.objects.for_user(request.user).select_related("created_by")
    page = Paginator(rows.defer("snapshot"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "analysis/saved_list.html", {"tab": "saved", "page": page})


def _get(request, pk) -> SavedWhatIf:
    _guard(request)
    return access.get_object_for_user(request.user, SavedWhatIf, pk)


@login_required
def saved_detail(request, pk):
    saved = _get(request, pk)
    analysis = Analysis(request.user, links=True)
    entries, hidden = svc.saved_activities(analysis, saved)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    names = svc.labels(analysis, [key for key, _t in page.object_list])
    context = {
        "tab": "saved",
        "saved": saved,
        "page": page,
        "rows": [(names[key], times) for key, times in page.object_list],
        "hidden": hidden,
        "failed": [describe(request.user, spec) for spec in saved.failed],
        "whatif_url": _whatif_url(saved.failed, _t0(saved)),
        "may_delete": access.can_write(request.user, saved),
    }
    return render(request, "analysis/saved_detail.html", context)


def _t0(saved: SavedWhatIf) -> str:
    if saved.at is None:
        return ""
    return timezone.localtime(saved.at).strftime("%Y-%m-%dT%H:%M")


def _changes_page(request, analysis, a_snapshot, b_snapshot):
    changes, hidden = svc.scoped(analysis, svc.compare(a_snapshot, b_snapshot))
    page = Paginator(changes, PER_PAGE).get_page(request.GET.get("page"))
    names = svc.labels(analysis, [c.key for c in page.object_list])
    return {
        "page": page,
        "changes": [(names[c.key], c) for c in page.object_list],
        "hidden": hidden,
    }


@login_required
def saved_rerun(request, pk):
    """The saved what-if run again on the current model, and what changed since it was saved."""
    saved = _get(request, pk)
    try:
        report = svc.run(request.user, saved.failed, svc.rerun_at(saved))
    except (FailureError, TimeWindowError) as exc:
        messages.error(request, _("It cannot be re-run: %(error)s") % {"error": exc})
        return redirect(saved)
    analysis = report.analysis
    context = {"tab": "saved", "saved": saved, "report": report, "a": saved, "b": None}
    context.update(_changes_page(request, analysis, saved.snapshot, svc.snapshot(report)))
    return render(request, "analysis/saved_rerun.html", context)


@login_required
def saved_compare(request):
    """Two saved what-ifs side by side: `?a=<id>&b=<id>`."""
    _guard(request)
    ids = [request.GET.get("a"), request.GET.get("b")] + request.GET.getlist("pick")
    ids = [i for i in ids if i]
    if len(ids) != 2:
        messages.error(request, _("Pick two saved what-ifs to compare."))
        return redirect("analysis:saved_list")
    try:
        a, b = (access.get_object_for_user(request.user, SavedWhatIf, i) for i in ids)
    except Http404:
        messages.error(request, _("Pick two saved what-ifs to compare."))
        return redirect("analysis:saved_list")
    analysis = Analysis(request.user, links=True)
    context = {"tab": "saved", "a": a, "b": b, "ids": ids}
    context.update(_changes_page(request, analysis, a.snapshot, b.snapshot))
    return render(request, "analysis/saved_compare.html", context)


@login_required
def saved_delete(request, pk):
    _guard(request)
    saved = access.get_object_for_user(request.user, SavedWhatIf, pk, write=True)
    return confirm_delete(
        request, saved, svc.saved_whatif_delete, reverse("analysis:saved_list"), saved=saved
    )
