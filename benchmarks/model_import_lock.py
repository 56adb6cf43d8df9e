"""Benchmark: how long `resilia model import` holds the database's write lock.

    RESILIA_DATA_DIR=/tmp/bench-data .venv/bin/python benchmarks/model_import_lock.py --items 10000

Needs an empty, dedicated database (a fresh SQLite data directory, or DATABASE_URL): it
migrates it, then imports a generated model file of about --items items (resources,
activities, links) into it, then imports it again with 1% of the items changed and 0.5%
removed, with --prune. For each import it prints the wall time of the whole import and the time
the write transaction was open (from BEGIN to COMMIT: every other writer waits that long).

`--compare REV` then runs the same imports with the model import of Git revision REV (its
modelio.py) in a fresh SQLite data directory of its own, and prints the ratio of each lock
time and wall time, before / now (SQLite only: the reference needs an empty database too).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
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


RESULTS: list[dict] = []


def run(label: str, data: dict, prune: bool) -> None:
    HELD.clear()
    started = time.perf_counter()
    with request_context(source="cli"):
        report = modelio.import_model(data, prune=prune, source="bench.yaml")
    total = time.perf_counter() - started
    held = sum(HELD)
    RESULTS.append({"label": label, "total": total, "held": held})
    print(
        f"{label}: {report.change_count} changes, import {total:.1f} s,"
        f" write transaction open {held:.1f} s ({held / total:.0%})",
        flush=True,
    )


def compare(rev: str, argv: list[str]) -> None:
    """Run this benchmark on REV's modelio.py in a fresh data directory; print the ratios."""
    root = Path(__file__).resolve().parents[1]
    source = subprocess.run(
        ["git", "show", f"{rev}:resilia/dependencies/modelio.py"],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="import-lock-before-"))
    try:
        (work / "modelio_before.py").write_text(source, encoding="utf-8")
        data_dir = work / "data"
        data_dir.mkdir(mode=0o700)
        own = Path(os.environ.get("RESILIA_DATA_DIR", root / "data"))
        for key in ("secret_key", "audit_key"):
            if (own / key).exists():
                shutil.copy(own / key, data_dir / key)
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
        env["RESILIA_DATA_DIR"] = str(data_dir)
        print(f"-- the same imports with the model import of {rev} --", flush=True)
        subprocess.run(
            [sys.executable, __file__, *argv, "--before", str(work / "modelio_before.py"),
             "--results", str(work / "before.json")],
            env=env, check=True,
        )  # fmt: skip
        before = json.loads((work / "before.json").read_text())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for old, new in zip(before, RESULTS, strict=True):
        print(
            f"{new['label']}: write transaction {old['held']:.1f} s -> {new['held']:.1f} s"
            f" ({old['held'] / max(new['held'], 1e-3):.1f}x shorter), import"
            f" {old['total']:.1f} s -> {new['total']:.1f} s"
            f" ({old['total'] / max(new['total'], 1e-3):.1f}x)"
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
    parser.add_argument(
        "--compare",
        metavar="REV",
        help="then run the same imports with REV's model import (e.g. main~5) in a fresh"
        " SQLite data directory and print the ratios",
    )
    parser.add_argument("--results", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare and os.environ.get("DATABASE_URL"):
        parser.error("--compare runs the reference on SQLite: unset DATABASE_URL")
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
    else:
        if not args.changed:
            run("first import (all creates)", data, prune=False)
        rng = random.Random(args.seed + 1)
        for item in rng.sample(data["activities"], len(data["activities"]) // 20):
            item["objectives"]["rto"] = 30  # 1% of the items changed
        drop = set(rng.sample(range(len(data["dependencies"])), args.items // 200))
        data["dependencies"] = [d for i, d in enumerate(data["dependencies"]) if i not in drop]
        run("re-import, 1% changed, 0.5% pruned", data, prune=True)
    if args.results:
        Path(args.results).write_text(json.dumps(RESULTS), encoding="utf-8")
    if args.compare:
        argv = list(sys.argv[1:])
        i = argv.index("--compare")
        compare(args.compare, argv[:i] + argv[i + 2 :])


if __name__ == "__main__":
    main()
