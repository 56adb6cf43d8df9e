"""Objective/capability gaps: where what tests showed cannot meet what the business requires.

Two kinds (docs/engine.md §Gaps):

* **Resource gaps** — a resource whose achievable recovery time exceeds the time by which it must
  be back (:class:`resilia.engine.order.Required`: the strictest RTO of the activities depending
  on it, plus the tolerances along the way), or whose achievable recovery point exceeds the
  strictest RPO depending on it. An unknown capability under a requirement is a gap too
  (``capability is None``): an untested resource cannot be shown to meet anything.
* **Activity gaps** — an activity whose RTO is below the lower bound of its recovery time given
  its dependencies' known capabilities:
  ``B(v) = max(own recovery time, max over AND links max(0, B(d) - tolerance),
  max over OR groups min over members max(0, B(d) - tolerance))`` (least fixpoint from the known
  capabilities; unknown capabilities count as 0, so ``B`` is a true lower bound).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import kernels
from .compile import CompiledGraph, opt
from .order import required_objectives

RECOVERY_TIME = "recovery_time"
RECOVERY_POINT = "recovery_point"


@dataclass(frozen=True, slots=True)
class ResourceGap:
    """``capability`` (None = unknown) is worse than ``objective`` imposed by ``activity``."""

    node: int
    key: str
    measure: str  # RECOVERY_TIME or RECOVERY_POINT
    capability: float | None
    objective: float
    activity: str


@dataclass(frozen=True, slots=True)
class ActivityGap:
    """The activity's RTO is below ``bound``; ``limited_by`` is where the bound comes from."""

    node: int
    key: str
    rto: float
    bound: float
    limited_by: str


@dataclass(frozen=True)
class Gaps:
    resources: Rows  # of ResourceGap
    activities: Rows  # of ActivityGap


class Rows(Sequence):
    """A read-only sequence whose items are built from arrays on access (a million gap objects
    would cost more than finding the gaps)."""

    def __init__(self, length: int, make: Callable[[int], object]):
        self._length, self._make = length, make

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._make(j) for j in range(*i.indices(self._length))]
        if not -self._length <= i < self._length:
            raise IndexError(i)
        return self._make(i % self._length)

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    __hash__ = None


def resource_gaps(graph: CompiledGraph) -> Rows:
    """Resource gaps (:class:`ResourceGap`) ordered by node id, recovery time before point."""
    required = required_objectives(graph)
    is_resource = graph.kind == 1
    per_measure = []
    for capability, objective in (
        (graph.recovery_time, required.rto),
        (graph.recovery_point, required.rpo),
    ):
        with np.errstate(invalid="ignore"):
            worse = np.isnan(capability) | (capability > objective)
        per_measure.append(np.flatnonzero(is_resource & np.isfinite(objective) & worse))
    nodes = np.concatenate(per_measure)
    measure = np.repeat([0, 1], [len(part) for part in per_measure])
    order = np.lexsort((measure, nodes))
    nodes, measure = nodes[order], measure[order]
    sources = (
        (RECOVERY_TIME, graph.recovery_time, required.rto, required.rto_by),
        (RECOVERY_POINT, graph.recovery_point, required.rpo, required.rpo_by),
    )

    def make(i: int) -> ResourceGap:
        v = int(nodes[i])
        name, capability, objective, by = sources[measure[i]]
        return ResourceGap(
            node=v,
            key=graph.key(v),
            measure=name,
            capability=opt(capability[v]),
            objective=float(objective[v]),
            activity=graph.key(int(by[v])),
        )

    return Rows(len(nodes), make)


def recovery_bounds(graph: CompiledGraph) -> tuple[np.ndarray, np.ndarray]:
    """(B, via): the lower bound above and, per node, the dependency that last raised it
    (-1 when its own capability sets it). Compiled rounds over the dependents of the nodes that
    changed (:func:`kernels.recovery_bounds`)."""
    cached = graph._cache.get("bounds")
    if cached is not None:
        return cached
    own = np.nan_to_num(graph.recovery_time, nan=0.0)
    bound, via = kernels.recovery_bounds(
        graph.term_ptr,
        graph.term_link_ptr,
        graph.link_dst,
        graph.link_tol,
        graph.rev_ptr,
        graph.rev_node,
        own,
    )
    graph._cache["bounds"] = (bound, via)
    return bound, via


def _origin(via: np.ndarray, v: int) -> int:
    """The node whose own capability sets v's bound: follow `via` down (cycles stop)."""
    origin, seen = v, {v}
    while via[origin] >= 0 and int(via[origin]) not in seen:
        origin = int(via[origin])
        seen.add(origin)
    return origin


@dataclass(frozen=True, slots=True)
class RecoveryBound:
    """How soon one activity can be back at best, given what tests showed of what it needs.

    ``bound`` is the lower bound B (module docstring; unknown capabilities count as 0);
    ``limited_by`` the node whose own recovery time sets it (None: nothing it needs takes any
    time); ``rto`` None when the activity has none.
    """

    node: int
    rto: float | None
    bound: float
    limited_by: str | None

    @property
    def achievable(self) -> bool | None:
        """Whether the RTO can be met (None: no RTO to meet)."""
        return None if self.rto is None else self.bound <= self.rto


def recovery_bound(graph: CompiledGraph, v: int) -> RecoveryBound:
    """The recovery-time lower bound of node v and where it comes from (one node's answer of
    :func:`activity_gaps`, for an activity's own page)."""
    bound, via = recovery_bounds(graph)
    origin = _origin(via, v)
    limited = origin if origin != v and bound[v] > 0 else None
    return RecoveryBound(
        node=v,
        rto=opt(graph.rto[v]),
        bound=float(bound[v]),
        limited_by=graph.key(limited) if limited is not None else None,
    )


def activity_gaps(graph: CompiledGraph) -> Rows:
    """Activities (:class:`ActivityGap`) whose RTO is below their recovery-time lower bound,
    ordered by node id."""
    bound, via = recovery_bounds(graph)
    with np.errstate(invalid="ignore"):
        nodes = np.flatnonzero((graph.kind == 0) & (bound > graph.rto))

    def make(i: int) -> ActivityGap:
        v = int(nodes[i])
        return ActivityGap(
            node=v,
            key=graph.key(v),
            rto=float(graph.rto[v]),
            bound=float(bound[v]),
            limited_by=graph.key(_origin(via, v)),
        )

    return Rows(len(nodes), make)


def gaps(graph: CompiledGraph) -> Gaps:
    """Both kinds of gap (see the module docstring)."""
    return Gaps(resources=resource_gaps(graph), activities=activity_gaps(graph))
