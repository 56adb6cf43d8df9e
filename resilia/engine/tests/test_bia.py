"""Worked examples of the BIA arithmetic (resilia.engine.bia), written from
../shared/reference/standards.md §1.10 and §2 and DOMAIN.md §3."""

from resilia.engine import bia
from resilia.engine.bia import (
    Category,
    Objectives,
    Tier,
    carry_right,
    check_ratings,
    check_time_points,
    derive_mtpd,
    derive_with_peaks,
    priority_order,
    rto_valid,
    tier_for,
)

H = 60
POINTS = [1 * H, 2 * H, 4 * H, 8 * H, 24 * H, 48 * H, 72 * H, 168 * H, 336 * H, 720 * H]
CATS = [
    Category("financial", 4),
    Category("operational", 4),
    Category("legal", 4),
    Category("reputational", 5),
]


def test_mtpd_is_the_earliest_point_any_category_reaches_its_own_threshold():
    """§2 rule 4 / ISO 22301 8.2.2 d): legal and regulatory reaches 4, its threshold, at 8 h,
    before financial (4 at 24 h): the MTPD is 8 h and legal drives it."""
    ratings = {
        "financial": [1, 1, 2, 3, 4, 5, 5, 5, 5, 5],
        "operational": [1, 2, 2, 3, 3, 4, 4, 5, 5, 5],
        "legal": [1, 1, 3, 4, 4, 4, 5, 5, 5, 5],
        "reputational": [1, 1, 1, 2, 3, 4, 5, 5, 5, 5],
    }
    d = derive_mtpd(CATS, POINTS, ratings)
    assert d.mtpd == 8 * H
    assert [r.category for r in d.drivers] == ["legal"]
    assert d.drivers[0].rating == 4 and d.drivers[0].threshold == 4
    assert d.per_category["financial"].minutes == 24 * H
    assert d.per_category["operational"].minutes == 48 * H
    # Reputational's own threshold is 5: reached at 72 h, though it is 4 at 48 h.
    assert d.per_category["reputational"].minutes == 72 * H


def test_two_categories_reaching_together_both_drive():
    ratings = {"financial": [4] * 10, "legal": [4] * 10}
    d = derive_mtpd(CATS, POINTS, ratings)
    assert d.mtpd == 1 * H
    assert {r.category for r in d.drivers} == {"financial", "legal"}


def test_no_category_reaching_its_threshold_leaves_no_mtpd():
    """§2 rule 4: none within the grid: MTPD is beyond the last time point, not the last one."""
    d = derive_mtpd(CATS, POINTS, {"financial": [1, 1, 2, 2, 3, 3, 3, 3, 3, 3]})
    assert d.mtpd is None and not d.found and d.drivers == ()


def test_a_peak_period_with_higher_ratings_shortens_the_mtpd():
    """Calendar peaks (month-end, Double-11) rated on their own: the earliest wins."""
    normal = {"financial": [1, 2, 2, 3, 4, 5, 5, 5, 5, 5]}
    peak = ("month_end", {"financial": [2, 3, 4, 5, 5, 5, 5, 5, 5, 5]})
    d, driver = derive_with_peaks(CATS, POINTS, normal, [peak])
    assert d.mtpd == 4 * H and driver == "month_end"
    d, driver = derive_with_peaks(CATS, POINTS, normal, [])
    assert d.mtpd == 24 * H and driver is None


def test_ratings_may_not_fall_and_must_be_on_the_scale():
    """§2 rule 2: ratings are non-decreasing over time."""
    problems = check_ratings(
        CATS, POINTS, {"financial": [1, 3, 2, 3, 3, 3, 3, 3, 3, 9], "nope": [1] * 10}
    )
    codes = {(p.code, p.category, p.index) for p in problems}
    assert ("falls", "financial", 2) in codes
    assert ("off_scale", "financial", 9) in codes
    assert ("unknown_category", "nope", None) in codes
    assert check_ratings(CATS, POINTS, {"legal": [1, 2]})[0].code == "row_length"
    assert check_ratings(CATS, POINTS, {"legal": [1, None, 2] + [3] * 7}) == []


def test_carry_right_fills_gaps_and_falls_with_the_highest_rating_to_the_left():
    assert carry_right([1, 3, 2, None, 4, 1]) == [1, 3, 3, 3, 4, 4]
    assert carry_right([None, 2]) == [None, 2]


def test_time_points_ascend_strictly():
    assert check_time_points(POINTS) == []
    assert [p.code for p in check_time_points([60, 60, 30])] == [
        "time_points_order",
        "time_points_order",
    ]
    assert check_time_points([])[0].code == "time_points_empty"
    assert check_time_points([0])[0].code == "time_point_invalid"


def test_rto_must_be_strictly_below_the_mtpd():
    """§1.10 ISO 22300 RTO note: "less than" — an RTO equal to the MTPD is refused."""
    assert rto_valid(239, 240)
    assert not rto_valid(240, 240)
    assert not rto_valid(241, 240)
    assert rto_valid(240, None) and rto_valid(None, 240)


def test_tiers_by_rto_band():
    """Default tiers: ≤4 h, ≤24 h, ≤72 h, beyond (issue 9 item 1)."""
    tiers = [Tier("1", 4 * H), Tier("2", 24 * H), Tier("3", 72 * H), Tier("4", None)]
    assert tier_for(4 * H, tiers) == "1"
    assert tier_for(4 * H + 1, tiers) == "2"
    assert tier_for(100 * H, tiers) == "4"
    assert tier_for(None, tiers) is None


def test_priorities_by_rto_then_rpo_then_mtpd_then_code():
    """DOMAIN.md §3 (6) 按照RTO和RPO由小到大; §2 rule 7: ties by MTPD then identifier; activities
    without an RTO are not prioritised."""
    items = [
        Objectives("D", 240, 30, 480),
        Objectives("C", 240, 15, 480),
        Objectives("B", 120, None, 480),
        Objectives("A", 240, 15, 300),
        Objectives("E", None, 5, 60),
        Objectives("F", 240, 15, 300),
    ]
    assert [i.code for i in priority_order(items)] == ["B", "A", "F", "C", "D"]


def test_it_reads_the_impact_at_each_time_point_as_the_heat_map_draws_it():
    """The heat map and the report's "impact over time" show, per time point, the highest
    rating of any category and whether some category has reached its own threshold (seed 002
    §二: 不可接受 once a category reaches its threshold). A short or missing row is unrated."""
    cats = [bia.Category("financial", 4), bia.Category("legal", 3)]
    ratings = {"financial": [1, 2, 4], "legal": [2, 3]}
    got = bia.impact_over_time(cats, 4, ratings)
    assert [(i.highest, i.intolerable) for i in got] == [
        (2, False),
        (3, True),  # legal reaches its threshold 3 before financial reaches 4
        (4, True),
        (None, False),  # no category rated at the fourth time point
    ]
    assert bia.impact_over_time(cats, 2, {}) == [bia.Impact(None, False)] * 2
