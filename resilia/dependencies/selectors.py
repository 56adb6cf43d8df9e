"""Reads of the dependency model: the compiled engine graph with everything derived from it
(cached per model state), and the model checks that the engine cannot express (OR groups of
one)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Count, F, Q

from resilia.core import access
from resilia.dependencies.models import Activity, Dependency, ModelRevision, Resource
from resilia.engine import Gaps, RecoveryOrder, SpofReport, WhatIf, recovery_order
from resilia.engine import gaps as engine_gaps
from resilia.engine import spof as engine_spof
from resilia.engine import whatif as engine_whatif
from resilia.engine.compile import KIND_ACTIVITY, KIND_RESOURCE, CompiledGraph, compile_arrays
from resilia.engine.gaps import RecoveryBound
from resilia.engine.gaps import recovery_bound as engine_recovery_bound


@dataclass(frozen=True)
class NodeIndex:
    """Maps database rows to engine node ids: activities first, then resources."""

    activity_ids: np.ndarray
    resource_ids: np.ndarray

    def activity_node(self, pk: int) -> int:
        return int(np.searchsorted(self.activity_ids, pk))

    def resource_node(self, pk: int) -> int:
        return len(self.activity_ids) + int(np.searchsorted(self.resource_ids, pk))


def _nan(values: np.ndarray) -> np.ndarray:
    """Durations fetched with -1 standing for NULL (durations are never negative)."""
    out = values.astype(np.float64)
    out[values < 0] = np.nan
    return out


@dataclass
class _Raw:
    """The model as columns: activities and resources ordered by pk; links ordered by pk, their
    ends as signed pks (activity > 0, resource < 0), `group` an index into `group_names`
    (-1 for AND)."""

    act_pk: np.ndarray
    act_keys: list[str]
    mtpd: np.ndarray
    rto: np.ndarray
    rpo: np.ndarray
    res_pk: np.ndarray
    res_keys: list[str]
    recovery_time: np.ndarray
    recovery_point: np.ndarray
    key_person: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    tolerance: np.ndarray
    group: np.ndarray
    group_names: list[str]


def _ints(blob: bytes | None) -> np.ndarray:
    """The values of a PostgreSQL int4[] in binary form (array_send): a 20-byte header, then
    (length, value) pairs of big-endian int32."""
    if blob is None:  # array_agg over no rows
        return np.zeros(0, np.int64)
    return np.frombuffer(blob, dtype=">i4", offset=20)[1::2].astype(np.int64)


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _raw_postgresql() -> _Raw:
    """Whole columns as binary arrays, a few queries, no Python object per row: compiling a
    million nodes and five million links this way takes seconds, not minutes."""
    import psycopg  # the PostgreSQL driver; binary results need a server-side-binding cursor

    connection.ensure_connection()
    acts, ress, links = (m._meta.db_table for m in (Activity, Resource, Dependency))
    with psycopg.Cursor(connection.connection) as cur:
        cur.execute(f'SELECT DISTINCT "group" FROM {links} WHERE "group" <> \'\'')
        names = sorted(row[0] for row in cur.fetchall())
        # Group name → 1-based index (0: AND). A CASE is cheaper per row than array_position
        # for the handful of names models use; a long tail of names falls back to the array.
        if not names:
            group_sql, group_params = "0", []
        elif len(names) <= 100:
            group_sql = 'CASE "group" ' + "WHEN %s THEN %s " * len(names) + "ELSE 0 END"
            group_params = [v for i, name in enumerate(names) for v in (name, i + 1)]
        else:
            group_sql = 'coalesce(array_position(%s::text[], "group"), 0)'
            group_params = [names]
        cur.execute(
            "SELECT array_send(array_agg(id::int4)),"
            " array_send(array_agg(coalesce(mtpd, -1)::int4)),"
            " array_send(array_agg(coalesce(rto, -1)::int4)),"
            " array_send(array_agg(coalesce(rpo, -1)::int4)), string_agg(code, E'\\n')"
            f" FROM (SELECT * FROM {acts} ORDER BY id) a",
            binary=True,
        )
        a_pk, mtpd, rto, rpo, a_codes = cur.fetchone()
        cur.execute(
            "SELECT array_send(array_agg(id::int4)),"
            " array_send(array_agg(coalesce(recovery_time, -1)::int4)),"
            " array_send(array_agg(coalesce(recovery_point, -1)::int4)),"
            " array_send(array_agg((kind = %s)::int4)), string_agg(code, E'\\n')"
            f" FROM (SELECT * FROM {ress} ORDER BY id) r",
            [Resource.Kind.KEY_PERSON.value],
            binary=True,
        )
        r_pk, rt, rp, kp, r_codes = cur.fetchone()
        cur.execute(
            "SELECT array_send(array_agg(coalesce(dependent_activity_id,"
            " -dependent_resource_id)::int4)),"
            " array_send(array_agg(coalesce(dependency_activity_id,"
            " -dependency_resource_id)::int4)),"
            " array_send(array_agg(tolerance::int4)),"
            f" array_send(array_agg(({group_sql})::int4))"
            f" FROM (SELECT * FROM {links} ORDER BY id) l",
            group_params,
            binary=True,
        )
        src, dst, tol, grp = (_ints(b) for b in cur.fetchone())
    return _Raw(
        act_pk=_ints(a_pk),
        act_keys=["activity:" + c for c in _text(a_codes).split("\n")] if a_codes else [],
        mtpd=_nan(_ints(mtpd)),
        rto=_nan(_ints(rto)),
        rpo=_nan(_ints(rpo)),
        res_pk=_ints(r_pk),
        res_keys=["resource:" + c for c in _text(r_codes).split("\n")] if r_codes else [],
        recovery_time=_nan(_ints(rt)),
        recovery_point=_nan(_ints(rp)),
        key_person=_ints(kp).astype(bool),
        src=src,
        dst=dst,
        tolerance=tol.astype(np.float64),
        group=grp - 1,
        group_names=names,
    )


def _raw_generic() -> _Raw:
    """The same columns through the ORM (SQLite): streamed, no model instances."""
    acts = list(Activity.objects.order_by("pk").values_list("pk", "code", "mtpd", "rto", "rpo"))
    ress = list(
        Resource.objects.order_by("pk").values_list(
            "pk", "code", "recovery_time", "recovery_point", "kind"
        )
    )
    names: dict[str, int] = {}
    rows = Dependency.objects.order_by("pk").values_list(
        "dependent_activity_id",
        "dependent_resource_id",
        "dependency_activity_id",
        "dependency_resource_id",
        "tolerance",
        "group",
    )
    src, dst, tol, grp = [], [], [], []
    for da, dr, na, nr, tolerance, group in rows.iterator(chunk_size=10_000):
        src.append(da if da else -dr)
        dst.append(na if na else -nr)
        tol.append(tolerance)
        grp.append(names.setdefault(group, len(names)) if group else -1)
    ordered = sorted(names, key=names.get)

    def col(rows, i):
        return _nan(np.array([-1 if r[i] is None else r[i] for r in rows], dtype=np.int64))

    return _Raw(
        act_pk=np.array([a[0] for a in acts], dtype=np.int64),
        act_keys=[f"activity:{a[1]}" for a in acts],
        mtpd=col(acts, 2),
        rto=col(acts, 3),
        rpo=col(acts, 4),
        res_pk=np.array([r[0] for r in ress], dtype=np.int64),
        res_keys=[f"resource:{r[1]}" for r in ress],
        recovery_time=col(ress, 2),
        recovery_point=col(ress, 3),
        key_person=np.array([r[4] == Resource.Kind.KEY_PERSON for r in ress], dtype=bool),
        src=np.array(src, dtype=np.int64),
        dst=np.array(dst, dtype=np.int64),
        tolerance=np.array(tol, dtype=np.float64),
        group=np.array(grp, dtype=np.int64),
        group_names=ordered,
    )


def compile_from_database() -> tuple[CompiledGraph, NodeIndex]:
    """Compile the whole model into engine arrays with a handful of column queries."""
    raw = _raw_postgresql() if connection.vendor == "postgresql" else _raw_generic()
    index = NodeIndex(activity_ids=raw.act_pk, resource_ids=raw.res_pk)
    n_act, n_res = len(raw.act_pk), len(raw.res_pk)

    def nodes(signed: np.ndarray) -> np.ndarray:
        is_a = signed > 0
        out = np.empty(len(signed), np.int64)
        out[is_a] = np.searchsorted(raw.act_pk, signed[is_a])
        out[~is_a] = n_act + np.searchsorted(raw.res_pk, -signed[~is_a])
        return out

    src, dst = nodes(raw.src), nodes(raw.dst)
    # A group belongs to its dependent: one id per (dependent, name) pair.
    group_ids = np.full(len(src), -1, np.int64)
    is_or = raw.group >= 0
    pairs = src[is_or] * (len(raw.group_names) + 1) + raw.group[is_or]
    unique_pairs, group_ids[is_or] = np.unique(pairs, return_inverse=True)
    group_name_of = unique_pairs % (len(raw.group_names) + 1)
    no_act, no_res = np.full(n_act, np.nan), np.full(n_res, np.nan)
    graph = compile_arrays(
        kind=np.concatenate(
            [np.full(n_act, KIND_ACTIVITY, np.int8), np.full(n_res, KIND_RESOURCE, np.int8)]
        ),
        dependent=src,
        dependency=dst,
        group=group_ids,
        tolerance=raw.tolerance,
        mtpd=np.concatenate([raw.mtpd, no_res]),
        rto=np.concatenate([raw.rto, no_res]),
        rpo=np.concatenate([raw.rpo, no_res]),
        recovery_time=np.concatenate([no_act, raw.recovery_time]),
        recovery_point=np.concatenate([no_act, raw.recovery_point]),
        key_person=np.concatenate([np.zeros(n_act, bool), raw.key_person]),
        keys=raw.act_keys + raw.res_keys,
    )
    # Remember each OR term's group name so that explanations can name the group.
    first = graph.term_link_ptr[:-1]
    or_terms = np.flatnonzero(graph.link_or[first]) if len(first) else np.zeros(0, np.int64)
    name_idx = group_name_of[group_ids[graph.link_input[first[or_terms]]]]
    names = raw.group_names
    graph.group_names.update(
        zip(or_terms.tolist(), [names[i] for i in name_idx.tolist()], strict=True)
    )
    return graph, index


# What-ifs kept per model state: each holds two arrays over every node (16 bytes a node).
WHATIF_KEEP = 8


@dataclass(eq=False)
class CompiledModel:
    """One state of the dependency model, compiled for the engine, and every result derived
    from it (verdicts, recovery order, gaps, single points of failure...).

    A state is named by its stamp, (revision, changed_at) of the ModelRevision row. A new state
    is a new CompiledModel: the results of the old one are never consulted again and go with it,
    while a request still holding the old one keeps a consistent view to its end.
    """

    stamp: tuple[int, dt.datetime] | None
    graph: CompiledGraph
    index: NodeIndex
    _results: dict[str, Any] = field(default_factory=dict, repr=False)
    # Reentrant: one derivation may build on another (the graph page's verdicts on the gaps).
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    # The latest what-ifs, by their failed nodes (WHATIF_KEEP of them, the oldest dropped).
    _whatifs: OrderedDict = field(default_factory=OrderedDict, repr=False)

    @property
    def revision(self) -> int:
        return self.stamp[0] if self.stamp else 0

    def derived(self, name: str, compute: Callable[[CompiledGraph], Any]) -> Any:
        """`compute(graph)`, computed once for this model state under `name`; concurrent
        callers wait for the first one's answer rather than computing it again."""
        with self._lock:
            if name not in self._results:
                self._results[name] = compute(self.graph)
            return self._results[name]

    def whatif(self, failed: Iterable[int | str]) -> WhatIf:
        """The engine's what-if of `failed` (node ids or keys) in this model state, kept for
        the latest WHATIF_KEEP sets of failed nodes: an incident's pages run the same failure
        on every render (its clock, its grading facts, the plans it proposes). The result is
        shared: read it, never change it."""
        ids = tuple(sorted({self.graph.index(f) if isinstance(f, str) else int(f) for f in failed}))
        with self._lock:
            found = self._whatifs.get(ids)
            if found is None:
                found = engine_whatif(self.graph, ids)
                self._whatifs[ids] = found
                while len(self._whatifs) > WHATIF_KEEP:
                    self._whatifs.popitem(last=False)
            else:
                self._whatifs.move_to_end(ids)
            return found

    def whatifs_kept(self) -> list[tuple[int, ...]]:
        """The failed node ids of the what-ifs kept, oldest first."""
        with self._lock:
            return list(self._whatifs)

    def order(self) -> RecoveryOrder:
        return self.derived("order", recovery_order)

    def gaps(self) -> Gaps:
        return self.derived("gaps", engine_gaps)

    def spof(self) -> SpofReport:
        return self.derived("spof", engine_spof)

    def recovery_bound(self, activity_pk: int) -> RecoveryBound | None:
        """How soon the activity can be back at best and what limits it; None when the
        activity is not in this compiled state (created since)."""
        ids = self.index.activity_ids
        pos = int(np.searchsorted(ids, activity_pk))
        if pos >= len(ids) or ids[pos] != activity_pk:
            return None
        return engine_recovery_bound(self.graph, pos)


