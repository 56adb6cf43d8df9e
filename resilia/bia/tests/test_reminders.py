"""Reminders before, on and after the deadline (issue 9 item 2), through a real SMTP server."""

import datetime as dt

import pytest

from resilia.bia import services as bia
from resilia.bia.models import Assessment, Reminder
from resilia.bia.reminders import reminder_kind
from resilia.bia.tasks import bia_reminders
from resilia.core.context import request_context

DEADLINE = dt.date(2026, 12, 20)


def test_which_day_sends_which_reminder(settings):
    settings.BIA_REMINDER_DAYS_BEFORE = 7
    assert reminder_kind(DEADLINE, dt.date(2026, 12, 13)) == "before"
    assert reminder_kind(DEADLINE, dt.date(2026, 12, 14)) is None
    assert reminder_kind(DEADLINE, DEADLINE) == "on"
    assert reminder_kind(DEADLINE, dt.date(2026, 12, 21)) == "after"
    assert reminder_kind(DEADLINE, dt.date(2026, 12, 22)) is None
    assert reminder_kind(DEADLINE, dt.date(2026, 12, 28)) == "after"


@pytest.fixture
def launched(bia_setup, personas):
    with request_context(source="test"):
        bia.campaign_launch(actor=personas["manager"], campaign=bia_setup["campaign"])
    return bia_setup


def test_each_assignee_gets_one_message_listing_their_open_assessments(
    launched, smtp_server, personas, settings
):
    from resilia.bia import reminders

    settings.SITE_URL = "https://bcm.example.com"
    result = reminders.send_reminders(DEADLINE)
    assert result == {"sent": 1, "skipped": 0}
    (message,) = smtp_server.messages
    assert message["To"] == personas["coord_a"].email
    body = message.get_content()
    assert "PAY" in body and "LOAN" in body
    assert "https://bcm.example.com/bia/assessments/" in body
    assert "BIA-2026" in message["Subject"]
    # A second run the same day sends nothing (a retried task).
    assert reminders.send_reminders(DEADLINE) == {"sent": 0, "skipped": 1}
    assert len(smtp_server.messages) == 1
    assert Reminder.objects.get().assessments == 2


def test_submitted_assessments_are_not_reminded_and_english_readers_read_english(
    launched, smtp_server, personas
):
    from resilia.bia import reminders

    coord = personas["coord_a"]
    coord.language = "en"
    coord.save()
    Assessment.objects.filter(activity__code="PAY").update(status="submitted")
    reminders.send_reminders(DEADLINE + dt.timedelta(days=1))
    (message,) = smtp_server.messages
    body = message.get_content()
    assert "LOAN" in body and "PAY" not in body
    assert "Overdue" in message["Subject"] and "still open" in body


def test_the_scheduled_task_runs_in_the_worker(launched, smtp_server, monkeypatch):
    """The task the scheduler enqueues daily (site/scheduler.py: bia_reminders)."""
    from resilia.site.scheduler import JOBS
    from resilia.site.tasks import is_idempotent

    job = next(j for j in JOBS if j.name == "bia_reminders")
    assert job.task is bia_reminders and is_idempotent(bia_reminders.module_path)
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda: DEADLINE)
    assert bia_reminders.call() == {"sent": 1, "skipped": 0}
