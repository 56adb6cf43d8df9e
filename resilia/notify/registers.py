"""The registers of notification (see resilia.core.lists): list, sort, filter, export."""

from __future__ import annotations

import dataclasses

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from resilia.core.lists import Column, Register
from resilia.notify import filters
from resilia.notify.models import CallTree, Channel, EscalationPolicy, MessageTemplate, Send


def with_edit_link(register: Register, url_name: str) -> Register:
    """The register with a last column linking each row to its edit page: for the readers
    who may change the rows (the view decides; the cell only names the URL)."""

    def edit_url(obj) -> str:
        return reverse(url_name, args=[obj.pk])

    column = Column("edit", "", edit_url, template="notify/_edit_cell.html", export=None)
    return dataclasses.replace(register, columns=[*register.columns, column])


CHANNELS = Register(
    model=Channel,
    filterset=filters.ChannelFilterSet,
    title=_("Channels"),
    basename="channels",
    columns=[
        Column("name", _("name"), "name", order="name", link=True),
        Column("kind", _("kind"), "get_kind_display", order="kind"),
        Column("active", _("active"), "is_active", order="is_active"),
        Column("fallback", _("fallback channel"), "fallback.name"),
        Column("reason", _("why it was switched off"), "disabled_reason"),
    ],
    ordering=("priority", "name"),
    select_related=("fallback",),
    create_url="notify:channel_create",
    template="notify/list_page.html",
)

TEMPLATES = Register(
    model=MessageTemplate,
    filterset=filters.TemplateFilterSet,
    title=_("Message templates"),
    basename="message-templates",
    columns=[
        Column("code", _("code"), "code", order="code"),
        Column("subject", _("subject (Chinese)"), "subject", order="subject"),
        Column("subject_en", _("subject (English)"), "subject_en"),
        Column("body", _("text (Chinese)"), "body"),
    ],
    ordering=("code",),
    create_url="notify:template_create",
    template="notify/list_page.html",
)

CALLTREES = Register(
    model=CallTree,
    filterset=filters.CallTreeFilterSet,
    title=_("Call trees"),
    basename="call-trees",
    columns=[
        Column("code", _("code"), "code", order="code", link=True),
        Column("name", _("name"), "display_name", order="name"),
        Column("team", _("team"), "team.display_name"),
        Column("contacts", _("contacts"), "contact_count", order="contact_count", css="text-end"),
    ],
    ordering=("code",),
    select_related=("team",),
    annotate=lambda qs: qs.annotate(contact_count=Count("contacts")),
    create_url="notify:calltree_create",
    template="notify/list_page.html",
)

POLICIES = Register(
    model=EscalationPolicy,
    filterset=filters.PolicyFilterSet,
    title=_("Escalation policies"),
    basename="escalation-policies",
    columns=[
        Column("code", _("code"), "code", order="code", link=True),
        Column("name", _("name"), "name", order="name"),
        Column("quorum", _("acknowledgements needed"), "quorum", css="text-end"),
        Column("repeat", _("repeats"), "repeat_limit", css="text-end"),
        Column("steps", _("steps"), "step_count", css="text-end"),
    ],
    ordering=("code",),
    annotate=lambda qs: qs.annotate(step_count=Count("steps")),
    create_url="notify:policy_create",
    template="notify/list_page.html",
)

SENDS = Register(
    model=Send,
    filterset=filters.SendFilterSet,
    title=_("Notifications"),
    basename="notifications",
    columns=[
        Column("title", _("title"), "title", order="title", link=True),
        Column("kind", _("kind"), "get_kind_display", order="kind"),
        Column("status", _("status"), "get_status_display", order="status"),
        Column("started", _("started"), "started_at", order="started_at"),
        Column("policy", _("escalation policy"), "policy.name"),
    ],
    ordering=("-started_at", "-pk"),
    select_related=("policy",),
    create_url="notify:send_create",
    template="notify/list_page.html",
)
