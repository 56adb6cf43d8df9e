"""State changes of the organisation. Views, API, import, CLI and tasks all call these."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from resilia.audit.services import audit_record, diff, snapshot
from resilia.core.services import object_create, object_delete, object_update
from resilia.org.models import Person, Site, Team, TeamMembership, Unit


def _compute_path(unit: Unit) -> tuple[str, int]:
    if unit.parent_id:
        parent = Unit.objects.only("path", "depth").get(pk=unit.parent_id)
        return f"{parent.path}{unit.pk}/", parent.depth + 1
    return f"/{unit.pk}/", 0


@transaction.atomic
def unit_create(*, actor, **fields: Any) -> Unit:
    """Create a unit under its parent and give it its tree path."""
    unit = Unit(**fields)
    unit.path = "/pending/"
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path, unit.depth = _compute_path(unit)
    unit.save(update_fields=["path", "depth"])
    audit_record(actor=actor, action="create", obj=unit, changes=diff({}, snapshot(unit)))
    return unit


@transaction.atomic
def unit_update(*, actor, unit: Unit, **fields: Any) -> Unit:
    """Change a unit; moving it re-paths its whole subtree."""
    old_path = unit.path
    old_parent = unit.parent_id
    object_update(actor=actor, instance=unit, data=fields)
    if unit.parent_id != old_parent:
        new_path, new_depth = _compute_path(unit)
        delta = new_depth - unit.depth
        for descendant in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
            descendant.path = new_path + descendant.path[len(old_path) :]
            descendant.depth += delta
            descendant.save(update_fields=["path", "depth"])
        unit.path, unit.depth = new_path, new_depth
        unit.save(update_fields=["path", "depth"])
    return unit


def unit_delete(*, actor, unit: Unit) -> None:
    """Delete a unit that has no sub-units, people, sites or teams (PROTECT otherwise)."""
    object_delete(actor=actor, instance=unit)


def person_create(*, actor, **fields: Any) -> Person:
    """Create a person record."""
    return object_create(actor=actor, instance=Person(**fields))


def person_update(*, actor, person: Person, **fields: Any) -> Person:
    """Change a person record."""
    return object_update(actor=actor, instance=person, data=fields)


@transaction.atomic
def person_delete(*, actor, person: Person) -> None:
    """Delete a person who holds no team membership (PROTECT otherwise).

    The people they deputise for and the units they head are released first through the
    services, so those changes are audited instead of vanishing in an ON DELETE SET NULL.
    """
    for other in Person.objects.filter(deputy=person):
        person_update(actor=actor, person=other, deputy=None)
    for unit in Unit.objects.filter(head=person):
        unit_update(actor=actor, unit=unit, head=None)
    object_delete(actor=actor, instance=person)


def site_create(*, actor, **fields: Any) -> Site:
    """Create a site."""
    return object_create(actor=actor, instance=Site(**fields))


def site_update(*, actor, site: Site, **fields: Any) -> Site:
    """Change a site."""
    return object_update(actor=actor, instance=site, data=fields)


@transaction.atomic
def site_delete(*, actor, site: Site) -> None:
    """Delete a site; the people located there are moved to no site, each change audited."""
    for person in Person.objects.filter(site=site):
        person_update(actor=actor, person=person, site=None)
    object_delete(actor=actor, instance=site)


def team_create(*, actor, **fields: Any) -> Team:
    """Create a team."""
    return object_create(actor=actor, instance=Team(**fields))


def team_update(*, actor, team: Team, **fields: Any) -> Team:
    """Change a team."""
    return object_update(actor=actor, instance=team, data=fields)


@transaction.atomic
def team_delete(*, actor, team: Team) -> None:
    """Delete a team and its memberships, each audited."""
    for membership in list(team.memberships.all()):
        object_delete(actor=actor, instance=membership)
    object_delete(actor=actor, instance=team)


def membership_create(*, actor, **fields: Any) -> TeamMembership:
    """Add a person to a team with a role and responsibilities."""
    return object_create(actor=actor, instance=TeamMembership(**fields))


def membership_update(*, actor, membership: TeamMembership, **fields: Any) -> TeamMembership:
    """Change a member's role or responsibilities."""
    return object_update(actor=actor, instance=membership, data=fields)


def membership_delete(*, actor, membership: TeamMembership) -> None:
    """Remove a person from a team."""
    object_delete(actor=actor, instance=membership)
