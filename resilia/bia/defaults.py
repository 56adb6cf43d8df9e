"""The default impact framework (issue 9 item 1; standards.md §2 rules 1-3, DOMAIN.md §3).

Categories after the ISO 22313/22317 lists and the seeds' losses (revenue, productivity,
reputation, financial standing, legal); each with a 1-5 scale described per level and its own
unacceptability threshold. Thresholds and bands are [M] conventions: an organisation edits them
(a change makes a new framework version). Names are stored in both languages: `name` in the
organisation's language (Chinese), `name_en` in English.
"""

H = 60
D = 24 * H

LEVELS = [
    ("轻微", "Negligible"),
    ("较小", "Minor"),
    ("中等", "Moderate"),
    ("严重", "Major"),
    ("灾难性", "Severe"),
]

MONEY_BANDS = [
    ("低于10万元", "Under CNY 100,000"),
    ("10万至100万元", "CNY 100,000 to 1 million"),
    ("100万至1000万元", "CNY 1 to 10 million"),
    ("1000万至1亿元", "CNY 10 to 100 million"),
    ("1亿元以上", "Over CNY 100 million"),
]


def _levels(names=LEVELS):
    return [{"name": zh, "name_en": en} for zh, en in names]


CATEGORIES = [
    {"code": "financial", "name": "财务影响", "name_en": "Financial", "kind": "money",
     "threshold": 4, "levels": _levels(MONEY_BANDS)},
    {"code": "operational", "name": "运营影响", "name_en": "Operational", "kind": "rating",
     "threshold": 4, "levels": _levels()},
    {"code": "customer", "name": "客户与服务影响", "name_en": "Customer and service",
     "kind": "rating", "threshold": 4, "levels": _levels()},
    {"code": "reputational", "name": "声誉影响", "name_en": "Reputational", "kind": "rating",
     "threshold": 4, "levels": _levels()},
    {"code": "legal", "name": "法律与监管影响", "name_en": "Legal and regulatory",
     "kind": "rating", "threshold": 4, "levels": _levels()},
    {"code": "safety", "name": "人身健康与安全影响", "name_en": "Health and safety",
     "kind": "rating", "threshold": 3, "levels": _levels()},
    {"code": "environmental", "name": "环境影响", "name_en": "Environmental", "kind": "rating",
     "threshold": 4, "levels": _levels()},
]  # fmt: skip

TIME_POINTS = [1 * H, 2 * H, 4 * H, 8 * H, 1 * D, 2 * D, 3 * D, 7 * D, 14 * D, 30 * D]

TIERS = [
    {"code": "T1", "name": "第一级（4小时内）", "name_en": "Tier 1 (within 4 h)",
     "max_rto": 4 * H},
    {"code": "T2", "name": "第二级（24小时内）", "name_en": "Tier 2 (within 24 h)",
     "max_rto": 24 * H},
    {"code": "T3", "name": "第三级（72小时内）", "name_en": "Tier 3 (within 72 h)",
     "max_rto": 72 * H},
    {"code": "T4", "name": "第四级（72小时以上）", "name_en": "Tier 4 (beyond 72 h)",
     "max_rto": None},
]  # fmt: skip

PEAK_PERIODS = [
    {"code": "month_end", "name": "月末", "name_en": "Month-end"},
    {"code": "quarter_end", "name": "季末", "name_en": "Quarter-end"},
    {"code": "year_end", "name": "年末", "name_en": "Year-end"},
    {"code": "spring_festival", "name": "春节", "name_en": "Spring Festival"},
    {"code": "double_11", "name": "双十一", "name_en": "Double-11"},
    {"code": "summer_peak", "name": "迎峰度夏", "name_en": "Summer peak load"},
]

# When the questionnaire asks for resources needed over time: day 1, day 3, week 1, week 2,
# month 1 (the seeds' resource tables).
RESOURCE_POINTS = [1 * D, 3 * D, 7 * D, 14 * D, 30 * D]
