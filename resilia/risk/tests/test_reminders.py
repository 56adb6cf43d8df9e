"""Reminders of treatment measures: before the due date, then overdue weekly; never twice."""

import datetime as dt

from django.core import mail

from resilia.risk import services
from resilia.risk.models import MeasureReminder
from resilia.risk.reminders import reminder_kind, send_measure_reminders


def test_it_tells_which_reminder_a_day_is():
    due = dt.date(2026, 6, 30)
    assert reminder_kind(due, dt.date(2026, 6, 23)) == "before"
    assert reminder_kind(due, dt.date(2026, 6, 29)) is None
    assert reminder_kind(due, dt.date(2026, 7, 1)) == "overdue"
    assert reminder_kind(due, dt.date(2026, 7, 8)) == "overdue"
    assert reminder_kind(due, dt.date(2026, 7, 2)) is None


def test_it_mails_the_owner_once_per_day(risk_setup, personas, people):
    today = dt.date(2026, 7, 1)
    services.measure_create(actor=personas["manager"], risk=risk_setup["dc"], title="更换UPS",
                            owner=people["alice"], due_date=dt.date(2026, 6, 30))  # fmt: skip
    services.measure_create(actor=personas["manager"], risk=risk_setup["dc"], title="演练",
                            owner=people["alice"], due_date=dt.date(2026, 7, 8))  # fmt: skip
    assert send_measure_reminders(today) == {"sent": 2, "skipped": 0}
    assert send_measure_reminders(today) == {"sent": 0, "skipped": 2}
    assert len(mail.outbox) == 2 and mail.outbox[0].to == ["zhang.wei@example.com"]
    assert "R-001" in mail.outbox[0].subject
    assert MeasureReminder.objects.count() == 2
