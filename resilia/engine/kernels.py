"""Compiled loops (numba) of the analyses that are sequential by nature.

Each kernel is the plain loop of an algorithm whose numpy form needed one vectorised round per
level of the graph (what-if, recovery bounds) or a Python loop per node (the priority
topological sort, one what-if per single-point-of-failure candidate). Work is proportional to the
part of the graph a question reaches. The kernels take the flat arrays of
:class:`resilia.engine.compile.CompiledGraph` and are compiled on first use (see :func:`compiled`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

INF = np.inf


def compiled(function):
    """``njit`` cached on disk (next to this module, or numba's user cache, or
    ``NUMBA_CACHE_DIR``); where none of them is writable, compiled in memory at each start
    rather than failing the import."""
    try:
        return njit(cache=True, nogil=True)(function)
    except RuntimeError:  # numba: "cannot cache function ...: no locator available"
        return njit(nogil=True)(function)


@compiled
def propagate(
    term_link_ptr,
    link_dst,
    link_tol,
    rev_ptr,
    rev_node,
    rev_term,
    rev_tol,
    failed,
    failed_back,
    down,
):
    """What-if propagation to the least fixpoint over the reachable part; returns the touched
    nodes. ``down[v] = (stop, back)`` comes in as (inf, -inf).

    A FIFO worklist of nodes that moved: a moved node re-evaluates, for each dependent, the one
    term holding its link (an AND link from its own values; an OR group over its members, active
    over ``[max start, min end)``), and joins it into the dependent's hull (earliest stop, latest
    back). Every join is of a state below the least fixpoint and every term is re-evaluated
    after its last member moved, so the result is the least fixpoint whatever the order.
    """
    n = len(down)
    queued = np.zeros(n, dtype=np.bool_)
    seen = np.zeros(n, dtype=np.bool_)
    touched = np.empty(n, dtype=np.int64)
    n_touched = 0
    queue = np.empty(n, dtype=np.int64)  # ring buffer: each node is queued at most once at a time
    head = 0
    size = 0
    for i in range(len(failed)):
        f = failed[i]
        down[f, 0] = 0.0
        down[f, 1] = failed_back[i]
        if not seen[f]:
            seen[f] = True
            touched[n_touched] = f
            n_touched += 1
            queued[f] = True
            queue[size] = f
            size += 1
    while size:
        v = queue[head]
        head = head + 1 if head + 1 < n else 0
        size -= 1
        queued[v] = False
        stop_v = down[v, 0]
        back_v = down[v, 1]
        for r in range(rev_ptr[v], rev_ptr[v + 1]):
            t = rev_term[r]
            first = term_link_ptr[t]
            last = term_link_ptr[t + 1]
            if last - first == 1:
                start = stop_v + rev_tol[r]
                end = back_v
                active = end > start
            else:
                start = -INF
                end = INF
                active = True
                for link in range(first, last):
                    d = link_dst[link]
                    s = down[d, 0] + link_tol[link]
                    b = down[d, 1]
                    if not b > s:
                        active = False
                        break
                    if s > start:
                        start = s
                    if b < end:
                        end = b
                active = active and start < end
            if not active:
                continue
            w = rev_node[r]
            moved = False
            if start < down[w, 0]:
                down[w, 0] = start
                moved = True
            if end > down[w, 1]:
                down[w, 1] = end
                moved = True
            if moved:
                if not seen[w]:
                    seen[w] = True
                    touched[n_touched] = w
                    n_touched += 1
                if not queued[w]:
                    queued[w] = True
                    tail = head + size
                    queue[tail if tail < n else tail - n] = w
                    size += 1
    return touched[:n_touched]


@compiled
def _less(d1, a1, d2, a2):
    return d1 < d2 or (d1 == d2 and a1 < a2)


@compiled
def _heap_push(hd, ha, hv, size, d, a, v):
    """Binary min-heap on (d, a) held in three arrays; returns the new size."""
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        if not _less(d, a, hd[parent], ha[parent]):
            break
        hd[i], ha[i], hv[i] = hd[parent], ha[parent], hv[parent]
        i = parent
    hd[i], ha[i], hv[i] = d, a, v
    return size + 1


@compiled
def _heap_pop(hd, ha, hv, size):
    """Remove the root (read it before calling); returns the new size."""
    size -= 1
    d, a, v = hd[size], ha[size], hv[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and _less(hd[child + 1], ha[child + 1], hd[child], ha[child]):
            child += 1
        if not _less(hd[child], ha[child], d, a):
            break
        hd[i], ha[i], hv[i] = hd[child], ha[child], hv[child]
        i = child
    hd[i], ha[i], hv[i] = d, a, v
    return size


@compiled
def required(term_ptr, term_link_ptr, link_dst, link_tol, seed, use_tol):
    """Multi-source Dijkstra along the links (dependent -> dependency) from every node with a
    finite ``seed``: per node the smallest ``(seed(a) + path tolerance, a)`` over the nodes
    ``a`` it is reachable from (tolerances ignored unless ``use_tol``). Returns (dist, by)."""
    n = len(seed)
    dist = np.full(n, INF)
    by = np.full(n, -1, dtype=np.int64)
    cap = len(link_dst) + n + 1
    hd = np.empty(cap, dtype=np.float64)
    ha = np.empty(cap, dtype=np.int64)
    hv = np.empty(cap, dtype=np.int64)
    size = 0
    for a in range(n):
        if seed[a] < INF:
            dist[a] = seed[a]
            by[a] = a
            size = _heap_push(hd, ha, hv, size, seed[a], a, a)
    stack = np.empty(n, dtype=np.int64)
    while size:
        d, a, v = hd[0], ha[0], hv[0]
        size = _heap_pop(hd, ha, hv, size)
        if d != dist[v] or a != by[v]:
            continue  # stale entry
        # Nodes reached at the same (d, a) (zero tolerances) are as final as v: settle them
        # from a stack instead of the heap (each node gets a given label at most once).
        stack[0] = v
        top = 1
        while top:
            top -= 1
            u = stack[top]
            for link in range(term_link_ptr[term_ptr[u]], term_link_ptr[term_ptr[u + 1]]):
                w = link_dst[link]
                nd = d + link_tol[link] if use_tol else d
                if by[w] < 0 or _less(nd, a, dist[w], by[w]):
                    dist[w] = nd
                    by[w] = a
                    if nd == d:
                        stack[top] = w
                        top += 1
                    else:
                        size = _heap_push(hd, ha, hv, size, nd, a, w)
    return dist, by


@compiled
def priority_topological_order(link_ptr, rev_ptr, rev_node, rank):
    """Kahn's algorithm taking, among the ready nodes, the one of smallest ``rank`` (a
    permutation of 0..n-1). ``link_ptr[v]:link_ptr[v+1]`` are v's links. Returns the order
    (nodes in or behind a cycle are never ready and are left out)."""
    n = len(rank)
    waiting = np.empty(n, dtype=np.int64)
    node_of_rank = np.empty(n, dtype=np.int64)
    heap = np.empty(n, dtype=np.int64)  # ranks; each node is pushed at most once
    size = 0
    for v in range(n):
        waiting[v] = link_ptr[v + 1] - link_ptr[v]
        node_of_rank[rank[v]] = v
    for v in range(n):
        if waiting[v] == 0:
            size = _rank_push(heap, size, rank[v])
    order = np.empty(n, dtype=np.int64)
    placed = 0
    while size:
        v = node_of_rank[heap[0]]
        size = _rank_pop(heap, size)
        order[placed] = v
        placed += 1
        for r in range(rev_ptr[v], rev_ptr[v + 1]):
            w = rev_node[r]
            waiting[w] -= 1
            if waiting[w] == 0:
                size = _rank_push(heap, size, rank[w])
    return order[:placed]


@compiled
def _rank_push(heap, size, x):
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        if heap[parent] <= x:
            break
        heap[i] = heap[parent]
        i = parent
    heap[i] = x
    return size + 1


@compiled
def _rank_pop(heap, size):
    size -= 1
    x = heap[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and heap[child + 1] < heap[child]:
            child += 1
        if heap[child] >= x:
            break
        heap[i] = heap[child]
        i = child
    heap[i] = x
    return size


@compiled
def upstream(term_ptr, term_link_ptr, link_dst, start):
    """Nodes some node of ``start`` (bool mask) depends on, transitively, or is."""
    n = len(start)
    seen = start.copy()
    stack = np.empty(n, dtype=np.int64)  # each node is pushed once, when first seen
    top = 0
    for v in range(n):
        if start[v]:
            stack[top] = v
            top += 1
    while top:
        top -= 1
        v = stack[top]
        for link in range(term_link_ptr[term_ptr[v]], term_link_ptr[term_ptr[v + 1]]):
            d = link_dst[link]
            if not seen[d]:
                seen[d] = True
                stack[top] = d
                top += 1
    return seen


@compiled
def single_failures(rev_ptr, rev_node, rev_term, term_size, candidates, prioritised, rto):
    """For each candidate ``x``: the prioritised nodes other than ``x`` its failure alone stops
    (never recovered), counted, and the smallest RTO among them.

    One breadth-first kill per candidate: a dead node kills each dependent whose term it
    completes — an AND link at once, an OR group when its last member dies (one counter per
    term). Only what dies is visited, and the scratch arrays are reset through the queue."""
    n = len(prioritised)
    killed = np.zeros(n, dtype=np.bool_)
    dead_members = np.zeros(len(term_size), dtype=np.int32)
    queue = np.empty(n, dtype=np.int64)
    terms = np.empty(len(rev_node), dtype=np.int64)
    breaks = np.zeros(len(candidates), dtype=np.int64)
    strictest = np.full(len(candidates), INF)
    for i in range(len(candidates)):
        x = candidates[i]
        killed[x] = True
        queue[0] = x
        tail = 1
        head = 0
        n_terms = 0
        count = 0
        best = INF
        while head < tail:
            v = queue[head]
            head += 1
            if prioritised[v] and v != x:
                count += 1
                if rto[v] < best:
                    best = rto[v]
            for r in range(rev_ptr[v], rev_ptr[v + 1]):
                w = rev_node[r]
                if killed[w]:
                    continue
                t = rev_term[r]
                if dead_members[t] == 0:
                    terms[n_terms] = t
                    n_terms += 1
                dead_members[t] += 1
                if dead_members[t] == term_size[t]:
                    killed[w] = True
                    queue[tail] = w
                    tail += 1
        breaks[i] = count
        strictest[i] = best
        for j in range(tail):
            killed[queue[j]] = False
        for j in range(n_terms):
            dead_members[terms[j]] = 0
    return breaks, strictest


@compiled
def recovery_bounds(term_ptr, term_link_ptr, link_dst, link_tol, rev_ptr, rev_node, own):
    """Least fixpoint of ``B(v) = max(own, max over terms of the term's value)``, a term's value
    being the min over its links of ``max(0, B(d) - tolerance)``, in Jacobi rounds (each round
    re-evaluates the dependents of the nodes raised in the previous one from that round's values,
    so "the dependency that last raised it" is well defined). Returns (B, via): via is the first
    term reaching the raised value and, in it, the first link at the term's value (-1: own)."""
    n = len(own)
    bound = own.copy()
    via = np.full(n, -1, dtype=np.int64)
    stamp = np.full(n, -1, dtype=np.int64)
    changed = np.flatnonzero(bound > 0)
    n_changed = len(changed)
    changed = np.concatenate((changed, np.empty(n - n_changed, dtype=np.int64)))
    dirty = np.empty(n, dtype=np.int64)
    new_bound = np.empty(n, dtype=np.float64)
    new_via = np.empty(n, dtype=np.int64)
    round_ = 0
    while n_changed:
        n_dirty = 0
        for i in range(n_changed):
            v = changed[i]
            for r in range(rev_ptr[v], rev_ptr[v + 1]):
                w = rev_node[r]
                if stamp[w] != round_:
                    stamp[w] = round_
                    dirty[n_dirty] = w
                    n_dirty += 1
        for i in range(n_dirty):
            v = dirty[i]
            best = own[v]
            best_via = -1
            for term in range(term_ptr[v], term_ptr[v + 1]):
                value = INF
                member = -1
                for link in range(term_link_ptr[term], term_link_ptr[term + 1]):
                    d = link_dst[link]
                    x = bound[d] - link_tol[link]
                    if x < 0.0:
                        x = 0.0
                    if x < value:
                        value = x
                        member = d
                if value > best:
                    best = value
                    best_via = member
            new_bound[i] = best
            new_via[i] = best_via
        n_changed = 0
        for i in range(n_dirty):
            v = dirty[i]
            if new_bound[i] > bound[v]:
                bound[v] = new_bound[i]
                via[v] = new_via[i]
                changed[n_changed] = v
                n_changed += 1
        round_ += 1
    return bound, via
