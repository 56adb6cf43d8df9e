"""Plain input records of the dependency analysis engine.

The engine knows nothing about Django: the ``dependencies`` app compiles its rows into these
records (or straight into arrays with :func:`resilia.engine.compile.compile_arrays`).
All durations are minutes; ``None`` means *unknown*.
"""

from __future__ import annotations

from dataclasses import dataclass

ACTIVITY = "activity"
RESOURCE = "resource"
KINDS = (ACTIVITY, RESOURCE)


class ModelError(ValueError):
    """The input model is inconsistent (unknown key, negative duration, duplicate node...)."""


@dataclass(frozen=True, slots=True)
class Node:
    """An activity (business process) or a resource it needs.

    ``mtpd``/``rto``/``rpo`` are the activity's objectives. ``recovery_time`` and
    ``recovery_point`` are the achievable capability (what tests showed) of a resource — or of an
    activity that has its own restart time. ``prioritised`` marks a prioritised activity; when
    ``None`` an activity is prioritised exactly when it has an RTO. ``key_person`` flags a
    resource that is a person (关键人员), reported separately by the single-point-of-failure
    analysis.
    """

    key: str
    kind: str = RESOURCE
    mtpd: float | None = None
    rto: float | None = None
    rpo: float | None = None
    recovery_time: float | None = None
    recovery_point: float | None = None
    prioritised: bool | None = None
    key_person: bool = False


@dataclass(frozen=True, slots=True)
class Link:
    """``dependent`` needs ``dependency``.

    Without ``group`` the link is AND: the dependent needs this dependency. Links of one dependent
    sharing a ``group`` name form an OR redundancy group: the dependent needs any one member.
    ``tolerance`` is how long the dependent keeps working without the dependency (a manual
    workaround, a buffer stock); 0 means it stops at once.
    """

    dependent: str
    dependency: str
    group: str | None = None
    tolerance: float = 0.0
