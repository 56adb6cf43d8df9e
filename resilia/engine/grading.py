"""Incident grading by rule pack, over plain facts (no Django; ARCHITECTURE.md "Rules as data").

A grading pack is a plain mapping:

    {code, name, name_en, version,
     facts:   [{code, name, name_en, kind: "int" | "percent" | "minutes" | "choice",
                choices: [{code, name, name_en}], derived: "elapsed" | "activities" | "sites"}],
     levels:  [{code, name, name_en, rank, criteria: [criterion]}],   highest rank = most severe
     reports: [{code, name, name_en, within_minutes | every_minutes, levels: [level code],
                recipient, recipient_en, path, path_en}]}

A criterion is {all: [condition], text, text_en, source, confidence}: it holds when every
condition holds. A condition names one fact and one test: ``min`` (the fact is at least the
value: "以上包括本数", 599号's table note), ``below`` (strictly less: "以下不包括本数"), or
``in`` (a choice among codes). A fact not known (None, absent) satisfies no condition, so a
level is never reached on what nobody entered.

The level of an incident is the most severe level with a criterion that holds (53号: an event
that meets the criteria of several grades takes the highest). Where a criterion of a more
severe level fails only on the elapsed duration, `next_escalation` says when it will hold:
the live clock proposes the escalation before it is due.

`source` and `confidence` carry reference/standards.md's tags ([V] verified, [S] secondary,
[M] memory or convention): every threshold tagged [M] is a default an organisation edits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

H = 60

ELAPSED = "elapsed"


class PackError(ValueError):
    """A pack that cannot be evaluated; `problems` lists what is wrong, in English codes the
    caller translates (the pack editor shows them)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Match:
    level: str
    rank: int
    criterion: int  # index in the level's criteria
    text: str
    text_en: str
    source: str
    confidence: str


@dataclass(frozen=True)
class Escalation:
    """A more severe level that `criterion` reaches once the elapsed duration reaches
    `at_minutes` (the other conditions already hold)."""

    level: str
    rank: int
    at_minutes: float
    text: str
    text_en: str


@dataclass
class Grade:
    level: str | None
    rank: int
    matches: list[Match] = field(default_factory=list)  # every criterion that holds


def _holds(condition: Mapping, facts: Mapping) -> bool:
    value = facts.get(condition["fact"])
    if value is None:
        return False
    if "in" in condition:
        return value in condition["in"]
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    if "min" in condition and not number >= float(condition["min"]):
        return False
    if "below" in condition and not number < float(condition["below"]):
        return False
    return True


def check(pack: Mapping) -> list[str]:
    """What makes `pack` unusable (empty when it is sound)."""
    problems: list[str] = []
    facts = {f.get("code") for f in pack.get("facts") or ()}
    levels = pack.get("levels") or []
    if not levels:
        problems.append("no levels")
    codes = [lv.get("code") for lv in levels]
    if len(set(codes)) != len(codes) or not all(codes):
        problems.append("level codes must be unique and not empty")
    ranks = [lv.get("rank") for lv in levels]
    if not all(isinstance(r, int) for r in ranks) or len(set(ranks)) != len(ranks):
        problems.append("level ranks must be distinct whole numbers")
    for lv in levels:
        for crit in lv.get("criteria") or ():
            conditions = crit.get("all") or []
            if not conditions:
                problems.append(f"level {lv.get('code')}: a criterion without conditions")
            for cond in conditions:
                if cond.get("fact") not in facts:
                    problems.append(f"level {lv.get('code')}: unknown fact {cond.get('fact')}")
                if not ({"min", "below", "in"} & set(cond)):
                    problems.append(f"level {lv.get('code')}: a condition without a test")
    for report in pack.get("reports") or ():
        if not (report.get("within_minutes") or report.get("every_minutes")):
            problems.append(f"report {report.get('code')}: no time limit")
        for code in report.get("levels") or ():
            if code not in codes:
                problems.append(f"report {report.get('code')}: unknown level {code}")
    return problems


