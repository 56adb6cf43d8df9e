"""Serializers: they shape JSON and check input types; they never save.

Saving goes through the services of `resilia.org.services` (full_clean, transaction, audit);
the viewsets pass them `validated_data`. References to other objects resolve only among the
objects the user may read, so an id outside the user's scope is indistinguishable from one
that does not exist.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from resilia.audit.models import AuditEvent
from resilia.org.models import Person, Site, Team, TeamMembership, Unit


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id, resolved through `Model.objects.for_user(request.user)`."""

    def __init__(self, model, **kwargs):
        self.model = model
        # The unscoped queryset only tells the schema generator the target type.
        super().__init__(queryset=model._default_manager.all(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.model.objects.for_user(getattr(request, "user", None))


class StrictModelSerializer(serializers.ModelSerializer):
    """Rejects fields it does not know, so a misspelt field is an error, not a silent no-op.

    Read-only fields sent back unchanged (a client PUTting what it GOT) are accepted and
    ignored. Model-level validation (uniqueness, constraints, clean()) is left to the
    services' full_clean(), so each rule has one message, the model's.
    """

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)

    def get_unique_together_validators(self):
        return []

    def get_unique_for_date_validators(self):
        return []

    def build_field(self, field_name, info, model_class, nested_depth):
        field_class, kwargs = super().build_field(field_name, info, model_class, nested_depth)
        # Per-field unique checks too are full_clean()'s job (one message, the model's).
        kwargs["validators"] = [
            v for v in kwargs.get("validators", []) if not isinstance(v, UniqueValidator)
        ]
        if not kwargs["validators"]:
            kwargs.pop("validators")
        return field_class, kwargs

    def create(self, validated_data):  # pragma: no cover - a programming error, not input
        raise NotImplementedError("API writes go through the services, never serializer.save()")

    def update(self, instance, validated_data):  # pragma: no cover - same
        raise NotImplementedError("API writes go through the services, never serializer.save()")


class UnitSerializer(StrictModelSerializer):
    """An organisation unit; `path` and `depth` are maintained by the services."""

    parent = ScopedPrimaryKeyRelatedField(Unit, allow_null=True, required=False)
    head = ScopedPrimaryKeyRelatedField(Person, allow_null=True, required=False)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "display_name",
            "kind",
            "parent",
            "head",
            "description",
            "path",
            "depth",
        ]
        read_only_fields = ["path", "depth"]


class PersonSerializer(StrictModelSerializer):
    """A person of the organisation and the channels that reach them."""

    unit = ScopedPrimaryKeyRelatedField(Unit)
    site = ScopedPrimaryKeyRelatedField(Site, allow_null=True, required=False)
    deputy = ScopedPrimaryKeyRelatedField(Person, allow_null=True, required=False)

    class Meta:
        model = Person
        fields = [
            "id",
            "employee_no",
            "full_name",
            "title",
            "unit",
            "site",
            "deputy",
            "mobile",
            "office_phone",
            "email",
            "wecom_id",
            "dingtalk_id",
            "feishu_id",
            "is_key_person",
            "is_active",
            "notes",
        ]


class SiteSerializer(StrictModelSerializer):
    """An office, data centre, DR site or alternate work area."""

    unit = ScopedPrimaryKeyRelatedField(Unit, allow_null=True, required=False)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "display_name",
            "kind",
            "address",
            "seat_capacity",
            "unit",
            "notes",
        ]


class TeamSerializer(StrictModelSerializer):
    """A standing team; its members are the team-memberships endpoint."""

    unit = ScopedPrimaryKeyRelatedField(Unit, allow_null=True, required=False)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Team
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "display_name",
            "kind",
            "unit",
            "responsibilities",
        ]


class TeamMembershipSerializer(StrictModelSerializer):
    """A person's role in a team."""

    team = ScopedPrimaryKeyRelatedField(Team)
    person = ScopedPrimaryKeyRelatedField(Person)

    class Meta:
        model = TeamMembership
        fields = ["id", "team", "person", "role", "responsibilities"]


class AuditEventSerializer(serializers.ModelSerializer):
    """One event of the audit trail, with the hashes that chain it."""

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "seq",
            "timestamp",
            "actor",
            "actor_repr",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "request_id",
            "client_ip",
            "source",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields
