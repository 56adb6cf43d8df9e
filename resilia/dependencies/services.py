"""State changes of the dependency model. Views, API, model import, CLI and tasks call these.

Every change bumps the model revision in the same transaction, so the compiled engine graph
(cached per model state, see selectors.compiled_model) is never stale.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from resilia.audit.services import audit_record
from resilia.core.services import object_create, object_delete, object_update
from resilia.dependencies.models import Activity, Dependency, ModelRevision, Resource


def bump_revision() -> int:
    """Increment the model revision (inside the caller's transaction) and return it."""
    # update() skips auto_now: set the time by hand, or the stamp's changed_at would stay the
    # row's creation time and a repeated counter could not be told apart.
    updated = ModelRevision.objects.filter(pk=1).update(
        revision=F("revision") + 1, changed_at=timezone.now()
    )
    if not updated:
        ModelRevision.objects.get_or_create(pk=1, defaults={"revision": 1})
    return ModelRevision.objects.values_list("revision", flat=True).get(pk=1)


def current_revision() -> int:
    return ModelRevision.objects.filter(pk=1).values_list("revision", flat=True).first() or 0


@transaction.atomic
def resource_create(*, actor, alternates=(), **fields: Any) -> Resource:
    """Create a resource (and its alternates)."""
    resource = object_create(actor=actor, instance=Resource(**fields))
    if alternates:
        resource_set_alternates(actor=actor, resource=resource, alternates=alternates)
    bump_revision()
    return resource


@transaction.atomic
def resource_update(*, actor, resource: Resource, alternates=None, **fields: Any) -> Resource:
    """Change a resource; `alternates`, when given, replaces its alternates."""
    object_update(actor=actor, instance=resource, data=fields)
    if alternates is not None:
        resource_set_alternates(actor=actor, resource=resource, alternates=alternates)
    bump_revision()
    return resource


@transaction.atomic
def resource_set_alternates(*, actor, resource: Resource, alternates) -> None:
    """Replace the alternates of a resource, audited as one change of the field."""
    new = sorted({a.pk for a in alternates} - {resource.pk})
    old = sorted(resource.alternates.values_list("pk", flat=True))
    if new == old:
        return
    resource.alternates.set(new)
    audit_record(actor=actor, action="update", obj=resource, changes={"alternates": [old, new]})


@transaction.atomic
def resource_delete(*, actor, resource: Resource) -> None:
    """Delete a resource and, each audited, the links to and from it."""
    for link in Dependency.objects.filter(dependent_resource=resource) | Dependency.objects.filter(
        dependency_resource=resource
    ):
        object_delete(actor=actor, instance=link)
    object_delete(actor=actor, instance=resource)
    bump_revision()


@transaction.atomic
def activity_create(*, actor, **fields: Any) -> Activity:
    """Create an activity with its objectives."""
    activity = object_create(actor=actor, instance=Activity(**fields))
    bump_revision()
    return activity


@transaction.atomic
def activity_update(*, actor, activity: Activity, **fields: Any) -> Activity:
    """Change an activity or its objectives."""
    object_update(actor=actor, instance=activity, data=fields)
    bump_revision()
    return activity


@transaction.atomic
def activity_delete(*, actor, activity: Activity) -> None:
    """Delete an activity and, each audited, the links to and from it."""
    for link in Dependency.objects.filter(dependent_activity=activity) | Dependency.objects.filter(
        dependency_activity=activity
    ):
        object_delete(actor=actor, instance=link)
    object_delete(actor=actor, instance=activity)
    bump_revision()


def _endpoints(dependent, dependency) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "dependent_activity": None,
        "dependent_resource": None,
        "dependency_activity": None,
        "dependency_resource": None,
    }
    fields["dependent_activity" if isinstance(dependent, Activity) else "dependent_resource"] = (
        dependent
    )
    fields["dependency_activity" if isinstance(dependency, Activity) else "dependency_resource"] = (
        dependency
    )
    return fields


@transaction.atomic
def dependency_create(
    *, actor, dependent, dependency, group: str = "", tolerance: int = 0, note: str = ""
) -> Dependency:
    """Say that `dependent` (activity or resource) needs `dependency`.

    Self-links, resource → activity links and duplicates are refused by validation.
    """
    link = Dependency(
        **_endpoints(dependent, dependency), group=group.strip(), tolerance=tolerance, note=note
    )
    object_create(actor=actor, instance=link)
    bump_revision()
    return link


@transaction.atomic
def dependency_update(*, actor, dependency: Dependency, **fields: Any) -> Dependency:
    """Change a link's group, tolerance or note."""
    if "group" in fields:
        fields["group"] = (fields["group"] or "").strip()
    object_update(actor=actor, instance=dependency, data=fields)
    bump_revision()
    return dependency


@transaction.atomic
def dependency_delete(*, actor, dependency: Dependency) -> None:
    """Remove a link."""
    object_delete(actor=actor, instance=dependency)
    bump_revision()
