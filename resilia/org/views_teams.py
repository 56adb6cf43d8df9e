"""The Teams register: list, detail with members by role, create, edit, delete; and the
members of a team, added, edited and removed in place with htmx.

Reads go through `resilia.core.access`; writes through `resilia.org.services`.
"""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from resilia.core import access
from resilia.core.lists import Column, Register, list_view
from resilia.core.views import confirm_delete, save_form
from resilia.org import services
from resilia.org.filters import TeamFilterSet
from resilia.org.forms_teams import MembershipForm, TeamForm
from resilia.org.models import Team, TeamMembership

TEAMS = Register(
    model=Team,
    filterset=TeamFilterSet,
    title=gettext_lazy("Teams"),
    basename="teams",
    columns=[
        Column("code", gettext_lazy("code"), "code", order="code", link=True, css="text-nowrap"),
        Column("name", gettext_lazy("name"), "display_name", order="name"),
        Column("kind", gettext_lazy("kind"), "get_kind_display", order="kind"),
        Column("unit", gettext_lazy("unit"), "unit.display_name", order="unit__path"),
        Column(
            "members",
            gettext_lazy("members"),
            "member_count",
            order="member_count",
            css="text-end",
        ),
    ],
    ordering=("code",),
    select_related=("unit",),
    annotate=lambda qs: qs.annotate(member_count=Count("memberships")),
    create_url="org:team_create",
)


@login_required
def team_list(request):
    return list_view(request, TEAMS)


def _members_context(request, team: Team, form=None) -> dict:
    """The members of the team grouped by role, and the add form when the user may write."""
    memberships = list(team.memberships.select_related("person__unit"))
    # A call roster: every member's name; their unit and phone only within the reader's scope.
    shown = access.people_shown(request.user, [m.person for m in memberships], roster=True)
    for membership, person in zip(memberships, shown, strict=True):
        membership.shown = person
    can_write = access.can_write(request.user, team)
    groups = [
        {"role": role, "label": label, "members": [m for m in memberships if m.role == role]}
        for role, label in TeamMembership.Role.choices
    ]
    if can_write and form is None:
        form = MembershipForm(user=request.user, team=team, prefix="add")
    return {
        "obj": team,
        "groups": groups,
        "can_write": can_write,
        "can_delete": access.can_delete(request.user, team),
        "add_form": form if can_write else None,
    }


def _is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def _members_response(request, team: Team, form=None):
    """The members partial for htmx (errors included, status 200: htmx swaps only 2xx);
    without JavaScript, a redirect to the team page, or the page with the form's errors."""
    if _is_htmx(request):
        response = render(request, "org/team_members.html", _members_context(request, team, form))
        # An edit form posts from its own row; the result replaces the whole members card.
        response["HX-Retarget"] = "#team-members"
        response["HX-Reswap"] = "outerHTML"
        return response
    if form is not None and form.errors:
        context = _members_context(request, team, form)
        return render(request, "org/team_detail.html", context, status=422)
    return redirect(team)


@login_required
def team_detail(request, pk):
    team = access.get_object_for_user(request.user, Team, pk)
    return render(request, "org/team_detail.html", _members_context(request, team))


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request):
    if not access.can_create(request.user, Team):
        raise PermissionDenied
    form = TeamForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        team = save_form(request, form, services.team_create)
        if team is not None:
            messages.success(request, _("%(name)s was created.") % {"name": team})
            return redirect(team)
    return render(request, "core/form.html", {"form": form, "kind": Team._meta.verbose_name})


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request, pk):
    team = access.get_object_for_user(request.user, Team, pk, write=True)
    form = TeamForm(request.POST or None, instance=copy.copy(team), user=request.user)
    if request.method == "POST" and form.is_valid():
        if save_form(request, form, services.team_update, team=team) is not None:
            messages.success(request, _("%(name)s was saved.") % {"name": team})
            return redirect(team)
    context = {"form": form, "obj": team, "kind": Team._meta.verbose_name}
    return render(request, "core/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def team_delete(request, pk):
    team = access.get_object_for_user(request.user, Team, pk, write=True, delete=True)
    return confirm_delete(request, team, services.team_delete, "org:team_list", team=team)


# Members ----------------------------------------------------------------------------------


def _membership(request, pk, mpk) -> tuple[Team, TeamMembership]:
    team = access.get_object_for_user(request.user, Team, pk, write=True)
    membership = access.get_object_for_user(request.user, TeamMembership, mpk, write=True)
    if membership.team_id != team.pk:
        raise PermissionDenied
    return team, membership


def _save_membership(request, form, service, **kwargs):
    """Call the service with the form's fields; its validation errors land on the form."""
    data = {name: form.cleaned_data[name] for name in form.fields}
    try:
        return service(actor=request.user, **kwargs, **data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


@login_required
@require_POST
def membership_add(request, pk):
    team = access.get_object_for_user(request.user, Team, pk, write=True)
    form = MembershipForm(request.POST, user=request.user, team=team, prefix="add")
    if form.is_valid() and _save_membership(request, form, services.membership_create, team=team):
        return _members_response(request, team)
    return _members_response(request, team, form)


@login_required
@require_http_methods(["GET", "POST"])
def membership_edit(request, pk, mpk):
    """GET: the member's row as a form. POST: save the role and responsibilities."""
    team, membership = _membership(request, pk, mpk)
    form = MembershipForm(
        request.POST or None, instance=copy.copy(membership), user=request.user, team=team
    )
    if request.method == "POST" and form.is_valid():
        if _save_membership(request, form, services.membership_update, membership=membership):
            return _members_response(request, team)
    if not _is_htmx(request):
        context = {"form": form, "obj": team, "kind": TeamMembership._meta.verbose_name}
        return render(request, "core/form.html", context, status=422 if form.errors else 200)
    membership.shown = access.person_shown(request.user, membership.person, roster=True)
    context = {"obj": team, "membership": membership, "form": form}
    return render(request, "org/membership_form.html", context)


@login_required
@require_POST
def membership_remove(request, pk, mpk):
    team, membership = _membership(request, pk, mpk)
    services.membership_delete(actor=request.user, membership=membership)
    return _members_response(request, team)
