"""Pages of the resources and activities registers: list, detail, create, edit, delete.

Reads go through `resilia.core.access`; writes through `resilia.dependencies.services`.
The links shown on a detail page (and edited in place) live in views_links.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from resilia.core import access
from resilia.core.lists import list_view
from resilia.core.views import confirm_delete, save_form
from resilia.dependencies import selectors, services
from resilia.dependencies.forms import ActivityForm, ResourceForm
from resilia.dependencies.models import Activity, Dependency, Resource
from resilia.dependencies.registers import ACTIVITIES, RESOURCES
from resilia.dependencies.views_links import ENDS, _readable_ends, _shown, detail_context

FORMS = {Resource: ResourceForm, Activity: ActivityForm}
CREATE = {Resource: services.resource_create, Activity: services.activity_create}
UPDATE = {Resource: services.resource_update, Activity: services.activity_update}
DELETE = {Resource: services.resource_delete, Activity: services.activity_delete}
LISTS = {Resource: "dependencies:resource_list", Activity: "dependencies:activity_list"}


def _warn(request, obj) -> None:
    """Doubtful but saved values (rules.objectives_warnings), once after the save; the model
    checks page lists them for later."""
    for message in obj.warnings():
        messages.warning(request, message)


def _node_create(request, model):
    if not access.can_create(request.user, model):
        raise PermissionDenied
    form = FORMS[model](request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        obj = save_form(request, form, CREATE[model])
        if obj is not None:
            messages.success(request, _("%(name)s was created.") % {"name": obj})
            _warn(request, obj)
            return redirect(obj)
    context = {"form": form, "kind": model._meta.verbose_name}
    return render(request, "dependencies/form.html", context)


def _node_edit(request, model, pk):
    obj = access.get_object_for_user(request.user, model, pk, write=True)
    # The form validates a copy: the service must see the object as it was, to audit the change.
    form = FORMS[model](request.POST or None, instance=copy.copy(obj), user=request.user)
    if request.method == "POST" and form.is_valid():
        key = "resource" if model is Resource else "activity"
        if save_form(request, form, UPDATE[model], **{key: obj}) is not None:
            messages.success(request, _("%(name)s was saved.") % {"name": obj})
            _warn(request, obj)
            return redirect(obj)
    context = {"form": form, "obj": obj, "kind": model._meta.verbose_name}
    return render(request, "dependencies/form.html", context)


def _node_delete(request, model, pk):
    """GET: the confirmation, listing the links that go with the node. POST: delete."""
    obj = access.get_object_for_user(request.user, model, pk, write=True, delete=True)
    key = "resource" if model is Resource else "activity"
    if request.method == "POST":
        return confirm_delete(request, obj, DELETE[model], LISTS[model], **{key: obj})
    links = Dependency.objects.filter(
        Q(**{f"dependent_{key}": obj}) | Q(**{f"dependency_{key}": obj})
    ).select_related(*ENDS)
    shown = list(links.order_by("pk")[:200])
    readable = _readable_ends(request.user, shown)
    rows = [
        {
            "dependent": _shown(link.dependent, readable),
            "dependency": _shown(link.dependency, readable),
            "link": link,
        }
        for link in shown
    ]
    context = {
        "obj": obj,
        "kind": model._meta.verbose_name,
        "rows": rows,
        "links_count": links.count(),
        "cancel_url": obj.get_absolute_url(),
    }
    return render(request, "dependencies/confirm_delete.html", context)


# Resources --------------------------------------------------------------------------------


@login_required
def resource_list(request):
    return list_view(request, RESOURCES)


@login_required
def resource_detail(request, pk):
    resource = access.get_object_for_user(request.user, Resource, pk)
    return render(request, "dependencies/resource_detail.html", detail_context(request, resource))


@login_required
@require_http_methods(["GET", "POST"])
def resource_create(request):
    return _node_create(request, Resource)


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request, pk):
    return _node_edit(request, Resource, pk)


@login_required
@require_http_methods(["GET", "POST"])
def resource_delete(request, pk):
    return _node_delete(request, Resource, pk)


# Activities -------------------------------------------------------------------------------


@login_required
def activity_list(request):
    return list_view(request, ACTIVITIES)


@login_required
def activity_detail(request, pk):
    activity = access.get_object_for_user(request.user, Activity, pk)
    context = detail_context(request, activity)
    context["recovery"] = _recovery(request.user, activity)
    return render(request, "dependencies/activity_detail.html", context)


def _recovery(user, activity) -> dict | None:
    """Whether the activity's RTO can be met and which dependency limits it (the engine's
    recovery bound of the current model state, computed once per state)."""
    bound = selectors.compiled_model().recovery_bound(activity.pk)
    if bound is None:
        return None
    return {
        "bound": bound,
        "limiting": _node_for_user(user, bound.limited_by),
        "untested": _node_for_user(user, bound.untested_by),
    }


def _node_for_user(user, key: str | None):
    """The record of an engine key, if the user may read it (None otherwise)."""
    if not key:
        return None
    kind, code = key.split(":", 1)
    model = Activity if kind == "activity" else Resource
    return model.objects.for_user(user).filter(code=code).first()


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request):
    return _node_create(request, Activity)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, pk):
    return _node_edit(request, Activity, pk)


@login_required
@require_http_methods(["GET", "POST"])
def activity_delete(request, pk):
    return _node_delete(request, Activity, pk)
