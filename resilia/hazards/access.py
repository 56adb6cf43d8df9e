"""Access policies of hazard inspection and rectification (see resilia.core.access).

- Checklist templates are the BCM office's: every reader reads them, the organisation-wide
  writers (admin, BCM manager) write them.
- Schedules, rounds, hazards and their orders are scoped by their site's unit (a site shared
  by the whole organisation is read by every reader): a coordinator writes those of their
  subtree; a contributor reads their unit's and fills the rounds assigned to them as the
  inspector, records hazards on them, and reports the fix of an order they are responsible
  for (as the person linked to their account).
- Verification is a sign-off by someone other than the responsible person, and never by a
  contributor.
"""

from __future__ import annotations

from django.db.models import Q

from resilia.core import access
from resilia.core.access import ALL_READERS, WRITE_ALL, Policy, register


def _person_id(user):
    return getattr(user, "person_id", None)


def _assigned_rounds(user):
    return Q(inspector_id=user.pk)


def _assigned_items(user):
    return Q(round__inspector_id=user.pk)


def _assigned_hazards(user):
    q = Q(round__inspector_id=user.pk) | Q(found_by_id=user.pk)
    pid = _person_id(user)
    return q | Q(rectification__responsible_id=pid) if pid else q


def _assigned_orders(user):
    pid = _person_id(user)
    return Q(responsible_id=pid) if pid else None


ORG_WIDE = Policy(readers=frozenset(ALL_READERS), writers=frozenset(WRITE_ALL))
register("hazards.checklisttemplate", ORG_WIDE)
register("hazards.checklistitem", ORG_WIDE)
register("hazards.schedule", Policy(unit_path="site__unit__path", unitless_shared=True))
register(
    "hazards.inspectionround",
    Policy(unit_path="site__unit__path", unitless_shared=True, assigned=_assigned_rounds),
)
register(
    "hazards.rounditem",
    Policy(unit_path="round__site__unit__path", unitless_shared=True, assigned=_assigned_items),
)
register(
    "hazards.hazard",
    Policy(unit_path="site__unit__path", unitless_shared=True, assigned=_assigned_hazards),
)
register(
    "hazards.rectification",
    Policy(unit_path="hazard__site__unit__path", unitless_shared=True, assigned=_assigned_orders),
)
register(
    "hazards.verification",
    Policy(unit_path="hazard__site__unit__path", unitless_shared=True, assigned=lambda u: None),
)
register(
    "hazards.escalation",
    Policy(readers=frozenset(WRITE_ALL | {"auditor"}), writers=frozenset()),
)


def may_plan(user, site) -> bool:
    """Plan a round or a schedule at `site`: organisation-wide writers anywhere, a
    coordinator at the sites of their subtree (a shared site is the BCM office's)."""
    from resilia.hazards.models import InspectionRound

    if access.role_of(user) not in WRITE_ALL | {"coordinator"}:
        return False
    return site is None or access.may_place(user, InspectionRound, site.unit)


def may_fill(user, round_) -> bool:
    """Answer the checklist and record hazards: a round not yet completed that the user may
    write (its inspector, or a writer of its site)."""
    return round_.editable and access.can_write(user, round_)


def may_issue(user, hazard) -> bool:
    """Issue (or revise) the rectification order: a coordinator or the BCM office who may
    write the hazard, before the fix is reported."""
    return (
        hazard.status in ("open", "rectifying")
        and access.role_of(user) in WRITE_ALL | {"coordinator"}
        and access.can_write(user, hazard)
    )


def is_responsible(user, hazard) -> bool:
    rect = getattr(hazard, "rectification", None)
    pid = _person_id(user)
    return rect is not None and pid is not None and rect.responsible_id == pid


def may_report_fix(user, hazard) -> bool:
    """Report the fix done: the responsible person or a writer, while being rectified."""
    if hazard.status != "rectifying":
        return False
    if is_responsible(user, hazard) and access.role_of(user) is not None:
        return True
    return access.role_of(user) in WRITE_ALL | {"coordinator"} and access.can_write(user, hazard)


def may_verify(user, hazard) -> bool:
    """Verify the fix and sign off: a coordinator or the BCM office who may write the hazard
    and is not the responsible person, once the fix is reported."""
    return (
        hazard.status == "verifying"
        and access.role_of(user) in WRITE_ALL | {"coordinator"}
        and access.can_write(user, hazard)
        and not is_responsible(user, hazard)
    )


def inspectors_for(user):
    """The accounts a planner may assign a round to: every active account that fills
    records (not auditors or executives) for the BCM office; a coordinator, those of their
    subtree. (Accounts are otherwise the system administrator's to read.)"""
    from resilia.accounts.models import User

    rows = User.objects.filter(
        is_active=True, role__in=("admin", "bcm_manager", "coordinator", "contributor")
    ).order_by("username")
    role = access.role_of(user)
    if role in WRITE_ALL:
        return rows
    unit = getattr(user, "unit", None)
    if role == "coordinator" and unit is not None:
        return rows.filter(unit__path__startswith=unit.path)
    return rows.none()


def may_cancel(user, round_) -> bool:
    """Cancel (or, with nothing recorded on it, delete) a round: a planner — a coordinator
    or the BCM office — who may write it, while it is still to be done. The inspector alone
    may not call off their own round."""
    return (
        round_.editable
        and access.role_of(user) in WRITE_ALL | {"coordinator"}
        and access.can_write(user, round_)
    )


def may_withdraw(user, hazard) -> bool:
    """Withdraw a hazard recorded by mistake: before any rectification order, by whoever
    recorded it or a coordinator / the BCM office who may write it."""
    if hazard.status != "open" or access.role_of(user) is None:
        return False
    if hazard.found_by_id is not None and hazard.found_by_id == user.pk:
        return True
    return access.role_of(user) in WRITE_ALL | {"coordinator"} and access.can_write(user, hazard)