def grade(pack: Mapping, facts: Mapping) -> Grade:
    """The most severe level of `pack` that `facts` justify, with every criterion that holds."""
    matches: list[Match] = []
    for lv in pack["levels"]:
        for n, crit in enumerate(lv.get("criteria") or ()):
            if all(_holds(c, facts) for c in crit["all"]):
                matches.append(
                    Match(
                        level=lv["code"],
                        rank=lv["rank"],
                        criterion=n,
                        text=crit.get("text", ""),
                        text_en=crit.get("text_en", ""),
                        source=crit.get("source", ""),
                        confidence=crit.get("confidence", ""),
                    )
                )
    matches.sort(key=lambda m: (-m.rank, m.level, m.criterion))
    if not matches:
        return Grade(level=None, rank=0)
    return Grade(level=matches[0].level, rank=matches[0].rank, matches=matches)


def elapsed_fact(pack: Mapping) -> str | None:
    for f in pack.get("facts") or ():
        if f.get("derived") == ELAPSED:
            return f["code"]
    return None


def next_escalation(pack: Mapping, facts: Mapping) -> Escalation | None:
    """The soonest more severe level than the current grade that a criterion reaches by the
    elapsed duration alone, or None (no such criterion, or no elapsed fact in the pack)."""
    duration = elapsed_fact(pack)
    if duration is None:
        return None
    current = grade(pack, facts).rank
    now = facts.get(duration) or 0
    best: Escalation | None = None
    for lv in pack["levels"]:
        if lv["rank"] <= current:
            continue
        for crit in lv.get("criteria") or ():
            timed = [c for c in crit["all"] if c["fact"] == duration]
            others = [c for c in crit["all"] if c["fact"] != duration]
            if not timed or any("min" not in c for c in timed):
                continue
            if not all(_holds(c, facts) for c in others):
                continue
            at = max(float(c["min"]) for c in timed)
            if any("below" in c and at >= float(c["below"]) for c in timed) or at <= now:
                continue
            candidate = Escalation(
                level=lv["code"],
                rank=lv["rank"],
                at_minutes=at,
                text=crit.get("text", ""),
                text_en=crit.get("text_en", ""),
            )
            if best is None or (at, -lv["rank"]) < (best.at_minutes, -best.rank):
                best = candidate
    return best


@dataclass(frozen=True)
class Due:
    """One reporting deadline: `code` of the pack's report, its `n`-th occurrence (1 for a
    one-off report), due `at_minutes` after the incident was detected."""

    code: str
    n: int
    at_minutes: float


def deadlines(pack: Mapping, level: str | None, *, until_minutes: float) -> list[Due]:
    """The reports due for an incident at `level`, from detection up to `until_minutes`
    (periodic reports: every occurrence up to then, plus the next one), in time order."""
    out: list[Due] = []
    for report in pack.get("reports") or ():
        levels = report.get("levels")
        if levels and level not in levels:
            continue
        if report.get("within_minutes"):
            out.append(Due(report["code"], 1, float(report["within_minutes"])))
            continue
        every = float(report["every_minutes"])
        n = 1
        while True:
            out.append(Due(report["code"], n, every * n))
            if every * n > until_minutes or n >= 500:
                break
            n += 1
    out.sort(key=lambda d: (d.at_minutes, d.code, d.n))
    return out


# The default packs ----------------------------------------------------------------------

_DURATION = {
    "code": "duration",
    "name": "业务无法正常开展的持续时间",
    "name_en": "Duration business cannot proceed normally",
    "kind": "minutes",
    "derived": ELAPSED,
}


def _c(texts, *conditions, source, confidence):
    text, text_en = texts
    return {
        "all": list(conditions),
        "text": text,
        "text_en": text_en,
        "source": source,
        "confidence": confidence,
    }


_S53 = "银监办发〔2008〕53号；standards.md §4.2"

