"""Benchmark: how long `resilia model import` holds the database's write lock.

    RESILIA_DATA_DIR=/tmp/bench-data .venv/bin/python benchmarks/model_import_lock.py --items 10000

Needs an empty, dedicated database (a fresh SQLite data directory, or DATABASE_URL): it
migrates it, then imports a generated model file of about --items items (resources,
activities, links) into it, then imports it again with 1% of the items changed and 0.5%
removed, with --prune. For each import it prints the wall time of the whole import and the time
the write transaction was open (from BEGIN to COMMIT: every other writer waits that long).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resilia.settings")

import django  # noqa: E402

from resilia.cli import use_data_dir_key  # noqa: E402

use_data_dir_key()  # the key kept in the data directory, as `resilia` finds it
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from resilia.core.context import request_context  # noqa: E402
from resilia.dependencies import modelio  # noqa: E402

HELD: list[float] = []
_atomic = transaction.atomic


@contextlib.contextmanager
def _timed_atomic(*args, **kwargs):
    """transaction.atomic, timing the outermost block: the write transaction itself."""
    outermost = not transaction.get_connection().in_atomic_block
    started = time.perf_counter()
    try:
        with _atomic(*args, **kwargs):
            yield
    finally:
        if outermost:
            HELD.append(time.perf_counter() - started)


def model_file(items: int, seed: int) -> dict:
    rng = random.Random(seed)
    units = [{"code": f"U{i}", "name": f"单元{i}", "kind": "department"} for i in range(10)]
    n_res, n_act = items * 3 // 10, items * 2 // 10
    resources = [
        {"code": f"R{i}", "name": f"资源{i}", "kind": "application", "unit": f"U{i % 10}",
         "recovery_time": rng.choice([60, 120, 240])}
        for i in range(n_res)
    ]  # fmt: skip
    activities = [
        {"code": f"A{i}", "name": f"活动{i}", "unit": f"U{i % 10}",
         "objectives": {"mtpd": 480, "rto": rng.choice([60, 120, 240]), "rpo": 15}}
        for i in range(n_act)
    ]  # fmt: skip
    links, seen = [], set()
    while len(links) < items - len(units) - n_res - n_act:
        pair = (f"activity:A{rng.randrange(n_act)}", f"resource:R{rng.randrange(n_res)}")
        if pair not in seen:
            seen.add(pair)
            links.append({"dependent": pair[0], "dependency": pair[1]})
    return {"version": 1, "units": units, "resources": resources, "activities": activities,
            "dependencies": links}  # fmt: skip


def run(label: str, data: dict, prune: bool) -> None:
    HELD.clear()
    started = time.perf_counter()
    with request_context(source="cli"):
        report = modelio.import_model(data, prune=prune, source="bench.yaml")
    total = time.perf_counter() - started
    held = sum(HELD)
    print(
        f"{label}: {report.change_count} changes, import {total:.1f} s,"
        f" write transaction open {held:.1f} s ({held / total:.0%})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=22301)
    parser.add_argument(
        "--before",
        metavar="PATH",
        help="measure this copy of modelio.py instead, e.g. `git show REV:resilia/"
        "dependencies/modelio.py > /tmp/modelio_before.py` for the code before a change",
    )
    parser.add_argument(
        "--again",
        action="store_true",
        help="the database already holds a run's result: only re-import the first file",
    )
    parser.add_argument(
        "--changed",
        action="store_true",
        help="the database already holds the first file: only import the changed one",
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if args.before:
        import importlib.util

        spec = importlib.util.spec_from_file_location("modelio_before", args.before)
        module = importlib.util.module_from_spec(spec)
        sys.modules["modelio_before"] = module
        spec.loader.exec_module(module)
        globals()["modelio"] = module
    transaction.atomic = _timed_atomic  # the modules call transaction.atomic() at run time
    data = model_file(args.items, args.seed)
    if args.again:
        run("re-import of the first file (1% changed back, 0.5% re-created)", data, prune=True)
        return
    if not args.changed:
        run("first import (all creates)", data, prune=False)
    rng = random.Random(args.seed + 1)
    for item in rng.sample(data["activities"], len(data["activities"]) // 20):
        item["objectives"]["rto"] = 30  # 1% of the items changed
    drop = set(rng.sample(range(len(data["dependencies"])), args.items // 200))
    data["dependencies"] = [d for i, d in enumerate(data["dependencies"]) if i not in drop]
    run("re-import, 1% changed, 0.5% pruned", data, prune=True)


if __name__ == "__main__":
    main()
