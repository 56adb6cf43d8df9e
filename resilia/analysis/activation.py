"""What to activate when something fails: the plans and teams the what-if page lists.

The analysis sits below the apps that hold plans, so it offers a registry: an app above
registers a source from its AppConfig.ready() (plans does), and the what-if page asks every
source with the keys of what failed and what stops ("activity:PAY", "resource:CORE").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Activation:
    """One thing to activate: a plan (or anything a source names) with its teams and the
    failed or stopped nodes that call for it."""

    kind: str
    code: str
    name: str
    url: str
    teams: list[str] = field(default_factory=list)
    because: list[str] = field(default_factory=list)


# source(user, keys) -> [Activation]
_SOURCES: list[Callable[..., list[Activation]]] = []


def register_source(source: Callable[..., list[Activation]]) -> None:
    """Add a source of activations (from an AppConfig.ready)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def to_activate(user, keys: Iterable[str]) -> list[Activation]:
    """Every source's activations for these node keys, as the user may read them."""
    keys = set(keys)
    if not keys:
        return []
    found: list[Activation] = []
    for source in _SOURCES:
        found.extend(source(user, keys))
    return found
