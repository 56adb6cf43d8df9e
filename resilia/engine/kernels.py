"""Compiled loops (numba) of the analyses that are sequential by nature.

Each kernel is the plain loop of an algorithm whose numpy form needed one vectorised round per
level of the graph (what-if, recovery bounds) or a Python loop per node (the priority
topological sort, one what-if per single-point-of-failure candidate). Work is proportional to the
part of the graph a question reaches. The kernels take the flat arrays of
:class:`resilia.engine.compile.CompiledGraph` and are compiled on first use (cached on disk).
"""

from __future__ import annotations

import numpy as np
from numba import njit

INF = np.inf


@njit(cache=True, nogil=True)
def _evaluate(v, term_ptr, term_link_ptr, link_dst, link_tol, stop, back):
    """(stop, back) of ``v`` from its terms: each AND link or OR group active over
    ``[max start, min end)``, the node down over the hull of its active terms."""
    new_stop = INF
    new_back = -INF
    for term in range(term_ptr[v], term_ptr[v + 1]):
        start = -INF
        end = INF
        active = True
        for link in range(term_link_ptr[term], term_link_ptr[term + 1]):
            d = link_dst[link]
            s = stop[d] + link_tol[link]
            b = back[d]
            if not b > s:
                active = False
            if s > start:
                start = s
            if b < end:
                end = b
        if active and start < end:
            if start < new_stop:
                new_stop = start
            if end > new_back:
                new_back = end
    return new_stop, new_back


@njit(cache=True, nogil=True)
def propagate(
    term_ptr, term_link_ptr, link_dst, link_tol, rev_ptr, rev_node, failed, failed_back, stop, back
):
    """What-if propagation to the least fixpoint over the reachable part (FIFO worklist).

    ``stop``/``back`` come in as inf/-inf; returns the touched nodes. Chaotic iteration of a
    monotone operator from the bottom reaches the same least fixpoint as any other order.
    """
    n = len(stop)
    is_failed = np.zeros(n, dtype=np.bool_)
    queued = np.zeros(n, dtype=np.bool_)
    seen = np.zeros(n, dtype=np.bool_)
    touched = np.empty(n, dtype=np.int64)
    n_touched = 0
    queue = np.empty(n, dtype=np.int64)  # ring buffer: at most n nodes queued at once
    head = 0
    size = 0
    for i in range(len(failed)):
        f = failed[i]
        is_failed[f] = True
        stop[f] = 0.0
        back[f] = failed_back[i]
        if not seen[f]:
            seen[f] = True
            touched[n_touched] = f
            n_touched += 1
    for i in range(len(failed)):
        f = failed[i]
        for r in range(rev_ptr[f], rev_ptr[f + 1]):
            w = rev_node[r]
            if not queued[w]:
                queued[w] = True
                queue[(head + size) % n] = w
                size += 1
    while size:
        v = queue[head]
        head = (head + 1) % n
        size -= 1
        queued[v] = False
        new_stop, new_back = _evaluate(v, term_ptr, term_link_ptr, link_dst, link_tol, stop, back)
        if is_failed[v]:
            new_stop = 0.0
        moved = False
        if new_stop < stop[v]:
            stop[v] = new_stop
            moved = True
        if new_back > back[v]:
            back[v] = new_back
            moved = True
        if moved:
            if not seen[v]:
                seen[v] = True
                touched[n_touched] = v
                n_touched += 1
            for r in range(rev_ptr[v], rev_ptr[v + 1]):
                w = rev_node[r]
                if not queued[w]:
                    queued[w] = True
                    queue[(head + size) % n] = w
                    size += 1
    return touched[:n_touched]

