"""The warm-up compiles every kernel the analyses use, so no user question pays for it."""

from numba.core.registry import CPUDispatcher

from resilia.engine import kernels
from resilia.engine.warmup import warm_up


def test_it_compiles_every_kernel_of_the_engine():
    warm_up()
    # The entry points the analyses call (helpers are compiled into their callers).
    entry_points = [
        "priority_topological_order",
        "propagate",
        "recovery_bounds",
        "required",
        "single_failures",
        "upstream",
    ]
    for name in entry_points:
        assert isinstance(getattr(kernels, name), CPUDispatcher), name
    uncompiled = [name for name in entry_points if not getattr(kernels, name).signatures]
    assert uncompiled == []
