"""A large synthetic dependency model (`resilia demo --scale N`): N nodes, about 5N links.

Shaped like a large bank's, as in benchmarks/engine.py: four zones, each with a data centre,
a power feed and a telecom carrier; infrastructure (networks, databases, then servers),
applications, data sets, equipment, suppliers and key people; activities (~10% of the nodes)
with MTPD/RTO/RPO. Links form a layered DAG (each node needs nodes of lower layers, or lower
numbers of its own layer), with OR groups (servers in two zones, two carriers, two people)
and a few links back up a layer that close cycles. About a fifth of the capabilities are
unknown (untested), half carry a test date.

Rows are generated in chunks with numpy and streamed to the database: PostgreSQL COPY, or
executemany on SQLite. Memory stays bounded by the chunk size, never by N. It writes ONE
audit event, `import`, that summarises the load instead of one event per row: the hash chain
appends events one at a time, so millions of events would turn a minutes-long load into hours
and bury the trail under synthetic noise without telling an auditor more than the summary.
"""

from __future__ import annotations

import datetime as dt
import io
import resource as rusage
import sys
import time
from collections.abc import Iterator

import numpy as np
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from resilia.audit.services import audit_record
from resilia.core.db import refresh_statistics
from resilia.dependencies.models import Activity, Dependency, Resource
from resilia.dependencies.services import bump_revision
from resilia.org.models import Unit

PREFIX = "SYN"
ZONES = 4
CHUNK = 50_000  # nodes per generated chunk: ~250,000 links, a few tens of MB at most
# Hubs: 4 data centres, 4 power feeds (2 grid, 2 generators), 4 carriers, 4 office buildings.
HUBS = 16
_DC, _POWER, _TEL, _OFFICE = 0, 4, 8, 12
MINUTES_MTPD = np.array([240, 480, 1440, 4320, 10080])
MINUTES_RT = np.array([15, 30, 60, 120, 240, 480, 1440, 2880])
MINUTES_RP = np.array([0, 0, 5, 15, 60, 240, 1440])


