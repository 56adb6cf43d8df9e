"""The plans' pages: the register, a new plan from a template, the plan with its versions,
readiness and distribution, a new version, and two versions compared side by side."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from resilia.core import access
from resilia.core.lists import list_view
from resilia.plans import access as plan_access
from resilia.plans import compare as comparing
from resilia.plans import selectors, services
from resilia.plans.forms import NewVersionForm, PlanCreateForm, PlanForm
from resilia.plans.models import Acknowledgement, Plan
from resilia.plans.readiness import readiness
from resilia.plans.registers import PLANS


def errors_to_form(form, exc: ValidationError) -> None:
    """A service's errors on the form: known fields on the field, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@login_required
def plan_list(request):
    return list_view(request, PLANS)


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request):
    access.require_kind(request.user, Plan, write=True)
    form = PlanCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in PlanCreateForm.Meta.fields}
        try:
            plan = services.plan_create(
                actor=request.user,
                blueprint=form.cleaned_data["blueprint"],
                language=get_language(),
                **data,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        except PermissionDenied:
            form.add_error("unit", _("You may not create a plan in this unit."))
        else:
            messages.success(request, _("The plan is created; its first draft is ready."))
            return redirect("plans:version_detail", pk=plan.pk, number=1)
    return render(request, "core/form.html", {"form": form, "kind": Plan._meta.verbose_name})


@login_required
def plan_detail(request, pk):
    plan = access.get_object_for_user(request.user, Plan, pk)
    versions = list(plan.versions.order_by("-number").prefetch_related("signatures"))
    published = next((v for v in versions if v.status == "published"), None)
    holders = list(plan.distribution.order_by("full_name"))
    acked = set()
    if published:
        acked = set(
            Acknowledgement.objects.filter(version=published).values_list("person_id", flat=True)
        )
    shown = access.people_shown(request.user, holders, roster=True)
    stale = selectors.stale_packs(plan, published)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "obj": plan,
            "versions": versions,
            "published": published,
            "holders": [(s, h.pk in acked) for s, h in zip(shown, holders, strict=True)],
            "readiness": readiness(plan),
            "stale_packs": stale,
            "my_stale_pack": next((s for s in stale if s.user_id == request.user.pk), None),
            "can_write": access.can_write(request.user, plan),
            "can_new_version": plan_access.may_new_version(request.user, plan),
            "new_version_form": NewVersionForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    plan = access.get_object_for_user(request.user, Plan, pk, write=True)
    form = PlanForm(request.POST or None, instance=plan, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in PlanForm.Meta.fields}
        plan.refresh_from_db()
        try:
            services.plan_update(actor=request.user, plan=plan, **data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            return redirect(plan)
    return render(
        request, "core/form.html", {"form": form, "obj": plan, "kind": Plan._meta.verbose_name}
    )


@login_required
@require_POST
def contacts_verify(request, pk):
    plan = access.get_object_for_user(request.user, Plan, pk, write=True)
    services.plan_contacts_verify(actor=request.user, plan=plan)
    messages.success(request, _("The plan's contacts are marked as verified today."))
    return redirect(plan)


@login_required
@require_POST
def version_new(request, pk):
    plan = access.get_object_for_user(request.user, Plan, pk, write=True)
    form = NewVersionForm(request.POST)
    if form.is_valid():
        try:
            v = services.version_new(
                actor=request.user, plan=plan, change_note=form.cleaned_data["change_note"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect(v)
    else:
        messages.error(request, _("Say what this version changes."))
    return redirect(plan)


@login_required
def compare(request, pk):
    plan = access.get_object_for_user(request.user, Plan, pk)
    versions = list(plan.versions.order_by("-number"))
    numbers = [v.number for v in versions]

    def pick(name, default):
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdigit() and int(raw) in numbers else default

    b = pick("b", numbers[0])
    a = pick("a", numbers[1] if len(numbers) > 1 else numbers[0])
    va = next(v for v in versions if v.number == a)
    vb = next(v for v in versions if v.number == b)
    return render(
        request,
        "plans/compare.html",
        {"obj": plan, "a": va, "b": vb, "numbers": numbers, "rows": comparing.rows(va, vb)},
    )
