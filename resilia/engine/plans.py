"""The critical path of a plan's recovery steps: plain Python, no Django.

A step has an identifier, an estimated duration in minutes and the steps it waits for
(its predecessors). With as many hands as the plan names, every step starts as soon as its
predecessors are finished: that earliest schedule is the *best case*, and its length is set
by the *critical path*, the chain of steps with no slack. The *worst case* is every step one
after the other (one pair of hands), the bound Modulo compares with the RTO alongside the
best case. A step waiting for itself, for an unknown step, or in a cycle is refused, the
steps named, before anything is computed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["PlanGraphError", "Projection", "Schedule", "Step", "project", "schedule"]


@dataclass(frozen=True)
class Step:
    """One step: `key` is unique in the plan; `after` names the steps it waits for; `targets`
    the activities (or any other keys) this step contributes to recovering."""

    key: str
    minutes: int = 0
    after: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()


class PlanGraphError(ValueError):
    """Raised for steps that cannot be scheduled; `kind` is "self", "unknown", "cycle" or
    "duplicate" and `steps` names the steps concerned (for a cycle, in its order)."""

    def __init__(self, kind: str, steps: list[str], missing: str | None = None):
        self.kind = kind
        self.steps = steps
        self.missing = missing
        super().__init__(f"{kind}: {' -> '.join(steps)}" + (f" ({missing})" if missing else ""))


@dataclass
class Schedule:
    """Earliest start and finish of every step, the critical path (step keys in order), the
    best case (its length) and the worst case (all durations added), and per target the
    best case and critical path of the steps it needs (the target's steps and everything
    they wait for)."""

    start: dict[str, int]
    finish: dict[str, int]
    critical_path: list[str]
    best: int
    worst: int
    targets: dict[str, dict] = field(default_factory=dict)


def _order(steps: dict[str, Step]) -> list[str]:
    """Steps in an order where each comes after its predecessors; raises on a cycle."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    order: list[str] = []
    for root in steps:
        if state.get(root):
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = []
        state[root] = 1
        path.append(root)
        while stack:
            key, i = stack[-1]
            preds = steps[key].after
            if i < len(preds):
                stack[-1] = (key, i + 1)
                nxt = preds[i]
                seen = state.get(nxt)
                if seen == 1:
                    cycle = path[path.index(nxt) :]
                    # Shown in execution order: each step waits for the one before it.
                    raise PlanGraphError("cycle", list(reversed(cycle)) + [cycle[-1]])
                if not seen:
                    state[nxt] = 1
                    path.append(nxt)
                    stack.append((nxt, 0))
            else:
                stack.pop()
                path.pop()
                state[key] = 2
                order.append(key)
    return order


def _check(items: Iterable[Step]) -> dict[str, Step]:
    steps: dict[str, Step] = {}
    for s in items:
        if s.key in steps:
            raise PlanGraphError("duplicate", [s.key])
        steps[s.key] = s
    for s in steps.values():
        if s.key in s.after:
            raise PlanGraphError("self", [s.key])
        for p in s.after:
            if p not in steps:
                raise PlanGraphError("unknown", [s.key], missing=p)
        if s.minutes < 0:
            raise PlanGraphError("negative", [s.key])
    return steps


def _path_to(end: str, steps: dict[str, Step], start: dict, finish: dict) -> list[str]:
    """The chain of steps without slack that ends at `end`."""
    path = [end]
    key = end
    while steps[key].after:
        # The predecessor that finishes last decides the start; ties go to the first named.
        key = max(steps[key].after, key=lambda p: (finish[p], -steps[key].after.index(p)))
        if finish[key] != start[path[-1]]:
            break
        path.append(key)
    return list(reversed(path))


def schedule(items: Iterable[Step]) -> Schedule:
    """The earliest schedule of the steps (see the module docstring)."""
    steps = _check(items)
    order = _order(steps)
    start: dict[str, int] = {}
    finish: dict[str, int] = {}
    for key in order:
        s = steps[key]
        start[key] = max((finish[p] for p in s.after), default=0)
        finish[key] = start[key] + s.minutes
    worst = sum(s.minutes for s in steps.values())
    if not steps:
        return Schedule({}, {}, [], 0, 0)
    # The last to finish; ties to the step written first.
    keys = list(steps)
    end = max(keys, key=lambda k: (finish[k], -keys.index(k)))
    result = Schedule(start, finish, _path_to(end, steps, start, finish), finish[end], worst)
    by_target: dict[str, list[str]] = {}
    for key in keys:
        for t in steps[key].targets:
            by_target.setdefault(t, []).append(key)
    for target, mine in by_target.items():
        last = max(mine, key=lambda k: (finish[k], -keys.index(k)))
        needed = _ancestors(mine, steps)
        result.targets[target] = {
            "best": finish[last],
            "worst": sum(steps[k].minutes for k in needed),
            "critical_path": _path_to(last, steps, start, finish),
        }
    return result


def _ancestors(keys: list[str], steps: dict[str, Step]) -> set[str]:
    seen: set[str] = set()
    todo = list(keys)
    while todo:
        k = todo.pop()
        if k in seen:
            continue
        seen.add(k)
        todo.extend(steps[k].after)
    return seen


@dataclass
class Projection:
    """When each step is expected to finish given what has been done (minutes from the start
    of the response), the expected end of all the steps, and per target its expected end."""

    finish: dict[str, float]
    end: float
    targets: dict[str, float] = field(default_factory=dict)
    late: list[str] = field(default_factory=list)  # started steps past their estimate


def project(
    items: Iterable[Step],
    *,
    now: float,
    started: dict[str, float] | None = None,
    finished: dict[str, float] | None = None,
    skipped: Iterable[str] = (),
) -> Projection:
    """The schedule recomputed from actual progress at minute `now`: a finished step ends
    when it ended; a started one at its start plus its estimate, or now if that has passed
    (it is late); a skipped one when its predecessors end, taking no time; a step not started
    yet starts at the later of now and its predecessors' ends."""
    steps = _check(items)
    order = _order(steps)
    started, finished, skipped = started or {}, finished or {}, set(skipped)
    finish: dict[str, float] = {}
    late = []
    for key in order:
        s = steps[key]
        ready = max((finish[p] for p in s.after), default=0.0)
        if key in finished:
            finish[key] = float(finished[key])
        elif key in skipped:
            finish[key] = ready
        elif key in started:
            expected = float(started[key]) + s.minutes
            if expected < now:
                late.append(key)
            finish[key] = max(expected, float(now))
        else:
            finish[key] = max(ready, float(now)) + s.minutes
    result = Projection(finish, max(finish.values(), default=float(now)), late=late)
    for key in steps:
        for t in steps[key].targets:
            result.targets[t] = max(result.targets.get(t, 0.0), finish[key])
    return result
