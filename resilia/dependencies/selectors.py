"""Reads of the dependency model: the compiled engine graph (cached per revision), and the
model checks that the engine cannot express (OR groups of one)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Q

from resilia.dependencies.models import Activity, Dependency, Resource
from resilia.dependencies.services import current_revision
from resilia.engine.compile import KIND_ACTIVITY, KIND_RESOURCE, CompiledGraph, compile_arrays

_lock = threading.Lock()
_cache: dict[str, object] = {"revision": None, "graph": None}


@dataclass(frozen=True)
class NodeIndex:
    """Maps database rows to engine node ids: activities first, then resources."""

    activity_ids: np.ndarray
    resource_ids: np.ndarray

    def activity_node(self, pk: int) -> int:
        return int(np.searchsorted(self.activity_ids, pk))

    def resource_node(self, pk: int) -> int:
        return len(self.activity_ids) + int(np.searchsorted(self.resource_ids, pk))


def _array(rows, dtype=np.float64):
    return np.array([np.nan if v is None else v for v in rows], dtype=dtype)


def compile_from_database() -> tuple[CompiledGraph, NodeIndex]:
    """Compile the whole model into engine arrays with a handful of streaming queries."""
    acts = list(Activity.objects.order_by("pk").values_list("pk", "code", "mtpd", "rto", "rpo"))
    ress = list(
        Resource.objects.order_by("pk").values_list(
            "pk", "code", "recovery_time", "recovery_point", "kind"
        )
    )
    index = NodeIndex(
        activity_ids=np.array([a[0] for a in acts], dtype=np.int64),
        resource_ids=np.array([r[0] for r in ress], dtype=np.int64),
    )
    n_act = len(acts)
    kind = np.concatenate(
        [np.full(n_act, KIND_ACTIVITY, np.int8), np.full(len(ress), KIND_RESOURCE, np.int8)]
    )
    keys = [f"activity:{a[1]}" for a in acts] + [f"resource:{r[1]}" for r in ress]
    nan_r = [None] * len(ress)
    nan_a = [None] * n_act
    links = np.array(
        list(
            Dependency.objects.order_by("pk").values_list(
                "dependent_activity_id",
                "dependent_resource_id",
                "dependency_activity_id",
                "dependency_resource_id",
                "tolerance",
            )
        ),
        dtype=np.float64,
    ).reshape(-1, 5)
    groups = list(Dependency.objects.order_by("pk").values_list("group", flat=True))

    def nodes(activity_col, resource_col):
        a, r = links[:, activity_col], links[:, resource_col]
        out = np.empty(len(links), np.int64)
        is_a = ~np.isnan(a)
        out[is_a] = np.searchsorted(index.activity_ids, a[is_a].astype(np.int64))
        out[~is_a] = n_act + np.searchsorted(index.resource_ids, r[~is_a].astype(np.int64))
        return out

    src, dst = nodes(0, 1), nodes(2, 3)
    group_ids = np.full(len(links), -1, np.int64)
    named: dict[tuple[int, str], int] = {}
    for i, name in enumerate(groups):
        if name:
            group_ids[i] = named.setdefault((int(src[i]), name), len(named))
    graph = compile_arrays(
        kind=kind,
        dependent=src,
        dependency=dst,
        group=group_ids,
        tolerance=links[:, 4],
        mtpd=_array([a[2] for a in acts] + nan_r),
        rto=_array([a[3] for a in acts] + nan_r),
        rpo=_array([a[4] for a in acts] + nan_r),
        recovery_time=_array(nan_a + [r[2] for r in ress]),
        recovery_point=_array(nan_a + [r[3] for r in ress]),
        key_person=np.array([False] * n_act + [r[4] == Resource.Kind.KEY_PERSON for r in ress]),
        keys=keys,
    )
    names = {gid: name for (_node, name), gid in named.items()}
    # Remember each OR term's group name so that explanations can name the group.
    for term, link in enumerate(graph.term_link_ptr[:-1]):
        if graph.link_or[link]:
            graph.group_names[term] = names[int(group_ids[graph.link_input[link]])]
    return graph, index


def compiled_graph() -> tuple[CompiledGraph, NodeIndex, int]:
    """The compiled graph of the current revision, compiled at most once per process."""
    revision = current_revision()
    with _lock:
        if _cache["revision"] != revision or _cache["graph"] is None:
            _cache["graph"] = compile_from_database()
            _cache["revision"] = revision
        graph, index = _cache["graph"]
    return graph, index, revision


def lonely_or_groups() -> list[dict]:
    """OR redundancy groups with a single member: a redundancy that does not exist."""
    rows = (
        Dependency.objects.exclude(group="")
        .values("dependent_activity_id", "dependent_resource_id", "group")
        .annotate(members=Count("pk"))
        .filter(members=1)
    )
    return list(rows)


def links_of(node) -> Q:
    """Q of the links touching an activity or resource, in either direction."""
    if isinstance(node, Activity):
        return Q(dependent_activity=node) | Q(dependency_activity=node)
    return Q(dependent_resource=node) | Q(dependency_resource=node)
