"""One filter set per register: the UI filters and the API query parameters."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from resilia.core.filters import ALL, SearchFilterSet
from resilia.notify.models import (
    CallTree,
    Channel,
    ChannelKind,
    Delivery,
    EscalationPolicy,
    MessageTemplate,
    Send,
)


class ChannelFilterSet(SearchFilterSet):
    search_fields = ("name",)
    kind = django_filters.ChoiceFilter(
        label=_("kind"), choices=ChannelKind.choices, empty_label=ALL
    )

    class Meta:
        model = Channel
        fields = ["q", "kind", "is_active"]


class TemplateFilterSet(SearchFilterSet):
    search_fields = ("code", "subject", "subject_en", "body")

    class Meta:
        model = MessageTemplate
        fields = ["q"]


class CallTreeFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "name_en")

    class Meta:
        model = CallTree
        fields = ["q", "team"]


class PolicyFilterSet(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = EscalationPolicy
        fields = ["q"]


class SendFilterSet(SearchFilterSet):
    search_fields = ("title",)
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Send.Kind.choices, empty_label=ALL)
    status = django_filters.ChoiceFilter(
        label=_("status"), choices=Send.Status.choices, empty_label=ALL
    )

    class Meta:
        model = Send
        fields = ["q", "kind", "status"]


class DeliveryFilterSet(SearchFilterSet):
    search_fields = ("person__full_name", "address")
    status = django_filters.ChoiceFilter(choices=Delivery.Status.choices, empty_label=ALL)

    class Meta:
        model = Delivery
        fields = ["q", "send", "status", "channel", "wave"]
