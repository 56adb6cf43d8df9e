"""State changes of the organisation. Views, API, import, CLI and tasks all call these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from resilia.audit.services import audit_record, diff, snapshot
from resilia.core.services import UNSET, given, object_create, object_delete, object_update
from resilia.org.models import Person, Site, Team, TeamMembership, Unit

if TYPE_CHECKING:
    from resilia.accounts.models import User


def _compute_path(unit: Unit) -> tuple[str, int]:
    if unit.parent_id:
        parent = Unit.objects.only("path", "depth").get(pk=unit.parent_id)
        return f"{parent.path}{unit.pk}/", parent.depth + 1
    return f"/{unit.pk}/", 0


@transaction.atomic
def unit_create(
    *,
    actor: User | None,
    code: str = UNSET,
    name: str = UNSET,
    name_en: str = UNSET,
    kind: str = UNSET,
    parent: Unit | None = UNSET,
    head: Person | None = UNSET,
    description: str = UNSET,
) -> Unit:
    """Create a unit under its parent and give it its tree path."""
    unit = Unit(
        **given(
            code=code,
            name=name,
            name_en=name_en,
            kind=kind,
            parent=parent,
            head=head,
            description=description,
        )
    )
    unit.path = "/pending/"
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path, unit.depth = _compute_path(unit)
    unit.save(update_fields=["path", "depth"])
    audit_record(actor=actor, action="create", obj=unit, changes=diff({}, snapshot(unit)))
    return unit


@transaction.atomic
def unit_update(
    *,
    actor: User | None,
    unit: Unit,
    code: str = UNSET,
    name: str = UNSET,
    name_en: str = UNSET,
    kind: str = UNSET,
    parent: Unit | None = UNSET,
    head: Person | None = UNSET,
    description: str = UNSET,
) -> Unit:
    """Change the fields passed; moving the unit re-paths its whole subtree."""
    data = given(
        code=code,
        name=name,
        name_en=name_en,
        kind=kind,
        parent=parent,
        head=head,
        description=description,
    )
    old_path = unit.path
    old_parent = unit.parent_id
    object_update(actor=actor, instance=unit, data=data)
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


def unit_delete(*, actor: User | None, unit: Unit) -> None:
    """Delete a unit that has no sub-units, people, sites or teams (PROTECT otherwise)."""
    object_delete(actor=actor, instance=unit)


def person_create(
    *,
    actor: User | None,
    employee_no: str = UNSET,
    full_name: str = UNSET,
    title: str = UNSET,
    unit: Unit = UNSET,
    site: Site | None = UNSET,
    deputy: Person | None = UNSET,
    mobile: str = UNSET,
    office_phone: str = UNSET,
    email: str = UNSET,
    wecom_id: str = UNSET,
    dingtalk_id: str = UNSET,
    feishu_id: str = UNSET,
    is_key_person: bool = UNSET,
    is_active: bool = UNSET,
    notes: str = UNSET,
) -> Person:
    """Create a person record."""
    return object_create(
        actor=actor,
        instance=Person(
            **given(
                employee_no=employee_no,
                full_name=full_name,
                title=title,
                unit=unit,
                site=site,
                deputy=deputy,
                mobile=mobile,
                office_phone=office_phone,
                email=email,
                wecom_id=wecom_id,
                dingtalk_id=dingtalk_id,
                feishu_id=feishu_id,
                is_key_person=is_key_person,
                is_active=is_active,
                notes=notes,
            )
        ),
    )


def person_update(
    *,
    actor: User | None,
    person: Person,
    employee_no: str = UNSET,
    full_name: str = UNSET,
    title: str = UNSET,
    unit: Unit = UNSET,
    site: Site | None = UNSET,
    deputy: Person | None = UNSET,
    mobile: str = UNSET,
    office_phone: str = UNSET,
    email: str = UNSET,
    wecom_id: str = UNSET,
    dingtalk_id: str = UNSET,
    feishu_id: str = UNSET,
    is_key_person: bool = UNSET,
    is_active: bool = UNSET,
    notes: str = UNSET,
) -> Person:
    """Change a person record: only the fields passed."""
    return object_update(
        actor=actor,
        instance=person,
        data=given(
            employee_no=employee_no,
            full_name=full_name,
            title=title,
            unit=unit,
            site=site,
            deputy=deputy,
            mobile=mobile,
            office_phone=office_phone,
            email=email,
            wecom_id=wecom_id,
            dingtalk_id=dingtalk_id,
            feishu_id=feishu_id,
            is_key_person=is_key_person,
            is_active=is_active,
            notes=notes,
        ),
    )


@transaction.atomic
def person_delete(*, actor: User | None, person: Person) -> None:
    """Delete a person who holds no team membership (PROTECT otherwise).

    The people they deputise for and the units they head are released first through the
    services, so those changes are audited instead of vanishing in an ON DELETE SET NULL.
    """
    for other in Person.objects.filter(deputy=person):
        person_update(actor=actor, person=other, deputy=None)
    for unit in Unit.objects.filter(head=person):
        unit_update(actor=actor, unit=unit, head=None)
    object_delete(actor=actor, instance=person)


def site_create(
    *,
    actor: User | None,
    code: str = UNSET,
    name: str = UNSET,
    name_en: str = UNSET,
    kind: str = UNSET,
    address: str = UNSET,
    seat_capacity: int | None = UNSET,
    unit: Unit | None = UNSET,
    notes: str = UNSET,
) -> Site:
    """Create a site."""
    return object_create(
        actor=actor,
        instance=Site(
            **given(
                code=code,
                name=name,
                name_en=name_en,
                kind=kind,
                address=address,
                seat_capacity=seat_capacity,
                unit=unit,
                notes=notes,
            )
        ),
    )


def site_update(
    *,
    actor: User | None,
    site: Site,
    code: str = UNSET,
    name: str = UNSET,
    name_en: str = UNSET,
    kind: str = UNSET,
    address: str = UNSET,
    seat_capacity: int | None = UNSET,
    unit: Unit | None = UNSET,
    notes: str = UNSET,
) -> Site:
    """Change a site: only the fields passed."""
    return object_update(
        actor=actor,
        instance=site,
        data=given(
            code=code,
            name=name,
            name_en=name_en,
            kind=kind,
            address=address,
            seat_capacity=seat_capacity,
            unit=unit,
            notes=notes,
        ),
    )


@transaction.atomic
def site_delete(*, actor: User | None, site: Site) -> None:
    """Delete a site; the people located there are moved to no site, each change audited."""
    for person in Person.objects.filter(site=site):
        person_update(actor=actor, person=person, site=None)
    object_delete(actor=actor, instance=site)


def team_create(
    *,
    actor: User | None,
    code: str = UNSET,
    name: str = UNSET,
    name_en: str = UNSET,
    kind: str = UNSET,
    unit: Unit | None = UNSET,
    responsibilities: str = UNSET,
) -> Team:
    """Create a team."""
    return object_create(
        actor=actor,
        instance=Team(
            **given(
                code=code,
                name=name,
                name_en=name_en,
                kind=kind,
                unit=unit,
                responsibilities=responsibilities,
            )
        ),
    )


def team_update(
    *,
    actor: User | None,
    team: Team,
    code: str = UNSET,
    name: str = UNSET,
    name_en: str = UNSET,
    kind: str = UNSET,
    unit: Unit | None = UNSET,
    responsibilities: str = UNSET,
) -> Team:
    """Change a team: only the fields passed."""
    return object_update(
        actor=actor,
        instance=team,
        data=given(
            code=code,
            name=name,
            name_en=name_en,
            kind=kind,
            unit=unit,
            responsibilities=responsibilities,
        ),
    )


@transaction.atomic
def team_delete(*, actor: User | None, team: Team) -> None:
    """Delete a team and its memberships, each audited."""
    for membership in list(team.memberships.all()):
        object_delete(actor=actor, instance=membership)
    object_delete(actor=actor, instance=team)


def membership_create(
    *,
    actor: User | None,
    team: Team = UNSET,
    person: Person = UNSET,
    role: str = UNSET,
    responsibilities: str = UNSET,
) -> TeamMembership:
    """Add a person to a team with a role and responsibilities."""
    return object_create(
        actor=actor,
        instance=TeamMembership(
            **given(
                team=team,
                person=person,
                role=role,
                responsibilities=responsibilities,
            )
        ),
    )


def membership_update(
    *,
    actor: User | None,
    membership: TeamMembership,
    team: Team = UNSET,
    person: Person = UNSET,
    role: str = UNSET,
    responsibilities: str = UNSET,
) -> TeamMembership:
    """Change a member's role or responsibilities: only the fields passed."""
    return object_update(
        actor=actor,
        instance=membership,
        data=given(
            team=team,
            person=person,
            role=role,
            responsibilities=responsibilities,
        ),
    )


def membership_delete(*, actor: User | None, membership: TeamMembership) -> None:
    """Remove a person from a team."""
    object_delete(actor=actor, instance=membership)
