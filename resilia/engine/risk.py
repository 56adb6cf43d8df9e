"""Risk scoring over plain data (no Django): the matrix, its bands, appetite and reviews.

The rules, from ../shared/reference/standards.md §6:
- A matrix rates likelihood 1..L and impact 1..I (any size from 3×3 to 6×6); the common 5×5
  scores R = L × I, so R ∈ {1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25}.
- Some organisations look the score up cell by cell instead: a full L × I table.
- Bands are convention, not standard: every score the matrix can produce falls in exactly one
  band (none overlap, none is missing). Default (convention A, 红橙黄蓝): 1-3 低 (blue),
  4-9 一般 (yellow), 10-16 较大 (orange), 20-25 重大 (red).
- ISO 22301 8.2.3 c): a risk needs treatment when its band reaches the appetite band.

A matrix is described as a dict (the rule pack the risk app stores, one version per save):
{"likelihood": [{...}] * L, "impact": [{...}] * I, "method": "product" | "table",
"table": [[score per impact level] per likelihood level] (method "table"),
"bands": [{"code", "min", "max", "colour", "review_days", ...}] ascending,
"appetite": band code}. The level and band entries may carry names; the engine ignores them.
Problems are reported as (code, params) so that the caller translates them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

MIN_LEVELS = 3
MAX_LEVELS = 6
METHODS = ("product", "table")
COLOURS = ("blue", "green", "yellow", "orange", "red", "grey")


class RatingError(ValueError):
    """A likelihood or impact rating off the matrix's scale."""

    def __init__(self, axis: str, value, levels: int):
        super().__init__(f"{axis} {value!r} is not between 1 and {levels}")
        self.axis, self.value, self.levels = axis, value, levels


@dataclass(frozen=True)
class Band:
    code: str
    low: int
    high: int
    colour: str
    review_days: int


@dataclass(frozen=True)
class Matrix:
    likelihood_levels: int
    impact_levels: int
    method: str
    table: tuple[tuple[int, ...], ...] | None
    bands: tuple[Band, ...]
    appetite: str


def problems(pack: Mapping) -> list[tuple[str, dict]]:
    """Everything wrong with a matrix description, as (code, params); empty when it is sound.

    Codes: size, method, table_shape, table_value, band_range, band_colour, band_review,
    band_code, band_overlap, band_gap, appetite.
    """
    found: list[tuple[str, dict]] = []
    n_l, n_i = len(pack.get("likelihood") or []), len(pack.get("impact") or [])
    for axis, n in (("likelihood", n_l), ("impact", n_i)):
        if not MIN_LEVELS <= n <= MAX_LEVELS:
            found.append(("size", {"axis": axis, "levels": n}))
    if found:
        return found
    method = pack.get("method")
    if method not in METHODS:
        return [("method", {"method": method})]
    if method == "table":
        table = pack.get("table")
        if not isinstance(table, list) or len(table) != n_l:
            return [("table_shape", {"rows": n_l, "columns": n_i})]
        for row in table:
            if not isinstance(row, list) or len(row) != n_i:
                return [("table_shape", {"rows": n_l, "columns": n_i})]
            for value in row:
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    found.append(("table_value", {"value": value}))
        if found:
            return found
    bands = pack.get("bands") or []
    codes = set()
    for band in bands:
        low, high = band.get("min"), band.get("max")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)) or not (
            1 <= low <= high
        ):
            found.append(("band_range", {"band": band.get("code"), "min": low, "max": high}))
        if band.get("colour") not in COLOURS:
            found.append(("band_colour", {"band": band.get("code")}))
        days = band.get("review_days")
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            found.append(("band_review", {"band": band.get("code")}))
        if not band.get("code") or band.get("code") in codes:
            found.append(("band_code", {"band": band.get("code")}))
        codes.add(band.get("code"))
    if found or not bands:
        return found or [("band_gap", {"score": 1})]
    ranges = sorted((b["min"], b["max"], b["code"]) for b in bands)
    for (_lo1, hi1, c1), (lo2, _hi2, c2) in zip(ranges, ranges[1:], strict=False):
        if lo2 <= hi1:
            found.append(("band_overlap", {"first": c1, "second": c2}))
    if found:
        return found
    for score in reachable_scores(_shape(pack)):
        if not any(lo <= score <= hi for lo, hi, _c in ranges):
            found.append(("band_gap", {"score": score}))
    if pack.get("appetite") not in codes:
        found.append(("appetite", {"band": pack.get("appetite")}))
    return found


