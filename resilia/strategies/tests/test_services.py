"""Services of strategy options: proposing, deciding, testing; database state and audit rows."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.dependencies.models import Resource
from resilia.strategies import services
from resilia.strategies.models import Family, Option, Status
from resilia.strategies.tests.conftest import H, make_option


def events(obj, action):
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action
    )


def test_it_proposes_an_option_with_its_audit_event(setup, personas):
    with request_context(source="test"):
        option = services.option_create(
            actor=personas["coord_a"],
            activity=setup["pay"],
            name="人工操作方案",
            name_en="Manual workaround",
            kind="manual_workaround",
            recovery_time=2 * H,
            cost_yearly=20000,
            people_needed=4,
            seats_needed=4,
            equipment_needed="手工凭证、计算器",
        )
    assert option.status == Status.PROPOSED and option.family == Family.PREVENTIVE
    event = events(option, "create").get()
    assert event.actor == personas["coord_a"] and event.changes["seats_needed"] == [None, 4]


@pytest.mark.parametrize("subjects", [{}, {"both": True}])
def test_it_refuses_an_option_for_no_subject_or_two(setup, subjects):
    kwargs = {"activity": setup["pay"], "resource": setup["db"]} if subjects else {}
    with pytest.raises(ValidationError) as caught, request_context(source="test"):
        services.option_create(actor=None, name="x", kind="monitoring", **kwargs)
    assert "只选其一" in str(caught.value)
    assert not Option.objects.exists() and not AuditEvent.objects.filter(action="create",
        object_type="strategies.option").exists()  # fmt: skip


def test_it_refuses_a_negative_cost(setup):
    with pytest.raises(ValidationError) as caught, request_context(source="test"):
        services.option_create(
            actor=None, activity=setup["pay"], name="x", kind="monitoring", cost_once=-1
        )
    assert "cost_once" in caught.value.message_dict


def test_the_unit_head_chooses_with_a_reason_and_the_previous_choice_is_superseded(setup, personas):
    """104号 第十一条: management approves the recovery strategies."""
    first = make_option(setup["pay"], name="冷备")
    second = make_option(setup["pay"], name="热备")
    with request_context(source="test"):
        services.option_choose(actor=setup["head_a"], option=first, reason="成本最低")
        services.option_choose(actor=personas["manager"], option=second, reason="满足RTO")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.SUPERSEDED
    assert (second.status, second.decided_by, second.decision_reason) == (
        Status.CHOSEN,
        personas["manager"],
        "满足RTO",
    )
    assert events(first, "strategy_choose").get().actor == setup["head_a"]
    assert events(first, "strategy_supersede").count() == 1
    assert events(second, "strategy_choose").get().changes["status"] == ["proposed", "chosen"]


@pytest.mark.parametrize("persona", ["coord_a", "coord_b", "contrib_a", "auditor"])
def test_it_refuses_a_decision_by_someone_without_the_right(setup, personas, persona):
    option = make_option(setup["pay"])
    with pytest.raises(PermissionDenied), request_context(source="test"):
        services.option_choose(actor=personas[persona], option=option, reason="ok")
    option.refresh_from_db()
    assert option.status == Status.PROPOSED and not events(option, "strategy_choose").exists()


def test_it_refuses_a_decision_without_a_reason(setup, personas):
    option = make_option(setup["pay"])
    with pytest.raises(ValidationError) as caught, request_context(source="test"):
        services.option_reject(actor=personas["manager"], option=option, reason="  ")
    assert "decision_reason" in caught.value.message_dict
    option.refresh_from_db()
    assert option.status == Status.PROPOSED


def test_a_chosen_option_is_locked_and_kept(setup, personas):
    option = make_option(setup["pay"])
    with request_context(source="test"):
        services.option_choose(actor=personas["manager"], option=option, reason="ok")
    option.refresh_from_db()
    with pytest.raises(ValidationError), request_context(source="test"):
        services.option_update(actor=personas["manager"], option=option, cost_once=1)
    with pytest.raises(ValidationError), request_context(source="test"):
        services.option_delete(actor=personas["manager"], option=option)
    with pytest.raises(ValidationError), request_context(source="test"):
        services.option_reject(actor=personas["manager"], option=option, reason="no")
    option.refresh_from_db()
    assert option.status == Status.CHOSEN and option.cost_once == 0


def test_a_rejected_option_can_be_reconsidered_and_deleted(setup, personas):
    option = make_option(setup["pay"])
    other = make_option(setup["pay"], name="other")
    with request_context(source="test"):
        services.option_reject(actor=personas["manager"], option=option, reason="太贵")
        services.option_update(actor=personas["coord_a"], option=option, cost_once=10)
        services.option_delete(actor=personas["coord_a"], option=other)
    option.refresh_from_db()
    assert (option.status, option.cost_once) == (Status.REJECTED, 10)
    assert events(option, "strategy_reject").get().changes["decision_reason"] == ["", "太贵"]
    assert events(other, "delete").exists() and not Option.objects.filter(pk=other.pk).exists()


def test_a_tested_option_gives_its_result_to_the_resource(setup, personas):
    """The achieved capability flows into the dependency model once tested (issue 11 item 1)."""
    option = make_option(setup["db"], name="数据库同城热备")
    with request_context(source="test"):
        services.option_choose(actor=personas["manager"], option=option, reason="ok")
        services.option_record_test(
            actor=personas["coord_a"],
            option=option,
            tested_on=dt.date(2026, 6, 1),
            tested_recovery_time=45,
            tested_recovery_point=5,
            test_evidence="2026年切换演练报告",
        )
    db = Resource.objects.get(pk=setup["db"].pk)
    assert (db.recovery_time, db.recovery_point, db.capability_tested_on) == (
        45,
        5,
        dt.date(2026, 6, 1),
    )
    assert db.capability_evidence == "2026年切换演练报告"
    assert events(option, "strategy_test").get().changes["tested_recovery_time"] == [None, 45]
    assert events(db, "update").get().changes["recovery_time"] == [8 * H, 45]


def test_a_test_without_a_recovery_point_keeps_the_resources(setup, personas):
    option = make_option(setup["db"])
    with request_context(source="test"):
        services.option_choose(actor=personas["manager"], option=option, reason="ok")
        services.option_record_test(
            actor=None, option=option, tested_on=dt.date(2026, 6, 1), tested_recovery_time=45
        )
    assert Resource.objects.get(pk=setup["db"].pk).recovery_point == 60


def test_it_refuses_a_test_of_an_option_not_chosen_or_dated_in_the_future(setup, personas):
    option = make_option(setup["db"])
    with pytest.raises(ValidationError), request_context(source="test"):
        services.option_record_test(
            actor=None, option=option, tested_on=dt.date(2026, 6, 1), tested_recovery_time=45
        )
    with request_context(source="test"):
        services.option_choose(actor=personas["manager"], option=option, reason="ok")
    future = dt.date.today() + dt.timedelta(days=10)
    with pytest.raises(ValidationError) as caught, request_context(source="test"):
        services.option_record_test(
            actor=None, option=option, tested_on=future, tested_recovery_time=45
        )
    assert "tested_on" in caught.value.message_dict
    assert Resource.objects.get(pk=setup["db"].pk).recovery_time == 8 * H
    assert not events(option, "strategy_test").exists()
