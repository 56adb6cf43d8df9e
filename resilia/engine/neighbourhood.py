"""The neighbourhood of one node: what it needs and what needs it, a few links away.

A breadth-first walk over the compiled graph in both directions at once, layer by layer, that
keeps only admissible nodes and stops at a node budget. It never looks at the whole model, so
drawing the surroundings of one node costs the same on a model of ten nodes or a million.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .compile import CompiledGraph

# A boolean mask over all nodes, or a callable asked once per layer with that layer's candidates
# (in the order they were reached) that answers with one boolean per candidate.
Admit = np.ndarray | Callable[[np.ndarray], np.ndarray]


class Step(NamedTuple):
    """One link on the way out from the centre: `node` was reached from `previous` over `link`;
    `needs` says whether `node` is a dependency of `previous` (True) or a dependent (False)."""

    previous: int
    node: int
    link: int
    needs: bool


@dataclass(frozen=True)
class Neighbourhood:
    """The nodes reached, the centre first, then layer by layer in the order they were reached.

    Per reached node (same positions as `nodes`): the node it was reached from (`previous`,
    -1 for the centre), the compiled link it was reached over (`via`, -1 for the centre),
    whether it is a dependency of that node (`needs`) and its distance in links. `truncated`
    says that admissible nodes were left out because the budget was spent.
    """

    centre: int
    nodes: np.ndarray
    previous: np.ndarray
    via: np.ndarray
    needs: np.ndarray
    distance: np.ndarray
    truncated: bool
    _position: dict[int, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        self._position.update((v, i) for i, v in enumerate(self.nodes.tolist()))

    def __contains__(self, node: int) -> bool:
        return int(node) in self._position

    def position(self, node: int) -> int:
        """Position of a reached node in `nodes`; KeyError for a node not reached."""
        return self._position[int(node)]

    def path(self, node: int) -> list[Step]:
        """The chain of links from the centre to a reached node (empty for the centre)."""
        steps = []
        i = self.position(node)
        while self.via[i] >= 0:
            steps.append(
                Step(
                    int(self.previous[i]), int(self.nodes[i]), int(self.via[i]), bool(self.needs[i])
                )
            )
            i = self.position(int(self.previous[i]))
        steps.reverse()
        return steps


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(s, e)`` for each pair, without a Python loop."""
    lengths = ends - starts
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(total, dtype=np.int64)


