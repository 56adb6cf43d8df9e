"""The model-check page: what the dependency model says that cannot be right.

OR redundancy groups of one member, dependency cycles (from the engine, with member names),
activities without an RTO, resources without a recovery capability. Everything is limited
to what the user may read; long lists show their first rows and link to the filtered register.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from resilia.core import access
from resilia.dependencies import rules, selectors
from resilia.dependencies.models import Activity, Dependency, Resource
from resilia.dependencies.views_graph import _db_ref
from resilia.engine.order import cycles as engine_cycles

# Rows a section lists; the rest are a click away in the register, filtered. The page is a
# summary read at every model change: at 100k nodes its sections of 50 took 200 ms to render.
SHOWN = 20


def _lonely_groups(user) -> list[dict]:
    rows = selectors.lonely_or_groups()
    if not rows:
        return []
    lonely = Q()
    for row in rows[:500]:
        lonely |= Q(
            dependent_activity_id=row["dependent_activity_id"],
            dependent_resource_id=row["dependent_resource_id"],
            group=row["group"],
        )
    links = (
        Dependency.objects.for_user(user)
        .filter(lonely)
        .select_related("dependent_activity", "dependent_resource")
        .order_by("group", "pk")
    )
    return [
        {
            "dependent": link.dependent,
            "group": link.group,
            "notice": rules.lonely_group(link.group, link.dependent.code),
        }
        for link in links[:SHOWN]
    ]


def _cycles(user) -> list[list[dict]]:
    """Each cycle as its members; members the user cannot read show without a name."""
    graph, index, _revision = selectors.compiled_graph()
    found = engine_cycles(graph)[:SHOWN]
    refs = {node: _db_ref(index, node) for cycle in found for node in cycle}
    names = {}
    for kind, model in (("activity", Activity), ("resource", Resource)):
        pks = [pk for k, pk in refs.values() if k == kind]
        for obj in model.objects.for_user(user).filter(pk__in=pks):
            names[(kind, obj.pk)] = obj
    result = []
    for cycle in found:
        members = [names.get(refs[node]) for node in cycle]
        if any(member is not None for member in members):
            result.append(members)
    return result


@login_required
@require_GET
def model_checks(request):
    user = request.user
    if not (access.can_read_kind(user, Activity) or access.can_read_kind(user, Resource)):
        raise PermissionDenied
    no_rto = Activity.objects.for_user(user).filter(rto__isnull=True).select_related("unit")
    no_capability = (
        Resource.objects.for_user(user).filter(recovery_time__isnull=True).select_related("unit")
    )
    doubtful = selectors.doubtful_activities(Activity.objects.for_user(user))
    context = {
        "doubtful": [
            (activity, activity.warnings())
            for activity in doubtful.select_related("unit").order_by("code")[:SHOWN]
        ],
        "doubtful_count": doubtful.count(),
        "lonely_groups": _lonely_groups(user),
        "cycles": _cycles(user),
        "no_rto": no_rto.order_by("code")[:SHOWN],
        "no_rto_count": no_rto.count(),
        "no_capability": no_capability.order_by("code")[:SHOWN],
        "no_capability_count": no_capability.count(),
        "shown": SHOWN,
    }
    return render(request, "dependencies/checks.html", context)
