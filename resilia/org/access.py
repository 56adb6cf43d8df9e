"""Access policies of the organisation registers (see resilia.core.access)."""

from django.db.models import Q

from resilia.core.access import Policy, register


def _person_id(user):
    return getattr(user, "person_id", None)


def _assigned_units(user):
    pid = _person_id(user)
    return Q(head_id=pid) if pid else None


def _assigned_people(user):
    pid = _person_id(user)
    return Q(pk=pid) if pid else None


def _assigned_teams(user):
    pid = _person_id(user)
    return Q(memberships__person_id=pid, memberships__role="leader") if pid else None


def _assigned_memberships(user):
    pid = _person_id(user)
    return Q(team__memberships__person_id=pid, team__memberships__role="leader") if pid else None


register("org.unit", Policy(unit_path="path", assigned=_assigned_units))
register("org.person", Policy(unit_path="unit__path", assigned=_assigned_people))
register("org.site", Policy(unit_path="unit__path", unitless_shared=True))
register("org.team", Policy(unit_path="unit__path", unitless_shared=True, assigned=_assigned_teams))
register(
    "org.teammembership",
    Policy(
        unit_path="team__unit__path",
        unitless_shared=True,
        assigned=_assigned_memberships,
        contributor_deletes=True,  # a team's leader manages its members
    ),
)