# standards.md §4.2: 《银行业重要信息系统突发事件应急管理规范（试行）》(银监办发〔2008〕53号).
BANKING_53 = {
    "code": "cn-bank-53",
    "name": "银行业重要信息系统突发事件分级（银监办发〔2008〕53号）",
    "name_en": "Banking information-system incidents (CBRC 2008 No. 53)",
    "version": 1,
    "facts": [
        {
            "code": "provinces",
            "name": "业务无法正常开展的省（区、市）数",
            "name_en": "Provinces where business cannot proceed normally",
            "kind": "int",
        },
        _DURATION,
    ],
    "levels": [
        {
            "code": "I",
            "rank": 3,
            "name": "特别重大突发事件（Ⅰ级）",
            "name_en": "Especially major incident (Grade I)",
            "criteria": [
                _c(
                    (
                        "两个（含）以上省（区、市）业务无法正常开展达3个小时（含）以上",
                        "Two or more provinces cannot operate normally for 3 hours or more",
                    ),
                    {"fact": "provinces", "min": 2},
                    {"fact": "duration", "min": 3 * H},
                    source=_S53,
                    confidence="S",
                ),  # fmt: skip
                _c(
                    (
                        "一个省（区、市）业务无法正常开展达6个小时（含）以上",
                        "One province cannot operate normally for 6 hours or more",
                    ),
                    {"fact": "provinces", "min": 1},
                    {"fact": "duration", "min": 6 * H},
                    source=_S53,
                    confidence="M",
                ),  # fmt: skip
            ],
        },
        {
            "code": "II",
            "rank": 2,
            "name": "重大突发事件（Ⅱ级）",
            "name_en": "Major incident (Grade II)",
            "criteria": [
                _c(
                    (
                        "两个（含）以上省（区、市）业务无法正常开展达半个小时（含）以上",
                        "Two or more provinces cannot operate normally for 30 minutes or more",
                    ),
                    {"fact": "provinces", "min": 2},
                    {"fact": "duration", "min": 30},
                    source=_S53,
                    confidence="S",
                ),  # fmt: skip
                _c(
                    (
                        "一个省（区、市）业务无法正常开展达3个小时（含）以上",
                        "One province cannot operate normally for 3 hours or more",
                    ),
                    {"fact": "provinces", "min": 1},
                    {"fact": "duration", "min": 3 * H},
                    source=_S53,
                    confidence="S",
                ),  # fmt: skip
            ],
        },
        {
            "code": "III",
            "rank": 1,
            "name": "较大突发事件（Ⅲ级）",
            "name_en": "Serious incident (Grade III)",
            "criteria": [
                _c(
                    (
                        "一个省（区、市）业务无法正常开展达半个小时（含）以上",
                        "One province cannot operate normally for 30 minutes or more",
                    ),
                    {"fact": "provinces", "min": 1},
                    {"fact": "duration", "min": 30},
                    source=_S53,
                    confidence="M",
                ),  # fmt: skip
            ],
        },
    ],
    "reports": [
        {
            "code": "initial",
            "name": "初步报告（电话或口头）",
            "name_en": "Initial report (telephone or verbal)",
            "within_minutes": 30,
            "recipient": "银行业监督管理机构",
            "recipient_en": "The banking regulator",
            "path": "应急领导小组 → 监管机构（电话）",
            "path_en": "Emergency leading group → regulator (telephone)",
            "source": _S53,
            "confidence": "S",
        },
        {
            "code": "written",
            "name": "书面报告",
            "name_en": "Written report",
            "within_minutes": 12 * H,
            "recipient": "银行业监督管理机构",
            "recipient_en": "The banking regulator",
            "path": "应急领导小组 → 监管机构（书面）",
            "path_en": "Emergency leading group → regulator (in writing)",
            "source": _S53,
            "confidence": "S",
        },
        {
            "code": "progress",
            "name": "进展报告",
            "name_en": "Progress report",
            "every_minutes": 60,
            "levels": ["I"],
            "recipient": "银行业监督管理机构",
            "recipient_en": "The banking regulator",
            "path": "应急领导小组 → 监管机构",
            "path_en": "Emergency leading group → regulator",
            "source": _S53,
            "confidence": "M",
        },
    ],
}

