"""Pages of notification: channels (with the configuration form and a test send), templates,
call trees, policies, sends with their live view, and the roll-call. Thin views: access
through resilia.core.access, writes through resilia.notify.services."""

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
from resilia.core.views import save_form
from resilia.notify import forms, registers, services
from resilia.notify.models import (
    CallTree,
    Channel,
    ChannelKind,
    EscalationPolicy,
    MessageTemplate,
    Send,
)
from resilia.notify.transports import TRANSPORTS
from resilia.notify.transports.base import MASK


def _may_create(request, model):
    if not access.can_create(request.user, model):
        raise PermissionDenied


def _form_page(request, form, model, status=200):
    context = {"form": form, "kind": model._meta.verbose_name}
    return render(request, "core/form.html", context, status=422 if form.errors else status)


def _call(form, service, **kwargs):
    try:
        return service(**kwargs)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            # The model names fields the form spells otherwise ("config" is the cfg_* fields):
            # those errors go on top of the form, not into a ValueError.
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None


# Channels ---------------------------------------------------------------------------------
@login_required
def channel_list(request):
    register = registers.CHANNELS
    if access.can_write_kind(request.user, Channel):
        register = registers.with_edit_link(register, "notify:channel_edit")
    return list_view(request, register)


@login_required
@require_http_methods(["GET", "POST"])
def channel_create(request):
    _may_create(request, Channel)
    kind = request.POST.get("kind") or request.GET.get("kind") or ChannelKind.EMAIL
    if kind not in TRANSPORTS:
        kind = ChannelKind.EMAIL
    form = forms.ChannelForm(request.POST or None, user=request.user, kind=kind)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("name", "kind", "fallback")}
        channel = _call(
            form, services.channel_create, actor=request.user, config=form.config(), **data
        )
        if channel is not None:
            messages.success(request, _("%(name)s was created.") % {"name": channel})
            return redirect(channel)
    context = {"form": form, "kinds": ChannelKind.choices, "current_kind": kind}
    return render(request, "notify/channel_form.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def channel_edit(request, pk):
    """Change a channel's name, fallback and configuration (its kind stays). Secrets show
    as "••••••"; sending that back keeps the stored value."""
    channel = access.get_object_for_user(request.user, Channel, pk, write=True)
    transport = TRANSPORTS[channel.kind](channel)
    initial = {"name": channel.name, "kind": channel.kind, "fallback": channel.fallback_id}
    for f in transport.fields:
        value = transport.config.get(f.name, "")
        initial[f"cfg_{f.name}"] = MASK if f.secret and value else value
    form = forms.ChannelForm(
        request.POST or None, user=request.user, kind=channel.kind, initial=initial
    )
    form.fields["kind"].disabled = True
    form.fields["fallback"].queryset = form.fields["fallback"].queryset.exclude(pk=channel.pk)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("name", "fallback")}
        saved = _call(
            form,
            services.channel_update,
            actor=request.user,
            channel=channel,
            config=form.config(),
            **data,
        )
        if saved is not None:
            messages.success(request, _("%(name)s was saved.") % {"name": saved})
            return redirect(saved)
    context = {"form": form, "obj": channel}
    return render(request, "notify/channel_form.html", context, status=422 if form.errors else 200)


@login_required
def channel_detail(request, pk):
    channel = access.get_object_for_user(request.user, Channel, pk)
    transport = TRANSPORTS[channel.kind](channel)
    config = [
        (
            f.label,
            "••••••"
            if f.secret and transport.config.get(f.name)
            else transport.config.get(f.name, ""),
        )
        for f in transport.fields
    ]
    return render(
        request,
        "notify/channel_detail.html",
        {
            "obj": channel,
            "config": config,
            "can_write": access.can_write(request.user, channel),
            "test_form": forms.ChannelTestForm(),
        },
    )


@login_required
@require_POST
def channel_test(request, pk):
    channel = access.get_object_for_user(request.user, Channel, pk, write=True)
    form = forms.ChannelTestForm(request.POST)
    if form.is_valid():
        error = services.channel_test(
            actor=request.user, channel=channel, address=form.cleaned_data["address"]
        )
        if error:
            messages.error(request, _("The test failed: %(error)s") % {"error": error})
        else:
            messages.success(request, _("The test message was sent."))
    else:
        messages.error(request, _("Enter the address to send the test to."))
    return redirect(channel)


# Templates, call trees, policies ----------------------------------------------------------
@login_required
def template_list(request):
    register = registers.TEMPLATES
    if access.can_write_kind(request.user, MessageTemplate):
        register = registers.with_edit_link(register, "notify:template_edit")
    return list_view(request, register)


@login_required
@require_http_methods(["GET", "POST"])
def template_create(request):
    _may_create(request, MessageTemplate)
    form = forms.TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if save_form(request, form, services.template_create) is not None:
            messages.success(request, _("The template was saved."))
            return redirect("notify:template_list")
    return _form_page(request, form, MessageTemplate)


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, pk):
    template = access.get_object_for_user(request.user, MessageTemplate, pk, write=True)
    # The form validates a copy: the service must see the template as it was, to audit it.
    form = forms.TemplateForm(request.POST or None, instance=copy.copy(template))
    if request.method == "POST" and form.is_valid():
        if save_form(request, form, services.template_update, template=template) is not None:
            messages.success(request, _("The template was saved."))
            return redirect("notify:template_list")
    context = {"form": form, "obj": template, "kind": MessageTemplate._meta.verbose_name}
    return render(request, "core/form.html", context, status=422 if form.errors else 200)


@login_required
def calltree_list(request):
    return list_view(request, registers.CALLTREES)


@login_required
def calltree_detail(request, pk, form=None):
    tree = access.get_object_for_user(request.user, CallTree, pk)
    contacts = list(tree.contacts.select_related("person__deputy", "person__unit"))
    can_write = access.can_write(request.user, tree)
    form = form or (forms.ContactForm(user=request.user) if can_write else None)
    context = {"obj": tree, "contacts": contacts, "can_write": can_write, "form": form}
    context["can_delete"] = can_write and access.can_delete(request.user, tree)
    return render(
        request,
        "notify/calltree_detail.html",
        context,
        status=422 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def calltree_contact_add(request, pk):
    tree = access.get_object_for_user(request.user, CallTree, pk, write=True)
    form = forms.ContactForm(request.POST, user=request.user)
    if form.is_valid() and _call(
        form, services.calltree_contact_add, actor=request.user, tree=tree, **form.cleaned_data
    ):
        return redirect(tree)
    return calltree_detail(request, pk, form=form)


@login_required
def policy_list(request):
    return list_view(request, registers.POLICIES)


@login_required
def policy_detail(request, pk):
    policy = access.get_object_for_user(request.user, EscalationPolicy, pk)
    steps = policy.steps.select_related("call_tree", "team").prefetch_related("people")
    can_write = access.can_write(request.user, policy)
    context = {
        "obj": policy,
        "steps": steps,
        "may_edit": can_write,
        "may_delete": can_write and access.can_delete(request.user, policy),
        "may_send": access.can_create(request.user, Send),
    }
    return render(request, "notify/policy_detail.html", context)
