"""The daily jobs: due rounds created once per schedule and date; overdue rectifications
escalated to the responsible person's unit head (else the BCM managers), once a day."""

import datetime as dt

import pytest
from django.utils import timezone

from resilia.accounts.models import Role
from resilia.conftest import make_user
from resilia.hazards import services
from resilia.hazards.escalations import send_escalations
from resilia.hazards.models import Escalation, InspectionRound, Rectification
from resilia.hazards.schedule import add_months, first_after
from resilia.hazards.tests.conftest import issue, photo
from resilia.org import services as org

pytestmark = pytest.mark.django_db


def test_month_arithmetic_clamps_to_the_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert first_after("weekly", dt.date(2026, 1, 1), dt.date(2026, 1, 15)) == dt.date(2026, 1, 22)


def test_it_creates_a_due_round_once(hz, personas):
    today = hz["today"]
    schedule = services.schedule_create(
        actor=personas["manager"],
        template=hz["network"],
        site=hz["site"],
        frequency="weekly",
        inspector=hz["inspector"],
        next_due=today - dt.timedelta(days=15),
    )
    assert services.rounds_schedule(today) == {"created": 1}
    assert services.rounds_schedule(today) == {"created": 0}
    [created] = InspectionRound.objects.filter(schedule=schedule)
    assert created.due_date == today - dt.timedelta(days=15)
    assert created.items.count() == hz["network"].items.count()
    schedule.refresh_from_db()
    assert schedule.next_due == today + dt.timedelta(days=6)


@pytest.fixture
def overdue(hz, personas, people):
    hazard = services.hazard_report(
        actor=hz["inspector"], round=hz["round"], grade="major", title="配电柜过热",
        description="红外测温72℃", location="配电室", photos=[photo()],
    )  # fmt: skip
    issue(hazard, personas["coord_a"], people["bob"])
    # The deadline passed 8 days ago (the order was issued before that).
    Rectification.objects.update(deadline=timezone.localdate() - dt.timedelta(days=8))
    return hazard


def test_it_escalates_to_the_unit_head_once(hz, overdue, org_tree, smtp_server):
    head = org.person_create(actor=None, full_name="周敏", unit=org_tree["dept_a"])
    org.unit_update(actor=None, unit=org_tree["team_a"], head=head)  # 李娜's unit
    boss = make_user("boss", Role.COORDINATOR, unit=org_tree["team_a"], person=head)
    today = timezone.localdate()
    assert send_escalations(today) == {"sent": 1, "skipped": 0}
    assert send_escalations(today) == {"sent": 0, "skipped": 1}
    [row] = Escalation.objects.all()
    assert row.user == boss and row.days_overdue == 8
    [message] = smtp_server.messages
    assert message["To"] == "boss@example.com"
    assert overdue.number in message["Subject"]
    # Not an escalation day (9 days late): nothing.
    assert send_escalations(today + dt.timedelta(days=1)) == {"sent": 0, "skipped": 0}


def test_without_a_unit_head_it_escalates_to_the_bcm_managers(hz, overdue, personas, smtp_server):
    assert send_escalations(timezone.localdate())["sent"] == 1
    assert [m["To"] for m in smtp_server.messages] == [personas["manager"].email]


def test_a_fix_reported_stops_the_escalation(hz, overdue, smtp_server):
    services.rectification_report(actor=hz["inspector"], hazard=overdue, note="已加装风扇")
    assert send_escalations(timezone.localdate()) == {"sent": 0, "skipped": 0}
