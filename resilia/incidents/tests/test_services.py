"""Incidents through the services: grading by rule pack as facts and time change (worked
examples of reference/standards.md §4.2, 53号), deadlines, overrides with reasons, the status
path, reports, the journal, the review that closes, and what is refused."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from resilia.audit.models import AuditEvent
from resilia.incidents import services
from resilia.incidents.clock import clock
from resilia.incidents.models import Deadline, Incident, JournalEntry, LevelChange, Report, Status
from resilia.incidents.tests.conftest import at, pack

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages read in English here (the pages' tests read them in Chinese too)."""
    with translation.override("en"):
        yield


def deadlines(incident):
    return [(d.code, d.n, d.due_at) for d in incident.deadlines.order_by("due_at", "code", "n")]


def test_declaring_grades_sets_the_deadlines_and_audits(swift_down, t0, personas):
    """53号 (standards.md §4.2): one province not operating normally for less than 30 min is not
    graded yet; the initial report is due 30 min after detection, the written one in 12 h."""
    inc = swift_down
    assert inc.code.startswith("INC-") and inc.status == Status.REPORTED
    assert inc.computed_level == inc.level == ""
    assert deadlines(inc) == [("initial", 1, at(t0, 30)), ("written", 1, at(t0, 720))]
    event = AuditEvent.objects.get(action="incident_declare", object_id=str(inc.pk))
    assert event.changes["affected"][1] == ["resource:SWIFT"]
    assert JournalEntry.objects.filter(incident=inc, kind="event").count() == 1


def test_time_raises_the_level_by_the_rules(swift_down, t0):
    """53号: one province for 30 min is Ⅲ级, for 3 h Ⅱ级, for 6 h Ⅰ级; Ⅰ级 adds a progress report
    every 60 minutes (standards.md §4.2). Each change is recorded as by the rules."""
    inc = swift_down
    assert services.regrade(inc, now=at(t0, 29)) is False
    services.regrade(inc, now=at(t0, 30))
    assert inc.level == inc.computed_level == "III"
    services.regrade(inc, now=at(t0, 180))
    assert inc.level == "II"
    services.regrade(inc, now=at(t0, 361))
    assert inc.level == "I"
    changes = list(LevelChange.objects.filter(incident=inc).values_list("to_level", "by_rules"))
    assert changes == [("", True), ("III", True), ("II", True), ("I", True)]
    progress = [n for code, n, _d in deadlines(inc) if code == "progress"]
    assert progress == [1, 2, 3, 4, 5, 6, 7]  # every hour up to 6 h, and the next one


def test_two_provinces_go_straight_to_grade_ii_then_i(bank, personas, t0):
    inc = services.incident_declare(
        actor=personas["manager"],
        title="核心系统故障",
        category="it",
        pack=pack("cn-bank-53"),
        detected_at=t0,
        resources=[bank["core"]],
        facts={"provinces": "2"},
        now=at(t0, 31),
    )
    assert inc.level == "II"
    services.regrade(inc, now=at(t0, 180))
    assert inc.level == "I"
    _grade, escalation = services.evaluate(inc, now=at(t0, 100))
    assert escalation.level == "I" and escalation.at_minutes == 180


def test_a_level_the_rules_do_not_give_needs_a_reason(swift_down, t0, personas):
    inc = swift_down
    with pytest.raises(ValidationError) as err:
        services.level_set(
            actor=personas["manager"], incident=inc, level="I", reason=" ", now=at(t0, 10)
        )
    assert "level_reason" in err.value.message_dict
    assert Incident.objects.get(pk=inc.pk).level == ""
    services.level_set(
        actor=personas["manager"], incident=inc, level="I", reason="涉及全行支付", now=at(t0, 10)
    )
    change = LevelChange.objects.filter(incident=inc).last()
    assert (change.to_level, change.by_rules, change.decided_by) == (
        "I",
        False,
        personas["manager"],
    )
    # The rules move on underneath; the decided level stays until someone changes it.
    services.regrade(inc, now=at(t0, 200))
    inc.refresh_from_db()
    assert (inc.level, inc.computed_level) == ("I", "II") and inc.overridden
    with pytest.raises(ValidationError):
        services.level_set(actor=personas["manager"], incident=inc, level="IV", reason="x")


