"""Who a wave reaches: the contacts of a call tree or the members of a team, then the people
a step names, with deputies.

A contact who is inactive steps aside for their deputy (following the chain); a contact
who has not acknowledged when the next wave starts has their deputy brought into it. Two
people who back each other up (A's deputy is B, B's is A: 人员角色备份) are a pair, not a
cycle; a longer chain that comes back on itself (A → B → C → A) is refused: nobody on it
knows who stands in last.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from resilia.org.models import Person, TeamMembership


def deputy_chain(person) -> list:
    """The person, their deputy, the deputy's deputy, ...; ValidationError on a cycle."""
    chain, seen = [person], {person.pk}
    current = person
    while current.deputy_id:
        current = Person.objects.only("pk", "full_name", "deputy_id", "is_active").get(
            pk=current.deputy_id
        )
        if current.pk in seen:
            if len(chain) == 2 and current.pk == chain[0].pk:
                break  # a pair backing each other up
            names = " → ".join(p.full_name for p in [*chain, current])
            raise ValidationError(_("The deputies form a cycle: %(chain)s.") % {"chain": names})
        chain.append(current)
        seen.add(current.pk)
    return chain


def check_deputy_chain(person) -> None:
    """Refuse a person whose chain of deputies is a cycle."""
    deputy_chain(person)


def stand_in(person):
    """The first active person of the deputy chain (None if nobody is active)."""
    for candidate in deputy_chain(person):
        if candidate.is_active:
            return candidate
    return None


def check_step_target(*, call_tree, team, people) -> None:
    """Refuse a step that names nobody: it needs a call tree, a team or people (issue 12:
    a step notifies "these people or groups")."""
    if call_tree is None and team is None and not people:
        raise ValidationError(
            _("A step notifies a call tree, a team or named people: choose at least one.")
        )


def step_people(step) -> list:
    """The people a step notifies, in order: its call tree's contacts or its team's members
    (leader first), then the people it names (by name), each replaced by their deputy when
    inactive; nobody twice."""
    people = []
    if step.call_tree_id:
        people = [c.person for c in step.call_tree.contacts.select_related("person")]
    elif step.team_id:
        order = {TeamMembership.Role.LEADER: 0, TeamMembership.Role.DEPUTY: 1}
        rows = TeamMembership.objects.filter(team_id=step.team_id).select_related("person")
        people = [m.person for m in sorted(rows, key=lambda m: (order.get(m.role, 2), m.pk))]
    if step.pk is not None:
        people += list(step.people.order_by("full_name", "pk"))
    chosen, seen = [], set()
    for person in people:
        who = person if person.is_active else stand_in(person)
        if who is not None and who.pk not in seen:
            chosen.append(who)
            seen.add(who.pk)
    return chosen
