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
  capabilities; unknown capabilities count as 0, so ``B`` is a true lower bound) — **or** whose
  recovery needs a capability never tested (``untested``, :func:`untested_needs`): an untested
  resource cannot be shown to meet anything, so neither can the activity that needs it. This is
  the one rule of "untested counts as a gap", used by the gaps report, its exports, the API, the
  graph's colours and the activity page's "RTO achievable" statement.
"""

from __future__ import annotations

from collections import deque
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
    """The activity's RTO is below ``bound`` (``limited_by`` is where the bound comes from), or
    ``untested``: what it needs includes a capability never tested (``limited_by`` names it)."""

    node: int
    key: str
    rto: float
    bound: float
    limited_by: str
    untested: bool = False


@dataclass(frozen=True)
class Gaps:
    resources: Rows  # of ResourceGap
    activities: Rows  # of ActivityGap


class Rows(Sequence):
    """A read-only sequence whose items are built from arrays on access (a million gap objects
    would cost more than finding the gaps). ``nodes``, when given, is the node id of each
    item, so that a caller can filter or rank the items without building them."""

    def __init__(self, length: int, make: Callable[[int], object], nodes: np.ndarray | None = None):
        self._length, self._make = length, make
        self.nodes = nodes

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

    return Rows(len(nodes), make, nodes)


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


def untested_needs(graph: CompiledGraph) -> np.ndarray:
    """Per node: whether its recovery needs a recovery time never tested (unknown, NaN).

    A resource with no recovery time needs itself; any node needs what one of its AND links
    needs, and what every member of one of its OR groups needs (one tested member is a way
    back). Tolerances do not help: an unknown time may exceed any of them. Least fixpoint in
    vectorised rounds over the links (one round per level of the graph)."""
    cached = graph._cache.get("untested")
    if cached is not None:
        return cached
    own = (graph.kind == 1) & np.isnan(graph.recovery_time)
    n_terms = len(graph.term_link_ptr) - 1
    term_of_link = np.repeat(np.arange(n_terms), np.diff(graph.term_link_ptr))
    node_of_term = np.repeat(np.arange(graph.n), np.diff(graph.term_ptr))
    untested = own.copy()
    while True:
        tested_links = np.bincount(
            term_of_link, weights=~untested[graph.link_dst], minlength=n_terms
        )
        bad_terms = tested_links == 0
        if n_terms:
            needs = np.bincount(node_of_term, weights=bad_terms, minlength=graph.n) > 0
        else:
            needs = np.zeros(graph.n, dtype=bool)
        found = own | needs
        if np.array_equal(found, untested):
            break
        untested = found
    graph._cache["untested"] = untested
    return untested


def untested_origin(graph: CompiledGraph, v: int) -> int | None:
    """The untested resource behind v's :func:`untested_needs` (None if v needs none): the
    nearest resource without a recovery time, breadth first down the terms whose dependencies
    are all untested (the least fixpoint guarantees one, whatever cycles lie on the way)."""
    untested = untested_needs(graph)
    if not untested[v]:
        return None
    queue, seen = deque([v]), {v}
    while queue:
        u = queue.popleft()
        if graph.kind[u] == 1 and np.isnan(graph.recovery_time[u]):
            return u
        for term in range(graph.term_ptr[u], graph.term_ptr[u + 1]):
            dsts = graph.link_dst[graph.term_link_ptr[term] : graph.term_link_ptr[term + 1]]
            if len(dsts) and untested[dsts].all():
                for d in dsts.tolist():
                    if d not in seen:
                        seen.add(d)
                        queue.append(d)
    return None  # unreachable for a node untested_needs marks


@dataclass(frozen=True, slots=True)
class RecoveryBound:
    """How soon one activity can be back at best, given what tests showed of what it needs.

    ``bound`` is the lower bound B (module docstring; unknown capabilities count as 0);
    ``limited_by`` the node whose own recovery time sets it (None: nothing it needs takes any
    time); ``rto`` None when the activity has none; ``untested_by`` the resource never tested
    that its recovery needs (None: every capability it needs was tested).
    """

    node: int
    rto: float | None
    bound: float
    limited_by: str | None
    untested_by: str | None = None

    @property
    def achievable(self) -> bool | None:
        """Whether the RTO can be shown to be met (None: no RTO to meet): the bound is within
        it and nothing needed is untested — the activity is not an activity gap."""
        if self.rto is None:
            return None
        return self.bound <= self.rto and self.untested_by is None


def recovery_bound(graph: CompiledGraph, v: int) -> RecoveryBound:
    """The recovery-time lower bound of node v and where it comes from (one node's answer of
    :func:`activity_gaps`, for an activity's own page)."""
    bound, via = recovery_bounds(graph)
    origin = _origin(via, v)
    limited = origin if origin != v and bound[v] > 0 else None
    untested = untested_origin(graph, v)
    return RecoveryBound(
        node=v,
        rto=opt(graph.rto[v]),
        bound=float(bound[v]),
        limited_by=graph.key(limited) if limited is not None else None,
        untested_by=graph.key(untested) if untested is not None else None,
    )


def activity_gaps(graph: CompiledGraph) -> Rows:
    """Activities (:class:`ActivityGap`) whose RTO is below their recovery-time lower bound, or
    whose recovery needs an untested capability, ordered by node id."""
    bound, via = recovery_bounds(graph)
    untested = untested_needs(graph)
    with np.errstate(invalid="ignore"):
        slow = bound > graph.rto
        nodes = np.flatnonzero((graph.kind == 0) & (slow | (untested & ~np.isnan(graph.rto))))

    def make(i: int) -> ActivityGap:
        v = int(nodes[i])
        if slow[v]:
            limited, is_untested = _origin(via, v), False
        else:
            limited, is_untested = untested_origin(graph, v), True
        return ActivityGap(
            node=v,
            key=graph.key(v),
            rto=float(graph.rto[v]),
            bound=float(bound[v]),
            limited_by=graph.key(limited),
            untested=is_untested,
        )

    return Rows(len(nodes), make, nodes)


def gaps(graph: CompiledGraph) -> Gaps:
    """Both kinds of gap (see the module docstring)."""
    return Gaps(resources=resource_gaps(graph), activities=activity_gaps(graph))