def test_bad_facts_are_refused_and_nothing_is_saved(bank, personas, t0):
    for facts, message in (
        ({"provinces": "abc"}, "enter a number"),
        ({"provinces": "1.5"}, "whole number"),
        ({"provinces": "-1"}, "at least 0"),
    ):
        with pytest.raises(ValidationError) as err:
            services.incident_declare(
                actor=personas["manager"], title="x", category="it", pack=pack("cn-bank-53"),
                detected_at=t0, facts=facts,
            )  # fmt: skip
        assert message in " ".join(err.value.messages)
    with pytest.raises(ValidationError) as err:
        services.incident_declare(
            actor=personas["manager"], title="x", category="it", pack=pack("cn-power-599"),
            detected_at=t0, facts={"grid": "moon", "load_shed": "120"},
        )  # fmt: skip
    assert len(err.value.message_dict["facts"]) == 2
    with pytest.raises(ValidationError) as err:
        services.incident_declare(
            actor=personas["manager"], title="x", category="it", pack=pack("generic"),
            detected_at=at(t0, 60 * 24),
        )  # fmt: skip
    assert "future" in " ".join(err.value.messages)
    assert Incident.objects.count() == 0 and Deadline.objects.count() == 0


def test_power_599_grades_from_the_load_shed(bank, personas, t0):
    """599号 附表 (standards.md §5): a provincial grid of 5,000-20,000 MW shedding 16% to under
    40% of its load is a 重大事故; 40% or more, 特别重大."""
    inc = services.incident_declare(
        actor=personas["manager"], title="省网减供负荷", category="assets",
        pack=pack("cn-power-599"), detected_at=t0,
        facts={"grid": "province_5000", "load_shed": "20%"},
    )  # fmt: skip
    assert inc.level == "major"
    services.incident_update(
        actor=personas["manager"], incident=inc, facts={"grid": "province_5000", "load_shed": 40}
    )
    assert Incident.objects.get(pk=inc.pk).level == "especially_major"


def test_the_status_path_and_the_review_that_closes(swift_down, t0, personas, people):
    inc, m = swift_down, personas["manager"]
    with pytest.raises(ValidationError):
        services.status_set(actor=m, incident=inc, status=Status.CLOSED)
    with pytest.raises(ValidationError):
        services.status_set(actor=m, incident=inc, status=Status.RECOVERING)
    with pytest.raises(ValidationError):
        services.review_save(
            actor=m, incident=inc, timeline="t", downtime_minutes=10, causes="c", lessons="l"
        )
    for step in (Status.RESPONDING, Status.RECOVERING, Status.RESOLVED):
        services.status_set(actor=m, incident=inc, status=step, now=at(t0, 150))
    assert inc.resolved_at == at(t0, 150)
    with pytest.raises(ValidationError) as err:
        services.incident_close(actor=m, incident=inc)
    assert "review" in str(err.value)
    services.review_save(
        actor=m, incident=inc, timeline="t", downtime_minutes=150, causes="供应商线路中断",
        lessons="增加备用报文通道",
    )  # fmt: skip
    services.action_add(
        actor=m, incident=inc, title="签订备用报文服务", owner=people["alice"], due_date=t0.date()
    )
    services.incident_close(actor=m, incident=inc)
    inc.refresh_from_db()
    assert inc.status == Status.CLOSED and inc.closed_at is not None
    with pytest.raises(ValidationError):
        services.report_file(actor=m, incident=inc, title="迟报", body="…")
    with pytest.raises(ValidationError):
        services.journal_add(actor=m, incident=inc, kind="note", text="x")
    assert AuditEvent.objects.filter(action="incident_close", object_id=str(inc.pk)).exists()


def test_a_report_answers_its_deadline_once_and_late_is_marked(swift_down, t0, personas):
    inc, m = swift_down, personas["manager"]
    initial = inc.deadlines.get(code="initial")
    title, body = services.report_draft(inc, initial, now=at(t0, 20))
    assert inc.code in title and "SWIFT" in body and "PAY" in body
    report = services.report_file(
        actor=m, incident=inc, deadline=initial, title=title, body=body, now=at(t0, 25)
    )
    assert not report.late
    with pytest.raises(ValidationError):
        services.report_file(actor=m, incident=inc, deadline=initial, title="again", body="x")
    written = inc.deadlines.get(code="written")
    late = services.report_file(
        actor=m, incident=inc, deadline=written, title="书面报告", body="…", now=at(t0, 800)
    )
    assert late.late
    with pytest.raises(ValidationError) as err:
        services.report_file(actor=m, incident=inc, title="", body="")
    assert set(err.value.message_dict) == {"title", "body"}
    assert Report.objects.filter(incident=inc).count() == 2


