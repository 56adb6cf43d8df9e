"""Rule packs: the banking pack's worked examples (standards.md §4.1), versions, findings."""

import pytest

from resilia.audit.models import AuditEvent
from resilia.bia import rules
from resilia.bia.models import RulePack
from resilia.core.context import request_context
from resilia.dependencies import services as deps
from resilia.engine import rules as engine

PACK = [engine.BANKING]


def _facts(**kw):
    base = {"code": "PAY", "rto": 240, "rpo": 30, "important": True, "systems": ()}
    return engine.Facts(**{**base, **kw})


def _problems(**kw):
    return [f.problem for f in engine.evaluate(PACK, [_facts(**kw)]).get("PAY", [])]


def test_it_accepts_an_important_business_at_exactly_4_hours_and_30_minutes():
    """standards.md §4.1 [M]: 重要业务RTO不得大于4小时、RPO不得大于半小时; "不得大于" ⇒
    compliant iff RTO ≤ 240 min and RPO ≤ 30 min."""
    assert _problems(rto=240, rpo=30) == []


def test_it_flags_an_important_business_one_minute_over_each_limit():
    """standards.md §4.1 [M]: RTO 241 min and RPO 31 min break "不得大于"."""
    found = engine.evaluate(PACK, [_facts(rto=241, rpo=31)])["PAY"]
    assert [(f.rule, f.value, f.limit, f.confidence) for f in found] == [
        ("important-rto", 241, 240, "M"),
        ("important-rpo", 31, 30, "M"),
    ]


def test_it_leaves_a_business_that_is_not_important_to_the_4_hour_rule():
    """standards.md §4.1, 104号 第三条: the limits bind 重要业务 only."""
    assert _problems(rto=8 * 60, rpo=120, important=False) == []
    assert _problems(rto=8 * 60, rpo=120, important=None) == []


def test_it_flags_an_important_business_without_objectives():
    assert _problems(rto=None, rpo=None) == ["missing", "missing"]


def test_it_flags_a_business_rto_shorter_than_its_slowest_system():
    """standards.md §4.1 [S]: 业务RTO原则上应大于或等于信息系统RTO. Systems of 60 and 180
    minutes (one untested): an RTO of 120 breaks it against the 180-minute one; 180 holds."""
    systems = (("CORE", 60), ("GL", 180), ("NEW", None))
    found = engine.evaluate(PACK, [_facts(rto=120, systems=systems)])["PAY"]
    assert [(f.rule, f.subject, f.limit, f.confidence) for f in found] == [
        ("rto-vs-systems", "GL", 180, "S")
    ]
    assert _problems(rto=180, systems=systems) == []


def test_it_refuses_a_pack_with_bad_rules_naming_rule_and_field():
    bad = [{"code": "x", "kind": "max_rto", "params": {"max_minutes": -1}, "source": "",
            "confidence": "Q"}]  # fmt: skip
    fields = {(p.rule, p.field) for p in engine.check_pack({"rules": bad})}
    assert fields == {(0, "max_minutes"), (0, "source"), (0, "confidence")}


@pytest.mark.django_db
def test_it_enables_edits_as_a_new_version_and_audits(personas, bia_setup):
    manager = personas["manager"]
    with request_context(source="test"):
        v1 = rules.rulepack_enable(actor=manager, code="cn-bank-104")
        edited = [dict(r) for r in v1.rules]
        edited[0] = {**edited[0], "params": {"max_minutes": 120, "scope": "important"}}
        v2 = rules.rulepack_revise(actor=manager, code="cn-bank-104", rules=edited, note="stricter")
    assert (v1.version, v2.version, v2.enabled) == (1, 2, True)
    v1.refresh_from_db()
    assert v1.rules[0]["params"]["max_minutes"] == 240  # the old version is kept as it was
    assert [p.version for p in rules.current_packs()] == [2]
    events = AuditEvent.objects.filter(object_type__icontains="rulepack")
    assert events.count() == 2


@pytest.mark.django_db
def test_it_refuses_bad_rules_and_saves_nothing(personas, bia_setup):
    from django.core.exceptions import ValidationError

    with request_context(source="test"):
        rules.rulepack_enable(actor=personas["manager"], code="cn-bank-104")
        with pytest.raises(ValidationError) as err:
            rules.rulepack_revise(actor=personas["manager"], code="cn-bank-104", rules=[])
    assert "rules" in err.value.message_dict
    assert RulePack.objects.count() == 1


@pytest.mark.django_db
def test_activity_findings_use_approved_objectives_and_the_systems(personas, bia_setup):
    """standards.md §4.1 [S]: PAY (RTO 60) needs CORE, tested at 120 min: a finding."""
    pay = bia_setup["pay"]
    with request_context(source="test"):
        rules.rulepack_enable(actor=personas["manager"], code="cn-bank-104")
        core = deps.resource_create(
            actor=None, code="CORE", name="核心系统", kind="application", recovery_time=120,
            unit=pay.unit,
        )  # fmt: skip
        deps.activity_update(actor=None, activity=pay, rto=60, rpo=15)
        deps.dependency_create(actor=None, dependent=pay, dependency=core)
    pay.refresh_from_db()
    found = rules.activity_findings([pay])
    assert [(f.rule, f.subject) for f in found[pay.pk]] == [("rto-vs-systems", "CORE")]
    assert "CORE" in rules.describe(found[pay.pk][0])
