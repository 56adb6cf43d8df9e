"""Incident grading by rule pack: worked examples from reference/standards.md §4.2 (banking,
银监办发〔2008〕53号) and §5 (power, 国务院令第599号 附表), and the pack checks."""

import copy

import pytest

from resilia.engine.grading import (
    BANKING_53,
    DEFAULT_PACKS,
    GENERIC,
    POWER_599,
    check,
    deadlines,
    grade,
    next_escalation,
)


@pytest.mark.parametrize("pack", DEFAULT_PACKS, ids=lambda p: p["code"])
def test_default_packs_are_sound(pack):
    assert check(pack) == []


@pytest.mark.parametrize(
    ("provinces", "minutes", "level"),
    [
        (2, 180, "I"),  # 两个（含）以上省…达3个小时（含）以上 — both bounds inclusive
        (3, 179, "II"),  # two or more provinces, 30 min to under 3 h
        (1, 360, "I"),  # 一个省达6个小时（含）以上
        (1, 359, "II"),  # 一个省达3个小时（含）以上
        (1, 180, "II"),
        (2, 30, "II"),  # 两个（含）以上省达半个小时（含）以上
        (2, 29, None),  # under half an hour: no grade yet
        (1, 30, "III"),  # 一个省达半个小时（含）以上
        (1, 29, None),
        (0, 600, None),  # no province affected: nothing in this scheme
    ],
)
def test_banking_53_grades(provinces, minutes, level):
    """standards.md §4.2: Ⅰ级 ≥2 provinces ≥3 h or 1 province ≥6 h; Ⅱ级 ≥2 provinces ≥30 min or
    1 province ≥3 h; Ⅲ级 1 province ≥30 min; "(含)" makes each bound inclusive."""
    assert grade(BANKING_53, {"provinces": provinces, "duration": minutes}).level == level


def test_banking_53_takes_the_highest_grade_met():
    """standards.md §4.2: an event meeting the criteria of several grades takes the highest.
    Two provinces for 3 h meets Ⅰ, Ⅱ (both criteria) and Ⅲ: the grade is Ⅰ, and every
    criterion met is kept as the grade's basis."""
    result = grade(BANKING_53, {"provinces": 2, "duration": 180})
    assert result.level == "I"
    assert [m.level for m in result.matches] == ["I", "II", "II", "III"]


def test_unknown_facts_reach_no_grade():
    assert grade(BANKING_53, {"duration": 999}).level is None
    assert grade(BANKING_53, {"provinces": "many", "duration": 999}).level is None


def test_banking_53_escalation_is_proposed_before_it_is_due():
    """One province for 2 h is Ⅲ级; at 3 h it becomes Ⅱ级 (standards.md §4.2)."""
    esc = next_escalation(BANKING_53, {"provinces": 1, "duration": 120})
    assert (esc.level, esc.at_minutes) == ("II", 180)
    esc = next_escalation(BANKING_53, {"provinces": 1, "duration": 200})
    assert (esc.level, esc.at_minutes) == ("I", 360)
    esc = next_escalation(BANKING_53, {"provinces": 2, "duration": 10})
    assert (esc.level, esc.at_minutes) == ("II", 30)
    assert next_escalation(BANKING_53, {"provinces": 2, "duration": 200}) is None


def test_banking_53_reporting_deadlines():
    """standards.md §4.2: initial report within 30 minutes, written within 12 hours; Ⅰ级 adds a
    progress report every 60 minutes until closure."""
    ii = deadlines(BANKING_53, "II", until_minutes=300)
    assert [(d.code, d.at_minutes) for d in ii] == [("initial", 30), ("written", 720)]
    one = deadlines(BANKING_53, "I", until_minutes=150)
    assert [(d.code, d.n, d.at_minutes) for d in one] == [
        ("initial", 1, 30),
        ("progress", 1, 60),
        ("progress", 2, 120),
        ("progress", 3, 180),
        ("written", 1, 720),
    ]


@pytest.mark.parametrize(
    ("grid", "shed", "users", "level"),
    [
        ("regional", 30, None, "especially_major"),  # 区域性电网减供≥30%
        ("regional", 29.9, None, "major"),  # 10%–30%: "以下不包括本数"
        ("regional", 10, None, "major"),
        ("regional", 9.99, None, "serious"),  # 7%–10%
        ("regional", 7, None, "serious"),
        ("regional", 4, None, "general"),
        ("regional", 3.9, None, None),
        ("province_20000", 30, None, "especially_major"),
        ("province_20000", 13, None, "major"),
        ("province_20000", 12, None, "serious"),
        ("province_5000", 40, None, "especially_major"),
        ("province_5000", 39, None, "major"),
        ("province_1000", 50, None, "major"),
        ("municipality", 10, 60, "especially_major"),  # 或≥60%用户停电
        ("municipality", 20, None, "major"),
        ("municipality", 5, 30, "major"),
        ("capital_2000", 60, None, "especially_major"),
        ("capital_2000", 10, 70, "especially_major"),
        ("capital_2000", 40, None, "major"),
        ("city_600", 60, None, "major"),
        ("city_600", 0, 70, "major"),
    ],
)
def test_power_599_grades(grid, shed, users, level):
    """standards.md §5, 599号 附表 by 减供负荷比例 and 城市供电用户停电比例, with its note
    "以上包括本数，以下不包括本数"."""
    facts = {"grid": grid, "load_shed": shed, "users_cut": users}
    assert grade(POWER_599, facts).level == level


def test_generic_scale():
    """DOMAIN.md §6: small-scale when an activity stops, large-scale when a site is lost or
    three activities stop (editable [M] thresholds)."""
    assert grade(GENERIC, {"activities": 0, "sites": 0}).level is None
    assert grade(GENERIC, {"activities": 1, "sites": 0}).level == "small"
    assert grade(GENERIC, {"activities": 3, "sites": 0}).level == "large"
    assert grade(GENERIC, {"activities": 1, "sites": 1}).level == "large"
    assert next_escalation(GENERIC, {"activities": 1, "duration": 5}) is None


def test_check_names_what_is_wrong():
    pack = copy.deepcopy(BANKING_53)
    pack["levels"][0]["criteria"][0]["all"].append({"fact": "weather", "min": 1})
    pack["levels"][1]["rank"] = pack["levels"][0]["rank"]
    pack["reports"][2]["levels"] = ["IV"]
    problems = check(pack)
    assert "level I: unknown fact weather" in problems
    assert "level ranks must be distinct whole numbers" in problems
    assert "report progress: unknown level IV" in problems
    assert check({"levels": []}) == ["no levels"]
