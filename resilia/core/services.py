"""Generic audited create/update/delete used by the per-entity services.

Each public entity service (`unit_create`, `person_update`, ...) calls these so that
every change is validated with full_clean(), saved and audited in one transaction.

The entity services name the fields they accept as keyword-only parameters defaulting to
`UNSET`; `given()` keeps those the caller passed, so an update changes only those and a
create leaves the others to the model's defaults (and its validation).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import models, transaction
from django.http import Http404

from resilia.core import bulk, db
from resilia.core.bulk import BulkValidationError
from resilia.core.trail import diff, record, record_many, snapshot

__all__ = [
    "UNSET",
    "BulkValidationError",
    "given",
    "object_create",
    "object_create_many",
    "object_delete",
    "object_update",
    "on_delete",
]


class _Unset:
    """The type of `UNSET`: "the caller did not pass this field" (None is a real value)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"


# Typed Any so that a parameter reads as its field's own type: `parent: Unit | None = UNSET`.
UNSET: Any = _Unset()


def given(**fields: Any) -> dict[str, Any]:
    """The fields whose value is not UNSET, i.e. those the caller of a service passed."""
    return {name: value for name, value in fields.items() if value is not UNSET}


# Called with (actor=, target=) inside the delete's transaction, before the object goes: apps
# that hang records on any object (evidence files) remove theirs, each audited.
_BEFORE_DELETE: list[Callable[..., Any]] = []


def on_delete(hook: Callable[..., Any]) -> None:
    """Register a hook run before every object_delete (from an AppConfig.ready)."""
    if hook not in _BEFORE_DELETE:
        _BEFORE_DELETE.append(hook)


@transaction.atomic
def object_create(*, actor, instance: models.Model, action: str = "create") -> models.Model:
    """Validate, save and audit a new object."""
    instance.full_clean()
    instance.save()
    record(actor=actor, action=action, obj=instance, changes=diff({}, snapshot(instance)))
    return instance


@transaction.atomic
def object_create_many(
    *, actor, instances: Sequence[models.Model], action: str = "create"
) -> list[models.Model]:
    """Validate, save and audit new objects of one model, as `object_create` would each.

    Every object is validated with the same rules and messages (`core.bulk.validate_many`);
    if any is invalid, BulkValidationError lists them all by position and nothing is saved.
    The objects are then inserted in batches, each with its own audit event carrying its
    snapshot (its history shows its creation), appended with the chain computed once a
    batch. A few queries per batch of `bulk.BATCH` objects instead of several per object.
    """
    instances = list(instances)
    errors = bulk.validate_many(instances)
    if errors:
        raise BulkValidationError(errors)
    bulk.insert_many(
        instances,
        lambda batch: record_many(
            actor=actor,
            action=action,
            objects=[(obj, diff({}, snapshot(obj))) for obj in batch],
        ),
    )
    if len(instances) >= db.BULK_STATISTICS_ROWS:
        db.refresh_statistics(type(instances[0]))
    return instances


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
        # The caller read the instance before this transaction took the write lock: were it
        # deleted in between, save() would INSERT it back. Gone is gone (404).
        if not instance._meta.model._base_manager.filter(pk=instance.pk).exists():
            raise Http404("The record was deleted in the meantime.")
        instance.save()
        record(actor=actor, action=action, obj=instance, changes=changes)
    return instance


@transaction.atomic
def object_delete(*, actor, instance: models.Model, action: str = "delete") -> None:
    """Delete and audit, with what other apps attached to the object (see `on_delete`).

    PROTECT errors propagate for the caller to report; the transaction then rolls back and
    the attachments stay (their files are removed only after commit).
    """
    for hook in _BEFORE_DELETE:
        hook(actor=actor, target=instance)
    before = snapshot(instance)
    pk, label, text = instance.pk, instance._meta.label_lower, str(instance)
    instance.delete()
    record(
        actor=actor,
        action=action,
        object_type=label,
        object_id=str(pk),
        object_repr=text,
        changes=diff(before, {}),
    )