def _shape(pack: Mapping) -> Matrix:
    table = pack.get("table") if pack.get("method") == "table" else None
    return Matrix(
        likelihood_levels=len(pack["likelihood"]),
        impact_levels=len(pack["impact"]),
        method=pack["method"],
        table=tuple(tuple(row) for row in table) if table else None,
        bands=(),
        appetite=pack.get("appetite", ""),
    )


def matrix(pack: Mapping) -> Matrix:
    """The Matrix of a sound description (call problems() first: this one trusts it)."""
    shape = _shape(pack)
    bands = tuple(
        Band(b["code"], b["min"], b["max"], b["colour"], b["review_days"])
        for b in sorted(pack["bands"], key=lambda b: b["min"])
    )
    return Matrix(
        shape.likelihood_levels, shape.impact_levels, shape.method, shape.table, bands,
        shape.appetite,
    )  # fmt: skip


def reachable_scores(m: Matrix) -> list[int]:
    """Every score some cell of the matrix gives, ascending."""
    return sorted(
        {
            cell_score(m, lk, im)
            for lk in range(1, m.likelihood_levels + 1)
            for im in range(1, m.impact_levels + 1)
        }
    )


def cell_score(m: Matrix, likelihood: int, impact: int) -> int:
    if m.method == "table" and m.table:
        return m.table[likelihood - 1][impact - 1]
    return likelihood * impact


def check_rating(m: Matrix, likelihood, impact) -> None:
    """RatingError unless both ratings are whole levels on the matrix's scales."""
    for axis, value, levels in (
        ("likelihood", likelihood, m.likelihood_levels),
        ("impact", impact, m.impact_levels),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= levels:
            raise RatingError(axis, value, levels)


def score(m: Matrix, likelihood: int, impact: int) -> int:
    """The score of a rating: L × I, or the table's cell (RatingError when off the scale)."""
    check_rating(m, likelihood, impact)
    return cell_score(m, likelihood, impact)


def band_of(m: Matrix, value: int) -> Band:
    """The band a score falls in (a sound matrix has exactly one for every reachable score)."""
    for band in m.bands:
        if band.low <= value <= band.high:
            return band
    raise LookupError(f"no band covers the score {value}")


def assess(m: Matrix, likelihood: int, impact: int) -> tuple[int, Band]:
    """(score, band) of one rating."""
    value = score(m, likelihood, impact)
    return value, band_of(m, value)


def needs_treatment(m: Matrix, band: Band) -> bool:
    """Whether the band reaches the appetite (the lowest band that needs treatment)."""
    order = [b.code for b in m.bands]
    return order.index(band.code) >= order.index(m.appetite)


def next_review(m: Matrix, band: Band, since: dt.date) -> dt.date:
    """The next review date: `since` plus the band's review interval."""
    return since + dt.timedelta(days=band.review_days)


def suggest_impact(levels: int, *, stopped: int, breached: int) -> int:
    """The impact level a scenario suggests on a scale of 1..levels.

    The failure stops nothing: the lowest level. It stops activities but none breaches its
    MTPD within the risk's typical duration: the second. Otherwise one level per breached
    activity above the middle of the scale (one breach: the level above the middle), capped
    at the top. A default heuristic the assessor reviews; the suggestion is kept.
    """
    if stopped <= 0:
        return 1
    if breached <= 0:
        return min(2, levels)
    middle = (levels + 1) // 2
    return min(levels, middle + breached)
