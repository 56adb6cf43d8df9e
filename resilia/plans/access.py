"""Access policies of the plans and the decisions of their sign-off.

- A plan is scoped by its unit: coordinators write those of their subtree; the BCM office
  (organisation-wide writers) all of them; auditors read them all.
- Its versions, signatures, acknowledgements, reminders and offline packs issued follow the plan.
- Sign-off (the seeds' 编制人 / 审核人 / 批准人): the author is whoever may write the plan and
  submits a draft; the reviewer is the BCM office; the approver is the head of the plan's unit
  or of a unit above it, signed in as the user linked to that person. One person signs once.
"""

from __future__ import annotations

from resilia.bia.access import is_unit_approver
from resilia.core import access
from resilia.core.access import WRITE_ALL, Policy, register

register("plans.plan", Policy(unit_path="unit__path"))
for label in ("plans.planversion", "plans.reminder"):
    register(label, Policy(unit_path="plan__unit__path"))
for label in ("plans.acknowledgement", "plans.packissue"):
    register(label, Policy(unit_path="version__plan__unit__path"))
register("plans.signature", Policy(unit_path="version__plan__unit__path"))


def may_edit(user, version) -> bool:
    """Change the content: a draft of a plan the user may write."""
    return version.editable and access.can_write(user, version.plan)


def may_submit(user, version) -> bool:
    return may_edit(user, version)


def may_review(user, version) -> bool:
    """Sign as reviewer or return: the BCM office, on a version in review."""
    return version.status == "in_review" and access.role_of(user) in WRITE_ALL


def may_approve(user, version) -> bool:
    """Sign as approver: the head of the plan's unit (or above), on a reviewed version."""
    return (
        version.status == "in_review"
        and version.signatures.filter(role="reviewer").exists()
        and is_unit_approver(user, version.plan.unit)
    )


def may_publish(user, version) -> bool:
    return version.status == "approved" and access.role_of(user) in WRITE_ALL


def may_retire(user, version) -> bool:
    return version.status == "published" and access.role_of(user) in WRITE_ALL


def may_new_version(user, plan) -> bool:
    return access.can_write(user, plan)


def may_build_calltree(user, version) -> bool:
    """Create or update the plan's notification call tree: who may write the plan and the
    call trees (the BCM office: call trees are theirs, see resilia.notify.access)."""
    from resilia.notify.models import CallTree
    from resilia.plans.calltrees import calltree_code

    if not access.can_write(user, version.plan):
        return False
    tree = CallTree.objects.filter(code=calltree_code(version.plan)).first()
    return access.can_write(user, tree) if tree else access.can_create(user, CallTree)
