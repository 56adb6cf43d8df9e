"""Benchmark of the dependency analysis engine against the networkx reference, in one run.

    make bench                                            # installs what it needs, runs it
    .venv/bin/python benchmarks/engine.py                 # 1,000,000 nodes, ~5,000,000 links
    .venv/bin/python benchmarks/engine.py --nodes 100000  # quicker

The synthetic model (numpy, seeded) looks like a large bank's: 4 zones, each with a data centre;
hubs (data centres, power, networks), infrastructure, applications, people and suppliers,
activities. Most dependencies stay inside a zone; infrastructure has an OR pair of network links,
applications an OR pair of servers across zones (active/standby), activities an OR pair of people
(人员角色备份). Back-office activities serve 20% of the others; 20 links close cycles.
Failing data centre 0 reaches about a quarter of the model.

Prints medians over repetitions and the ratio reference/engine for the what-ifs; the reference
(tests/reference.py over networkx) runs on the sub-model the failure can reach (exact: nothing
else can be affected), once, and its result is checked against the engine's.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path
from typing import NoReturn

try:
    import resource
except ImportError:  # Windows
    resource = None


def missing(exc: ImportError) -> NoReturn:
    """Stop with one line that says what to run, instead of a traceback."""
    sys.exit(
        f"benchmarks/{Path(__file__).name}: {exc.name or exc} is not installed; run `make bench`,"
        " which installs what the benchmarks need (the dev extra) and runs them"
    )


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

try:
    import numpy as np

    from resilia.engine import compile_arrays, gaps, recovery_order, spof, whatif
    from resilia.engine.model import ACTIVITY, RESOURCE, Link, Node
except ImportError as exc:
    missing(exc)

ZONES = 4


def _layer(start: int, size: int) -> tuple[int, int]:
    return start, start + size


def _pick(rng, zone, layer, count, local=0.98):
    """`count` targets per source in `layer` (a, b), mostly inside the source's zone."""
    a, b = layer
    width = (b - a) // ZONES
    zone = np.where(
        rng.random((len(zone), count)) < local,
        zone[:, None],
        rng.integers(0, ZONES, (len(zone), count)),
    )
    return a + zone * width + rng.integers(0, width, (len(zone), count))


