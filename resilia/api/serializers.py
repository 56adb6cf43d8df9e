"""Serializers: they shape JSON and check input types; they never save.

Saving goes through the services of each app (full_clean, transaction, audit);
the viewsets pass them `validated_data`. References to other objects resolve only among the
objects the user may read, so an id outside the user's scope is indistinguishable from one
that does not exist.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.validators import UniqueValidator


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id, resolved through `Model.objects.for_user(request.user)`."""

    def __init__(self, model, **kwargs):
        self.model = model
        # The unscoped queryset only tells the schema generator the target type.
        super().__init__(queryset=model._default_manager.all(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.model.objects.for_user(getattr(request, "user", None))


def refuse_unknown_fields(data, fields) -> None:
    """A body naming a field the serializer does not have is refused, field by field, so a
    misspelt field is an error, not a silent no-op."""
    if isinstance(data, dict):
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})


class StrictSerializer(serializers.Serializer):
    """An input serializer (an action's body) that rejects fields it does not know."""

    def to_internal_value(self, data):
        refuse_unknown_fields(data, self.fields)
        return super().to_internal_value(data)


class StrictModelSerializer(serializers.ModelSerializer):
    """Rejects fields it does not know, so a misspelt field is an error, not a silent no-op.

    Read-only fields sent back unchanged (a client PUTting what it GOT) are accepted and
    ignored. Model-level validation (uniqueness, constraints, clean()) is left to the
    services' full_clean(), so each rule has one message, the model's.
    """

    def to_internal_value(self, data):
        refuse_unknown_fields(data, self.fields)
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
