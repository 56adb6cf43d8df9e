"""Recovery order, dependency cycles and the objectives each node inherits from its dependents.

Rule (DOMAIN.md §3, seed 000: "按照RTO和RPO由小到大顺序排列"): restore dependencies before their
dependents; among the nodes whose dependencies are all restored, the smallest RTO first, then the
smallest RPO, then the smallest MTPD, then the external key. A resource has no RTO of its own:
it inherits the *required* recovery time of what depends on it (see
:func:`required_objectives`), so the database an RTO-30 payment service needs comes before the
file share an RTO-480 activity needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from . import kernels
from .compile import CompiledGraph, nan_to_inf


@dataclass(frozen=True)
class Required:
    """Per node: the strictest requirement coming from itself and its transitive dependents.

    ``rto[v]`` = min over activities ``a`` depending on ``v`` (or ``v`` itself) of
    ``RTO(a) +`` the smallest sum of link tolerances on a path from ``a`` to ``v`` — the time by
    which ``v`` must be back if it fails at T0 and ``a`` is to resume within its RTO.
    ``rpo[v]`` = the strictest RPO of those activities (tolerances do not give data back).
    ``rto_by``/``rpo_by`` name the activity imposing it (-1: none). ``inf`` = no requirement.
    """

    rto: np.ndarray
    rto_by: np.ndarray
    rpo: np.ndarray
    rpo_by: np.ndarray


def required_objectives(graph: CompiledGraph) -> Required:
    """See :class:`Required`; computed once per compiled graph (two compiled Dijkstra runs over
    the links from every activity with the objective, see :func:`kernels.required`). Among
    activities imposing the same value, ``rto_by``/``rpo_by`` is the one of smallest node id."""
    cached = graph._cache.get("required")
    if cached is not None:
        return cached
    activity_rto = np.where(graph.kind == 0, nan_to_inf(graph.rto), np.inf)
    activity_rpo = np.where(graph.kind == 0, nan_to_inf(graph.rpo), np.inf)
    results = []
    for seed, use_tolerance in ((activity_rto, True), (activity_rpo, False)):
        results += kernels.required(
            graph.term_ptr, graph.term_link_ptr, graph.link_dst, graph.link_tol, seed, use_tolerance
        )
    required = Required(*results)
    graph._cache["required"] = required
    return required


@dataclass(frozen=True)
class RecoveryOrder:
    """``order``: node ids to restore, first to last. ``cycles``: the members of each dependency
    cycle (strongly connected set of more than one node, or a node that needs itself), which no
    order can satisfy. ``blocked``: nodes outside cycles that depend on one transitively, so
    they cannot be placed either."""

    graph: CompiledGraph
    order: np.ndarray
    cycles: list[list[int]]
    blocked: np.ndarray

    def keys(self) -> list[str]:
        return [self.graph.key(v) for v in self.order.tolist()]

    def cycle_keys(self) -> list[list[str]]:
        return [[self.graph.key(v) for v in cycle] for cycle in self.cycles]

    def blocked_keys(self) -> list[str]:
        return [self.graph.key(v) for v in self.blocked.tolist()]


def priority_rank(graph: CompiledGraph) -> np.ndarray:
    """rank[v]: position of v when sorting by (required RTO, required RPO, MTPD, key)."""
    required = required_objectives(graph)
    key_rank = np.empty(graph.n, dtype=np.int64)
    key_rank[np.argsort(np.asarray(graph.keys[: graph.n], dtype=str), kind="stable")] = np.arange(
        graph.n
    )
    by = np.lexsort((key_rank, nan_to_inf(graph.mtpd), required.rpo, required.rto))
    rank = np.empty(graph.n, dtype=np.int64)
    rank[by] = np.arange(graph.n)
    return rank


def cycles(graph: CompiledGraph) -> list[list[int]]:
    """Dependency cycles, each as its sorted member ids, ordered by first member."""
    n = graph.n
    matrix = sp.csr_matrix(
        (np.ones(graph.n_links, dtype=np.int8), (graph.link_src, graph.link_dst)), shape=(n, n)
    )
    _, labels = connected_components(matrix, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=n)
    self_loop = np.zeros(n, dtype=bool)
    self_loop[graph.link_src[graph.link_src == graph.link_dst]] = True
    members = np.flatnonzero((sizes[labels] > 1) | self_loop)
    if len(members) == 0:
        return []
    members = members[np.argsort(labels[members], kind="stable")]
    split = np.flatnonzero(np.diff(labels[members])) + 1
    groups = [sorted(group.tolist()) for group in np.split(members, split)]
    return sorted(groups)


def recovery_order(graph: CompiledGraph) -> RecoveryOrder:
    """Kahn's algorithm with a priority queue on :func:`priority_rank` (a compiled loop, see
    :func:`kernels.priority_topological_order`); never loops on cycles.

    Every link counts as a precedence (an OR group's members all come before the dependent: this
    is the order to restore everything, not a minimal restart set).
    """
    n = graph.n
    order_arr = kernels.priority_topological_order(
        graph.term_link_ptr[graph.term_ptr], graph.rev_ptr, graph.rev_node, priority_rank(graph)
    )
    placed = np.zeros(n, dtype=bool)
    placed[order_arr] = True
    found = cycles(graph)
    in_cycle = np.zeros(n, dtype=bool)
    for cycle in found:
        in_cycle[cycle] = True
    blocked = np.flatnonzero(~placed & ~in_cycle)
    return RecoveryOrder(graph=graph, order=order_arr, cycles=found, blocked=blocked)