def generate(n: int, seed: int = 2024):
    """Arrays for compile_arrays plus the id ranges of each layer."""
    rng = np.random.default_rng(seed)
    hubs = _layer(0, 16)  # 0..3 data centres, 4..15 power and network hubs
    sizes = np.array([0.30, 0.30, 0.15]) * (n - 16)
    infra = _layer(16, int(sizes[0]) // ZONES * ZONES)
    apps = _layer(infra[1], int(sizes[1]) // ZONES * ZONES)
    people = _layer(apps[1], int(sizes[2]) // ZONES * ZONES)
    acts = _layer(people[1], (n - people[1]) // ZONES * ZONES)
    n = acts[1]
    zone = np.zeros(n, dtype=np.int64)
    for a, b in (infra, apps, people, acts):
        zone[a:b] = (np.arange(b - a) * ZONES) // (b - a)
    src, dst, grp = [], [], []
    next_group = 0

    def add(sources, targets, group_cols=0):
        nonlocal next_group
        k = targets.shape[1]
        src.append(np.repeat(sources, k))
        dst.append(targets.ravel())
        g = np.full(targets.shape, -1, dtype=np.int64)
        if group_cols:  # the last `group_cols` columns form one OR group per source
            g[:, k - group_cols :] = (next_group + np.arange(len(sources)))[:, None]
            next_group += len(sources)
        grp.append(g.ravel())

    # Infrastructure: the first half (storage, network gear) needs its zone's data centre and an
    # OR pair of network hubs; the second half (servers) also needs one of the first half.
    ids = np.arange(*infra)
    network = 4 + rng.integers(0, 12, (len(ids), 2))
    base = _layer(infra[0], (infra[1] - infra[0]) // 2 // ZONES * ZONES)
    add(ids[ids < base[1]], np.column_stack([zone[ids], network])[ids < base[1]], 2)
    servers = ids[ids >= base[1]]
    targets = np.column_stack([zone[servers], _pick(rng, zone[servers], base, 1)])
    add(servers, np.column_stack([targets, network[ids >= base[1]]]), 2)
    ids = np.arange(*apps)
    standby = _pick(rng, (zone[ids] + 1) % ZONES, infra, 1, local=1.0)
    add(
        ids,
        np.column_stack(
            [_pick(rng, zone[ids], infra, 4), _pick(rng, zone[ids], infra, 1), standby]
        ),
        2,
    )
    ids = np.arange(*acts)
    add(
        ids,
        np.column_stack(
            [
                _pick(rng, zone[ids], apps, 5),
                _pick(rng, zone[ids], people, 1),  # supplier / single key person
                _pick(rng, zone[ids], people, 2),  # OR pair of people: role backup
            ]
        ),
        2,
    )
    # Back-office activities (the first 30% of the layer) serve 20% of the others.
    tier_a = _layer(acts[0], (acts[1] - acts[0]) * 3 // 10 // ZONES * ZONES)
    ids = acts[0] + tier_a[1] - tier_a[0] + np.flatnonzero(rng.random(acts[1] - tier_a[1]) < 0.2)
    add(ids, _pick(rng, zone[ids], tier_a, 1))
    dependent, dependency, group = np.concatenate(src), np.concatenate(dst), np.concatenate(grp)
    # Close 20 dependency cycles: a back-office activity that needs one of its dependents.
    back = np.flatnonzero((dependency >= tier_a[0]) & (dependency < tier_a[1]))[-20:]
    dependent = np.concatenate([dependent, dependency[back]])
    dependency = np.concatenate([dependency, dependent[back]])
    group = np.concatenate([group, np.full(len(back), -1)])
    m = len(dependent)
    tolerance = np.where(rng.random(m) < 0.1, rng.choice([60.0, 240.0], m), 0.0)

    kind = np.ones(n, dtype=np.int8)
    kind[acts[0] :] = 0
    choice = np.array([30, 60, 120, 240, 480, 1440, np.nan])
    rto = np.full(n, np.nan)
    rto[acts[0] :] = rng.choice(
        choice, acts[1] - acts[0], p=[0.05, 0.1, 0.15, 0.15, 0.15, 0.1, 0.3]
    )
    rpo = np.where(np.isnan(rto), np.nan, rng.choice([0.0, 15.0, 60.0, 240.0], n))
    mtpd = rto * rng.choice([2.0, 3.0, 4.0], n)
    recovery_time = np.where(kind == 1, rng.choice([15, 30, 60, 120, 240, 480, np.nan], n), np.nan)
    recovery_point = np.where(kind == 1, rng.choice([0, 5, 15, 60, 240, np.nan], n), np.nan)
    recovery_time[hubs[0] : hubs[1]] = 480.0  # data centres, power and networks: 8 h
    key_person = np.zeros(n, dtype=bool)
    key_person[people[0] : people[0] + (people[1] - people[0]) // 2] = True
    arrays = dict(
        kind=kind,
        dependent=dependent,
        dependency=dependency,
        group=group,
        tolerance=tolerance,
        mtpd=mtpd,
        rto=rto,
        rpo=rpo,
        recovery_time=recovery_time,
        recovery_point=recovery_point,
        key_person=key_person,
    )
    return arrays, {"infra": infra, "apps": apps, "people": people, "activities": acts}


def timed(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def reverse_networkx(arrays, n):
    """The whole model as a networkx DiGraph, dependency -> dependent."""
    import networkx as nx

    reverse = nx.DiGraph()
    reverse.add_nodes_from(range(n))
    reverse.add_edges_from(
        zip(arrays["dependency"].tolist(), arrays["dependent"].tolist(), strict=True)
    )
    return reverse


def reference_region(reverse, failed) -> set[int]:
    import networkx as nx

    region = set(failed)
    for f in failed:
        region |= nx.descendants(reverse, f)
    return region


def reference_whatif(arrays, graph, failed, region):
    """tests/reference.py on the sub-model reachable from `failed` (exact)."""
    from resilia.engine.tests import reference

    t0 = time.perf_counter()
    in_region = np.zeros(graph.n, dtype=bool)
    in_region[list(region)] = True
    sel = np.flatnonzero(in_region[arrays["dependent"]])
    keys = set(region) | set(arrays["dependency"][sel].tolist())

    def value(name, v):
        x = arrays[name][v]
        return None if np.isnan(x) else float(x)

    nodes = [
        Node(
            key=str(v),
            kind=ACTIVITY if arrays["kind"][v] == 0 else RESOURCE,
            rto=value("rto", v),
            mtpd=value("mtpd", v),
            recovery_time=value("recovery_time", v),
        )
        for v in sorted(keys)
    ]
    links = [
        Link(
            dependent=str(arrays["dependent"][i]),
            dependency=str(arrays["dependency"][i]),
            group=None if arrays["group"][i] < 0 else str(arrays["group"][i]),
            tolerance=float(arrays["tolerance"][i]),
        )
        for i in sel.tolist()
    ]
    result = reference.whatif(reference.Model(nodes, links), {str(f) for f in failed})
    return time.perf_counter() - t0, result


def check(result, expected) -> bool:
    got = {str(i.node): (i.stop_at, i.back_at, i.rto_breach_at, i.mtpd_breach_at) for i in result}
    want = {
        k: (e["stop_at"], e["back_at"], e["rto_breach_at"], e["mtpd_breach_at"])
        for k, e in expected.items()
    }
    return got == want


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument(
        "--reference-cap",
        type=int,
        default=60_000,
        help="largest reachable region (nodes) the slow reference is run on",
    )
    args = parser.parse_args()
    if not args.no_reference:  # say it now, not after generating the model
        try:
            import networkx  # noqa: F401

            from resilia.engine.tests import reference  # noqa: F401
        except ImportError as exc:
            missing(exc)

    t0 = time.perf_counter()
    arrays, layers = generate(args.nodes, args.seed)
    print(f"generate: {time.perf_counter() - t0:.2f} s")
    compile_time, graph = timed(lambda: compile_arrays(**arrays), 3)
    print(
        f"model: {graph.n:,} nodes, {graph.n_links:,} links; compile {compile_time * 1000:.0f} ms, "
        f"{graph.nbytes / 2**20:.0f} MiB"
    )
    rng = np.random.default_rng(args.seed + 1)
    small = rng.integers(*layers["infra"], 3).tolist()
    reverse = None
    scenarios = [("small (3 servers)", small), ("data centre 0", [0])]
    for label, failed in scenarios:
        seconds, result = timed(lambda f=failed: whatif(graph, f), args.repeat)
        breaches = int((~np.isnan(result.rto_breach_at)).sum())
        print(
            f"what-if {label}: {seconds * 1000:.1f} ms median of {args.repeat}; "
            f"{len(result):,} affected ({len(result) / graph.n:.1%}), {breaches:,} RTO breaches"
        )
        if args.no_reference:
            continue
        if reverse is None:
            t0 = time.perf_counter()
            reverse = reverse_networkx(arrays, graph.n)
            print(
                f"  (networkx graph of the whole model built in {time.perf_counter() - t0:.1f} s)"
            )
        t0 = time.perf_counter()
        region = reference_region(reverse, failed)
        reach = time.perf_counter() - t0
        if len(region) > args.reference_cap:
            print(
                f"  reference skipped: the failure reaches {len(region):,} nodes, over "
                f"--reference-cap {args.reference_cap:,} (the dict fixpoint would take minutes); "
                "run with --nodes 100000 for this ratio"
            )
            continue
        ref_seconds, expected = reference_whatif(arrays, graph, failed, region)
        ref_seconds += reach
        print(
            f"  reference (networkx reach of {len(region):,} nodes + dict fixpoint, 1 run): "
            f"{ref_seconds:.2f} s; ratio reference/engine {ref_seconds / seconds:,.0f}x; "
            f"results {'identical' if check(result, expected) else 'DIFFERENT'}"
        )

    def cold(fn):
        def run():
            graph._cache.clear()  # measure from the compiled arrays, no cached analysis
            return fn(graph)

        return run

    repeat = max(1, min(args.repeat, 3))
    seconds, order = timed(cold(recovery_order), repeat)
    print(
        f"recovery order: {seconds:.2f} s median of {repeat}; {len(order.order):,} placed, "
        f"{len(order.cycles):,} cycles, {len(order.blocked):,} blocked"
    )
    seconds, found = timed(cold(gaps), repeat)
    print(
        f"gaps: {seconds:.2f} s median of {repeat}; {len(found.resources):,} resource gaps, "
        f"{len(found.activities):,} activity gaps"
    )
    seconds, report = timed(cold(spof), 1)
    top = report.spofs[0] if report.spofs else None
    print(
        f"spof: {seconds:.2f} s (1 run); {len(report.spofs):,} single points of failure, "
        f"{len(report.key_persons):,} key persons"
        + (f"; worst: node {top.key} breaks {top.breaks:,}" if top else "")
    )
    if resource is not None:  # peak resident memory of the whole run (model, analyses, reference)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10  # KiB on Linux
        print(f"peak memory: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
