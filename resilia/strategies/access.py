"""Access policies of strategy options and the decision on them (see resilia.core.access).

An option is scoped by its subject, like a dependency link: whoever may read (write) the
activity or resource may read (write) the options proposed for it; the options of a resource
shared by the whole organisation are read by every reader. A contributor edits the options of
what they own.

Choosing or rejecting an option is management's decision (104号 第十一条: 高级管理层审批重要业务
恢复目标和恢复策略): the head of the subject's unit or of a unit above it (signed in as the user
linked to that person), or the BCM office (admin, BCM manager) — for a resource shared by the
whole organisation, the BCM office alone.
"""

from __future__ import annotations

from django.db.models import Q

from resilia.bia.access import is_unit_approver
from resilia.core import access
from resilia.core.access import WRITE_ALL, Policy, register


def _owned(user):
    pid = getattr(user, "person_id", None)
    if not pid:
        return None
    return Q(activity__owner_id=pid) | Q(resource__owner_id=pid)


def _scope(path: str) -> Q:
    return Q(activity__unit__path__startswith=path) | Q(resource__unit__path__startswith=path)


_SHARED = Q(resource__isnull=False, resource__unit__isnull=True)

register(
    "strategies.option",
    Policy(scope=_scope, shared=_SHARED, assigned=_owned, contributor_deletes=True),
)


def may_decide(user, option) -> bool:
    """Whether the user may choose or reject this option (see the module docstring)."""
    if not access.can_read_kind(user, type(option)):
        return False
    if access.role_of(user) in WRITE_ALL:
        return True
    unit = option.subject.unit
    return unit is not None and is_unit_approver(user, unit)
