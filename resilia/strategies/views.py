"""Pages of the strategies app: the options register, an option, its decision and test, and the
side-by-side comparison of an activity's or resource's options against its objectives.

Reads go through `resilia.core.access`; writes through `resilia.strategies.services`.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from resilia.core import access
from resilia.core.lists import list_view
from resilia.core.views import confirm_delete, save_form
from resilia.dependencies.models import Activity, Resource
from resilia.strategies import selectors, services
from resilia.strategies.access import may_decide
from resilia.strategies.forms import DecisionForm, OptionForm, TestResultForm
from resilia.strategies.models import Option, Status
from resilia.strategies.registers import OPTIONS

SUBJECTS = {"activity": Activity, "resource": Resource}


@login_required
def option_list(request):
    return list_view(request, OPTIONS)


@login_required
def option_detail(request, pk):
    option = access.get_object_for_user(request.user, Option, pk)
    writable = access.can_write(request.user, option)
    context = {
        "obj": option,
        "can_write": writable and option.editable,
        "can_delete": access.can_delete(request.user, option) and option.editable,
        "can_decide": may_decide(request.user, option),
        "can_test": writable and option.status == Status.CHOSEN,
    }
    return render(request, "strategies/option_detail.html", context)


def _initial_subject(request) -> dict:
    """?activity=<pk> / ?resource=<pk>: propose from the comparison page of that subject."""
    for name in SUBJECTS:
        value = request.GET.get(name, "")
        if value.isdigit():
            return {name: int(value)}
    return {}


@login_required
@require_http_methods(["GET", "POST"])
def option_create(request):
    if not access.can_create(request.user, Option):
        raise PermissionDenied
    form = OptionForm(request.POST or None, user=request.user, initial=_initial_subject(request))
    if request.method == "POST" and form.is_valid():
        option = save_form(request, form, services.option_create)
        if option is not None:
            messages.success(request, _("%(name)s was created.") % {"name": option})
            return redirect(option)
    return render(
        request, "strategies/form.html", {"form": form, "kind": Option._meta.verbose_name}
    )


@login_required
@require_http_methods(["GET", "POST"])
def option_edit(request, pk):
    option = access.get_object_for_user(request.user, Option, pk, write=True)
    if not option.editable:
        raise PermissionDenied
    form = OptionForm(request.POST or None, instance=copy.copy(option), user=request.user)
    if request.method == "POST" and form.is_valid():
        if save_form(request, form, services.option_update, option=option) is not None:
            messages.success(request, _("%(name)s was saved.") % {"name": option})
            return redirect(option)
    context = {"form": form, "obj": option, "kind": Option._meta.verbose_name}
    return render(request, "strategies/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def option_delete(request, pk):
    option = access.get_object_for_user(request.user, Option, pk, write=True, delete=True)
    if not option.editable:
        raise PermissionDenied
    return confirm_delete(
        request, option, services.option_delete, "strategies:option_list", option=option
    )


def _step(request, option, form, run, title, done):
    """Bind the step's form, call its service, or show the form with the service's errors."""
    if request.method == "POST" and form.is_valid():
        try:
            run(actor=request.user, option=option, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done % {"name": option})
            return redirect(option)
    return render(request, "strategies/step.html", {"form": form, "obj": option, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def option_decide(request, pk, decision):
    option = access.get_object_for_user(request.user, Option, pk)
    if not may_decide(request.user, option):
        raise PermissionDenied
    choose = decision == "choose"
    service = services.option_choose if choose else services.option_reject
    return _step(
        request,
        option,
        DecisionForm(request.POST or None),
        service,
        _("Choose this option") if choose else _("Reject this option"),
        _("%(name)s was chosen.") if choose else _("%(name)s was rejected."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def option_test(request, pk):
    option = access.get_object_for_user(request.user, Option, pk, write=True)
    form = TestResultForm(request.POST or None)
    title = _("Record the test of this option")
    return _step(
        request, option, form, services.option_record_test, title, _("%(name)s: test recorded.")
    )


@login_required
def compare(request, kind, pk):
    """The subject's options side by side against its objectives."""
    subject = access.get_object_for_user(request.user, SUBJECTS[kind], pk)
    result = selectors.comparison(request.user, subject)
    context = {
        "comparison": result,
        "subject": subject,
        "kind": kind,
        "can_propose": access.can_create(request.user, Option)
        and access.can_write(request.user, subject),
    }
    return render(request, "strategies/compare.html", context)
