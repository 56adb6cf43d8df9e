"""Worked examples of comparing strategy options against objectives (engine/strategies.py)."""

import pytest

from resilia.engine.strategies import OptionFacts, compare, total_cost

H = 60


def test_it_recommends_the_cheapest_option_meeting_a_banks_rto_and_rpo():
    """104号: an important business has RTO ≤ 4 h and RPO ≤ 30 min ("不得大于": ≤ meets).

    Core payment clearing, RTO 4 h, RPO 30 min, three options over 3 years:
    - active/standby data centre: 30 min / 0, 2,000,000 + 300,000/yr = 2,900,000;
    - cold standby at the DR site: 8 h / 60 min, 400,000 + 50,000/yr — misses both;
    - warm standby: exactly 4 h / 30 min, 800,000 + 100,000/yr = 1,100,000 — meets both (≤).
    The warm standby is recommended: cheapest of those meeting both.
    """
    options = [
        OptionFacts("hot", 30, 0, 2_000_000, 300_000),
        OptionFacts("cold", 8 * H, 60, 400_000, 50_000),
        OptionFacts("warm", 4 * H, 30, 800_000, 100_000),
    ]
    hot, cold, warm = compare(options, rto=4 * H, rpo=30)
    assert (hot.meets_rto, hot.meets_rpo, hot.total_cost) == (True, True, 2_900_000)
    assert (cold.meets_rto, cold.meets_rpo, cold.recommended) == (False, False, False)
    assert (warm.meets_rto, warm.meets_rpo, warm.total_cost) == (True, True, 1_100_000)
    assert [v.key for v in (hot, cold, warm) if v.recommended] == ["warm"]


def test_it_recommends_nothing_when_no_option_meets_both():
    """ISO 22301 8.3.3 a: only options meeting the time frames qualify."""
    verdicts = compare([OptionFacts("a", 5 * H, 0), OptionFacts("b", 60, 120)], rto=4 * H, rpo=30)
    assert [(v.meets_rto, v.meets_rpo, v.recommended) for v in verdicts] == [
        (False, True, False),
        (True, False, False),
    ]


def test_it_never_assumes_an_unknown_value_meets_an_objective():
    """A manual workaround with no stated recovery point, and an activity with no RPO set."""
    workaround, tested = compare(
        [OptionFacts("manual", 60, None, 0, 20_000), OptionFacts("dc", 30, 0)], rto=120, rpo=None
    )
    assert (workaround.meets_rto, workaround.meets_rpo, workaround.recommended) == (
        True,
        None,
        False,
    )
    assert (tested.meets_rto, tested.meets_rpo, tested.recommended) == (True, None, False)


def test_it_breaks_cost_ties_by_the_faster_recovery():
    verdicts = compare(
        [OptionFacts("slow", 120, 0, 100), OptionFacts("fast", 60, 0, 100)], rto=240, rpo=30
    )
    assert [v.key for v in verdicts if v.recommended] == ["fast"]


def test_it_counts_the_yearly_cost_over_the_horizon():
    assert total_cost(OptionFacts("x", 1, 1, 1000, 250), horizon_years=5) == 2250
    with pytest.raises(ValueError):
        compare([], rto=1, rpo=1, horizon_years=-1)