def test_a_journal_entry_cannot_be_in_the_future(swift_down, t0, personas):
    with pytest.raises(ValidationError):
        services.journal_add(
            actor=personas["manager"], incident=swift_down, kind="decision", text="x",
            at=at(t0, 60), now=at(t0, 10),
        )  # fmt: skip


def test_the_clock_of_the_failed_supplier(swift_down, t0):
    """SWIFT recovers in 2 h; PAY (RTO 1 h, MTPD 4 h) stops at once: at 50 min it is close to
    its RTO, at 70 min its RTO is exceeded; its MTPD is not reached since it is back at 2 h."""
    [row] = clock(swift_down, now=at(t0, 50)).rows
    assert (row.code, row.state, row.to_rto) == ("PAY", "warning", 10)
    [row] = clock(swift_down, now=at(t0, 70)).rows
    assert (row.state, row.downtime, row.to_rto) == ("rto", 70, -10)
    assert row.mtpd_breach_at is None


def test_drills_are_numbered_apart(bank, personas, t0):
    inc = services.incident_declare(
        actor=personas["manager"], title="断网演练", category="it", pack=pack("generic"),
        detected_at=t0, is_drill=True, resources=[bank["swift"]],
    )  # fmt: skip
    assert inc.code.startswith("EX-") and inc.is_drill
    assert inc.level == "small"  # one activity (PAY) stops: 小规模 (DOMAIN.md §6)


def test_the_recovery_achieved_becomes_the_tested_capability(swift_down, t0, personas, bank):
    """Issue 13 item 6: the achieved recovery times can update the resources' tested
    capabilities; the next what-if uses what really happened."""
    inc, m = swift_down, personas["manager"]
    with pytest.raises(ValidationError):
        services.achieved_apply(actor=m, incident=inc, values={bank["swift"]: (90, 0)})
    for step in (Status.RESPONDING, Status.RESOLVED):
        services.status_set(actor=m, incident=inc, status=step, now=at(t0, 95))
    with pytest.raises(ValidationError):  # the review first
        services.achieved_apply(actor=m, incident=inc, values={bank["swift"]: (90, 0)})
    services.review_save(
        actor=m, incident=inc, timeline="t", downtime_minutes=95, causes="c", lessons="l"
    )
    assert [r.code for r in services.achieved_candidates(m, inc)] == ["SWIFT"]
    assert services.achieved_candidates(personas["coord_b"], inc) == []
    with pytest.raises(ValidationError):  # not a failed resource
        services.achieved_apply(actor=m, incident=inc, values={bank["core"]: (10, 0)})
    assert services.achieved_apply(actor=m, incident=inc, values={bank["swift"]: (90, 0)}) == 1
    bank["swift"].refresh_from_db()
    assert (bank["swift"].recovery_time, bank["swift"].recovery_point) == (90, 0)
    assert bank["swift"].capability_tested_on == timezone.localtime(at(t0, 95)).date()
    assert inc.code in bank["swift"].capability_evidence
    assert AuditEvent.objects.filter(
        action="update", object_type="dependencies.resource", object_id=str(bank["swift"].pk)
    ).exists()


def test_situation_reports_on_the_schedule_of_a_large_incident(bank, personas, t0):
    """Issue 13 item 5: a large-scale incident (DOMAIN.md §6) gets a tactical report
    (conditions, actions, needs) every 2 hours and an executive report every 4 hours."""
    inc = services.incident_declare(
        actor=personas["manager"], title="主数据中心断电", category="facility",
        pack=pack("generic"), detected_at=t0, sites=[bank["site_main"]], resources=[bank["swift"]],
        now=at(t0, 1),
    )  # fmt: skip
    assert inc.level == "large"
    services.regrade(inc, now=at(t0, 250))
    codes = [(d.code, d.n) for d in inc.deadlines.order_by("due_at", "code")]
    assert ("tactical", 1) in codes and ("tactical", 2) in codes and ("executive", 1) in codes
    tactical = inc.deadlines.get(code="tactical", n=1)
    _title, body = services.report_draft(inc, tactical, now=at(t0, 110))
    assert "Conditions" in body or "态势" in body
    assert "Needs" in body or "需求" in body
    executive = inc.deadlines.get(code="executive", n=1)
    _title, body = services.report_draft(inc, executive, now=at(t0, 230))
    assert "RTO" in body and ("committee" in body or "委员会" in body)
