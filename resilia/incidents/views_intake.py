"""Pages of anomaly reporting: the public report form behind a reporting link (no account),
the triage list with the reporting links and their QR codes, a hotline call logged by the duty
officer, and a report's triage into an incident or its dismissal."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from resilia.core import access
from resilia.core.context import request_context
from resilia.core.forms import errors_onto_form
from resilia.core.middleware import over_limit
from resilia.incidents import access as inc_access
from resilia.incidents import intake
from resilia.incidents.forms import AnomalyForm, DismissForm, HotlineForm, LinkForm
from resilia.incidents.models import AnomalyReport, IntakeLink, IntakeSource, IntakeStatus

LIMIT, WINDOW = 10, 60  # reports per client address and minute


@require_http_methods(["GET", "POST"])
def report_anomaly(request, token):
    """The quick report anyone reaches by a reporting link or its QR code: no account."""
    try:
        link = intake.read(token)
    except intake.LinkError as exc:
        return render(
            request, "incidents/public_report.html", {"error": str(exc)}, status=exc.status
        )
    form = AnomalyForm(request.POST or None)
    if request.method == "POST":
        if over_limit(request, "intake", limit=LIMIT, window=WINDOW):
            return HttpResponse(_("Too many requests: try again in a minute."), status=429)
        if form.is_valid():
            try:
                with request_context(source="web"):
                    intake.report(source=IntakeSource.LINK, link=link, **form.cleaned_data)
            except ValidationError as exc:
                errors_onto_form(form, exc)
            else:
                return render(request, "incidents/public_report.html", {"done": True, "link": link})
    return render(request, "incidents/public_report.html", {"form": form, "link": link})


def _may_triage(user) -> bool:
    return access.role_of(user) in inc_access.RUNNERS


@login_required
def intake_list(request):
    access.require_kind(request.user, AnomalyReport)
    status = request.GET.get("status") or IntakeStatus.NEW
    if status not in IntakeStatus.values:
        status = IntakeStatus.NEW
    rows = (
        AnomalyReport.objects.for_user(request.user)
        .filter(status=status)
        .select_related("site", "incident", "link")
        .order_by("-received_at", "-pk")[:100]
    )
    counts = {
        s: AnomalyReport.objects.for_user(request.user).filter(status=s).count()
        for s in IntakeStatus.values
    }
    links = []
    if access.can_read_kind(request.user, IntakeLink):
        base = settings.SITE_URL
        for link in IntakeLink.objects.select_related("site").order_by("-is_active", "label")[:50]:
            address = intake.url(link, base)
            links.append({"link": link, "url": address, "qr": intake.qr_svg(address)})
    can_links = access.can_write_kind(request.user, IntakeLink)
    return render(
        request,
        "incidents/intake.html",
        {
            "rows": rows,
            "status": status,
            "statuses": IntakeStatus.choices,
            "counts": counts,
            "links": links,
            "can_triage": _may_triage(request.user),
            "link_form": LinkForm(user=request.user) if can_links else None,
            "can_links": can_links,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def hotline(request):
    if not _may_triage(request.user):
        raise PermissionDenied
    form = HotlineForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            row = intake.report(actor=request.user, source=IntakeSource.HOTLINE, **data)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, _("The call was logged."))
            return redirect(row)
    return render(request, "incidents/hotline.html", {"form": form})


@login_required
@require_POST
def link_create(request):
    if not access.can_write_kind(request.user, IntakeLink):
        raise PermissionDenied
    form = LinkForm(request.POST, user=request.user)
    if form.is_valid():
        intake.link_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The reporting link was created."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("incidents:intake")


@login_required
@require_POST
def link_switch(request, pk):
    if not access.can_write_kind(request.user, IntakeLink):
        raise PermissionDenied
    link = get_object_or_404(IntakeLink, pk=pk)
    intake.link_switch(actor=request.user, link=link, active=request.POST.get("active") == "1")
    return redirect("incidents:intake")


@login_required
@require_http_methods(["GET", "POST"])
def intake_detail(request, pk):
    obj = access.get_object_for_user(request.user, AnomalyReport, pk)
    row = AnomalyReport.objects.select_related("site", "incident", "link", "logged_by").get(
        pk=obj.pk
    )
    can = _may_triage(request.user) and access.can_write(request.user, row)
    form = DismissForm(request.POST or None) if can and row.status == IntakeStatus.NEW else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                intake.dismiss(actor=request.user, report=row, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                errors_onto_form(form, exc)
            else:
                messages.success(request, _("The report was dismissed."))
                return redirect("incidents:intake")
    declare = None
    if form is not None and inc_access.may_declare(request.user):
        declare = reverse("incidents:declare") + f"?report={row.pk}"
    return render(
        request, "incidents/intake_detail.html", {"row": row, "form": form, "declare": declare}
    )
