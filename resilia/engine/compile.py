"""Compilation of a continuity model into flat numpy arrays (CSR adjacency).

A model is compiled once per revision and then queried many times (what-if, order, gaps, SPOF),
so everything the algorithms need is laid out here as contiguous arrays:

* nodes ``0..n-1`` in input order, with per-node attributes (``nan`` = unknown);
* links sorted by ``(dependent, term)``. A *term* is one requirement of a dependent: an AND link
  is a term of its own, an OR redundancy group is one term made of its member links. Node ``v``
  owns terms ``term_ptr[v]:term_ptr[v+1]``; term ``t`` owns links
  ``term_link_ptr[t]:term_link_ptr[t+1]``;
* the reverse adjacency ``rev_ptr``/``rev_node`` (for each dependency, its dependents), with the
  term and tolerance of each reverse entry's link (``rev_term``, ``rev_tol``) laid out alongside,
  so that a propagation walking from a dependency to its dependents reads them sequentially.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .model import ACTIVITY, KINDS, RESOURCE, Link, ModelError, Node

KIND_ACTIVITY = np.int8(0)
KIND_RESOURCE = np.int8(1)


@dataclass(eq=False)
class CompiledGraph:
    """The compiled, read-only form of a model. Build it with :func:`compile_model`."""

    keys: Sequence[str]
    kind: np.ndarray  # int8, 0 activity / 1 resource
    key_person: np.ndarray  # bool
    prioritised: np.ndarray  # bool (activities only)
    mtpd: np.ndarray  # float64, nan = unknown
    rto: np.ndarray
    rpo: np.ndarray
    recovery_time: np.ndarray
    recovery_point: np.ndarray
    own_back: np.ndarray  # float64: how long a failed node needs itself (see whatif)
    link_src: np.ndarray  # int32 dependent, sorted by (dependent, term)
    link_dst: np.ndarray  # int32 dependency
    link_tol: np.ndarray  # float64 tolerance minutes
    link_or: np.ndarray  # bool: member of an OR group
    link_input: np.ndarray  # int64: position of the link in the input
    term_ptr: np.ndarray  # int64 (n+1)
    term_link_ptr: np.ndarray  # int64 (T+1)
    rev_ptr: np.ndarray  # int64 (n+1)
    rev_node: np.ndarray  # int32 dependents of each dependency
    rev_link: np.ndarray  # int64 link index (sorted order) of each reverse entry
    rev_term: np.ndarray  # int32 term of each reverse entry's link
    rev_tol: np.ndarray  # float64 tolerance of each reverse entry's link
    group_names: dict[int, str] = field(default_factory=dict)  # term id -> OR group name
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return len(self.kind)

    @property
    def n_links(self) -> int:
        return len(self.link_src)

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays (keys and caches excluded)."""
        return sum(
            getattr(self, name).nbytes
            for name in self.__dataclass_fields__
            if isinstance(getattr(self, name), np.ndarray)
        )

    def key(self, node: int) -> str:
        return self.keys[node]

    def index(self, key: str) -> int:
        """Node id of an external key."""
        lookup = self._cache.get("index")
        if lookup is None:
            lookup = self._cache["index"] = {k: i for i, k in enumerate(self.keys)}
        try:
            return lookup[key]
        except KeyError:
            raise ModelError(f"unknown node {key!r}") from None

    def link(self, link: int) -> tuple[int, int]:
        """(dependent, dependency) of a compiled link id."""
        return int(self.link_src[link]), int(self.link_dst[link])


