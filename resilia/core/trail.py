"""The kit's line to the audit trail, and the snapshots every audited change is made of.

The kit's generic services (`object_create`, `object_update`, `object_delete`), the register
exports and the import engine record what they do. The audit trail itself is an app above
the kit (its log page is built with the kit's access rules, registers and exports), so the
kit records through `record()`, and the audit app connects its recorder when Django starts
(`AuditConfig.ready`). With no recorder connected, `record()` raises: nothing is ever
changed without its event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models

# Fields never copied into the trail (secrets, noise).
ALWAYS_EXCLUDED = frozenset({"password", "totp_secret", "last_login"})

_recorder: Callable[..., Any] | None = None
_many_recorder: Callable[..., Any] | None = None


def connect(recorder: Callable[..., Any], many: Callable[..., Any] | None = None) -> None:
    """Install the functions that append events (the audit app's `audit_record`, and
    `audit_record_many` for the bulk services)."""
    global _recorder, _many_recorder
    _recorder, _many_recorder = recorder, many


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
):
    """Append one event to the audit trail, in the caller's transaction."""
    if _recorder is None:
        raise ImproperlyConfigured("No audit recorder is connected: install resilia.audit.")
    return _recorder(
        actor=actor,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        changes=changes,
    )


def record_many(*, actor, action: str, objects: list[tuple[models.Model, dict]]):
    """Append one event per (object, changes), in order, in the caller's transaction: the
    events `record()` would append one by one, with the chain computed once."""
    if _recorder is None:
        raise ImproperlyConfigured("No audit recorder is connected: install resilia.audit.")
    if _many_recorder is None:
        return [
            _recorder(
                actor=actor,
                action=action,
                obj=obj,
                object_type="",
                object_id="",
                object_repr="",
                changes=changes,
            )
            for obj, changes in objects
        ]
    return _many_recorder(actor=actor, action=action, objects=objects)


def json_safe(value: Any) -> Any:
    """The value as JSON can hold it: dates as ISO text, decimals as text, files by name."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "url"):  # FieldFile
        return value.name or ""
    return str(value)


def snapshot(instance: models.Model) -> dict[str, Any]:
    """A JSON-safe dict of the instance's concrete fields (FKs as ids), secrets left out."""
    excluded = ALWAYS_EXCLUDED | set(getattr(instance, "AUDIT_EXCLUDE", ()))
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in excluded or field.attname in excluded:
            continue
        data[field.attname] = json_safe(field.value_from_object(instance))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for every field whose value changed."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}
