"""Rule packs as data, evaluated over plain facts (no Django; ARCHITECTURE.md "Rules as data").

A pack is a plain mapping: {code, name, name_en, version, rules: [rule]}. A rule is
{code, kind, params, title, title_en, source, confidence}; `kind` names one of the evaluators
below, `params` its parameters, `source` where the rule comes from and `confidence` the tag of
reference/standards.md ([V] verified, [S] secondary source, [M] memory or convention).

Kinds:
- ``max_rto`` / ``max_rpo``: {max_minutes, scope: "important" | "all"}. Compliant iff the
  objective is at most max_minutes ("不得大于" ⇒ ≤). An activity in scope with no objective
  at all is a finding too: the rule cannot be shown to hold.
- ``rto_not_below_systems``: {}. The business RTO is at least the recovery time of every
  application it depends on (业务RTO原则上应大于或等于信息系统RTO): a shorter business RTO
  cannot be kept once the system itself takes longer to come back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

H = 60

BANKING = {
    "code": "cn-bank-104",
    "name": "商业银行业务连续性监管指引（银监发〔2011〕104号）",
    "name_en": "Commercial banks' business continuity guideline (CBRC 2011 No. 104)",
    "version": 1,
    "rules": [
        {
            "code": "important-rto",
            "kind": "max_rto",
            "params": {"max_minutes": 4 * H, "scope": "important"},
            "title": "重要业务恢复时间目标（RTO）不得大于4小时",
            "title_en": "An important business's RTO is at most 4 hours",
            "source": "银监发〔2011〕104号（条款号待核实）；standards.md §4.1",
            "confidence": "M",
        },
        {
            "code": "important-rpo",
            "kind": "max_rpo",
            "params": {"max_minutes": 30, "scope": "important"},
            "title": "重要业务恢复点目标（RPO）不得大于半小时",
            "title_en": "An important business's RPO is at most 30 minutes",
            "source": "银监发〔2011〕104号（条款号待核实）；standards.md §4.1",
            "confidence": "M",
        },
        {
            "code": "rto-vs-systems",
            "kind": "rto_not_below_systems",
            "params": {},
            "title": "业务RTO原则上应大于或等于信息系统RTO",
            "title_en": "A business RTO is no shorter than its supporting systems' recovery time",
            "source": "104号解读（xing528.com）；standards.md §4.1",
            "confidence": "S",
        },
    ],
}

BUILT_IN = {BANKING["code"]: BANKING}

KINDS = ("max_rto", "max_rpo", "rto_not_below_systems")
CONFIDENCE = ("V", "S", "M")
SCOPES = ("important", "all")


@dataclass(frozen=True)
class Facts:
    """What the rules look at for one activity: its objectives, whether it is an important
    business (None: not assessed), and the recovery times of the systems it depends on
    ((key, minutes or None when never tested), ...)."""

    code: str
    rto: int | None
    rpo: int | None
    important: bool | None = None
    systems: tuple[tuple[str, int | None], ...] = ()


@dataclass(frozen=True)
class Finding:
    """One rule not shown to hold for one activity.

    ``problem`` is "exceeds" (the objective is above the limit), "missing" (no objective to
    check) or "below_system" (the RTO is shorter than a system's recovery time, ``subject``
    names that system)."""

    pack: str
    version: int
    rule: str
    confidence: str
    activity: str
    problem: str
    value: int | None = None
    limit: int | None = None
    subject: str | None = None
    rule_data: Mapping = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class PackProblem:
    """Why a pack cannot be saved: the rule (index, None for the pack) and the field."""

    code: str
    rule: int | None
    field: str


def check_pack(pack: Mapping) -> list[PackProblem]:
    """Everything wrong with a pack's data, located by rule index and field."""
    problems: list[PackProblem] = []
    rules = pack.get("rules")
    if not isinstance(rules, list) or not rules:
        return [PackProblem("no_rules", None, "rules")]
    seen = set()
    for i, rule in enumerate(rules):
        if not isinstance(rule, Mapping):
            problems.append(PackProblem("not_a_rule", i, "rules"))
            continue
        code = rule.get("code")
        if not isinstance(code, str) or not code.strip():
            problems.append(PackProblem("required", i, "code"))
        elif code in seen:
            problems.append(PackProblem("duplicate", i, "code"))
        seen.add(code)
        if rule.get("kind") not in KINDS:
            problems.append(PackProblem("unknown_kind", i, "kind"))
        if rule.get("confidence") not in CONFIDENCE:
            problems.append(PackProblem("confidence", i, "confidence"))
        if not isinstance(rule.get("source"), str) or not rule["source"].strip():
            problems.append(PackProblem("required", i, "source"))
        params = rule.get("params", {})
        if not isinstance(params, Mapping):
            problems.append(PackProblem("params", i, "params"))
            continue
        if rule.get("kind") in ("max_rto", "max_rpo"):
            limit = params.get("max_minutes")
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
                problems.append(PackProblem("minutes", i, "max_minutes"))
            if params.get("scope", "important") not in SCOPES:
                problems.append(PackProblem("scope", i, "scope"))
    return problems


def _limit(rule, pack, facts: Facts, value: int | None, problem_kind: str) -> Finding | None:
    params = rule.get("params") or {}
    if params.get("scope", "important") == "important" and not facts.important:
        return None
    limit = params["max_minutes"]
    if value is None:
        return _finding(pack, rule, facts, "missing", None, limit)
    if value > limit:
        return _finding(pack, rule, facts, problem_kind, value, limit)
    return None


def _finding(pack, rule, facts, problem, value=None, limit=None, subject=None) -> Finding:
    return Finding(
        pack=pack["code"],
        version=int(pack.get("version", 1)),
        rule=rule["code"],
        confidence=rule["confidence"],
        activity=facts.code,
        problem=problem,
        value=value,
        limit=limit,
        subject=subject,
        rule_data=rule,
    )


def evaluate(packs: Sequence[Mapping], facts: Iterable[Facts]) -> dict[str, list[Finding]]:
    """The findings of every rule of every pack, per activity code (activities with none are
    left out). Findings of one activity come in pack, then rule order."""
    out: dict[str, list[Finding]] = {}
    for f in facts:
        found: list[Finding] = []
        for pack in packs:
            for rule in pack["rules"]:
                kind = rule["kind"]
                if kind == "max_rto":
                    found.append(_limit(rule, pack, f, f.rto, "exceeds"))
                elif kind == "max_rpo":
                    found.append(_limit(rule, pack, f, f.rpo, "exceeds"))
                elif kind == "rto_not_below_systems" and f.rto is not None:
                    # The slowest system is the one that matters; untested ones say nothing.
                    tested = [(m, key) for key, m in f.systems if m is not None]
                    if tested:
                        slowest, key = max(tested)
                        if f.rto < slowest:
                            found.append(
                                _finding(pack, rule, f, "below_system", f.rto, slowest, key)
                            )
        found = [x for x in found if x is not None]
        if found:
            out[f.code] = found
    return out
