"""Access policies of incidents (see resilia.core.access).

An incident is scoped by its unit (an incident of the whole organisation, with no unit, is read
by every reader): the BCM office declares and runs any incident, a coordinator those of their
subtree; contributors, auditors and executives read them. The records of an incident (its level
changes, deadlines, reports, roles, journal, review and corrective actions) follow it. Grading
packs are the BCM office's.
"""

from __future__ import annotations

from resilia.core import access
from resilia.core.access import ALL_READERS, WRITE_ALL, Policy, register

RUNNERS = frozenset(WRITE_ALL | {"coordinator"})

register(
    "incidents.gradingpack", Policy(readers=frozenset(ALL_READERS), writers=frozenset(WRITE_ALL))
)
register(
    "incidents.incident", Policy(unit_path="unit__path", unitless_shared=True, writers=RUNNERS)
)
for _label in (
    "levelchange",
    "deadline",
    "report",
    "role",
    "journalentry",
    "review",
    "correctiveaction",
):
    register(
        f"incidents.{_label}",
        Policy(unit_path="incident__unit__path", unitless_shared=True, writers=RUNNERS),
    )


def may_run(user, incident) -> bool:
    """Change the incident: its level, status, reports, roles, journal, review."""
    return access.role_of(user) in RUNNERS and access.can_write(user, incident)


def may_declare(user, unit=None) -> bool:
    from resilia.incidents.models import Incident

    if access.role_of(user) not in RUNNERS:
        return False
    return access.can_create(user, Incident, unit)