# The one cache of compiled models: the current state only (a new state replaces it).
_lock = threading.Lock()
_current: CompiledModel | None = None


def compiled_model() -> CompiledModel:
    """The compiled current model state, compiled at most once per state and process."""
    global _current
    # The counter alone can repeat (a rolled-back transaction, a restored backup): the time of
    # the last change tells such models apart.
    stamp = ModelRevision.objects.filter(pk=1).values_list("revision", "changed_at").first()
    with _lock:
        if _current is None or _current.stamp != stamp:
            graph, index = compile_from_database()
            _current = CompiledModel(stamp=stamp, graph=graph, index=index)
        return _current


def forget_compiled() -> None:
    """Drop the cached model state (tests whose rolled-back database repeats stamps)."""
    global _current
    with _lock:
        _current = None


def compiled_graph() -> tuple[CompiledGraph, NodeIndex, int]:
    """(graph, index, revision) of the current model state (see compiled_model)."""
    model = compiled_model()
    return model.graph, model.index, model.revision


# The database form of rules.objectives_warnings: what the model checks page lists.
DOUBTFUL_OBJECTIVES = Q(mtpd=0) | Q(rpo__gt=F("mtpd"))


def doubtful_activities(activities):
    """The activities of `activities` whose objectives are doubtful though allowed."""
    return activities.filter(DOUBTFUL_OBJECTIVES)