def _out_links(graph: CompiledGraph, frontier: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(compiled link ids, position in `frontier` of their dependent), in compiled order."""
    # Links are sorted by dependent, so a node's links are one block.
    starts = graph.term_link_ptr[graph.term_ptr[frontier]]
    ends = graph.term_link_ptr[graph.term_ptr[frontier + 1]]
    owner = np.repeat(np.arange(len(frontier), dtype=np.int64), ends - starts)
    return _ranges(starts, ends), owner


def _candidates(graph: CompiledGraph, frontier: np.ndarray, reached: np.ndarray):
    """The next layer: (candidate, previous node, link, needs), first discovery wins.

    Discovery order: the frontier in order, for each node first what it needs (in compiled link
    order), then what needs it (in reverse-adjacency order); nodes already reached are skipped.
    """
    out, out_owner = _out_links(graph, frontier)
    rev_starts, rev_ends = graph.rev_ptr[frontier], graph.rev_ptr[frontier + 1]
    rev = _ranges(rev_starts, rev_ends)
    rev_owner = np.repeat(np.arange(len(frontier), dtype=np.int64), rev_ends - rev_starts)
    node = np.concatenate([graph.link_dst[out], graph.rev_node[rev]]).astype(np.int64)
    link = np.concatenate([out, graph.rev_link[rev]]).astype(np.int64)
    needs = np.concatenate([np.ones(len(out), bool), np.zeros(len(rev), bool)])
    # Owner position twice, plus one for "needed by": a stable sort interleaves the two
    # directions per frontier node without disturbing the order within each.
    order = np.argsort(np.concatenate([2 * out_owner, 2 * rev_owner + 1]), kind="stable")
    node, link, needs = node[order], link[order], needs[order]
    owner = np.concatenate([out_owner, rev_owner])[order]
    fresh = ~np.isin(node, reached)
    node, link, needs, owner = node[fresh], link[fresh], needs[fresh], owner[fresh]
    _unique, first = np.unique(node, return_index=True)
    first.sort()
    return node[first], frontier[owner[first]], link[first], needs[first]


def neighbourhood(
    graph: CompiledGraph,
    centre: int,
    *,
    depth: int,
    budget: int,
    admit: Admit | None = None,
) -> Neighbourhood:
    """Walk from `centre` up to `depth` links in both directions, keeping at most `budget` nodes.

    The centre is always kept. A node is kept when `admit` accepts it (every node when `admit`
    is None) and the walk continues only through kept nodes, so an inadmissible node hides what
    lies behind it unless another path leads there. A node refused in one layer may be offered
    again in a later one (reached again over a longer path). When a layer offers more admissible
    nodes than the budget leaves room for, the first ones are kept, the walk stops and the
    result is `truncated`.
    """
    if not 0 <= centre < graph.n:
        raise IndexError(f"no node {centre}")
    nodes, previous, via = [np.array([centre], np.int64)], [np.array([-1])], [np.array([-1])]
    needs, distance = [np.zeros(1, bool)], [np.zeros(1, np.int64)]
    reached = np.array([centre], np.int64)
    frontier = reached
    truncated = False
    for level in range(1, depth + 1):
        cand, prev, link, need = _candidates(graph, frontier, reached)
        if not len(cand):
            break
        if admit is None:
            keep = np.ones(len(cand), bool)
        elif callable(admit):
            keep = np.asarray(admit(cand), dtype=bool)
            if keep.shape != cand.shape:
                raise ValueError("admit must answer one boolean per candidate")
        else:
            keep = np.asarray(admit, dtype=bool)[cand]
        kept = np.flatnonzero(keep)
        room = max(budget - len(reached), 0)
        if len(kept) > room:
            kept, truncated = kept[:room], True
        frontier = cand[kept]
        nodes.append(frontier)
        previous.append(prev[kept])
        via.append(link[kept])
        needs.append(need[kept])
        distance.append(np.full(len(kept), level, np.int64))
        reached = np.concatenate([reached, frontier])
        if truncated or not len(frontier):
            break
    return Neighbourhood(
        centre=int(centre),
        nodes=reached,
        previous=np.concatenate(previous).astype(np.int64),
        via=np.concatenate(via).astype(np.int64),
        needs=np.concatenate(needs),
        distance=np.concatenate(distance),
        truncated=truncated,
    )


def links_between(graph: CompiledGraph, nodes: np.ndarray) -> np.ndarray:
    """Compiled ids of the links whose two ends are both in `nodes`, grouped by dependent in
    the order of `nodes`, each dependent's links in compiled (term) order."""
    nodes = np.asarray(nodes, dtype=np.int64)
    links, _owner = _out_links(graph, nodes)
    return links[np.isin(graph.link_dst[links], nodes)]


def _term(graph: CompiledGraph, link: int) -> int:
    return int(np.searchsorted(graph.term_link_ptr, link, side="right") - 1)


def link_group(graph: CompiledGraph, link: int) -> str:
    """The OR group name of a link, "" for an AND link."""
    if not graph.link_or[link]:
        return ""
    return graph.group_names.get(_term(graph, link), "")


def alternatives(graph: CompiledGraph, link: int) -> np.ndarray:
    """The other dependencies of a link's OR group (any one of them is enough), in compiled
    order; empty for an AND link."""
    if not graph.link_or[link]:
        return np.zeros(0, np.int64)
    term = _term(graph, link)
    members = graph.link_dst[graph.term_link_ptr[term] : graph.term_link_ptr[term + 1]]
    return members[members != graph.link_dst[link]].astype(np.int64)