_S599 = "国务院令第599号附表；standards.md §5"

_GRIDS = [
    ("regional", "区域性电网", "Regional grid"),
    ("province_20000", "省级电网（负荷20000兆瓦以上）", "Provincial grid (load 20,000 MW or more)"),
    ("province_5000", "省级电网（负荷5000至20000兆瓦）", "Provincial grid (load 5,000-20,000 MW)"),
    ("province_1000", "省级电网（负荷1000至5000兆瓦）", "Provincial grid (load 1,000-5,000 MW)"),
    ("municipality", "直辖市电网", "Municipality grid"),
    ("capital_2000", "省会城市电网（负荷2000兆瓦以上）", "Provincial capital (2,000 MW or more)"),
    ("city_600", "其他设区的市电网（负荷600兆瓦以上）", "Other city (load 600 MW or more)"),
]  # fmt: skip


def _shed(grid, low, *, text, text_en, confidence="S", below=None):
    conditions = [{"fact": "grid", "in": [grid]}, {"fact": "load_shed", "min": low}]
    if below is not None:
        conditions[1]["below"] = below
    return _c((text, text_en), *conditions, source=_S599, confidence=confidence)


def _users(grid, low, *, text, text_en, confidence="S"):
    return _c(
        (text, text_en),
        {"fact": "grid", "in": [grid]},
        {"fact": "users_cut", "min": low},
        source=_S599,
        confidence=confidence,
    )


