"""Access policies of the risk app (see resilia.core.access).

- The threat catalogue, the matrix versions and the assessments are the BCM office's: every
  reader reads them, the organisation-wide writers (admin, BCM manager) write them.
- A risk is scoped by its owning unit: a coordinator writes those of their subtree, a
  contributor those they own (as the linked person). Its measures, scenarios and its rows in
  assessments follow it; a contributor also updates the measures they own.
- Accepting a risk: a user of an accepting role (admin, BCM manager, executive), who may read
  the risk. Signing an assessment off: the BCM manager (or admin).
"""

from __future__ import annotations

from django.db.models import Q

from resilia.core import access
from resilia.core.access import ALL_READERS, WRITE_ALL, Policy, register

ACCEPTING_ROLES = frozenset({"admin", "bcm_manager", "executive"})


def _owned(user):
    pid = getattr(user, "person_id", None)
    return Q(owner_id=pid) if pid else None


def _measure_owned(user):
    pid = getattr(user, "person_id", None)
    return Q(owner_id=pid) | Q(risk__owner_id=pid) if pid else None


def _child_owned(user):
    pid = getattr(user, "person_id", None)
    return Q(risk__owner_id=pid) if pid else None


ORG_WIDE = Policy(readers=frozenset(ALL_READERS), writers=frozenset(WRITE_ALL))
register("risk.threat", ORG_WIDE)
register("risk.matrixversion", ORG_WIDE)
register("risk.riskassessment", ORG_WIDE)
register("risk.assessedrisk", Policy(unit_path="unit__path", writers=frozenset(WRITE_ALL)))
register("risk.risk", Policy(unit_path="unit__path", assigned=_owned))
register("risk.measure", Policy(unit_path="risk__unit__path", assigned=_measure_owned))
register("risk.scenario", Policy(unit_path="risk__unit__path", assigned=_child_owned))


def may_accept(user) -> bool:
    """Whether the user's role may accept a risk (the approver of an acceptance)."""
    return access.role_of(user) in ACCEPTING_ROLES


def may_sign_off(user, assessment) -> bool:
    """Sign a draft assessment off: the BCM manager or an admin."""
    return assessment.status == "draft" and access.role_of(user) in WRITE_ALL