class Layout:
    """Node id ranges. Node ids 0..A-1 are activities, A..N-1 resources (hubs first)."""

    def __init__(self, n: int):
        n = max(n, 200)
        self.n = n
        self.activities = n // 10
        r = n - self.activities
        self.r = r
        body = r - HUBS

        def size(share: float) -> int:
            return max(ZONES, int(body * share) // ZONES * ZONES)

        sizes = [size(0.15), size(0.15), size(0.35), size(0.10)]  # network, server, app, data
        bounds, start = [], HUBS
        for s in sizes:
            bounds.append((start, start + s))
            start += s
        self.net, self.srv, self.app, self.data = bounds
        self.misc = (start, r)  # equipment, suppliers, key people

    def zone(self, ids: np.ndarray, layer: tuple[int, int]) -> np.ndarray:
        a, b = layer
        return ((ids - a) * ZONES) // (b - a)

    def pick(self, rng, zones: np.ndarray, layer: tuple[int, int]) -> np.ndarray:
        """One node of `layer` in each given zone."""
        a, b = layer
        width = (b - a) // ZONES
        return a + zones * width + rng.integers(0, width, len(zones))

    def resource_kind(self, ids: np.ndarray) -> np.ndarray:
        kinds = np.empty(len(ids), dtype=object)
        hub_kinds = np.array(
            ["facility"] * 4 + ["utility", "utility", "equipment", "equipment"]
            + ["utility"] * 4 + ["facility"] * 4,
            dtype=object,
        )  # fmt: skip
        hub = ids < HUBS
        kinds[hub] = hub_kinds[ids[hub]]
        kinds[(ids >= self.net[0]) & (ids < self.srv[1])] = "infrastructure"
        kinds[(ids >= self.app[0]) & (ids < self.app[1])] = "application"
        kinds[(ids >= self.data[0]) & (ids < self.data[1])] = "data"
        misc = ids >= self.misc[0]
        kinds[misc] = np.array(["equipment", "supplier", "key_person", "key_person"], object)[
            ids[misc] % 4
        ]
        return kinds


def _links_for(layout: Layout, rng, lo: int, hi: int):
    """Links of the dependents with node ids lo..hi-1 (global: activities then resources).

    Returns (src, dst, group, tolerance) arrays; groups are strings ("" = AND).
    """
    src, dst, grp, tol = [], [], [], []

    def add(s, d, g="", t=None):
        src.append(s)
        dst.append(d)
        grp.append(np.full(len(s), g, dtype=object))
        tol.append(np.zeros(len(s), np.int64) if t is None else t)

    A = layout.activities
    ids = np.arange(lo, hi)
    acts = ids[ids < A]
    res = ids[ids >= A] - A  # resource-local ids
    if len(acts):
        zone = (acts * ZONES) // A
        for _ in range(4):
            add(acts, A + layout.pick(rng, zone, layout.app))
        # Two key people backing each other up (人员角色备份): ids 2 and 3 mod 4 of the misc layer.
        base = layout.pick(rng, zone, layout.misc) // 4 * 4
        base = np.where(base + 3 >= layout.r, base - 4, base)
        add(acts, A + base + 2, "staff")
        add(acts, A + base + 3, "staff")
        has = (acts > 0) & (rng.random(len(acts)) < 0.2)  # back-office activity (lower id)
        other = (rng.random(len(acts)) * acts).astype(np.int64)
        add(acts[has], other[has], t=rng.choice([0, 60, 120, 240], has.sum()))
        add(acts[~has], A + layout.pick(rng, zone[~has], layout.data))
    for layer, kind in (
        (layout.net, "net"),
        (layout.srv, "srv"),
        (layout.app, "app"),
        (layout.data, "data"),
    ):
        mine = res[(res >= layer[0]) & (res < layer[1])]
        if not len(mine):
            continue
        zone = layout.zone(mine, layer)
        if kind in ("net", "srv"):
            add(A + mine, A + _DC + zone)
            add(A + mine, A + _TEL + zone, "carrier")
            add(A + mine, A + _TEL + (zone + 1) % ZONES, "carrier")
            lower = mine > layer[0]
            below = layer[0] + (rng.random(lower.sum()) * (mine[lower] - layer[0])).astype(int)
            add(A + mine[lower], A + below)
            if kind == "srv":
                add(A + mine, A + layout.pick(rng, zone, layout.net))
            else:  # a second, independent lower neighbour (duplicates are dropped below)
                below = layer[0] + (rng.random(lower.sum()) * (mine[lower] - layer[0])).astype(int)
                add(A + mine[lower], A + below)
        else:
            for _ in range(3):
                add(A + mine, A + layout.pick(rng, zone, layout.net))
            add(A + mine, A + layout.pick(rng, zone, layout.srv), "dc")
            add(A + mine, A + layout.pick(rng, (zone + 1) % ZONES, layout.srv), "dc")
            lower = mine > layer[0]
            below = layer[0] + (rng.random(lower.sum()) * (mine[lower] - layer[0])).astype(int)
            add(A + mine[lower], A + below, t=rng.choice([0, 0, 0, 30, 120], lower.sum()))
    misc = res[res >= layout.misc[0]]
    if len(misc):
        zone = layout.zone(misc, layout.misc)
        add(A + misc, A + _OFFICE + zone)
        add(A + misc, A + _TEL + zone, "carrier")
        add(A + misc, A + _TEL + (zone + 1) % ZONES, "carrier")
    hubs = res[res < HUBS]
    dcs = hubs[hubs < _POWER]
    if len(dcs):
        add(A + dcs, A + _POWER + dcs, "power")
        add(A + dcs, A + _POWER + (dcs + 2) % ZONES, "power")
    if not src:
        empty = np.zeros(0, np.int64)
        return empty, empty, np.zeros(0, object), empty
    s, d, g, t = (np.concatenate(x) for x in (src, dst, grp, tol))
    # Random picks can repeat a pair (AND links only: OR members come from other pools).
    _, first = np.unique(s * layout.n + d, return_index=True)
    first.sort()
    return s[first], d[first], g[first], t[first]


def _cycle_links(layout: Layout, rng, count: int):
    """`count` two-node cycles: an application and a data set that need each other (no other
    link joins those two layers that way, so these pairs are new)."""
    A = layout.activities
    apps = A + rng.choice(np.arange(*layout.app), count, replace=False)
    data = A + rng.choice(np.arange(*layout.data), count, replace=False)
    s, d = np.concatenate([apps, data]), np.concatenate([data, apps])
    return s, d, np.full(2 * count, "", object), np.zeros(2 * count, np.int64)


def _node_chunks(layout: Layout, rng) -> Iterator[tuple[str, list[tuple]]]:
    today = dt.date(2025, 1, 1)
    for lo in range(0, layout.activities, CHUNK):
        ids = np.arange(lo, min(lo + CHUNK, layout.activities))
        mtpd = rng.choice(MINUTES_MTPD, len(ids))
        rto = mtpd // rng.choice([2, 4], len(ids))
        rpo = rng.choice(MINUTES_RP, len(ids))
        units = rng.integers(0, 1 << 30, len(ids))
        yield (
            "activity",
            [
                (int(i), int(m), int(r), int(p), int(u))
                for i, m, r, p, u in zip(ids, mtpd, rto, rpo, units, strict=True)
            ],
        )
    for lo in range(0, layout.r, CHUNK):
        ids = np.arange(lo, min(lo + CHUNK, layout.r))
        kinds = layout.resource_kind(ids)
        rt = rng.choice(MINUTES_RT, len(ids))
        rp = rng.choice(MINUTES_RP, len(ids))
        unknown = rng.random(len(ids)) < 0.2
        tested = rng.random(len(ids)) < 0.5
        days = rng.integers(0, 700, len(ids))
        units = rng.integers(0, 1 << 30, len(ids))
        rows = []
        for j, i in enumerate(ids):
            known = not unknown[j] and kinds[j] != "key_person"
            rows.append(
                (
                    int(i),
                    kinds[j],
                    int(rt[j]) if known else None,
                    int(rp[j]) if known else None,
                    (today - dt.timedelta(days=int(days[j]))) if known and tested[j] else None,
                    int(units[j]),
                )
            )
        yield "resource", rows


class _Writer:
    """Streams rows into a table: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, model, columns: list[str]):
        q = connection.ops.quote_name
        self.table = q(model._meta.db_table)
        self.columns = columns
        self.names = ", ".join(q(c) for c in columns)
        self.pg = connection.vendor == "postgresql"

    def write(self, rows: list[tuple]) -> None:
        with connection.cursor() as cursor:
            if self.pg:
                buf = io.StringIO()
                for row in rows:
                    buf.write("\t".join(_pg(v) for v in row))
                    buf.write("\n")
                with cursor.cursor.copy(f"COPY {self.table} ({self.names}) FROM STDIN") as copy:
                    copy.write(buf.getvalue())
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.names}) VALUES ({marks})", rows
                )


def _pg(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return str(value)


def _next_pk(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    peak = rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


@transaction.atomic
def load_scale_model(*, nodes: int, seed: int = 22301) -> dict[str, float]:
    """Create the synthetic model of ~`nodes` nodes and ~5×nodes links, once.

    Needs the synthetic organisation (`load_scale`) for its units. A second call creates
    nothing and returns {"skipped": 1}.
    """
    if Activity.objects.filter(code=f"{PREFIX}-A0000001").exists():
        return {"skipped": 1}
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    layout = Layout(nodes)
    unit_ids = np.array(
        Unit.objects.filter(code__startswith=f"{PREFIX}-U")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not len(unit_ids):
        raise ValueError("load the synthetic organisation first")
    a0, r0 = _next_pk(Activity), _next_pk(Resource)
    acts = _Writer(Activity, ["id", "name", "name_en", "code", "unit_id", "products",
                              "description", "mtpd", "rto", "rpo", "mbco"])  # fmt: skip
    ress = _Writer(Resource, ["id", "name", "name_en", "code", "kind", "unit_id", "criticality",
                              "description", "recovery_time", "recovery_point",
                              "capability_tested_on", "capability_evidence",
                              "redundancy"])  # fmt: skip
    links = _Writer(Dependency, ["dependent_activity_id", "dependent_resource_id",
                                 "dependency_activity_id", "dependency_resource_id",
                                 "group", "tolerance", "note"])  # fmt: skip
    crit = ("critical", "high", "medium", "low")
    for kind, rows in _node_chunks(layout, rng):
        if kind == "activity":
            acts.write(
                [
                    (a0 + i, f"合成业务{i + 1}", f"Synthetic activity {i + 1}",
                     f"{PREFIX}-A{i + 1:07d}", int(unit_ids[u % len(unit_ids)]), "", "",
                     m, r, p, "")
                    for i, m, r, p, u in rows
                ]
            )  # fmt: skip
        else:
            ress.write(
                [
                    (r0 + i, f"合成资源{i + 1}", f"Synthetic resource {i + 1}",
                     f"{PREFIX}-R{i + 1:07d}", k, int(unit_ids[u % len(unit_ids)]),
                     crit[i % 4], "", rt, rp, tested, "drill report" if tested else "",
                     "active_standby" if k in ("application", "infrastructure") else "none")
                    for i, k, rt, rp, tested, u in rows
                ]
            )  # fmt: skip
    count = 0
    a_count = layout.activities
    for lo in range(0, layout.n, CHUNK):
        s, d, g, t = _links_for(layout, rng, lo, min(lo + CHUNK, layout.n))
        count += _write_links(links, s, d, g, t, a_count, a0, r0)
    s, d, g, t = _cycle_links(layout, rng, max(1, min(20, layout.n // 1000)))
    count += _write_links(links, s, d, g, t, a_count, a0, r0)
    sql = connection.ops.sequence_reset_sql(no_style(), [Activity, Resource])
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)
    bump_revision()
    refresh_statistics(Activity, Resource, Dependency)
    summary = {
        "activities": layout.activities,
        "resources": layout.r,
        "links": count,
        "seconds": round(time.perf_counter() - started, 1),
        "peak_memory_mb": round(peak_memory_mb()),
        "skipped": 0,
    }
    audit_record(
        actor=None,
        action="import",
        object_type="dependencies.model",
        object_repr="resilia demo --scale",
        changes={"source": "resilia demo --scale", "prefix": PREFIX, **summary},
    )
    return summary


def _write_links(writer, s, d, g, t, a_count, a0, r0) -> int:
    s_act, d_act = s < a_count, d < a_count
    s_pk = np.where(s_act, a0 + s, r0 + s - a_count)
    d_pk = np.where(d_act, a0 + d, r0 + d - a_count)
    rows = [
        (sp if sa else None, None if sa else sp, dp if da else None, None if da else dp, gr, tl, "")
        for sp, sa, dp, da, gr, tl in zip(
            s_pk.tolist(), s_act.tolist(), d_pk.tolist(), d_act.tolist(), g, t.tolist(),
            strict=True,
        )
    ]  # fmt: skip
    writer.write(rows)
    return len(rows)
