"""The Sites register: list, detail with the people located there, create, edit, delete.

Reads go through `resilia.core.access`; writes through `resilia.org.services`.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from resilia.core import access
from resilia.core.lists import Column, Register, list_view, related_count
from resilia.core.views import confirm_delete, save_form
from resilia.org import services
from resilia.org.filters import SiteFilterSet
from resilia.org.forms_sites import SiteForm
from resilia.org.models import Person, Site

SITES = Register(
    model=Site,
    filterset=SiteFilterSet,
    title=gettext_lazy("Sites"),
    basename="sites",
    columns=[
        Column("code", gettext_lazy("code"), "code", order="code", link=True, css="text-nowrap"),
        Column("name", gettext_lazy("name"), "display_name", order="name"),
        Column("kind", gettext_lazy("kind"), "get_kind_display", order="kind"),
        Column("unit", gettext_lazy("owning unit"), "unit.display_name", order="unit__path"),
        Column("address", gettext_lazy("address"), "address"),
        Column(
            "seats",
            gettext_lazy("seat capacity"),
            "seat_capacity",
            order="seat_capacity",
            css="text-end",
        ),
        Column(
            "people",
            gettext_lazy("people"),
            "people_count",
            order="people_count",
            css="text-end",
        ),
    ],
    ordering=("code",),
    select_related=("unit",),
    annotate=lambda qs: qs.annotate(people_count=related_count(Person, "site")),
    create_url="org:site_create",
)


@login_required
def site_list(request):
    return list_view(request, SITES)


@login_required
def site_detail(request, pk):
    site = access.get_object_for_user(request.user, Site, pk)
    people = (
        Person.objects.for_user(request.user)
        .filter(site=site)
        .select_related("unit")
        .order_by("full_name", "pk")
    )
    context = {
        "obj": site,
        "people": people,
        "can_write": access.can_write(request.user, site),
        "can_delete": access.can_delete(request.user, site),
    }
    return render(request, "org/site_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def site_create(request):
    if not access.can_create(request.user, Site):
        raise PermissionDenied
    form = SiteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        site = save_form(request, form, services.site_create)
        if site is not None:
            messages.success(request, _("%(name)s was created.") % {"name": site})
            return redirect(site)
    return render(request, "core/form.html", {"form": form, "kind": Site._meta.verbose_name})


@login_required
@require_http_methods(["GET", "POST"])
def site_edit(request, pk):
    site = access.get_object_for_user(request.user, Site, pk, write=True)
    # The form validates a copy: the service must see the site as it was, to audit the change.
    form = SiteForm(request.POST or None, instance=copy.copy(site), user=request.user)
    if request.method == "POST" and form.is_valid():
        if save_form(request, form, services.site_update, site=site) is not None:
            messages.success(request, _("%(name)s was saved.") % {"name": site})
            return redirect(site)
    context = {"form": form, "obj": site, "kind": Site._meta.verbose_name}
    return render(request, "core/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def site_delete(request, pk):
    site = access.get_object_for_user(request.user, Site, pk, write=True, delete=True)
    return confirm_delete(request, site, services.site_delete, "org:site_list", site=site)