# standards.md §5: 《电力安全事故应急处置和调查处理条例》(国务院令第599号) 附表, by load shed share
# and the share of a city's users cut off. Only the rows the source shows; 较大 and 一般 are
# partial there ([S partial] / [M]): an organisation completes them for its jurisdiction.
POWER_599 = {
    "code": "cn-power-599",
    "name": "电力安全事故等级（国务院令第599号）",
    "name_en": "Electric power safety accidents (State Council Decree 599)",
    "version": 1,
    "facts": [
        {
            "code": "grid",
            "name": "电网类别",
            "name_en": "Grid",
            "kind": "choice",
            "choices": [{"code": c, "name": n, "name_en": e} for c, n, e in _GRIDS],
        },
        {"code": "load_shed", "name": "减供负荷比例", "name_en": "Load shed", "kind": "percent"},
        {
            "code": "users_cut",
            "name": "城市供电用户停电比例",
            "name_en": "City users without power",
            "kind": "percent",
        },
        _DURATION,
    ],
    "levels": [
        {
            "code": "especially_major",
            "rank": 4,
            "name": "特别重大事故",
            "name_en": "Especially major accident",
            "criteria": [
                _shed(
                    "regional",
                    30,
                    text="区域性电网减供负荷30%以上",
                    text_en="Regional grid: 30% or more of the load shed",
                ),
                _shed(
                    "province_20000",
                    30,
                    text="负荷20000兆瓦以上的省级电网减供负荷30%以上",
                    text_en="Provincial grid of 20,000 MW or more: 30% or more shed",
                ),
                _shed(
                    "province_5000",
                    40,
                    text="负荷5000兆瓦以上20000兆瓦以下的省级电网减供负荷40%以上",
                    text_en="Provincial grid of 5,000-20,000 MW: 40% or more shed",
                ),
                _shed(
                    "municipality",
                    50,
                    text="直辖市电网减供负荷50%以上",
                    text_en="Municipality grid: 50% or more shed",
                ),
                _users(
                    "municipality",
                    60,
                    text="直辖市60%以上供电用户停电",
                    text_en="Municipality: 60% or more of users without power",
                ),
                _shed(
                    "capital_2000",
                    60,
                    text="负荷2000兆瓦以上的省会城市电网减供负荷60%以上",
                    text_en="Provincial capital of 2,000 MW or more: 60% or more shed",
                ),
                _users(
                    "capital_2000",
                    70,
                    text="负荷2000兆瓦以上的省会城市70%以上供电用户停电",
                    text_en="Provincial capital of 2,000 MW or more: 70% or more of users cut",
                ),
            ],
        },
        {
            "code": "major",
            "rank": 3,
            "name": "重大事故",
            "name_en": "Major accident",
            "criteria": [
                _shed(
                    "regional",
                    10,
                    below=30,
                    text="区域性电网减供负荷10%以上30%以下",
                    text_en="Regional grid: 10% to under 30% shed",
                ),
                _shed(
                    "province_20000",
                    13,
                    below=30,
                    text="负荷20000兆瓦以上的省级电网减供负荷13%以上30%以下",
                    text_en="Provincial grid of 20,000 MW or more: 13% to under 30% shed",
                ),
                _shed(
                    "province_5000",
                    16,
                    below=40,
                    text="负荷5000兆瓦以上20000兆瓦以下的省级电网减供负荷16%以上40%以下",
                    text_en="Provincial grid of 5,000-20,000 MW: 16% to under 40% shed",
                ),
                _shed(
                    "province_1000",
                    50,
                    text="负荷1000兆瓦以上5000兆瓦以下的省级电网减供负荷50%以上",
                    text_en="Provincial grid of 1,000-5,000 MW: 50% or more shed",
                ),
                _shed(
                    "municipality",
                    20,
                    below=50,
                    text="直辖市电网减供负荷20%以上50%以下",
                    text_en="Municipality grid: 20% to under 50% shed",
                ),
                _users(
                    "municipality",
                    30,
                    text="直辖市30%以上供电用户停电",
                    text_en="Municipality: 30% or more of users without power",
                ),
                _shed(
                    "capital_2000",
                    40,
                    below=60,
                    text="负荷2000兆瓦以上的省会城市电网减供负荷40%以上60%以下",
                    text_en="Provincial capital of 2,000 MW or more: 40% to under 60% shed",
                ),
                _users(
                    "capital_2000",
                    50,
                    text="负荷2000兆瓦以上的省会城市50%以上供电用户停电",
                    text_en="Provincial capital of 2,000 MW or more: 50% or more of users cut",
                ),
                _shed(
                    "city_600",
                    60,
                    text="负荷600兆瓦以上的其他设区的市电网减供负荷60%以上",
                    text_en="Other city of 600 MW or more: 60% or more shed",
                ),
                _users(
                    "city_600",
                    70,
                    text="负荷600兆瓦以上的其他设区的市70%以上供电用户停电",
                    text_en="Other city of 600 MW or more: 70% or more of users cut",
                ),
            ],
        },
        {
            "code": "serious",
            "rank": 2,
            "name": "较大事故",
            "name_en": "Serious accident",
            "criteria": [
                _shed(
                    "regional",
                    7,
                    below=10,
                    text="区域性电网减供负荷7%以上10%以下",
                    text_en="Regional grid: 7% to under 10% shed",
                ),
                _shed(
                    "province_20000",
                    10,
                    below=13,
                    text="负荷20000兆瓦以上的省级电网减供负荷10%以上13%以下",
                    text_en="Provincial grid of 20,000 MW or more: 10% to under 13% shed",
                ),
            ],
        },
        {
            "code": "general",
            "rank": 1,
            "name": "一般事故",
            "name_en": "General accident",
            "criteria": [
                _shed(
                    "regional",
                    4,
                    below=7,
                    text="区域性电网减供负荷4%以上7%以下",
                    text_en="Regional grid: 4% to under 7% shed",
                    confidence="M",
                ),
            ],
        },
    ],  # fmt: skip
    "reports": [
        {
            "code": "initial",
            "name": "事故快报",
            "name_en": "Accident flash report",
            "within_minutes": 60,
            "recipient": "国家能源局派出机构",
            "recipient_en": "The energy regulator's regional office",
            "path": "值班调度 → 本单位负责人 → 派出机构",
            "path_en": "Duty dispatcher → head of the company → regional office",
            "source": "[M] convention; confirm in the jurisdiction's rules",
            "confidence": "M",
        },
    ],
}

