"""Access policies of the BIA and the decisions of its workflow (see resilia.core.access).

- The framework and the campaigns are the BCM office's: every reader reads them, the
  organisation-wide writers (admin, BCM manager) write them.
- An assessment is scoped by its activity's unit: a coordinator fills those of their subtree,
  a contributor those assigned to them or of activities they own.
- The workflow: whoever may write an assessment fills and submits it while it is a draft or
  returned; the BCM office (organisation-wide writers) returns or reviews a submitted one; the
  unit's approver — the head of the activity's unit or of a unit above it, signed in as the
  user linked to that person — approves a reviewed one (104号 第十一条: management approves
  the recovery objectives). Approved is locked.
"""

from __future__ import annotations

from django.db.models import Q

from resilia.core import access
from resilia.core.access import ALL_READERS, WRITE_ALL, Policy, register


def _assigned(user):
    q = Q(assignee_id=user.pk)
    pid = getattr(user, "person_id", None)
    return q | Q(activity__owner_id=pid) if pid else q


def _assigned_children(user):
    q = Q(assessment__assignee_id=user.pk)
    pid = getattr(user, "person_id", None)
    return q | Q(assessment__activity__owner_id=pid) if pid else q


ORG_WIDE = Policy(readers=frozenset(ALL_READERS), writers=frozenset(WRITE_ALL))
register("bia.frameworkversion", ORG_WIDE)
register("bia.campaign", ORG_WIDE)
register("bia.rulepack", ORG_WIDE)
register("bia.assessment", Policy(unit_path="activity__unit__path", assigned=_assigned))
for label in ("bia.assessmentevent", "bia.assessmentsnapshot"):
    register(
        label, Policy(unit_path="assessment__activity__unit__path", assigned=_assigned_children)
    )


def may_fill(user, assessment) -> bool:
    """Edit the answers and submit: a draft or returned assessment the user may write."""
    return assessment.editable and access.can_write(user, assessment)


def may_review(user, assessment) -> bool:
    """Return with comments or mark reviewed: the BCM office, on a submitted assessment."""
    return assessment.status == "submitted" and access.role_of(user) in WRITE_ALL


def is_unit_approver(user, unit) -> bool:
    """Whether the user is linked to the head of `unit` or of a unit above it."""
    pid = getattr(user, "person_id", None)
    if not pid or access.role_of(user) is None:
        return False
    from resilia.org.models import Unit

    ids = [p for p in unit.path.split("/") if p]  # "/1/4/9/": the unit and its ancestors
    paths = ["/" + "/".join(ids[: i + 1]) + "/" for i in range(len(ids))]
    return Unit.objects.filter(path__in=paths, head_id=pid).exists()


def may_approve(user, assessment) -> bool:
    """Approve (and set the MTPD with a reason): the unit's approver, on a reviewed one."""
    return assessment.status == "reviewed" and is_unit_approver(user, assessment.activity.unit)
