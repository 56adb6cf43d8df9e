"""Pages of the organisation registers: units and people, and the autocomplete endpoint.

Reads go through `resilia.core.access`; writes through `resilia.org.services`.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from resilia.core import access
from resilia.core.lists import list_view
from resilia.core.views import confirm_delete, save_form
from resilia.org import services
from resilia.org.filters import PersonFilterSet, SiteFilterSet, TeamFilterSet, UnitFilterSet
from resilia.org.forms import PersonForm, UnitForm
from resilia.org.models import Person, Site, Team, Unit
from resilia.org.registers import PEOPLE, UNITS

AUTOCOMPLETE = {
    "unit": (Unit, UnitFilterSet),
    "person": (Person, PersonFilterSet),
    "site": (Site, SiteFilterSet),
    "team": (Team, TeamFilterSet),
}
AUTOCOMPLETE_LIMIT = 20


# Units ------------------------------------------------------------------------------------


@login_required
def unit_list(request):
    return list_view(request, UNITS)


@login_required
def unit_detail(request, pk):
    unit = access.get_object_for_user(request.user, Unit, pk)
    user = request.user
    context = {
        "obj": unit,
        "head_shown": access.person_shown(user, unit.head),
        "children": Unit.objects.for_user(user).filter(parent=unit).select_related("head"),
        "people": Person.objects.for_user(user).filter(unit=unit).select_related("site"),
        "teams": Team.objects.for_user(user).filter(unit=unit),
        "sites": Site.objects.for_user(user).filter(unit=unit),
        "can_write": access.can_write(user, unit),
        "can_delete": access.can_delete(user, unit),
        "can_add_child": access.can_create(user, Unit, unit),
        "can_add_person": access.can_create(user, Person, unit),
    }
    return render(request, "org/unit_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request):
    if not access.can_create(request.user, Unit):
        raise PermissionDenied
    parent = _initial_parent(request)
    form = UnitForm(request.POST or None, user=request.user, initial={"parent": parent})
    if request.method == "POST" and form.is_valid():
        unit = save_form(request, form, services.unit_create)
        if unit is not None:
            messages.success(request, _("%(name)s was created.") % {"name": unit})
            return redirect(unit)
    return render(request, "core/form.html", {"form": form, "kind": Unit._meta.verbose_name})


def _initial_parent(request):
    """?parent=<id> pre-selects a parent the user may read (ignored otherwise)."""
    raw = request.GET.get("parent", "")
    return (
        Unit.objects.for_user(request.user).filter(pk=int(raw)).first() if raw.isdigit() else None
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request, pk):
    unit = access.get_object_for_user(request.user, Unit, pk, write=True)
    # The form validates a copy: the service must see the unit as it was, to audit the change.
    form = UnitForm(request.POST or None, instance=copy.copy(unit), user=request.user)
    if request.method == "POST" and form.is_valid():
        if save_form(request, form, services.unit_update, unit=unit) is not None:
            messages.success(request, _("%(name)s was saved.") % {"name": unit})
            return redirect(unit)
    context = {"form": form, "obj": unit, "kind": Unit._meta.verbose_name}
    return render(request, "core/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def unit_delete(request, pk):
    unit = access.get_object_for_user(request.user, Unit, pk, write=True, delete=True)
    return confirm_delete(request, unit, services.unit_delete, "org:unit_list", unit=unit)


# People -----------------------------------------------------------------------------------


@login_required
def person_list(request):
    return list_view(request, PEOPLE)


@login_required
def person_detail(request, pk):
    person = access.get_object_for_user(request.user, Person, pk)
    user = request.user
    readable = Person.objects.for_user(user)
    context = {
        "obj": person,
        "deputy": readable.filter(pk=person.deputy_id).first() if person.deputy_id else None,
        "site": Site.objects.for_user(user).filter(pk=person.site_id).first()
        if person.site_id
        else None,
        "deputy_for": readable.filter(deputy=person).select_related("unit"),
        "memberships": person.memberships.filter(team__in=Team.objects.for_user(user))
        .select_related("team")
        .order_by("team__code"),
        "can_write": access.can_write(user, person),
        "can_delete": access.can_delete(user, person),
    }
    return render(request, "org/person_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request):
    if not access.can_create(request.user, Person):
        raise PermissionDenied
    raw = request.GET.get("unit", "")
    unit = Unit.objects.for_user(request.user).filter(pk=raw).first() if raw.isdigit() else None
    form = PersonForm(request.POST or None, user=request.user, initial={"unit": unit})
    if request.method == "POST" and form.is_valid():
        person = save_form(request, form, services.person_create)
        if person is not None:
            messages.success(request, _("%(name)s was created.") % {"name": person})
            return redirect(person)
    return render(request, "core/form.html", {"form": form, "kind": Person._meta.verbose_name})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    person = access.get_object_for_user(request.user, Person, pk, write=True)
    form = PersonForm(request.POST or None, instance=copy.copy(person), user=request.user)
    if request.method == "POST" and form.is_valid():
        if save_form(request, form, services.person_update, person=person) is not None:
            messages.success(request, _("%(name)s was saved.") % {"name": person})
            return redirect(person)
    context = {"form": form, "obj": person, "kind": Person._meta.verbose_name}
    return render(request, "core/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def person_delete(request, pk):
    person = access.get_object_for_user(request.user, Person, pk, write=True, delete=True)
    return confirm_delete(request, person, services.person_delete, "org:person_list", person=person)


# Autocomplete -----------------------------------------------------------------------------


@login_required
@require_GET
def autocomplete(request, kind):
    """Up to 20 {id, text} the user may read (or write, with ?write=1) matching ?q=."""
    try:
        model, filterset_class = AUTOCOMPLETE[kind]
    except KeyError:
        raise Http404 from None
    access.require_kind(request.user, model)
    queryset = model.objects.for_user(request.user, write=request.GET.get("write") == "1")
    if model is Person:
        queryset = queryset.select_related("unit")
    filterset = filterset_class({"q": request.GET.get("q", "")[:100]}, queryset=queryset)
    results = [{"id": obj.pk, "text": _label(obj)} for obj in filterset.qs[:AUTOCOMPLETE_LIMIT]]
    return JsonResponse({"results": results})


def _label(obj) -> str:
    if isinstance(obj, Person):
        return f"{obj.full_name} · {obj.unit.display_name}"
    return f"{obj.code} · {obj.display_name}"