# The seeds' graded management (seed 000 §3.5-3.6, DOMAIN.md §6): a small-scale disaster or
# failure is handled by the unit's emergency handling, a large-scale one escalates to business
# continuity. The thresholds are conventions ([M]) an organisation sets.
GENERIC = {
    "code": "generic",
    "name": "小规模/大规模灾难或故障",
    "name_en": "Small- or large-scale disaster or failure",
    "version": 1,
    "facts": [
        {
            "code": "activities",
            "name": "停止的活动数",
            "name_en": "Activities stopped",
            "kind": "int",
            "derived": "activities",
        },
        {
            "code": "sites",
            "name": "受影响的场地数",
            "name_en": "Sites affected",
            "kind": "int",
            "derived": "sites",
        },
        _DURATION,
    ],
    "levels": [
        {
            "code": "large",
            "rank": 2,
            "name": "大规模灾难或故障",
            "name_en": "Large-scale disaster or failure",
            "criteria": [
                _c(
                    ("一个（含）以上场地受损或不可用", "One or more sites damaged or unavailable"),
                    {"fact": "sites", "min": 1},
                    source="seed 000 §3.6; DOMAIN.md §6",
                    confidence="M",
                ),
                _c(
                    ("三项（含）以上活动停止", "Three or more activities stopped"),
                    {"fact": "activities", "min": 3},
                    source="DOMAIN.md §6",
                    confidence="M",
                ),
            ],
        },
        {
            "code": "small",
            "rank": 1,
            "name": "小规模灾难或故障",
            "name_en": "Small-scale disaster or failure",
            "criteria": [
                _c(
                    ("一项（含）以上活动停止", "One or more activities stopped"),
                    {"fact": "activities", "min": 1},
                    source="seed 000 §3.5; DOMAIN.md §6",
                    confidence="M",
                ),
            ],
        },
    ],  # fmt: skip
    "reports": [
        {
            "code": "initial",
            "name": "首报",
            "name_en": "First report",
            "within_minutes": 30,
            "recipient": "业务连续性管理委员会",
            "recipient_en": "The business continuity committee",
            "path": "值班人员 → 业务连续性管理办公室 → 委员会",
            "path_en": "Duty officer → BCM office → committee",
            "source": "DOMAIN.md §6",
            "confidence": "M",
        },
        # Situation reports on a schedule set by the level: the tactical one (conditions,
        # actions, needs) for the commander, the executive one for the committee.
        {
            "code": "tactical",
            "name": "现场态势报告（态势、行动、需求）",
            "name_en": "Tactical report (conditions, actions, needs)",
            "every_minutes": 120,
            "levels": ["large"],
            "recipient": "应急指挥长",
            "recipient_en": "The incident commander",
            "path": "各处置小组 → 应急指挥长",
            "path_en": "Response teams → incident commander",
            "source": "Netflix Dispatch tactical report; DOMAIN.md §6",
            "confidence": "M",
        },
        {
            "code": "executive",
            "name": "管理层简报",
            "name_en": "Executive report",
            "every_minutes": 240,
            "levels": ["large"],
            "recipient": "业务连续性管理委员会",
            "recipient_en": "The business continuity committee",
            "path": "应急指挥长 → 委员会",
            "path_en": "Incident commander → committee",
            "source": "DOMAIN.md §6",
            "confidence": "M",
        },
    ],
}

DEFAULT_PACKS = (GENERIC, BANKING_53, POWER_599)
