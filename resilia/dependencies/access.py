"""Access policies of resources, activities and dependency links (see resilia.core.access).

A link is scoped by its dependent: whoever may read (write) the dependent activity or resource
may read (write) the links that say what it needs.
"""

from django.db.models import Q

from resilia.core.access import Policy, register


def _owned(user):
    pid = getattr(user, "person_id", None)
    return Q(owner_id=pid) if pid else None


def _owned_links(user):
    pid = getattr(user, "person_id", None)
    if not pid:
        return None
    return Q(dependent_activity__owner_id=pid) | Q(dependent_resource__owner_id=pid)


def _link_scope(path: str) -> Q:
    return Q(dependent_activity__unit__path__startswith=path) | Q(
        dependent_resource__unit__path__startswith=path
    )


_LINK_SHARED = Q(dependent_resource__isnull=False, dependent_resource__unit__isnull=True)

register(
    "dependencies.resource", Policy(unit_path="unit__path", unitless_shared=True, assigned=_owned)
)
register("dependencies.activity", Policy(unit_path="unit__path", assigned=_owned))
register(
    "dependencies.dependency",
    Policy(scope=_link_scope, shared=_LINK_SHARED, assigned=_owned_links, contributor_deletes=True),
)
