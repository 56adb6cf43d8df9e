"""Single points of failure (避免单点故障, DOMAIN.md §4).

Definition: node ``x`` is a single point of failure when its failure alone, not recovered,
stops at least one prioritised activity other than ``x`` itself — exactly
``whatif([x], recovery="never")``, honouring OR redundancy (one member of a group down does not
stop the dependent). Tolerances only delay such a stop, and a stop that lasts forever breaches
every RTO, so "stopped" and "breaches its RTO" coincide here; how fast ``x`` actually recovers is
the what-if's and the gap analysis' business, not this structural one.

Ranking: most prioritised activities broken first, then the strictest RTO among them, then key.
Key-person resources (关键人员) are also listed on their own.

Algorithm: bit-parallel kill propagation. Candidates (nodes some prioritised activity depends on)
are processed in batches of ``64 * words``; each node carries a bit mask "killed by candidate j".
An AND term passes a dependency's mask on, an OR group the bitwise AND of its members' masks, a
node the OR of its terms. One monotone propagation per batch answers 64·words what-ifs at once,
restricted to the part of the graph that the batch reaches.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

from .compile import CompiledGraph, dependents_of, gather, opt
from .gaps import Rows
from .whatif import whatif

_ROW_CHUNK = 8192


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
    """Nodes some prioritised activity depends on (or is), in BFS order from those activities,
    so that a batch holds nodes close to each other and reaches a small part of the graph."""
    n = graph.n
    prioritised = np.flatnonzero(graph.prioritised)
    if len(prioritised) == 0:
        return prioritised
    rows = np.concatenate([graph.link_src, np.full(len(prioritised), n, dtype=np.int32)])
    cols = np.concatenate([graph.link_dst, prioritised.astype(np.int32)])
    matrix = sp.csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n + 1, n + 1))
    order = breadth_first_order(matrix, n, directed=True, return_predecessors=False)
    return order[1:]


def spof(graph: CompiledGraph, *, words: int = 8) -> SpofReport:
    """Rank single points of failure; see the module docstring for the definition."""
    if sys.byteorder != "little":  # the bit unpacking below reads uint64 words as bytes
        raise RuntimeError("the SPOF analysis needs a little-endian machine")
    n = graph.n
    masks = np.zeros((n, words), dtype=np.uint64)
    rto = np.where(np.isnan(graph.rto), np.inf, graph.rto)
    cands = candidates(graph)
    breaks = np.zeros(len(cands), dtype=np.int64)
    strictest = np.full(len(cands), np.inf)
    batch = 64 * words
    for start in range(0, len(cands), batch):
        members = cands[start : start + batch].astype(np.int64)
        touched = _propagate_batch(graph, masks, members)
        count, best = _tally(graph, masks, members, touched, rto)
        breaks[start : start + len(members)] = count
        strictest[start : start + len(members)] = best
        masks[touched] = 0
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
        spofs=Rows(len(nodes), make),
        key_persons=Rows(len(people), lambda i: make(int(people[i]))),
    )


def _propagate_batch(graph: CompiledGraph, masks: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Set bit j on members[j], propagate to the least fixpoint; return the touched nodes."""
    positions = np.arange(len(members))
    np.bitwise_or.at(
        masks,
        (members, positions // 64),
        np.left_shift(np.uint64(1), (positions % 64).astype(np.uint64)),
    )
    touched = [members]
    changed = members
    while len(changed):
        dirty = dependents_of(graph, changed)
        if len(dirty) == 0:
            break
        terms, term_count = gather(graph.term_ptr, dirty)
        links, link_count = gather(graph.term_link_ptr, terms)
        link_mask = masks[graph.link_dst[links]]
        term_mask = np.bitwise_and.reduceat(link_mask, np.cumsum(link_count) - link_count, axis=0)
        node_mask = np.bitwise_or.reduceat(term_mask, np.cumsum(term_count) - term_count, axis=0)
        node_mask |= masks[dirty]
        moved = (node_mask != masks[dirty]).any(axis=1)
        changed = dirty[moved]
        masks[changed] = node_mask[moved]
        touched.append(changed)
    return np.unique(np.concatenate(touched))


def _tally(graph, masks, members, touched, rto):
    """Per member: prioritised activities (not itself) with its bit set, and their min RTO."""
    width = len(members)
    rows = touched[graph.prioritised[touched]]
    count = np.zeros(width, dtype=np.int64)
    best = np.full(width, np.inf)
    by_node = np.argsort(members)
    sorted_members = members[by_node]
    for chunk in range(0, len(rows), _ROW_CHUNK):
        part = rows[chunk : chunk + _ROW_CHUNK]
        bits = np.unpackbits(masks[part].view(np.uint8), axis=1, bitorder="little")[:, :width]
        bits = bits.astype(bool)
        # A node never breaks "itself": clear each member's own bit on its own row.
        at = np.minimum(np.searchsorted(sorted_members, part), width - 1)
        own = np.flatnonzero(sorted_members[at] == part)
        bits[own, by_node[at[own]]] = False
        count += bits.sum(axis=0)
        best = np.minimum(best, np.where(bits, rto[part][:, None], np.inf).min(axis=0))
    return count, best


def spof_breaks(graph: CompiledGraph, node: int | str) -> list[str]:
    """Keys of the prioritised activities (other than ``node``) its failure alone stops."""
    result = whatif(graph, [node], recovery="never")
    failed = set(result.failed_nodes.tolist())
    return sorted(
        graph.key(int(v)) for v in result.nodes.tolist() if graph.prioritised[v] and v not in failed
    )
