"""The editors of call trees and escalation policies: one page with the header form and
its ordered rows (contacts, steps), saved in one service call, so that a refused row leaves
everything as it was; and their deletion. Thin views: access through resilia.core.access,
writes through resilia.notify.services."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from resilia.core import access
from resilia.core.views import confirm_delete
from resilia.notify import forms, services
from resilia.notify.models import CallTree, EscalationPolicy
from resilia.notify.views import _call, _may_create


def _contacts(rows) -> list[dict]:
    """The service's contacts from the rows; an empty deputy keeps the person's own."""
    out = []
    for row in rows.rows():
        contact = {"person": row["person"], "role": row["role"]}
        if row.get("deputy") is not None:
            contact["deputy"] = row["deputy"]
        out.append(contact)
    return out


def _steps(rows) -> list[dict]:
    return [{k: row[k] for k in ("call_tree", "team", "wait_minutes")} for row in rows.rows()]


def _editor(request, template, form, rows, obj=None):
    context = {"form": form, "rows": rows, "obj": obj}
    invalid = bool(form.errors or any(rows.errors) or rows.non_form_errors())
    return render(request, template, context, status=422 if invalid else 200)


def _header(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


# Call trees -------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def calltree_create(request):
    """A new call tree with its first contacts; with a team and no contacts, the team's
    members, leader first."""
    _may_create(request, CallTree)
    data = request.POST or None
    form = forms.CallTreeForm(data, user=request.user)
    rows = forms.ContactFormSet(data, prefix="contacts", form_kwargs={"user": request.user})
    if request.method == "POST" and all([form.is_valid(), rows.is_valid()]):
        tree = _call(
            form,
            services.calltree_create,
            actor=request.user,
            contacts=_contacts(rows),
            **_header(form),
        )
        if tree is not None:
            messages.success(request, _("%(name)s was created.") % {"name": tree})
            return redirect(tree)
    return _editor(request, "notify/calltree_form.html", form, rows)


@login_required
@require_http_methods(["GET", "POST"])
def calltree_edit(request, pk):
    tree = access.get_object_for_user(request.user, CallTree, pk, write=True)
    data = request.POST or None
    # The form validates a copy: the service must see the tree as it was, to audit it.
    form = forms.CallTreeForm(data, instance=copy.copy(tree), user=request.user)
    initial = [
        {"role": c.role, "person": c.person_id} for c in tree.contacts.order_by("position", "pk")
    ]
    rows = forms.ContactFormSet(
        data, initial=initial, prefix="contacts", form_kwargs={"user": request.user}
    )
    if request.method == "POST" and all([form.is_valid(), rows.is_valid()]):
        saved = _call(
            form,
            services.calltree_update,
            actor=request.user,
            tree=tree,
            contacts=_contacts(rows),
            **_header(form),
        )
        if saved is not None:
            messages.success(request, _("%(name)s was saved.") % {"name": saved})
            return redirect(saved)
    return _editor(request, "notify/calltree_form.html", form, rows, tree)


@login_required
@require_http_methods(["GET", "POST"])
def calltree_delete(request, pk):
    tree = access.get_object_for_user(request.user, CallTree, pk, delete=True)
    return confirm_delete(
        request, tree, services.calltree_delete, "notify:calltree_list", tree=tree
    )


# Escalation policies ----------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def policy_create(request):
    """A new policy and its steps, with OnCall's defaults filled in (wait 5 minutes,
    repeat at most 5 times)."""
    _may_create(request, EscalationPolicy)
    data = request.POST or None
    form = forms.PolicyForm(data)
    rows = forms.StepFormSet(data, prefix="steps", form_kwargs={"user": request.user})
    if request.method == "POST" and all([form.is_valid(), rows.is_valid()]):
        policy = _call(
            form, services.policy_create, actor=request.user, steps=_steps(rows), **_header(form)
        )
        if policy is not None:
            messages.success(request, _("%(name)s was created.") % {"name": policy})
            return redirect(policy)
    return _editor(request, "notify/policy_form.html", form, rows)


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request, pk):
    policy = access.get_object_for_user(request.user, EscalationPolicy, pk, write=True)
    data = request.POST or None
    form = forms.PolicyForm(data, instance=copy.copy(policy))
    initial = [
        {"call_tree": s.call_tree_id, "team": s.team_id, "wait_minutes": s.wait_minutes}
        for s in policy.steps.order_by("position", "pk")
    ]
    rows = forms.StepFormSet(
        data, initial=initial, prefix="steps", form_kwargs={"user": request.user}
    )
    if request.method == "POST" and all([form.is_valid(), rows.is_valid()]):
        saved = _call(
            form,
            services.policy_update,
            actor=request.user,
            policy=policy,
            steps=_steps(rows),
            **_header(form),
        )
        if saved is not None:
            messages.success(request, _("%(name)s was saved.") % {"name": saved})
            return redirect(saved)
    return _editor(request, "notify/policy_form.html", form, rows, policy)


@login_required
@require_http_methods(["GET", "POST"])
def policy_delete(request, pk):
    policy = access.get_object_for_user(request.user, EscalationPolicy, pk, delete=True)
    return confirm_delete(
        request, policy, services.policy_delete, "notify:policy_list", policy=policy
    )
