"""The risk matrix arithmetic against the worked examples of reference/standards.md §6."""

import datetime as dt

import pytest

from resilia.engine import risk


def levels(n):
    return [{"name": str(i)} for i in range(1, n + 1)]


# standards.md §6 convention A (国家安全监管总局 红橙黄蓝): 1-3 低 blue, 4-9 一般 yellow,
# 10-16 较大 orange, 20-25 重大 red; review 360/180/90/90 days (issue 10 defaults).
BANDS_A = [
    {"code": "low", "min": 1, "max": 3, "colour": "blue", "review_days": 360},
    {"code": "general", "min": 4, "max": 9, "colour": "yellow", "review_days": 180},
    {"code": "major", "min": 10, "max": 16, "colour": "orange", "review_days": 90},
    {"code": "critical", "min": 20, "max": 25, "colour": "red", "review_days": 90},
]
# standards.md §6 convention B: 1-3 轻微, 4-8 一般, 9-16 较大, 20-25 重大.
BANDS_B = [
    {"code": "low", "min": 1, "max": 3, "colour": "blue", "review_days": 360},
    {"code": "general", "min": 4, "max": 8, "colour": "yellow", "review_days": 180},
    {"code": "major", "min": 9, "max": 16, "colour": "orange", "review_days": 90},
    {"code": "critical", "min": 20, "max": 25, "colour": "red", "review_days": 90},
]


def pack(bands=BANDS_A, n=5, **extra):
    return {"likelihood": levels(n), "impact": levels(n), "method": "product",
            "bands": bands, "appetite": "major", **extra}  # fmt: skip


def test_it_scores_the_5x5_product_matrix():
    """standards.md §6: R = L × S ∈ {1,2,3,4,5,6,8,9,10,12,15,16,20,25}."""
    m = risk.matrix(pack())
    assert risk.reachable_scores(m) == [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25]
    assert risk.assess(m, 4, 3) == (12, m.bands[2])  # 较大, orange
    assert risk.assess(m, 1, 3)[1].code == "low"  # 3 → 低 (blue)
    assert risk.assess(m, 5, 4)[1].colour == "red"  # 20 → 重大
    assert risk.assess(m, 4, 4)[1].code == "major"  # 16 → 较大


def test_it_bands_a_score_of_9_differently_under_the_two_conventions():
    """standards.md §6: conventions A and B differ only at R = 9 (一般 under A, 较大 under B)."""
    a, b = risk.matrix(pack(BANDS_A)), risk.matrix(pack(BANDS_B))
    assert risk.assess(a, 3, 3)[1].code == "general"
    assert risk.assess(b, 3, 3)[1].code == "major"
    for lk in range(1, 6):
        for im in range(1, 6):
            if lk * im != 9:
                assert risk.assess(a, lk, im)[1].code == risk.assess(b, lk, im)[1].code


def test_it_accepts_both_default_packs_and_refuses_off_scale_ratings():
    m = risk.matrix(pack())
    assert risk.problems(pack()) == [] and risk.problems(pack(BANDS_B)) == []
    for lk, im in ((0, 1), (6, 1), (1, 6), ("3", 2), (True, 2), (2.5, 2)):
        with pytest.raises(risk.RatingError):
            risk.score(m, lk, im)


def test_it_refuses_overlapping_bands_and_uncovered_scores():
    overlap = [dict(b) for b in BANDS_A]
    overlap[1]["max"] = 10  # 一般 4-10 and 较大 10-16
    assert ("band_overlap", {"first": "general", "second": "major"}) in risk.problems(pack(overlap))
    gap = [dict(b) for b in BANDS_A]
    gap[2]["min"] = 13  # 10 and 12 are reachable and now in no band
    assert [p for p in risk.problems(pack(gap)) if p[0] == "band_gap"] == [
        ("band_gap", {"score": 10}),
        ("band_gap", {"score": 12}),
    ]
    # 17-19 are not reachable on a 5x5 product matrix: the default table leaves no gap.
    assert risk.problems(pack()) == []
    # A 6x6 matrix reaches 30 and 36: the 5x5 bands leave them uncovered.
    assert ("band_gap", {"score": 30}) in risk.problems(pack(n=6))


def test_it_accepts_3x3_to_6x6_and_refuses_other_sizes():
    assert risk.problems(pack(n=2))[0] == ("size", {"axis": "likelihood", "levels": 2})
    assert risk.problems(pack(n=7))[0][0] == "size"
    four = [
        {"code": "low", "min": 1, "max": 3, "colour": "blue", "review_days": 360},
        {"code": "general", "min": 4, "max": 6, "colour": "yellow", "review_days": 180},
        {"code": "major", "min": 8, "max": 16, "colour": "orange", "review_days": 90},
    ]
    m = risk.matrix(pack(four, n=4))
    assert risk.reachable_scores(m)[-1] == 16


def test_it_scores_by_a_full_cell_table():
    """standards.md §6: a non-multiplicative lookup, cell by cell."""
    table = [[1, 1, 2], [1, 2, 3], [2, 3, 3]]
    bands = [
        {"code": "low", "min": 1, "max": 1, "colour": "blue", "review_days": 360},
        {"code": "general", "min": 2, "max": 2, "colour": "yellow", "review_days": 180},
        {"code": "major", "min": 3, "max": 3, "colour": "red", "review_days": 90},
    ]
    p = {"likelihood": levels(3), "impact": levels(3), "method": "table", "table": table,
         "bands": bands, "appetite": "major"}  # fmt: skip
    assert risk.problems(p) == []
    m = risk.matrix(p)
    assert risk.assess(m, 3, 2) == (3, m.bands[2])
    assert risk.problems({**p, "table": [[1, 2]]})[0][0] == "table_shape"
    assert risk.problems({**p, "table": [[0, 1, 1]] * 3})[0][0] == "table_value"


def test_it_decides_treatment_from_the_appetite_and_review_from_the_band():
    """ISO 22301 8.2.3 c): treat when the band reaches the appetite (here 较大)."""
    m = risk.matrix(pack())
    assert not risk.needs_treatment(m, risk.assess(m, 3, 3)[1])  # 9 一般
    assert risk.needs_treatment(m, risk.assess(m, 2, 5)[1])  # 10 较大
    assert risk.needs_treatment(m, risk.assess(m, 5, 5)[1])  # 25 重大
    day = dt.date(2026, 1, 1)
    assert risk.next_review(m, risk.assess(m, 5, 5)[1], day) == dt.date(2026, 4, 1)  # 90 days
    assert risk.next_review(m, risk.assess(m, 1, 1)[1], day) == dt.date(2026, 12, 27)  # 360
    assert risk.problems(pack(appetite="none"))[0] == ("appetite", {"band": "none"})


def test_it_suggests_an_impact_from_a_scenario():
    assert risk.suggest_impact(5, stopped=0, breached=0) == 1
    assert risk.suggest_impact(5, stopped=3, breached=0) == 2
    assert risk.suggest_impact(5, stopped=3, breached=1) == 4
    assert risk.suggest_impact(5, stopped=9, breached=7) == 5
    assert risk.suggest_impact(3, stopped=1, breached=1) == 3
