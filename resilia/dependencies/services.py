"""State changes of the dependency model. Views, API, model import, CLI and tasks call these.

Every change bumps the model revision in the same transaction, so the compiled engine graph
(cached per model state, see selectors.compiled_model) is never stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from resilia.audit.services import audit_record, audit_record_many
from resilia.core.services import (
    UNSET,
    given,
    object_create,
    object_create_many,
    object_delete,
    object_update,
)
from resilia.dependencies.models import Activity, Dependency, ModelRevision, Resource

if TYPE_CHECKING:
    from resilia.accounts.models import User
    from resilia.org.models import Person, Site, Unit


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
def resource_create(
    *,
    actor: User | None,
    code: str = UNSET,
    name: str = UNSET,
    name_en: str = UNSET,
    kind: str = UNSET,
    unit: Unit | None = UNSET,
    owner: Person | None = UNSET,
    criticality: str = UNSET,
    description: str = UNSET,
    site: Site | None = UNSET,
    person: Person | None = UNSET,
    recovery_time: int | None = UNSET,
    recovery_point: int | None = UNSET,
    capability_tested_on: dt.date | None = UNSET,
    capability_evidence: str = UNSET,
    redundancy: str = UNSET,
    alternates: Iterable[Resource] = (),
) -> Resource:
    """Create a resource (and its alternates)."""
    fields = given(
        code=code,
        name=name,
        name_en=name_en,
        kind=kind,
        unit=unit,
        owner=owner,
        criticality=criticality,
        description=description,
        site=site,
        person=person,
        recovery_time=recovery_time,
        recovery_point=recovery_point,
        capability_tested_on=capability_tested_on,
        capability_evidence=capability_evidence,
        redundancy=redundancy,
    )
    resource = object_create(actor=actor, instance=Resource(**fields))
    if alternates:
        resource_set_alternates(actor=actor, resource=resource, alternates=alternates)
    bump_revision()
    return resource


# Fields the bulk creates accept: those of resource_create / activity_create but alternates.
RESOURCE_FIELDS = frozenset(
    {
        "code", "name", "name_en", "kind", "unit", "owner", "criticality", "description",
        "site", "person", "recovery_time", "recovery_point", "capability_tested_on",
        "capability_evidence", "redundancy",
    }
)  # fmt: skip
ACTIVITY_FIELDS = frozenset(
    {"code", "name", "name_en", "unit", "owner", "products", "description"}
    | {"mtpd", "rto", "rpo", "mbco"}
)


def _instances(model, allowed: frozenset, items: Iterable[dict[str, Any]]) -> list:
    out = []
    for fields in items:
        unknown = set(fields) - allowed
        if unknown:
            raise TypeError(f"unexpected field(s) for {model.__name__}: {sorted(unknown)}")
        out.append(model(**fields))
    return out


@transaction.atomic
def resource_create_many(*, actor: User | None, items: Iterable[dict[str, Any]]) -> list[Resource]:
    """Create resources from field dicts (resource_create's keywords but `alternates`), as
    resource_create would one by one: each validated by the same rules, each audited with
    its own event; the revision is bumped once. Raises BulkValidationError (nothing saved)
    naming every invalid item by position."""
    resources = object_create_many(
        actor=actor, instances=_instances(Resource, RESOURCE_FIELDS, items)
    )
    if resources:
        bump_revision()
    return resources


@transaction.atomic
def resource_update(
    *,
    actor: User | None,
    resource: Resource,
    code: str = UNSET,
    name: str = UNSET,
    name_en: str = UNSET,
    kind: str = UNSET,
    unit: Unit | None = UNSET,
    owner: Person | None = UNSET,
    criticality: str = UNSET,
    description: str = UNSET,
    site: Site | None = UNSET,
    person: Person | None = UNSET,
    recovery_time: int | None = UNSET,
    recovery_point: int | None = UNSET,
    capability_tested_on: dt.date | None = UNSET,
    capability_evidence: str = UNSET,
    redundancy: str = UNSET,
    alternates: Iterable[Resource] | None = None,
) -> Resource:
    """Change the fields passed; `alternates`, when given, replaces its alternates."""
    object_update(
        actor=actor,
        instance=resource,
        data=given(
            code=code,
            name=name,
            name_en=name_en,
            kind=kind,
            unit=unit,
            owner=owner,
            criticality=criticality,
            description=description,
            site=site,
            person=person,
            recovery_time=recovery_time,
            recovery_point=recovery_point,
            capability_tested_on=capability_tested_on,
            capability_evidence=capability_evidence,
            redundancy=redundancy,
        ),
    )
    if alternates is not None:
        resource_set_alternates(actor=actor, resource=resource, alternates=alternates)
    bump_revision()
    return resource


@transaction.atomic
def resource_set_alternates(
    *, actor: User | None, resource: Resource, alternates: Iterable[Resource]
) -> None:
    """Replace the alternates of a resource, audited as one change of the field."""
    new = sorted({a.pk for a in alternates} - {resource.pk})
    old = sorted(resource.alternates.values_list("pk", flat=True))
    if new == old:
        return
    resource.alternates.set(new)
    audit_record(actor=actor, action="update", obj=resource, changes={"alternates": [old, new]})


@transaction.atomic
def resource_set_alternates_many(
    *, actor: User | None, alternates: Iterable[tuple[Resource, Iterable[Resource]]]
) -> int:
    """Replace the alternates of many resources (each (resource, alternates)), audited per
    resource as `resource_set_alternates` does; returns how many changed."""
    wanted = {
        resource.pk: (resource, sorted({a.pk for a in alts} - {resource.pk}))
        for resource, alts in alternates
    }
    through = Resource.alternates.through
    old: dict[int, list[int]] = {pk: [] for pk in wanted}
    pks = list(wanted)
    for start in range(0, len(pks), 500):
        for src, dst in through.objects.filter(
            from_resource_id__in=pks[start : start + 500]
        ).values_list("from_resource_id", "to_resource_id"):
            old[src].append(dst)
    changed = [
        (resource, sorted(old[pk]), new)
        for pk, (resource, new) in wanted.items()
        if sorted(old[pk]) != new
    ]
    if not changed:
        return 0
    ids = [resource.pk for resource, _old, _new in changed]
    for start in range(0, len(ids), 500):
        through.objects.filter(from_resource_id__in=ids[start : start + 500]).delete()
    through.objects.bulk_create(
        [
            through(from_resource_id=resource.pk, to_resource_id=dst)
            for resource, _old, new in changed
            for dst in new
        ],
        batch_size=500,
    )
    audit_record_many(
        actor=actor,
        action="update",
        objects=[(resource, {"alternates": [old_, new]}) for resource, old_, new in changed],
    )
    bump_revision()
    return len(changed)


@transaction.atomic
def resource_delete(*, actor: User | None, resource: Resource) -> None:
    """Delete a resource and, each audited, the links to and from it."""
    for link in Dependency.objects.filter(dependent_resource=resource) | Dependency.objects.filter(
        dependency_resource=resource
    ):
        object_delete(actor=actor, instance=link)
    object_delete(actor=actor, instance=resource)
    bump_revision()


@transaction.atomic
def activity_create(
    *,
    actor: User | None,
    code: str = UNSET,
    name: str = UNSET,
    name_en: str = UNSET,
    unit: Unit = UNSET,
    owner: Person | None = UNSET,
    products: str = UNSET,
    description: str = UNSET,
    mtpd: int | None = UNSET,
    rto: int | None = UNSET,
    rpo: int | None = UNSET,
    mbco: str = UNSET,
) -> Activity:
    """Create an activity with its objectives."""
    activity = object_create(
        actor=actor,
        instance=Activity(
            **given(
                code=code,
                name=name,
                name_en=name_en,
                unit=unit,
                owner=owner,
                products=products,
                description=description,
                mtpd=mtpd,
                rto=rto,
                rpo=rpo,
                mbco=mbco,
            )
        ),
    )
    bump_revision()
    return activity


@transaction.atomic
def activity_create_many(*, actor: User | None, items: Iterable[dict[str, Any]]) -> list[Activity]:
    """Create activities from field dicts (activity_create's keywords), as activity_create
    would one by one (see resource_create_many)."""
    activities = object_create_many(
        actor=actor, instances=_instances(Activity, ACTIVITY_FIELDS, items)
    )
    if activities:
        bump_revision()
    return activities


@transaction.atomic
def activity_update(
    *,
    actor: User | None,
    activity: Activity,
    code: str = UNSET,
    name: str = UNSET,
    name_en: str = UNSET,
    unit: Unit = UNSET,
    owner: Person | None = UNSET,
    products: str = UNSET,
    description: str = UNSET,
    mtpd: int | None = UNSET,
    rto: int | None = UNSET,
    rpo: int | None = UNSET,
    mbco: str = UNSET,
) -> Activity:
    """Change the fields passed of an activity or its objectives."""
    object_update(
        actor=actor,
        instance=activity,
        data=given(
            code=code,
            name=name,
            name_en=name_en,
            unit=unit,
            owner=owner,
            products=products,
            description=description,
            mtpd=mtpd,
            rto=rto,
            rpo=rpo,
            mbco=mbco,
        ),
    )
    bump_revision()
    return activity


@transaction.atomic
def activity_delete(*, actor: User | None, activity: Activity) -> None:
    """Delete an activity and, each audited, the links to and from it."""
    for link in Dependency.objects.filter(dependent_activity=activity) | Dependency.objects.filter(
        dependency_activity=activity
    ):
        object_delete(actor=actor, instance=link)
    object_delete(actor=actor, instance=activity)
    bump_revision()


def _endpoints(dependent: Activity | Resource, dependency: Activity | Resource) -> dict[str, Any]:
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
    *,
    actor: User | None,
    dependent: Activity | Resource,
    dependency: Activity | Resource,
    group: str = "",
    tolerance: int = 0,
    note: str = "",
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
def dependency_create_many(
    *,
    actor: User | None,
    links: Iterable[tuple[Activity | Resource, Activity | Resource, dict[str, Any]]],
) -> list[Dependency]:
    """Create links, each (dependent, dependency, {group, tolerance, note}), as
    dependency_create would one by one (see resource_create_many): self-links, resource →
    activity links and duplicates are refused with the same messages."""
    instances = []
    for dependent, dependency, fields in links:
        unknown = set(fields) - {"group", "tolerance", "note"}
        if unknown:
            raise TypeError(f"unexpected field(s) for Dependency: {sorted(unknown)}")
        fields = {**fields, "group": (fields.get("group") or "").strip()}
        instances.append(Dependency(**_endpoints(dependent, dependency), **fields))
    created = object_create_many(actor=actor, instances=instances)
    if created:
        bump_revision()
    return created


@transaction.atomic
def dependency_update(
    *,
    actor: User | None,
    dependency: Dependency,
    group: str = UNSET,
    tolerance: int = UNSET,
    note: str = UNSET,
) -> Dependency:
    """Change a link's group, tolerance or note: only those passed."""
    if group is not UNSET:
        group = (group or "").strip()
    data = given(group=group, tolerance=tolerance, note=note)
    object_update(actor=actor, instance=dependency, data=data)
    bump_revision()
    return dependency


@transaction.atomic
def dependency_delete(*, actor: User | None, dependency: Dependency) -> None:
    """Remove a link."""
    object_delete(actor=actor, instance=dependency)
    bump_revision()
