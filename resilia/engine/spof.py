"""Single points of failure (避免单点故障, DOMAIN.md §4).

Definition: node ``x`` is a single point of failure when its failure alone, not recovered,
stops at least one prioritised activity other than ``x`` itself — exactly
``whatif([x], recovery="never")``, honouring OR redundancy (one member of a group down does not
stop the dependent). Tolerances only delay such a stop, and a stop that lasts forever breaches
every RTO, so "stopped" and "breaches its RTO" coincide here; how fast ``x`` actually recovers is
the what-if's and the gap analysis' business, not this structural one.

Ranking: most prioritised activities broken first, then the strictest RTO among them, then key.
Key-person resources (关键人员) are also listed on their own.

Algorithm: one compiled breadth-first kill per candidate (a node some prioritised activity depends
on; see :func:`kernels.single_failures`): a dead node kills a dependent whose term it completes —
an AND link at once, an OR group when a counter of dead members reaches the group's size. Each
what-if visits only what dies (the least fixpoint: nothing dies without a chain from the
candidate), so the total work is the sum of the failure sets, not n passes over the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kernels
from .compile import CompiledGraph, opt
from .gaps import Rows
from .whatif import whatif


@dataclass(frozen=True, slots=True)
class Spof:
    node: int
    key: str
    breaks: int  # prioritised activities (other than itself) stopped by its failure alone
    strictest_rto: float | None  # smallest RTO among them (None: none has an RTO)
    key_person: bool


@dataclass(frozen=True)
class SpofReport:
    """``spofs`` ranked (see the module docstring); ``key_persons``: the key-person resources
    among them, in the same order. Both are sequences built on access."""

    spofs: Rows  # of Spof
    key_persons: Rows  # of Spof


def candidates(graph: CompiledGraph) -> np.ndarray:
    """Nodes some prioritised activity depends on (or is), by id: no other node can stop one."""
    if not graph.prioritised.any():
        return np.flatnonzero(graph.prioritised)
    seen = kernels.upstream(graph.term_ptr, graph.term_link_ptr, graph.link_dst, graph.prioritised)
    return np.flatnonzero(seen)


def spof(graph: CompiledGraph) -> SpofReport:
    """Rank single points of failure; see the module docstring for the definition."""
    cands = candidates(graph)
    breaks, strictest = kernels.single_failures(
        graph.rev_ptr,
        graph.rev_node,
        graph.rev_term,
        np.diff(graph.term_link_ptr).astype(np.int32),
        cands,
        graph.prioritised,
        np.where(np.isnan(graph.rto), np.inf, graph.rto),
    )
    hit = np.flatnonzero(breaks > 0)
    key_rank = np.asarray([graph.key(int(v)) for v in cands[hit]], dtype=str)
    ranked = hit[np.lexsort((key_rank, strictest[hit], -breaks[hit]))]
    nodes = cands[ranked]
    counts, rtos = breaks[ranked], strictest[ranked]

    def make(i: int) -> Spof:
        v = int(nodes[i])
        return Spof(
            node=v,
            key=graph.key(v),
            breaks=int(counts[i]),
            strictest_rto=opt(rtos[i]),
            key_person=bool(graph.key_person[v]),
        )

    people = np.flatnonzero(graph.key_person[nodes])
    return SpofReport(
        spofs=Rows(len(nodes), make, nodes),
        key_persons=Rows(len(people), lambda i: make(int(people[i])), nodes[people]),
    )


def spof_breaks(graph: CompiledGraph, node: int | str) -> list[str]:
    """Keys of the prioritised activities (other than ``node``) its failure alone stops."""
    result = whatif(graph, [node], recovery="never")
    failed = set(result.failed_nodes.tolist())
    return sorted(
        graph.key(int(v)) for v in result.nodes.tolist() if graph.prioritised[v] and v not in failed
    )
