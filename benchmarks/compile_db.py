"""Benchmark: compiling the dependency model from PostgreSQL into engine arrays.

    make install-dev    # or make bench, which also runs benchmarks/engine.py
    DATABASE_URL=postgres://... .venv/bin/resilia migrate
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/compile_db.py --nodes 1000000

Builds the synthetic model of `resilia demo --scale N` in that database unless it is already
there (the database must be migrated; use a dedicated one), then measures, in the same run:

* the reference: one full scan of the links table that reads the same columns
  (``SELECT sum(...)`` over dependent, dependency, tolerance and group) — the floor that any
  compile has to pay;
* ``compile_from_database()``: median of --repeat runs, and its peak Python heap (tracemalloc)
  and the process's peak resident memory.

Prints the medians and the ratio compile/reference. Target at 1M nodes / 5M links: under 30 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import NoReturn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resilia.settings")


def missing(exc: ImportError) -> NoReturn:
    """Stop with one line that says what to run, instead of a traceback."""
    sys.exit(
        f"benchmarks/{Path(__file__).name}: {exc.name or exc} is not installed; run `make bench`,"
        " which installs what the benchmarks need (the dev extra) and runs them"
    )


try:
    import django

    from resilia.cli import use_data_dir_key
    from resilia.env import ImproperEnv
except ImportError as exc:
    missing(exc)

use_data_dir_key()  # the key `make demo` keeps in the data directory, as `resilia` finds it
try:
    django.setup()
except ImproperEnv as exc:
    sys.exit(str(exc))

try:
    from django.db import connection

    from resilia.core.context import request_context
    from resilia.demo.scale import load_scale
    from resilia.demo.scale_model import load_scale_model, peak_memory_mb
    from resilia.dependencies.models import Activity, Dependency, Resource
    from resilia.dependencies.selectors import compile_from_database
except ImportError as exc:
    missing(exc)

REFERENCE_SQL = (
    "SELECT count(*), sum(coalesce(dependent_activity_id, -dependent_resource_id)),"
    " sum(coalesce(dependency_activity_id, -dependency_resource_id)), sum(tolerance),"
    ' sum(length("group")) FROM {table}'
)


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def reference() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(REFERENCE_SQL.format(table=Dependency._meta.db_table))
        return cursor.fetchone()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a (dedicated, migrated) PostgreSQL database.")
    if not Activity.objects.exists():
        print(f"building the synthetic model of {args.nodes:,} nodes ...", flush=True)
        with request_context(source="cli"):
            load_scale(people=min(args.nodes, 100_000))
            built = load_scale_model(nodes=args.nodes)
        print(
            f"  built in {built['seconds']} s (peak memory {built['peak_memory_mb']} MB)",
            flush=True,
        )
    nodes = Activity.objects.count() + Resource.objects.count()
    links = Dependency.objects.count()
    print(f"model: {nodes:,} nodes, {links:,} links")
    ref_time, _ = timed(reference, args.repeat)
    compile_time, (graph, _index) = timed(compile_from_database, args.repeat)
    assert graph.n == nodes and graph.n_links == links
    tracemalloc.start()
    compile_from_database()
    _current, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"reference (full scan of the links' columns): median {ref_time:8.3f} s")
    print(f"compile_from_database():                     median {compile_time:8.3f} s")
    print(f"ratio compile / reference: {compile_time / ref_time:.1f}")
    print(f"compiled arrays: {graph.nbytes / 2**20:.0f} MB")
    print(f"peak Python heap during one compile (tracemalloc): {heap_peak / 2**20:.0f} MB")
    print(f"peak resident memory of the process: {peak_memory_mb():.0f} MB")


if __name__ == "__main__":
    main()
