"""The notification API: channels, templates, call trees and their contacts, escalation
policies and their steps, sends (start, close), deliveries and acknowledgements.

Reads through the access choke point, writes through resilia.notify.services. A channel's
secret configuration values are never returned (they read "••••••")."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from resilia.api.serializers import ScopedPrimaryKeyRelatedField, StrictModelSerializer
from resilia.api.viewsets import BaseApiViewSet, RegisterViewSet, Services, routes
from resilia.core import access
from resilia.core.filters import SearchFilterSet
from resilia.notify import filters
from resilia.notify import services as notify
from resilia.notify.models import (
    Acknowledgement,
    Answer,
    CallTree,
    CallTreeContact,
    Channel,
    Delivery,
    EscalationPolicy,
    EscalationStep,
    MessageTemplate,
    Send,
)
from resilia.notify.transports import TRANSPORTS
from resilia.notify.transports.base import MASK
from resilia.org.models import Person, Site, Team, Unit


class ChannelSerializer(StrictModelSerializer):
    """A channel; its transport validates `config` (secrets are written, never read)."""

    fallback = ScopedPrimaryKeyRelatedField(Channel, allow_null=True, required=False)

    class Meta:
        model = Channel
        fields = ["id", "name", "kind", "config", "fallback", "priority", "is_active",
                  "disabled_reason"]  # fmt: skip
        read_only_fields = ["disabled_reason"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        secret = {f.name for f in TRANSPORTS[instance.kind].fields if f.secret}
        data["config"] = {
            k: MASK if k in secret and v else v for k, v in (instance.config or {}).items()
        }
        return data


class MessageTemplateSerializer(StrictModelSerializer):
    class Meta:
        model = MessageTemplate
        fields = ["id", "code", "subject", "subject_en", "body", "body_en"]


class CallTreeSerializer(StrictModelSerializer):
    team = ScopedPrimaryKeyRelatedField(Team, allow_null=True, required=False)

    class Meta:
        model = CallTree
        fields = ["id", "code", "name", "name_en", "team"]


class ContactSerializer(StrictModelSerializer):
    tree = ScopedPrimaryKeyRelatedField(CallTree)
    person = ScopedPrimaryKeyRelatedField(Person)

    class Meta:
        model = CallTreeContact
        fields = ["id", "tree", "position", "role", "person"]


class PolicySerializer(StrictModelSerializer):
    class Meta:
        model = EscalationPolicy
        fields = ["id", "code", "name", "quorum", "repeat_limit"]


class StepSerializer(StrictModelSerializer):
    """A step: a call tree or a team and/or `people` (ids of people named one by one), then
    a wait. A step naming nobody is refused."""

    policy = ScopedPrimaryKeyRelatedField(EscalationPolicy)
    call_tree = ScopedPrimaryKeyRelatedField(CallTree, allow_null=True, required=False)
    team = ScopedPrimaryKeyRelatedField(Team, allow_null=True, required=False)
    people = ScopedPrimaryKeyRelatedField(Person, many=True, required=False)

    class Meta:
        model = EscalationStep
        fields = ["id", "policy", "position", "call_tree", "team", "people", "wait_minutes"]


class SendSerializer(StrictModelSerializer):
    """A send. To start one, POST title, template, channels and a policy, people, or
    (kind "rollcall") a site or unit."""

    template = ScopedPrimaryKeyRelatedField(MessageTemplate)
    channels = ScopedPrimaryKeyRelatedField(Channel, many=True)
    policy = ScopedPrimaryKeyRelatedField(EscalationPolicy, allow_null=True, required=False)
    site = ScopedPrimaryKeyRelatedField(Site, allow_null=True, required=False)
    unit = ScopedPrimaryKeyRelatedField(Unit, allow_null=True, required=False)
    people = ScopedPrimaryKeyRelatedField(Person, many=True, write_only=True, required=False)

    class Meta:
        model = Send
        fields = ["id", "title", "kind", "template", "context", "policy", "channels", "site",
                  "unit", "people", "status", "wave", "next_wave_at", "started_at",
                  "finished_at"]  # fmt: skip
        read_only_fields = ["status", "wave", "next_wave_at", "started_at", "finished_at"]


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = ["id", "send", "person", "channel", "wave", "key", "address", "language",
                  "status", "attempts", "next_attempt_at", "sent_at", "error",
                  "duration_ms"]  # fmt: skip


class AckSerializer(StrictModelSerializer):
    send = ScopedPrimaryKeyRelatedField(Send)
    person = ScopedPrimaryKeyRelatedField(Person)
    answer = serializers.ChoiceField(choices=Answer.choices)

    class Meta:
        model = Acknowledgement
        fields = ["id", "send", "person", "answer", "via", "at"]
        read_only_fields = ["via", "at"]


def _register(model_, serializer, filterset, ordering, services):
    return type(
        f"{model_.__name__}ViewSet",
        (RegisterViewSet,),
        {
            "model": model_,
            "serializer_class": serializer,
            "filterset_class": filterset,
            "ordering_fields": ["id", *ordering],
            "ordering": list(ordering),
            "services": services,
            "__doc__": model_.__doc__,
        },
    )


class ContactFilterSet(SearchFilterSet):
    search_fields = ("role", "person__full_name")

    class Meta:
        model = CallTreeContact
        fields = ["q", "tree", "person"]


class StepFilterSet(django_filters.FilterSet):
    class Meta:
        model = EscalationStep
        fields = ["policy"]


class AckFilterSet(django_filters.FilterSet):
    class Meta:
        model = Acknowledgement
        fields = ["send", "person", "answer", "via"]


ChannelViewSet = _register(
    Channel,
    ChannelSerializer,
    filters.ChannelFilterSet,
    ["name"],
    Services(notify.channel_create, notify.channel_update, notify.channel_delete, "channel"),
)
TemplateViewSet = _register(
    MessageTemplate,
    MessageTemplateSerializer,
    filters.TemplateFilterSet,
    ["code"],
    Services(notify.template_create, notify.template_update, notify.template_delete, "template"),
)
CallTreeViewSet = _register(
    CallTree,
    CallTreeSerializer,
    filters.CallTreeFilterSet,
    ["code"],
    Services(notify.calltree_create, notify.calltree_update, notify.calltree_delete, "tree"),
)
ContactViewSet = _register(
    CallTreeContact,
    ContactSerializer,
    ContactFilterSet,
    ["tree", "position"],
    Services(
        notify.calltree_contact_add,
        notify.calltree_contact_update,
        notify.calltree_contact_remove,
        "contact",
    ),
)
PolicyViewSet = _register(
    EscalationPolicy,
    PolicySerializer,
    filters.PolicyFilterSet,
    ["code"],
    Services(notify.policy_create, notify.policy_update, notify.policy_delete, "policy"),
)


class StepViewSet(
    _register(
        EscalationStep,
        StepSerializer,
        StepFilterSet,
        ["policy", "position"],
        Services(notify.step_add, notify.step_update, notify.step_remove, "step"),
    )
):
    """One wave of a policy: a call tree or a team and/or people, then a wait."""

    def get_queryset(self):
        # The people of a page of steps in one query, not one per step.
        return super().get_queryset().prefetch_related("people")


class SendViewSet(BaseApiViewSet):
    """Sends: list, read, start (POST), close (POST …/close/)."""

    model = Send
    serializer_class = SendSerializer
    filterset_class = filters.SendFilterSet
    ordering_fields = ["id", "started_at", "title"]
    ordering = ["-started_at"]

    def create(self, request, *args, **kwargs):
        if not access.can_create(request.user, Send):
            raise PermissionDenied
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            send = notify.send_start(actor=request.user, **data)
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from exc
        return Response(self.get_serializer(send).data, status=status.HTTP_201_CREATED)

    def close(self, request, pk):
        send = access.get_object_for_user(request.user, Send, pk, write=True)
        send = notify.send_close(actor=request.user, send=send)
        return Response(self.get_serializer(send).data)


class DeliveryViewSet(BaseApiViewSet):
    """Every delivery with its state, attempts and error (read only)."""

    model = Delivery
    serializer_class = DeliverySerializer
    filterset_class = filters.DeliveryFilterSet
    ordering_fields = ["id", "wave", "sent_at"]
    ordering = ["id"]


class AckViewSet(BaseApiViewSet):
    """Answers: list, read, and record one (POST; via "api")."""

    model = Acknowledgement
    serializer_class = AckSerializer
    filterset_class = AckFilterSet
    ordering_fields = ["id", "at"]
    ordering = ["id"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        if d["person"].pk != getattr(request.user, "person_id", None) and not access.can_write(
            request.user, d["send"]
        ):
            raise PermissionDenied
        try:
            ack = notify.acknowledge(
                actor=request.user,
                send=d["send"],
                person=d["person"],
                answer=d["answer"],
                via="api",
            )
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from exc
        return Response(self.get_serializer(ack).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    *routes("notify/channels", ChannelViewSet, "notify-channel"),
    *routes("notify/templates", TemplateViewSet, "notify-template"),
    *routes("notify/call-trees", CallTreeViewSet, "notify-calltree"),
    *routes("notify/call-tree-contacts", ContactViewSet, "notify-contact"),
    *routes("notify/policies", PolicyViewSet, "notify-policy"),
    *routes("notify/policy-steps", StepViewSet, "notify-step"),
    path(
        "notify/sends/",
        SendViewSet.as_view({"get": "list", "post": "create"}),
        name="notify-send-list",
    ),
    path(
        "notify/sends/<int:pk>/",
        SendViewSet.as_view({"get": "retrieve"}),
        name="notify-send-detail",
    ),
    path(
        "notify/sends/<int:pk>/close/",
        SendViewSet.as_view({"post": "close"}),
        name="notify-send-close",
    ),
    *routes("notify/deliveries", DeliveryViewSet, "notify-delivery", read_only=True),
    path(
        "notify/acknowledgements/",
        AckViewSet.as_view({"get": "list", "post": "create"}),
        name="notify-ack-list",
    ),
    path(
        "notify/acknowledgements/<int:pk>/",
        AckViewSet.as_view({"get": "retrieve"}),
        name="notify-ack-detail",
    ),
]
