"""Pages of hazards: recording one on a round, the registers (all, major, overdue), the
detail page with the rectification order (五落实), the fix, the verification, photos, and
the rectification ledger (隐患整改台账) as DOCX and PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from resilia.core import access
from resilia.core.forms import errors_onto_form
from resilia.core.lists import list_view
from resilia.core.trail import record
from resilia.evidence.models import Attachment
from resilia.hazards import access as hz_access
from resilia.hazards import ledger, selectors, services
from resilia.hazards.forms import (
    FixForm,
    HazardEditForm,
    HazardForm,
    PhotoForm,
    PromoteForm,
    ReasonForm,
    RectificationForm,
    VerifyForm,
)
from resilia.hazards.models import Hazard, InspectionRound, Rectification, Verification
from resilia.hazards.registers import HAZARDS, MAJOR, OVERDUE
from resilia.hazards.views import _round
from resilia.risk.models import Risk
from resilia.risk.services import current_matrix


def _ledger_context(request) -> dict:
    """What the ledger buttons need: the size limit of an immediate ledger and the filters a
    report job is asked with (the register's own, nothing else)."""
    params = ledger.ledger_params(request.GET)
    return {
        "ledger_max": ledger.MAX_ROWS,
        "ledger_filters": [(k, v) for k, values in params.lists() for v in values],
    }


@login_required
def hazard_list(request):
    return list_view(request, HAZARDS, _ledger_context(request))


@login_required
def major_list(request):
    return list_view(request, MAJOR, _ledger_context(request))


@login_required
def overdue_list(request):
    return list_view(request, OVERDUE, _ledger_context(request))


@login_required
@require_http_methods(["GET", "POST"])
def hazard_create(request, pk):
    """Record a hazard on a round (its inspector, on the phone), photos included."""
    round_ = _round(request, pk)
    if not hz_access.may_fill(request.user, round_):
        raise PermissionDenied
    initial = {"item": request.GET.get("item") or None, "grade": "general"}
    form = HazardForm(request.POST or None, request.FILES or None, round=round_, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        item = round_.items.filter(pk=data.pop("item")).first() if data["item"] else None
        try:
            hazard = services.hazard_report(actor=request.user, round=round_, item=item, **data)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(
                request, _("Hazard %(number)s was recorded.") % {"number": hazard.number}
            )
            return redirect(round_)
    return render(request, "hazards/hazard_form.html", {"form": form, "round": round_})


def _hazard(request, pk, *, write=False) -> Hazard:
    obj = access.get_object_for_user(request.user, Hazard, pk, write=write)
    return Hazard.objects.select_related("site", "round__template", "item", "found_by").get(
        pk=obj.pk
    )


def _page(request, hazard, status=200, **forms):
    user = request.user
    context = selectors.hazard_page(user, hazard)
    context["can_write"] = access.can_write(user, hazard) and hazard.is_open
    if hz_access.may_issue(user, hazard):
        initial = _order_initial(context["rect"])
        context["issue_form"] = forms.get("issue_form") or RectificationForm(
            initial=initial, user=user
        )
    if hz_access.may_report_fix(user, hazard):
        context["fix_form"] = forms.get("fix_form") or FixForm()
    if hz_access.may_verify(user, hazard):
        context["verify_form"] = forms.get("verify_form") or VerifyForm()
    if context["can_write"]:
        context["photo_form"] = forms.get("photo_form") or PhotoForm()
    if hazard.promoted_risk_id:
        context["promoted_risk"] = (
            Risk.objects.for_user(user).filter(pk=hazard.promoted_risk_id).first()
        )
    if hz_access.may_withdraw(user, hazard) or "withdraw_form" in forms:
        context["withdraw_form"] = forms.get("withdraw_form") or ReasonForm(prefix_id="withdraw")
    if services.may_promote(user, hazard):
        context["promote_form"] = forms.get("promote_form") or _promote_form(user, hazard)
    return render(request, "hazards/hazard_detail.html", context, status=status)


def _order_initial(rect) -> dict:
    if rect is None:
        return {}
    return {f: getattr(rect, f) for f in RectificationForm.Meta.fields}


def _promote_form(user, hazard, data=None) -> PromoteForm:
    matrix = current_matrix()
    likelihood, impact = services.suggested_ratings(hazard, matrix)
    threat = services.suggested_threat(hazard)
    initial = {"threat": threat, "likelihood": likelihood, "impact": impact}
    return PromoteForm(data, user=user, initial=initial)


@login_required
def hazard_detail(request, pk):
    return _page(request, _hazard(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def hazard_edit(request, pk):
    hazard = _hazard(request, pk, write=True)
    initial = {f: getattr(hazard, f) for f in HazardEditForm.base_fields}
    form = HazardEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.hazard_update(actor=request.user, hazard=hazard, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            return redirect(hazard)
    kind = Hazard._meta.verbose_name
    return render(request, "core/form.html", {"form": form, "kind": kind, "obj": hazard})


def _step(request, pk, *, may, form_class, form_name, run, **form_kwargs):
    """One step of the loop posted from the detail page: check, bind, run, redirect; a
    refusal re-renders the page with the form's errors (400), nothing saved."""
    hazard = _hazard(request, pk)
    if not may(request.user, hazard):
        raise PermissionDenied
    form = form_class(request.POST, request.FILES or None, **form_kwargs)
    if form.is_valid():
        try:
            run(hazard, form.cleaned_data)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            return redirect(hazard)
    return _page(request, hazard, status=400, **{form_name: form})


@login_required
@require_POST
def rectification_issue(request, pk):
    def run(hazard, data):
        services.rectification_issue(actor=request.user, hazard=hazard, **data)
        messages.success(request, _("The rectification order was issued."))

    return _step(request, pk, may=hz_access.may_issue, form_class=RectificationForm,
                 form_name="issue_form", run=run, user=request.user)  # fmt: skip


@login_required
@require_POST
def rectification_report(request, pk):
    def run(hazard, data):
        services.rectification_report(actor=request.user, hazard=hazard, **data)
        messages.success(request, _("The fix was reported for verification."))

    return _step(request, pk, may=hz_access.may_report_fix, form_class=FixForm,
                 form_name="fix_form", run=run)  # fmt: skip


@login_required
@require_POST
def hazard_verify(request, pk):
    def run(hazard, data):
        services.hazard_verify(actor=request.user, hazard=hazard, **data)
        if data["passed"]:
            messages.success(request, _("The fix was accepted and the hazard closed."))
        else:
            messages.warning(request, _("The fix was rejected: the hazard is reopened."))

    return _step(request, pk, may=hz_access.may_verify, form_class=VerifyForm,
                 form_name="verify_form", run=run)  # fmt: skip


@login_required
@require_POST
def hazard_withdraw(request, pk):
    """Withdraw a hazard recorded by mistake, with a reason (refused once rectifying)."""

    def run(hazard, data):
        services.hazard_withdraw(actor=request.user, hazard=hazard, **data)
        messages.success(request, _("The hazard was withdrawn."))

    def may(user, hazard):
        # A hazard being rectified reaches the service, which says why it is refused.
        return hz_access.may_withdraw(user, hazard) or (
            hazard.is_open and access.can_write(user, hazard)
        )

    return _step(request, pk, may=may, form_class=ReasonForm, form_name="withdraw_form",
                 run=run, prefix_id="withdraw")  # fmt: skip


@login_required
@require_POST
def hazard_photos(request, pk):
    def run(hazard, data):
        services.photo_add(actor=request.user, target=hazard, photos=data["photos"])

    def may(user, hazard):
        return hazard.is_open and access.can_write(user, hazard)

    return _step(request, pk, may=may, form_class=PhotoForm, form_name="photo_form", run=run)


@login_required
@require_POST
def hazard_promote(request, pk):
    """Promote the hazard to a risk of the register in one step; on to the new risk."""
    hazard = _hazard(request, pk)
    if not services.may_promote(request.user, hazard):
        raise PermissionDenied
    form = _promote_form(request.user, hazard, request.POST)
    if form.is_valid():
        try:
            risk = services.hazard_promote(actor=request.user, hazard=hazard, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, _("Risk %(code)s was created.") % {"code": risk.code})
            return redirect(risk)
    return _page(request, hazard, status=400, promote_form=form)


PHOTO_TARGETS = (Hazard, Rectification, Verification, InspectionRound)


@login_required
def photo(request, pk):
    """A hazard's (or a fix's) photo, inline, through the access check on its record."""
    try:
        attachment = Attachment.objects.select_related("content_type").get(
            pk=int(pk), mime_type__startswith="image/"
        )
    except (ValueError, Attachment.DoesNotExist):
        raise Http404 from None
    model = attachment.content_type.model_class()
    if model not in PHOTO_TARGETS:
        raise Http404
    access.get_object_for_user(request.user, model, attachment.object_id)
    handle = attachment.storage.open(attachment.stored_name, "rb")
    response = FileResponse(handle, content_type=attachment.mime_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def ledger_export(request, fmt):
    """The rectification ledger (隐患整改台账) of the hazards the reader may read, filtered
    like the register, as DOCX or PDF; an audited export. Over MAX_ROWS hazards, a page that
    offers the ledger as a report job (rendered by the worker, then downloaded)."""
    access.require_kind(request.user, Hazard)
    if fmt not in ("docx", "pdf"):
        raise Http404
    try:
        total = ledger.ledger_count(request.user, request.GET)
        if total > ledger.MAX_ROWS:
            # Too large for a request: the page offers the report job instead.
            context = {"fmt": fmt, "total": total, **_ledger_context(request)}
            return render(request, "hazards/ledger_job.html", context)
        doc, count = ledger.ledger_document(request.user, request.GET)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
    from resilia.core import reports as r

    template = r.TEMPLATE if fmt == "docx" else None
    content = r.render(doc, fmt, template=template) if template else r.render(doc, fmt)
    record(actor=request.user, action="export", object_type="hazards.hazard",
           changes={"format": fmt, "report": "ledger", "rows": count})  # fmt: skip
    response = HttpResponse(content, content_type=r.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="hazard-ledger.{fmt}"'
    return response
