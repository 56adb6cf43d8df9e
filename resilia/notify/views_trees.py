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
from django.utils.translation import gettext_lazy
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
    fields = ("call_tree", "team", "people", "wait_minutes")
    return [{k: row[k] for k in fields} for row in rows.rows()]


# What differs between the two editors; the page (notify/editor_form.html) is one.
EDITORS = {
    "calltree": {
        "new_title": gettext_lazy("New call tree"),
        "list_url": "notify:calltree_list",
        "list_title": gettext_lazy("Call trees"),
        "rows_title": gettext_lazy("Contacts, in the order they are called"),
        "rows_hint": gettext_lazy(
            "The number orders the contacts; a deputy chosen here becomes the person's deputy "
            "(left empty, the person's own stays). A chain of deputies that comes back on "
            "itself is refused."
        ),
        "create_hint": gettext_lazy(
            "With a team and no contacts below, the team's members become the contacts, "
            "leader first."
        ),
        "testid": "contact-rows",
    },
    "policy": {
        "new_title": gettext_lazy("New escalation policy"),
        "list_url": "notify:policy_list",
        "list_title": gettext_lazy("Escalation policies"),
        "rows_title": gettext_lazy("Steps (waves)"),
        "rows_hint": gettext_lazy(
            "Each step notifies a call tree or a team, people named one by one, or both, then "
            "waits; the next step comes only while fewer people than needed have acknowledged. "
            "After the last step the policy starts again, as many times as the repeats say."
        ),
        "create_hint": "",
        "testid": "step-rows",
    },
}


def _editor(request, kind, form, rows, obj=None):
    name = None if obj is None else getattr(obj, "display_name", None) or str(obj)
    context = {"form": form, "rows": rows, "obj": obj, "obj_name": name, "kind": kind}
    context.update(EDITORS[kind])
    invalid = bool(form.errors or any(rows.errors) or rows.non_form_errors())
    return render(request, "notify/editor_form.html", context, status=422 if invalid else 200)


def _header(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


def _save(request, form, obj, create, update, **kwargs):
    """Create (obj None) or update through the service; the redirect, or None if refused."""
    if obj is None:
        saved = _call(form, create, actor=request.user, **kwargs, **_header(form))
        done = _("%(name)s was created.")
    else:
        saved = _call(form, update, actor=request.user, **kwargs, **_header(form))
        done = _("%(name)s was saved.")
    if saved is None:
        return None
    messages.success(request, done % {"name": saved})
    return redirect(saved)


def _target(request, model, pk):
    """The object edited (write access), or None for a new one (create access)."""
    if pk is None:
        _may_create(request, model)
        return None
    return access.get_object_for_user(request.user, model, pk, write=True)


# Call trees -------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def calltree_edit(request, pk=None):
    """A new call tree with its first contacts (with a team and no contacts, the team's
    members, leader first), or an existing one with its contacts."""
    tree = _target(request, CallTree, pk)
    data = request.POST or None
    # The form validates a copy: the service must see the tree as it was, to audit it.
    form = forms.CallTreeForm(data, instance=copy.copy(tree), user=request.user)
    initial = None
    if tree is not None:
        contacts = tree.contacts.order_by("position", "pk")
        initial = [{"role": c.role, "person": c.person_id} for c in contacts]
    rows = forms.ContactFormSet(
        data, initial=initial, prefix="contacts", form_kwargs={"user": request.user}
    )
    if request.method == "POST" and all([form.is_valid(), rows.is_valid()]):
        extra = {"contacts": _contacts(rows)} | ({"tree": tree} if tree else {})
        done = _save(
            request, form, tree, services.calltree_create, services.calltree_update, **extra
        )
        if done is not None:
            return done
    return _editor(request, "calltree", form, rows, tree)


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
def policy_edit(request, pk=None):
    """A new policy and its steps, with OnCall's defaults filled in (wait 5 minutes,
    repeat at most 5 times), or an existing one with its steps."""
    policy = _target(request, EscalationPolicy, pk)
    data = request.POST or None
    form = forms.PolicyForm(data, instance=copy.copy(policy))
    initial = None
    if policy is not None:
        steps = policy.steps.order_by("position", "pk").prefetch_related("people")
        initial = [
            {
                "call_tree": s.call_tree_id,
                "team": s.team_id,
                "wait_minutes": s.wait_minutes,
                "people": [p.pk for p in s.people.all()],
            }
            for s in steps
        ]
    rows = forms.StepFormSet(
        data, initial=initial, prefix="steps", form_kwargs={"user": request.user}
    )
    if request.method == "POST" and all([form.is_valid(), rows.is_valid()]):
        extra = {"steps": _steps(rows)} | ({"policy": policy} if policy else {})
        done = _save(request, form, policy, services.policy_create, services.policy_update, **extra)
        if done is not None:
            return done
    return _editor(request, "policy", form, rows, policy)


@login_required
@require_http_methods(["GET", "POST"])
def policy_delete(request, pk):
    policy = access.get_object_for_user(request.user, EscalationPolicy, pk, delete=True)
    return confirm_delete(
        request, policy, services.policy_delete, "notify:policy_list", policy=policy
    )
