"""Generic audited create/update/delete used by the per-entity services.

Each public entity service (`unit_create`, `person_update`, ...) calls these so that
every change is validated with full_clean(), saved and audited in one transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from resilia.audit.services import audit_record, diff, snapshot


@transaction.atomic
def object_create(*, actor, instance: models.Model, action: str = "create") -> models.Model:
    """Validate, save and audit a new object."""
    instance.full_clean()
    instance.save()
    audit_record(actor=actor, action=action, obj=instance, changes=diff({}, snapshot(instance)))
    return instance


@transaction.atomic
def object_update(
    *, actor, instance: models.Model, data: dict[str, Any], action: str = "update"
) -> models.Model:
    """Apply `data` to the instance, validate, save and audit what changed (nothing: no event)."""
    before = snapshot(instance)
    for name, value in data.items():
        setattr(instance, name, value)
    instance.full_clean()
    changes = diff(before, snapshot(instance))
    if changes:
        instance.save()
        audit_record(actor=actor, action=action, obj=instance, changes=changes)
    return instance


@transaction.atomic
def object_delete(*, actor, instance: models.Model, action: str = "delete") -> None:
    """Delete and audit, with the evidence files attached to the object.

    PROTECT errors propagate for the caller to report; the transaction then rolls back and
    the attachments stay (their files are removed only after commit).
    """
    from resilia.evidence.services import attachments_delete_for  # evidence builds on core

    attachments_delete_for(actor=actor, target=instance)
    before = snapshot(instance)
    pk, label, text = instance.pk, instance._meta.label_lower, str(instance)
    instance.delete()
    audit_record(
        actor=actor,
        action=action,
        object_type=label,
        object_id=str(pk),
        object_repr=text,
        changes=diff(before, {}),
    )
