"""The threat catalogue, the matrix, the heat maps and the periodic assessments."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from resilia.core import access
from resilia.core.lists import list_view
from resilia.core.views import confirm_delete, save_form
from resilia.risk import selectors, services
from resilia.risk.access import may_sign_off
from resilia.risk.forms import AssessmentForm, ThreatForm
from resilia.risk.forms_matrix import MatrixEditor
from resilia.risk.models import (
    AssessedRisk,
    MatrixVersion,
    Measure,
    Risk,
    RiskAssessment,
    Threat,
)
from resilia.risk.registers import ASSESSMENTS, THREATS


@login_required
def threat_list(request):
    return list_view(request, THREATS)


@login_required
def threat_detail(request, pk):
    threat = access.get_object_for_user(request.user, Threat, pk)
    context = {
        "obj": threat,
        "risks": Risk.objects.for_user(request.user).filter(threat=threat)[:50],
        "can_write": access.can_write(request.user, threat),
        "can_delete": access.can_delete(request.user, threat),
    }
    return render(request, "risk/threat_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def threat_create(request):
    if not access.can_create(request.user, Threat):
        raise PermissionDenied
    form = ThreatForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        threat = save_form(request, form, services.threat_create)
        if threat is not None:
            return redirect(threat)
    return render(request, "core/form.html", {"form": form, "kind": Threat._meta.verbose_name})


@login_required
@require_http_methods(["GET", "POST"])
def threat_edit(request, pk):
    threat = access.get_object_for_user(request.user, Threat, pk, write=True)
    form = ThreatForm(request.POST or None, instance=copy.copy(threat))
    if request.method == "POST" and form.is_valid():
        if save_form(request, form, services.threat_update, threat=threat) is not None:
            return redirect(threat)
    context = {"form": form, "obj": threat, "kind": Threat._meta.verbose_name}
    return render(request, "core/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def threat_delete(request, pk):
    threat = access.get_object_for_user(request.user, Threat, pk, write=True, delete=True)
    return confirm_delete(
        request, threat, services.threat_delete, "risk:threat_list", threat=threat
    )


@login_required
@require_POST
def threat_catalogue_load(request):
    if not access.can_create(request.user, Threat):
        raise PermissionDenied
    added = services.threat_catalogue_load(actor=request.user)
    messages.success(request, _("%(count)d threats were added.") % {"count": added})
    return redirect("risk:threat_list")


def _version(request):
    number = request.GET.get("version", "")
    current = services.latest_matrix()
    if not number:
        return current
    try:
        return MatrixVersion.objects.for_user(request.user).get(number=int(number))
    except (ValueError, MatrixVersion.DoesNotExist):
        raise Http404 from None


@login_required
def matrix(request):
    access.require_kind(request.user, MatrixVersion)
    version = _version(request)
    risks = Risk.objects.for_user(request.user)
    context = {
        "matrix": version,
        "current": services.latest_matrix(),
        "versions": MatrixVersion.objects.order_by("-number")[:50],
        "grid": selectors.heat_map(risks.none(), version),
        "pending": services.pending_rescore(risks).count(),
        "can_write": access.can_create(request.user, MatrixVersion),
    }
    return render(request, "risk/matrix.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def matrix_edit(request):
    """A new version of the matrix, edited as its levels, bands and cells (forms_matrix)."""
    if not access.can_create(request.user, MatrixVersion):
        raise PermissionDenied
    current = services.latest_matrix()
    editor = MatrixEditor(request.POST if request.method == "POST" else None, matrix=current)
    if request.method == "POST" and editor.is_valid():
        try:
            version = services.matrix_save(actor=request.user, **editor.pack())
        except ValidationError as exc:
            editor.errors.extend(exc.messages)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": version})
            return redirect("risk:matrix")
    status = 400 if request.method == "POST" else 200
    context = {"editor": editor, "matrix": current, "grid": editor.grid()}
    return render(request, "risk/matrix_edit.html", context, status=status)


@login_required
def heatmap(request):
    access.require_kind(request.user, Risk)
    version = _version(request)
    risks = Risk.objects.for_user(request.user)
    open_risks = risks.filter(status="open")
    context = {
        "matrix": version,
        "inherent": selectors.heat_map(risks, version, "inherent"),
        "residual": selectors.heat_map(risks, version, "residual"),
        "top": open_risks.select_related("matrix", "unit").order_by("-score", "code")[:10],
        "measures": selectors.measures_by_status(Measure.objects.for_user(request.user)),
        "overdue": services.overdue_measures(Measure.objects.for_user(request.user)).count(),
        "pending": services.pending_rescore(risks).count(),
        "by_owner": selectors.measures_by_owner(Measure.objects.for_user(request.user)),
        "bands": version.bands,
        "trend": selectors.trend(
            RiskAssessment.objects.filter(status="signed_off").order_by("-assessed_on")[:10][::-1]
        ),
    }
    return render(request, "risk/heatmap.html", context)


@login_required
def assessment_list(request):
    return list_view(request, ASSESSMENTS)


@login_required
def assessment_detail(request, pk):
    assessment = access.get_object_for_user(request.user, RiskAssessment, pk)
    entries = AssessedRisk.objects.for_user(request.user).filter(assessment=assessment)
    others = RiskAssessment.objects.filter(status="signed_off").exclude(pk=assessment.pk)
    context = {
        "obj": assessment,
        "entries": entries.select_related("matrix")[:500],
        "entry_count": entries.count(),
        "in_scope": services.assessment_risks(assessment).count(),
        "others": others.order_by("-assessed_on")[:20],
        "can_write": access.can_write(request.user, assessment) and assessment.status == "draft",
        "can_delete": access.can_delete(request.user, assessment) and assessment.status == "draft",
        "can_sign_off": may_sign_off(request.user, assessment),
    }
    return render(request, "risk/assessment_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_create(request):
    if not access.can_create(request.user, RiskAssessment):
        raise PermissionDenied
    form = AssessmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        assessment = save_form(request, form, services.assessment_create)
        if assessment is not None:
            return redirect(assessment)
    context = {"form": form, "kind": RiskAssessment._meta.verbose_name}
    return render(request, "core/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request, pk):
    assessment = access.get_object_for_user(request.user, RiskAssessment, pk, write=True)
    form = AssessmentForm(request.POST or None, instance=copy.copy(assessment), user=request.user)
    if request.method == "POST" and form.is_valid():
        if save_form(request, form, services.assessment_update, assessment=assessment):
            return redirect(assessment)
    context = {"form": form, "obj": assessment, "kind": RiskAssessment._meta.verbose_name}
    return render(request, "core/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_delete(request, pk):
    obj = access.get_object_for_user(request.user, RiskAssessment, pk, write=True, delete=True)
    return confirm_delete(
        request, obj, services.assessment_delete, "risk:assessment_list", assessment=obj
    )


@login_required
@require_POST
def assessment_sign_off(request, pk):
    assessment = access.get_object_for_user(request.user, RiskAssessment, pk)
    if not may_sign_off(request.user, assessment):
        raise PermissionDenied
    services.assessment_sign_off(actor=request.user, assessment=assessment)
    messages.success(request, _("The assessment was signed off."))
    return redirect(assessment)


@login_required
def assessment_compare(request, pk):
    second = access.get_object_for_user(request.user, RiskAssessment, pk)
    try:
        first = RiskAssessment.objects.for_user(request.user).get(pk=int(request.GET["with"]))
    except (KeyError, ValueError, RiskAssessment.DoesNotExist):
        raise Http404 from None
    if first.assessed_on > second.assessed_on:
        first, second = second, first
    context = {"first": first, "second": second, "rows": selectors.compare(first, second)[:1000]}
    return render(request, "risk/compare.html", context)


@login_required
def assessment_report(request, pk):
    """The risk assessment report as a page (HTML); PDF and DOCX through a report job."""
    from django.http import HttpResponse

    from resilia.core import reports
    from resilia.risk.report import build

    doc = build(user=request.user, params={"assessment": pk})
    return HttpResponse(reports.render(doc, "html", request=request))
