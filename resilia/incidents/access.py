"""Access policies of incidents (see resilia.core.access).

An incident is scoped by its unit (an incident of the whole organisation, with no unit, is read
by every reader): the BCM office declares and runs any incident, a coordinator those of their
subtree; contributors, auditors and executives read them. The records of an incident (its level
changes, deadlines, reports, roles, journal, review and corrective actions) follow it. Grading
packs are the BCM office's.
"""

from __future__ import annotations

from django.db.models import Q

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
    "activation",
):
    register(
        f"incidents.{_label}",
        Policy(unit_path="incident__unit__path", unitless_shared=True, writers=RUNNERS),
    )


def _own_tasks(user):
    pid = getattr(user, "person_id", None)
    return Q(owner_id=pid) if pid else None


# A task is worked by those who run the incident, and by its owner (a contributor linked to
# the person the task is given to: the DBA restoring the database ticks their own step).
register(
    "incidents.task",
    Policy(unit_path="activation__incident__unit__path", unitless_shared=True, assigned=_own_tasks),
)


register(
    "incidents.intakelink",
    Policy(readers=frozenset(RUNNERS | {"auditor"}), writers=frozenset(WRITE_ALL)),
)
register(
    "incidents.anomalyreport",
    Policy(
        unit_path="site__unit__path",
        unitless_shared=True,
        readers=frozenset(RUNNERS | {"auditor"}),
        writers=RUNNERS,
    ),
)


def may_run(user, incident) -> bool:
    """Change the incident: its level, status, reports, roles, journal, review."""
    return access.role_of(user) in RUNNERS and access.can_write(user, incident)


def may_work(user, task) -> bool:
    """Start, finish, skip a task or note on it: who runs the incident, or the task's owner."""
    incident = task.activation.incident
    if incident.status == "closed":
        return False
    if may_run(user, incident):
        return True
    pid = getattr(user, "person_id", None)
    return pid is not None and task.owner_id == pid and access.can_write(user, task)


def may_declare(user, unit=None) -> bool:
    from resilia.incidents.models import Incident

    if access.role_of(user) not in RUNNERS:
        return False
    return access.can_create(user, Incident, unit)
