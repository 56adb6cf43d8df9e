"""Business impact analysis arithmetic over plain data (no Django).

The rules, from ../shared/reference/standards.md:
- §2 rule 2: impacts are rated per category at a fixed ascending set of time points; a rating
  may not fall as time goes on.
- §2 rule 4 (ISO 22301 8.2.2 d): the MTPD is the earliest assessed time point at which *any*
  category reaches or exceeds its own unacceptability threshold. When none does within the
  grid, there is no MTPD ("beyond the last time point").
- §1.10 (ISO 22300 RTO note): the RTO is strictly less than the MTPD.
- §2 rule 7 and DOMAIN.md §3 (6): prioritised activities are those with an RTO, ordered by RTO
  then RPO ascending (按照RTO和RPO由小到大), ties by MTPD then identifier.

Callers pass categories and time points of one framework version; ratings are a mapping of
category code to one value (or None, not rated) per time point.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Category:
    code: str
    threshold: int
    # The levels a rating may take: 1..levels.
    levels: int = 5


@dataclass(frozen=True)
class Tier:
    code: str
    # Activities whose RTO is at most this many minutes; None: any RTO (the last tier).
    max_rto: int | None


@dataclass(frozen=True)
class Reach:
    """When one category reaches its threshold: the time point (minutes) and the rating there."""

    category: str
    minutes: int
    rating: int
    threshold: int


@dataclass(frozen=True)
class Derivation:
    """The derived MTPD and why: the categories reaching their threshold at that point."""

    mtpd: int | None
    drivers: tuple[Reach, ...] = ()
    per_category: Mapping[str, Reach | None] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.mtpd is not None


@dataclass(frozen=True)
class Problem:
    """A rating that cannot be accepted, located by category code and time point index
    (None: the whole row)."""

    code: str
    category: str | None
    index: int | None
    value: object = None


def check_time_points(points: Sequence[int]) -> list[Problem]:
    """Time points must be positive whole minutes in strictly ascending order."""
    problems = []
    if not points:
        problems.append(Problem("time_points_empty", None, None))
    for i, minutes in enumerate(points):
        if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
            problems.append(Problem("time_point_invalid", None, i, minutes))
        elif i and isinstance(points[i - 1], int) and minutes <= points[i - 1]:
            problems.append(Problem("time_points_order", None, i, minutes))
    return problems


def check_ratings(
    categories: Sequence[Category],
    points: Sequence[int],
    ratings: Mapping[str, Sequence[int | None]],
) -> list[Problem]:
    """Ratings off the scale, rows of the wrong length, unknown categories, and ratings that
    fall as time goes on (§2 rule 2)."""
    known = {c.code: c for c in categories}
    problems = [Problem("unknown_category", code, None) for code in ratings if code not in known]
    for cat in categories:
        row = ratings.get(cat.code)
        if row is None:
            continue
        if len(row) != len(points):
            problems.append(Problem("row_length", cat.code, None, len(row)))
            continue
        last = None
        for i, value in enumerate(row):
            if value is None:
                continue
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not 1 <= value <= cat.levels
            ):
                problems.append(Problem("off_scale", cat.code, i, value))
                continue
            if last is not None and value < last:
                problems.append(Problem("falls", cat.code, i, value))
            last = value if last is None else max(last, value)
    return problems


def carry_right(row: Sequence[int | None]) -> list[int | None]:
    """The row with each gap and each fall replaced by the highest rating to its left: what the
    questionnaire offers when a rating falls as time goes on."""
    out: list[int | None] = []
    high = None
    for value in row:
        if value is not None and (high is None or value > high):
            high = value
        out.append(high if value is None or (high is not None and value < high) else value)
    return out


def derive_mtpd(
    categories: Sequence[Category],
    points: Sequence[int],
    ratings: Mapping[str, Sequence[int | None]],
) -> Derivation:
    """The earliest time point at which any category reaches its own threshold (§2 rule 4).

    Per category: the first time point where its rating is at or above its threshold. Overall:
    the earliest of those; the drivers are every category reaching its threshold at that point.
    """
    per: dict[str, Reach | None] = {}
    for cat in categories:
        reach = None
        for minutes, value in zip(points, ratings.get(cat.code) or (), strict=False):
            if value is not None and value >= cat.threshold:
                reach = Reach(cat.code, minutes, value, cat.threshold)
                break
        per[cat.code] = reach
    reached = [r for r in per.values() if r is not None]
    if not reached:
        return Derivation(None, (), per)
    mtpd = min(r.minutes for r in reached)
    return Derivation(mtpd, tuple(r for r in reached if r.minutes == mtpd), per)


def derive_with_peaks(
    categories: Sequence[Category],
    points: Sequence[int],
    ratings: Mapping[str, Sequence[int | None]],
    peaks: Iterable[tuple[str, Mapping[str, Sequence[int | None]]]] = (),
) -> tuple[Derivation, str | None]:
    """The MTPD over the normal ratings and each peak period's own ratings (a peak may rate a
    category higher: month-end, Double-11): the earliest wins. Returns the derivation and the
    peak period that drives it (None when the normal period does)."""
    best = derive_mtpd(categories, points, ratings)
    driver = None
    for period, peak_ratings in peaks:
        merged = {**ratings, **{k: v for k, v in peak_ratings.items() if v}}
        d = derive_mtpd(categories, points, merged)
        if d.mtpd is not None and (best.mtpd is None or d.mtpd < best.mtpd):
            best, driver = d, period
    return best, driver


@dataclass(frozen=True)
class Impact:
    """The impact at one time point: the highest rating of any category, and whether some
    category has reached its own threshold there."""

    highest: int | None
    intolerable: bool


def impact_over_time(
    categories: Sequence[Category],
    points: int,
    ratings: Mapping[str, Sequence[int | None]],
) -> list[Impact]:
    """One Impact per time point (the heat map's row, the report's "impact over time"); an
    unrated cell or a row shorter than the time points counts as not rated."""
    result = []
    for i in range(points):
        pairs = [
            (row[i], c.threshold)
            for c in categories
            if i < len(row := ratings.get(c.code) or ()) and row[i] is not None
        ]
        result.append(
            Impact(
                max((v for v, _ in pairs), default=None),
                any(v >= threshold for v, threshold in pairs),
            )
        )
    return result


def rto_valid(rto: int | None, mtpd: int | None) -> bool:
    """The RTO is strictly less than the MTPD (§1.10); with no MTPD any RTO is allowed."""
    return rto is None or mtpd is None or rto < mtpd


def tier_for(rto: int | None, tiers: Sequence[Tier]) -> str | None:
    """The first tier whose band holds the RTO (tiers in ascending order of max_rto, the last
    one open-ended); None when the activity has no RTO."""
    if rto is None:
        return None
    for tier in tiers:
        if tier.max_rto is None or rto <= tier.max_rto:
            return tier.code
    return None


@dataclass(frozen=True)
class Objectives:
    code: str
    rto: int | None
    rpo: int | None
    mtpd: int | None


def priority_order(items: Iterable[Objectives]) -> list[Objectives]:
    """Prioritised activities (those with an RTO) by RTO, then RPO, ascending; ties by MTPD
    then code (§2 rule 7; seeds: 按照RTO和RPO由小到大). A missing RPO or MTPD sorts last."""
    big = float("inf")
    chosen = [i for i in items if i.rto is not None]
    return sorted(
        chosen,
        key=lambda i: (
            i.rto,
            big if i.rpo is None else i.rpo,
            big if i.mtpd is None else i.mtpd,
            i.code,
        ),
    )
