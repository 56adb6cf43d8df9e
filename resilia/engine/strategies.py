"""Comparing continuity strategy options against the objectives they must meet (ISO 22301 8.3.3).

Plain data in, plain data out (no Django): the strategies app feeds it the objectives of an
activity (its RTO/RPO from the BIA) or of a resource (the strictest requirement of the
activities that need it, :func:`resilia.engine.order.required_objectives`) and the options
proposed for it.

The rules, one place each:

* An option **meets the RTO** when the recovery time it would achieve is at most the RTO
  (recovering *within* the time, 104号 "RTO 不得大于 4 小时" reads "≤"), and **meets the RPO**
  likewise. An unknown value (the option does not say, or no objective is set) is ``None``:
  not shown to meet anything, never assumed to.
* The **cost over the horizon** is the one-off cost plus the yearly cost times the horizon
  (3 years by default, the usual life of a DR investment; an editable default of the app).
* The **recommendation** is the cheapest option over the horizon among those meeting both
  objectives (ties: the faster recovery, then the smaller data loss, then the first given);
  none when no option meets both (ISO 22301 8.3.3 a: "meet the requirements to continue and
  recover prioritised activities within the identified time frames").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_HORIZON_YEARS = 3


@dataclass(frozen=True, slots=True)
class OptionFacts:
    """What an option would achieve and cost. Durations in minutes, costs in one currency."""

    key: object
    recovery_time: float | None
    recovery_point: float | None
    cost_once: float = 0.0
    cost_yearly: float = 0.0


@dataclass(frozen=True, slots=True)
class Verdict:
    """One option judged against the objectives. ``None`` = cannot be told."""

    key: object
    meets_rto: bool | None
    meets_rpo: bool | None
    total_cost: float
    recommended: bool = False

    @property
    def meets_both(self) -> bool:
        return bool(self.meets_rto) and bool(self.meets_rpo)


def _meets(achieved: float | None, objective: float | None) -> bool | None:
    if achieved is None or objective is None:
        return None
    return achieved <= objective


def total_cost(option: OptionFacts, horizon_years: int = DEFAULT_HORIZON_YEARS) -> float:
    """One-off cost plus the yearly cost over the horizon."""
    return float(option.cost_once or 0) + float(option.cost_yearly or 0) * horizon_years


def compare(
    options: Sequence[OptionFacts],
    *,
    rto: float | None,
    rpo: float | None,
    horizon_years: int = DEFAULT_HORIZON_YEARS,
) -> list[Verdict]:
    """The verdict of each option, in the order given; at most one is ``recommended``."""
    if horizon_years < 0:
        raise ValueError("horizon_years must not be negative")
    verdicts = [
        Verdict(
            key=o.key,
            meets_rto=_meets(o.recovery_time, rto),
            meets_rpo=_meets(o.recovery_point, rpo),
            total_cost=total_cost(o, horizon_years),
        )
        for o in options
    ]
    candidates = [
        (v.total_cost, o.recovery_time, o.recovery_point, i)
        for i, (o, v) in enumerate(zip(options, verdicts, strict=True))
        if v.meets_both
    ]
    if candidates:
        best = min(candidates)[3]
        v = verdicts[best]
        verdicts[best] = Verdict(v.key, v.meets_rto, v.meets_rpo, v.total_cost, recommended=True)
    return verdicts