def lonely_or_groups() -> list[dict]:
    """OR redundancy groups with a single member: a redundancy that does not exist.

    Found once per model state (every link change bumps the revision): grouping half a
    million links took a second a request on the model-check page."""

    def find(_graph) -> list[dict]:
        rows = (
            Dependency.objects.exclude(group="")
            .values("dependent_activity_id", "dependent_resource_id", "group")
            .annotate(members=Count("pk"))
            .filter(members=1)
        )
        return list(rows)

    return compiled_model().derived("lonely_or_groups", find)


def links_of(node) -> Q:
    """Q of the links touching an activity or resource, in either direction."""
    if isinstance(node, Activity):
        return Q(dependent_activity=node) | Q(dependency_activity=node)
    return Q(dependent_resource=node) | Q(dependency_resource=node)


# The unit of a link's dependent, as `needed_by_scoped` keeps it: NO_UNIT for a resource with
# none (a shared resource: every reader reads its links).
NO_UNIT = -1


def _needed_by_units(kind: str, pk: int):
    """(link pks, the unit of each one's dependent) of the links that need node `pk`, in pk
    order; read once per model state and node (every link or node change is a new state)."""

    def read(_graph) -> tuple[np.ndarray, np.ndarray]:
        rows = (
            Dependency.objects.filter(**{f"dependency_{kind}_id": pk})
            .order_by("pk")
            .values_list("pk", "dependent_activity__unit_id", "dependent_resource__unit_id")
        )
        pairs = np.array(
            [(link, NO_UNIT if a is None and r is None else a or r) for link, a, r in rows],
            dtype=np.int64,
        ).reshape(-1, 2)
        return pairs[:, 0].copy(), pairs[:, 1].copy()

    return compiled_model().derived(f"needed_by:{kind}:{pk}", read)


def needed_by_scoped(user, kind: str, pk: int) -> np.ndarray | None:
    """The pks, in order, of the links that need node `pk` which `user` may read, or None when
    the user reads every link (a plain query is then cheap). A link is read through its
    dependent (dependencies.access): a hub needed by tens of thousands of nodes would join all
    its links to their dependents' units on every page; here the units are kept once per model
    state and only the reader's subtree is read (the unit tree itself is read live)."""
    q = access.read_q(user, Dependency)
    if q is None:
        return np.zeros(0, dtype=np.int64)
    if not q.children:
        return None
    # A dependent is an activity (always in a unit) or a resource, perhaps shared: the
    # resources' read rule is the links' (dependencies.access: _link_scope, _LINK_SHARED).
    ids, unitless = access.read_units(user, Resource) or ([], False)
    links, units = _needed_by_units(kind, pk)
    mask = np.isin(units, np.asarray(ids, dtype=np.int64))
    if unitless:
        mask |= units == NO_UNIT
    return links[mask]
