"""Compile the engine's numba kernels ahead of the first real question.

The kernels are cached on disk after their first compilation (several seconds); running every
analysis once on a tiny model at install or demo time means no user waits for it later.
"""

from __future__ import annotations

import time

from .compile import compile_model
from .gaps import gaps
from .model import ACTIVITY, Link, Node
from .order import recovery_order
from .spof import spof
from .whatif import whatif


def warm_up() -> float:
    """Run every analysis once on a three-node model with an OR group; returns the seconds."""
    started = time.perf_counter()
    graph = compile_model(
        [
            Node("a", kind=ACTIVITY, rto=60, mtpd=120, rpo=0),
            Node("dc1", recovery_time=30, recovery_point=0),
            Node("dc2", recovery_time=90, recovery_point=5),
        ],
        [
            Link("a", "dc1", group="dc", tolerance=10),
            Link("a", "dc2", group="dc"),
        ],
    )
    list(whatif(graph, ["dc1", "dc2"]))
    recovery_order(graph)
    gaps(graph)
    spof(graph)
    return time.perf_counter() - started
