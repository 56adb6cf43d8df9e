"""What-if: which nodes stop, when, when they can be back, and which objectives they breach.

Semantics (times in minutes after T0 = 0; see docs/engine.md):

* A failed node is down over ``[0, own)``: ``own`` is its achievable recovery time; unknown means
  never for a resource and "at once" for an activity (it resumes when what it needs is back).
* A link ``v -> d`` with tolerance ``t``: if ``d`` is down over ``[s, b)``, the link takes ``v``
  down over ``[s + t, b)`` — only when ``b > s + t``; a dependency back within the tolerance does
  not stop its dependent.
* An OR redundancy group takes ``v`` down only while *all* its members' links do: over the
  intersection ``[max(s_i + t_i), min(b_i))`` when it is not empty. One member down alone does
  not stop the dependent.
* A node is down over the hull of what takes it down (its own failure, its AND links, its OR
  groups): ``stop_at`` the earliest start, ``back_at`` the latest end. The hull is conservative:
  if one cause ends before another starts, the node is reported down in between.
* Cycles: the result is the least fixpoint of these rules starting from "nothing is down"
  (nothing stops without a chain of causes from a failed node), computed by monotone propagation
  over the part of the graph reachable from the failed set, so it always terminates.
* ``rto_breach_at = stop_at + RTO`` when ``back_at > stop_at + RTO``; the same for MTPD.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from . import kernels
from .compile import CompiledGraph, opt
from .model import ModelError

INF = np.inf


@dataclass(frozen=True, slots=True)
class Impact:
    """One affected node. ``None`` times mean never (no known recovery / no breach)."""

    node: int
    key: str
    stop_at: float
    back_at: float | None
    rto_breach_at: float | None
    mtpd_breach_at: float | None
    failed: bool
    cause: tuple[tuple[str, str], ...]  # (dependent, dependency) links from a failed node


class WhatIf(Sequence[Impact]):
    """Result of :func:`whatif`: a sequence of :class:`Impact` ordered by (stop_at, node id).

    The arrays (``nodes``, ``stop_at``, ``back_at``, ...; ``inf``/``nan`` for never) are public for
    vectorised callers; :class:`Impact` objects are built on access.
    """

    def __init__(self, graph: CompiledGraph, failed: np.ndarray, stop, back, touched=None):
        self.graph = graph
        self._stop, self._back = stop, back
        self.failed_nodes = failed
        # The nodes the propagation touched are the candidates (all of them when not given).
        affected = np.flatnonzero(stop < INF) if touched is None else np.sort(touched)
        affected = affected[stop[affected] < INF]
        affected = affected[np.argsort(stop[affected], kind="stable")]
        self.nodes = affected
        self.stop_at = stop[affected]
        self.back_at = back[affected]
        with np.errstate(invalid="ignore"):
            rto_at = self.stop_at + graph.rto[affected]
            mtpd_at = self.stop_at + graph.mtpd[affected]
            self.rto_breach_at = np.where(self.back_at > rto_at, rto_at, np.nan)
            self.mtpd_breach_at = np.where(self.back_at > mtpd_at, mtpd_at, np.nan)
        self._failed_set = set(failed.tolist())

    def __len__(self) -> int:
        return len(self.nodes)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        node = int(self.nodes[i])
        return Impact(
            node=node,
            key=self.graph.key(node),
            stop_at=float(self.stop_at[i]),
            back_at=opt(self.back_at[i]),
            rto_breach_at=opt(self.rto_breach_at[i]),
            mtpd_breach_at=opt(self.mtpd_breach_at[i]),
            failed=node in self._failed_set,
            cause=self.cause_links(node),
        )

    def __iter__(self) -> Iterator[Impact]:
        return (self[i] for i in range(len(self)))

    def cause_links(self, node: int) -> tuple[tuple[str, str], ...]:
        """The shortest chain of links, from a failed node to ``node``, that explains its stop.

        Follows *tight* links only: a link of an active term whose start equals the dependent's
        stop (in an OR group, a member that went down last), so the chain's tolerances add up to
        ``stop_at``. Such a chain always exists at the least fixpoint; breadth-first search finds
        the shortest, and never loops on cycles.
        """
        if node in self._failed_set or not self._stop[node] < INF:
            return ()
        parent: dict[int, int] = {node: -1}
        frontier = [node]
        while frontier:
            following = []
            for v in frontier:
                for link in self._tight_links(v):
                    d = int(self.graph.link_dst[link])
                    if d in parent:
                        continue
                    parent[d] = link
                    if d in self._failed_set:
                        return self._chain(parent, d)
                    following.append(d)
            frontier = following
        raise AssertionError("no chain of causes")  # impossible at the least fixpoint

    def _tight_links(self, v: int) -> list[int]:
        g, stop, back = self.graph, self._stop, self._back
        found = []
        for term in range(g.term_ptr[v], g.term_ptr[v + 1]):
            links = np.arange(g.term_link_ptr[term], g.term_link_ptr[term + 1])
            start = stop[g.link_dst[links]] + g.link_tol[links]
            end = back[g.link_dst[links]]
            if np.all(end > start) and start.max() < end.min() and start.max() == stop[v]:
                found += links[start == stop[v]].tolist()
        return found

    def _chain(self, parent: dict[int, int], origin: int) -> tuple[tuple[str, str], ...]:
        chain = []
        node = origin
        while parent[node] >= 0:
            dependent, dependency = self.graph.link(parent[node])
            chain.append((self.graph.key(dependent), self.graph.key(dependency)))
            node = dependent
        return tuple(chain)

    def by_key(self) -> dict[str, Impact]:
        return {impact.key: impact for impact in self}


def _failed_ids(graph: CompiledGraph, failed: Iterable[int | str]) -> np.ndarray:
    ids = [graph.index(f) if isinstance(f, str) else int(f) for f in failed]
    if any(not 0 <= i < graph.n for i in ids):
        raise ModelError("failed node id out of range")
    return np.unique(np.array(ids, dtype=np.int64))


def whatif(
    graph: CompiledGraph, failed: Iterable[int | str], *, recovery: str = "capability"
) -> WhatIf:
    """Propagate the failure of ``failed`` (node ids or keys) at T0 = 0.

    ``recovery="never"`` treats every failed node as not recovering (used by the
    single-point-of-failure analysis); the default uses each node's recovery capability.
    """
    failed_ids = _failed_ids(graph, failed)
    stop, back, touched = propagate(graph, failed_ids, never_back=recovery == "never")
    return WhatIf(graph, failed_ids, stop, back, touched)


def propagate(graph: CompiledGraph, failed: np.ndarray, *, never_back: bool = False):
    """Monotone propagation to the least fixpoint; returns ``(stop, back, touched)``.

    A compiled worklist loop (:func:`resilia.engine.kernels.propagate`) re-evaluates a term
    whenever one of its links' dependencies moves, so the work is proportional to the part of the
    graph the failure reaches. Values only grow in the "more down" order (earlier stop, later back),
    so any evaluation order reaches the same least fixpoint, and stops.
    """
    down = np.empty((graph.n, 2))
    down[:, 0] = INF
    down[:, 1] = -INF
    failed = np.asarray(failed, dtype=np.int64)
    failed_back = np.full(len(failed), INF) if never_back else graph.own_back[failed]
    touched = kernels.propagate(
        graph.term_link_ptr,
        graph.link_dst,
        graph.link_tol,
        graph.rev_ptr,
        graph.rev_node,
        graph.rev_term,
        graph.rev_tol,
        failed,
        failed_back,
        down,
    )
    stop, back = down[:, 0], down[:, 1]
    return stop, back, touched
