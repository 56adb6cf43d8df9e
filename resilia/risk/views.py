"""The risk register's pages: list, detail, create, edit, delete, accept, measures, scenario.

Reads go through `resilia.core.access`; writes through `resilia.risk.services`.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from resilia.core import access
from resilia.core.lists import list_view
from resilia.core.views import confirm_delete, save_form
from resilia.risk import scenarios, selectors, services
from resilia.risk.access import may_accept
from resilia.risk.forms import AcceptForm, MeasureForm, RiskForm
from resilia.risk.models import Measure, Risk
from resilia.risk.registers import MEASURES, RISKS


@login_required
def risk_list(request):
    pending = services.pending_rescore(Risk.objects.for_user(request.user)).count()
    return list_view(request, RISKS, {"pending": pending})


@login_required
def measure_list(request):
    return list_view(request, MEASURES)


@login_required
def risk_detail(request, pk):
    risk = access.get_object_for_user(request.user, Risk, pk)
    context = {
        "obj": risk,
        "measures": selectors.with_evidence_files(
            Measure.objects.for_user(request.user).filter(risk=risk).select_related("owner"),
            request.user,
        ),
        "scenario": risk.scenarios.first(),
        "scope": {
            name: list(getattr(risk, name).all()[:50])
            for name in ("units", "sites", "resources", "activities")
        },  # fmt: skip
        "pending": risk.matrix_id != services.latest_matrix().pk,
        "can_write": access.can_write(request.user, risk),
        "can_delete": access.can_delete(request.user, risk),
        "can_accept": may_accept(request.user),
        "accept_form": AcceptForm(),
        "source_hazards": _source_hazards(request.user, risk),
    }
    return render(request, "risk/risk_detail.html", context)


def _source_hazards(user, risk) -> list:
    """The hazards this risk was promoted from that the user may read (the hazards app sits
    above this one: reached through its reverse relation, never imported)."""
    related = getattr(risk, "source_hazards", None)
    return list(access.readable(user, related.all())[:5]) if related is not None else []


@login_required
@require_http_methods(["GET", "POST"])
def risk_create(request):
    if not access.can_create(request.user, Risk):
        raise PermissionDenied
    form = RiskForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        risk = save_form(request, form, services.risk_create)
        if risk is not None:
            messages.success(request, _("%(name)s was created.") % {"name": risk})
            return redirect(risk)
    return render(request, "core/form.html", {"form": form, "kind": Risk._meta.verbose_name})


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request, pk):
    risk = access.get_object_for_user(request.user, Risk, pk, write=True)
    form = RiskForm(request.POST or None, instance=copy.copy(risk), user=request.user)
    if request.method == "POST" and form.is_valid():
        if save_form(request, form, services.risk_update, risk=risk) is not None:
            messages.success(request, _("%(name)s was saved.") % {"name": risk})
            return redirect(risk)
    context = {"form": form, "obj": risk, "kind": Risk._meta.verbose_name}
    return render(request, "core/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def risk_delete(request, pk):
    risk = access.get_object_for_user(request.user, Risk, pk, write=True, delete=True)
    return confirm_delete(request, risk, services.risk_delete, "risk:risk_list", risk=risk)


@login_required
@require_POST
def risk_accept(request, pk):
    risk = access.get_object_for_user(request.user, Risk, pk)
    if not may_accept(request.user):
        raise PermissionDenied
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            services.risk_accept(actor=request.user, risk=risk, **form.cleaned_data)
            messages.success(request, _("The risk was accepted."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect(risk)


@login_required
@require_POST
def risk_scenario(request, pk):
    risk = access.get_object_for_user(request.user, Risk, pk, write=True)
    try:
        scenarios.scenario_run(actor=request.user, risk=risk)
        messages.success(request, _("The scenario was run."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(risk.get_absolute_url() + "#scenario")


@login_required
@require_http_methods(["GET", "POST"])
def measure_create(request, pk):
    risk = access.get_object_for_user(request.user, Risk, pk, write=True)
    form = MeasureForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if save_form(request, form, services.measure_create, risk=risk) is not None:
            messages.success(request, _("The measure was added."))
            return redirect(risk)
    context = {"form": form, "obj": risk, "kind": Measure._meta.verbose_name}
    return render(request, "core/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request, pk):
    measure = access.get_object_for_user(request.user, Measure, pk, write=True)
    form = MeasureForm(request.POST or None, instance=copy.copy(measure), user=request.user)
    if request.method == "POST" and form.is_valid():
        if save_form(request, form, services.measure_update, measure=measure) is not None:
            messages.success(request, _("The measure was saved."))
            return redirect(measure.risk)
    context = {"form": form, "obj": measure, "kind": Measure._meta.verbose_name}
    return render(request, "core/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def measure_delete(request, pk):
    measure = access.get_object_for_user(request.user, Measure, pk, write=True, delete=True)
    return confirm_delete(
        request, measure, services.measure_delete, "risk:risk_list", measure=measure
    )
