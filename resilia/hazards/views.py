"""Pages of hazard inspection: the overview, checklist templates, schedules and rounds (the
inspector's checklist on a phone). Hazards and their orders are in views_hazards.

Reads go through resilia.core.access; writes through resilia.hazards.services.
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
from resilia.core.forms import errors_onto_form
from resilia.core.lists import list_view
from resilia.hazards import access as hz_access
from resilia.hazards import selectors, services
from resilia.hazards.defaults import templates_seed
from resilia.hazards.forms import ReasonForm, RoundForm, ScheduleForm, TemplateForm
from resilia.hazards.models import ChecklistTemplate, InspectionRound, Result, Schedule
from resilia.hazards.registers import ROUNDS, SCHEDULES, TEMPLATES


@login_required
def overview(request):
    """Open hazards by grade and age, rounds by status, the overdue and major counts."""
    access.require_kind(request.user, InspectionRound)
    return render(request, "hazards/overview.html", selectors.overview(request.user))


# Templates --------------------------------------------------------------------------------


@login_required
def template_list(request):
    can_seed = access.can_create(request.user, ChecklistTemplate)
    return list_view(request, TEMPLATES, {"can_seed": can_seed})


@login_required
def template_detail(request, pk):
    template = access.get_object_for_user(request.user, ChecklistTemplate, pk)
    context = {
        "obj": template,
        "items": template.items.all(),
        "can_write": access.can_write(request.user, template),
    }
    return render(request, "hazards/template_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def template_create(request):
    if not access.can_create(request.user, ChecklistTemplate):
        raise PermissionDenied
    return _template_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, pk):
    template = access.get_object_for_user(request.user, ChecklistTemplate, pk, write=True)
    return _template_form(request, template)


def _template_form(request, template):
    initial = TemplateForm.initial_for(template) if template else {"is_active": True}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.template_save(
                actor=request.user, template=template, **form.cleaned_data
            )
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": saved.display_name})
            return redirect(saved)
    kind = ChecklistTemplate._meta.verbose_name
    return render(request, "core/form.html", {"form": form, "kind": kind, "obj": template})


@login_required
@require_POST
def templates_load(request):
    """Load the standard templates (fire, power, air conditioning, network rooms)."""
    if not access.can_create(request.user, ChecklistTemplate):
        raise PermissionDenied
    count = templates_seed(actor=request.user)
    messages.success(request, _("%(count)d standard templates were added.") % {"count": count})
    return redirect("hazards:template_list")


# Schedules --------------------------------------------------------------------------------


@login_required
def schedule_list(request):
    return list_view(request, SCHEDULES)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_create(request):
    if not hz_access.may_plan(request.user, None):
        raise PermissionDenied
    return _planning_form(request, ScheduleForm, services.schedule_create, Schedule)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request, pk):
    schedule = access.get_object_for_user(request.user, Schedule, pk, write=True)
    # The form gets its own copy: validating a model form writes the posted values onto its
    # instance, and the service would then see no change to save (nor to audit).
    form = ScheduleForm(request.POST or None, instance=copy.copy(schedule), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.schedule_update(actor=request.user, schedule=schedule, **data)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            return redirect("hazards:schedule_list")
    kind = Schedule._meta.verbose_name
    return render(request, "core/form.html", {"form": form, "kind": kind, "obj": schedule})


def _planning_form(request, form_class, service, model):
    form = form_class(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = service(actor=request.user, **data)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, _("%(name)s was created.") % {"name": saved})
            return redirect(saved)
    return render(request, "core/form.html", {"form": form, "kind": model._meta.verbose_name})


# Rounds -----------------------------------------------------------------------------------


@login_required
def round_list(request):
    return list_view(request, ROUNDS)


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request):
    if not hz_access.may_plan(request.user, None):
        raise PermissionDenied
    return _planning_form(request, RoundForm, services.round_create, InspectionRound)


def _round(request, pk, *, write=False) -> InspectionRound:
    obj = access.get_object_for_user(request.user, InspectionRound, pk, write=write)
    return InspectionRound.objects.select_related("site", "template", "inspector").get(pk=obj.pk)


@login_required
@require_http_methods(["GET", "POST"])
def round_detail(request, pk):
    """The checklist: one column, a big pass / fail / N/A choice per check (a phone)."""
    round_ = _round(request, pk)
    may_fill = hz_access.may_fill(request.user, round_)
    error = None
    if request.method == "POST":
        if not may_fill:
            raise PermissionDenied
        answers = _posted_answers(request.POST)
        try:
            services.round_answer(actor=request.user, round=round_, answers=answers)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The answers were saved."))
            return redirect(round_)
    return _round_page(request, round_, may_fill=may_fill, error=error)


def _round_page(request, round_, *, may_fill, error=None, cancel_form=None):
    context = selectors.round_page(request.user, round_)
    context.update(may_fill=may_fill, error=error, results=Result.choices[1:])
    if hz_access.may_cancel(request.user, round_):
        context["cancel_form"] = cancel_form or ReasonForm(prefix_id="cancel")
        context["may_delete"] = not services.round_has_answers(round_)
    bad = error or (cancel_form is not None and cancel_form.errors)
    return render(request, "hazards/round_detail.html", context, status=400 if bad else 200)


def _posted_answers(post) -> dict:
    """{item id (as posted): (result, remark)} from result_<id> / remark_<id> fields."""
    answers = {}
    for key, value in post.items():
        if key.startswith("result_") and value:
            item = key.removeprefix("result_")
            answers[item] = (value, post.get(f"remark_{item}", "").strip())
    return answers


@login_required
@require_POST
def round_complete(request, pk):
    round_ = _round(request, pk)
    if not hz_access.may_fill(request.user, round_):
        raise PermissionDenied
    try:
        services.round_complete(actor=request.user, round=round_)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The round is completed."))
    return redirect(round_)


@login_required
@require_POST
def round_cancel(request, pk):
    """Cancel the round with a reason (kept, audited; the round is no longer due)."""
    round_ = _round(request, pk)
    if not hz_access.may_cancel(request.user, round_):
        raise PermissionDenied
    form = ReasonForm(request.POST, prefix_id="cancel")
    if form.is_valid():
        try:
            services.round_cancel(actor=request.user, round=round_, **form.cleaned_data)
        except ValidationError as exc:
            errors_onto_form(form, exc)
        else:
            messages.success(request, _("The round was cancelled."))
            return redirect(round_)
    return _round_page(request, round_, may_fill=False, cancel_form=form)


@login_required
@require_POST
def round_delete(request, pk):
    """Delete a round with nothing recorded on it (else refused: cancel it instead)."""
    round_ = _round(request, pk)
    if not hz_access.may_cancel(request.user, round_):
        raise PermissionDenied
    try:
        services.round_delete(actor=request.user, round=round_)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(round_)
    messages.success(request, _("The round was deleted."))
    return redirect("hazards:round_list")
