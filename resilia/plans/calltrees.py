"""A plan's call tree made a notification call tree (issue 12: "call trees built from teams
and plan roles"), so that an alert can be sent along it.

The tree's code is derived from the plan's (`PLAN-<code>`), so the button on the version's
page creates it once and then refreshes the same tree: its name from the plan's, its
contacts the people of `selectors.call_tree` in that order (per role: the named person,
their deputy, the team's leader, deputy leader and members, each followed by their own
deputy), each once, with their role's name. Writes go through the notification services
(audited there); the plan version records that the tree was built from it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from resilia.audit.actions import register_action
from resilia.core.trail import record
from resilia.notify import services as notify
from resilia.notify.models import CallTree, CallTreeContact
from resilia.org.models import Person
from resilia.plans import access as plan_access
from resilia.plans import selectors
from resilia.plans.models import Plan, PlanVersion

register_action("build_calltree", gettext_lazy("Build the call tree"))

ROLE_LENGTH = CallTreeContact._meta.get_field("role").max_length


def calltree_code(plan: Plan) -> str:
    """The code of the plan's notification call tree (stable while the plan's code is)."""
    return f"PLAN-{plan.code}"[: CallTree._meta.get_field("code").max_length]


def plan_calltree(plan: Plan, *, user=None) -> CallTree | None:
    """The notification call tree made from the plan, if there is one (and, given a user,
    if they may read it)."""
    trees = CallTree.objects.all() if user is None else CallTree.objects.for_user(user)
    return trees.filter(code=calltree_code(plan)).first()


def tree_contacts(version: PlanVersion) -> list[dict]:
    """The contacts for the notification call tree: `selectors.call_tree`'s people in its
    order, each once (in the first role that names them), with that role's name."""
    ordered: list[tuple[int, str]] = []
    seen: set[int] = set()
    for role in selectors.call_tree(user=None, plan_version=version):
        for contact in role["contacts"]:
            if contact.person_id is None or contact.person_id in seen:
                continue
            seen.add(contact.person_id)
            ordered.append((contact.person_id, role["role"][:ROLE_LENGTH]))
    people = Person.objects.in_bulk([pk for pk, _role in ordered])
    return [{"person": people[pk], "role": role} for pk, role in ordered]


@transaction.atomic
def version_calltree_build(*, actor, version: PlanVersion) -> tuple[CallTree, bool]:
    """Create, or bring up to date, the notification call tree of the version's plan; the
    tree and whether it was created. A plan whose roles name nobody is refused and nothing
    is made; so is a user who may not write the plan or the call trees."""
    if not plan_access.may_build_calltree(actor, version):
        raise PermissionDenied
    contacts = tree_contacts(version)
    if not contacts:
        raise ValidationError(
            _(
                "The plan's roles name nobody yet: give its roles people or teams, then "
                "create the call tree."
            )
        )
    plan = version.plan
    tree = plan_calltree(plan)
    created = tree is None
    names = {"name": plan.name, "name_en": plan.name_en}
    if created:
        tree = notify.calltree_create(
            actor=actor, code=calltree_code(plan), contacts=contacts, **names
        )
    else:
        tree = notify.calltree_update(actor=actor, tree=tree, contacts=contacts, **names)
    record(
        actor=actor,
        action="build_calltree",
        obj=version,
        changes={"call_tree": [None, tree.code], "contacts": [None, len(contacts)]},
    )
    return tree, created