def _opt(values: Iterable[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def compile_model(nodes: Sequence[Node], links: Sequence[Link]) -> CompiledGraph:
    """Compile plain records; node ids follow the order of ``nodes``.

    Raises :class:`ModelError` on duplicate keys, unknown kinds or keys, negative durations or an
    OR group name reused by two dependents' links inconsistently (a group belongs to its dependent,
    so the same name on two dependents is two groups).
    """
    keys = [node.key for node in nodes]
    index = {key: i for i, key in enumerate(keys)}
    if len(index) != len(keys):
        raise ModelError("duplicate node keys")
    for node in nodes:
        if node.kind not in KINDS:
            raise ModelError(f"node {node.key!r}: unknown kind {node.kind!r}")
    try:
        src = np.array([index[link.dependent] for link in links], dtype=np.int32)
        dst = np.array([index[link.dependency] for link in links], dtype=np.int32)
    except KeyError as exc:
        raise ModelError(f"link to unknown node {exc.args[0]!r}") from None
    group_ids: dict[tuple[int, str], int] = {}
    group = np.array(
        [
            -1
            if link.group is None
            else group_ids.setdefault((index[link.dependent], link.group), len(group_ids))
            for link in links
        ],
        dtype=np.int64,
    )
    graph = compile_arrays(
        kind=np.array([KIND_ACTIVITY if n.kind == ACTIVITY else KIND_RESOURCE for n in nodes]),
        mtpd=_opt(n.mtpd for n in nodes),
        rto=_opt(n.rto for n in nodes),
        rpo=_opt(n.rpo for n in nodes),
        recovery_time=_opt(n.recovery_time for n in nodes),
        recovery_point=_opt(n.recovery_point for n in nodes),
        prioritised=np.array(
            [(n.rto is not None) if n.prioritised is None else n.prioritised for n in nodes],
            dtype=bool,
        ),
        key_person=np.array([n.key_person for n in nodes], dtype=bool),
        dependent=src,
        dependency=dst,
        group=group,
        tolerance=np.array([link.tolerance for link in links], dtype=np.float64),
        keys=keys,
    )
    names = {gid: name for (_, name), gid in group_ids.items()}
    # Remember each OR term's group name so reports can say "group 'dc'".
    first_link_of_term = graph.term_link_ptr[:-1]
    for term, link in enumerate(first_link_of_term):
        if graph.link_or[link]:
            graph.group_names[term] = names[int(group[graph.link_input[link]])]
    return graph


def compile_arrays(
    *,
    kind: np.ndarray,
    dependent: np.ndarray,
    dependency: np.ndarray,
    group: np.ndarray | None = None,
    tolerance: np.ndarray | None = None,
    mtpd: np.ndarray | None = None,
    rto: np.ndarray | None = None,
    rpo: np.ndarray | None = None,
    recovery_time: np.ndarray | None = None,
    recovery_point: np.ndarray | None = None,
    prioritised: np.ndarray | None = None,
    key_person: np.ndarray | None = None,
    keys: Sequence[str] | None = None,
) -> CompiledGraph:
    """Compile from arrays (vectorised; what the benchmark and bulk loaders use).

    ``group`` holds, per link, a non-negative OR group id (globally unique per dependent's group)
    or -1 for an AND link. Unknown durations are ``nan``. ``prioritised`` defaults to "activity
    with an RTO"; ``keys`` default to the decimal node ids.
    """
    kind = np.asarray(kind, dtype=np.int8)
    n = len(kind)
    m = len(dependent)

    def farr(values):
        return np.full(n, np.nan) if values is None else np.asarray(values, dtype=np.float64)

    mtpd, rto, rpo = farr(mtpd), farr(rto), farr(rpo)
    recovery_time, recovery_point = farr(recovery_time), farr(recovery_point)
    for name, values in (
        ("mtpd", mtpd),
        ("rto", rto),
        ("rpo", rpo),
        ("recovery_time", recovery_time),
        ("recovery_point", recovery_point),
    ):
        if np.any(values < 0):
            raise ModelError(f"negative {name}")
    if np.any((kind != KIND_ACTIVITY) & (kind != KIND_RESOURCE)):
        raise ModelError("unknown kind")
    is_activity = kind == KIND_ACTIVITY
    if prioritised is None:
        prioritised = is_activity & ~np.isnan(rto)
    prioritised = np.asarray(prioritised, dtype=bool) & is_activity
    key_person = np.zeros(n, bool) if key_person is None else np.asarray(key_person, bool)
    src = np.asarray(dependent, dtype=np.int32)
    dst = np.asarray(dependency, dtype=np.int32)
    if m and (src.min() < 0 or dst.min() < 0 or src.max() >= n or dst.max() >= n):
        raise ModelError("link to an unknown node id")
    tol = np.zeros(m) if tolerance is None else np.asarray(tolerance, dtype=np.float64)
    if np.any(~np.isfinite(tol)) or np.any(tol < 0):
        raise ModelError("tolerance must be a finite, non-negative number of minutes")
    group = np.full(m, -1, np.int64) if group is None else np.asarray(group, dtype=np.int64)

    # Term id before renumbering: OR links share their group's id, AND links get their own.
    raw_term = np.where(group >= 0, group, (group.max(initial=-1) + 1) + np.arange(m))
    order = np.lexsort((raw_term, src))
    src, dst, tol, raw_term = src[order], dst[order], tol[order], raw_term[order]
    link_or = group[order] >= 0
    new_term = np.ones(m, dtype=bool)
    if m:
        new_term[1:] = (raw_term[1:] != raw_term[:-1]) | (src[1:] != src[:-1])
    term_first = np.flatnonzero(new_term)
    term_link_ptr = np.append(term_first, m).astype(np.int64)
    term_node = src[term_first]
    term_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(term_node, minlength=n), out=term_ptr[1:])

    rev_order = np.argsort(dst, kind="stable")
    term_size = np.diff(term_link_ptr)
    link_term = np.repeat(np.arange(len(term_first), dtype=np.int32), term_size)
    rev_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(dst, minlength=n), out=rev_ptr[1:])

    # A failed node needs its own recovery time; an unknown one is "never" for a resource, and
    # "at once" for an activity (it resumes as soon as what it needs is back).
    own_back = np.where(np.isnan(recovery_time), np.where(is_activity, 0.0, np.inf), recovery_time)
    return CompiledGraph(
        keys=keys if keys is not None else _IdKeys(n),
        kind=kind,
        key_person=key_person,
        prioritised=prioritised,
        mtpd=mtpd,
        rto=rto,
        rpo=rpo,
        recovery_time=recovery_time,
        recovery_point=recovery_point,
        own_back=own_back,
        link_src=src,
        link_dst=dst,
        link_tol=tol,
        link_or=link_or,
        link_input=order.astype(np.int64),
        term_ptr=term_ptr,
        term_link_ptr=term_link_ptr,
        rev_ptr=rev_ptr,
        rev_node=src[rev_order],
        rev_link=rev_order.astype(np.int64),
        rev_term=link_term[rev_order],
        rev_tol=tol[rev_order],
    )


class _IdKeys(Sequence):
    """Keys "0", "1", ... without materialising a million strings."""

    def __init__(self, n: int):
        self._n = n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [str(j) for j in range(*i.indices(self._n))]
        if not -self._n <= i < self._n:
            raise IndexError(i)
        return str(i % self._n)


def nan_to_inf(values: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(values), np.inf, values)


def opt(value: float) -> float | None:
    """Array value to the public form: ``None`` for unknown/never."""
    return None if not np.isfinite(value) else float(value)


__all__ = ["ACTIVITY", "RESOURCE", "CompiledGraph", "compile_arrays", "compile_model"]
