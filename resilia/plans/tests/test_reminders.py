"""Review-date reminders and the chasing of unacknowledged holders, by e-mail, idempotent."""

import datetime as dt

from django.utils import timezone

from resilia.plans import services
from resilia.plans.models import Reminder
from resilia.plans.reminders import send_reminders
from resilia.plans.tests.conftest import sign_off


def test_it_chases_holders_weekly_and_the_owner_when_review_is_due(
    plan_setup, personas, people, smtp_server
):
    v = sign_off(plan_setup, personas)
    plan = v.plan
    services.plan_update(
        actor=personas["manager"],
        plan=plan,
        owner=people["alice"],
        distribution=[people["alice"], people["bob"]],
    )
    people["bob"].email = "li.na@example.com"
    people["bob"].save()
    services.version_acknowledge(actor=personas["contrib_a"], version=v)  # bob read it
    published = timezone.localdate(v.published_at)
    assert send_reminders(published + dt.timedelta(days=3)) == {"sent": 0, "skipped": 0}
    day = published + dt.timedelta(days=7)
    assert send_reminders(day) == {"sent": 1, "skipped": 0}  # alice only
    assert send_reminders(day) == {"sent": 0, "skipped": 1}  # never twice
    [message] = smtp_server.messages
    assert message["To"] == "zhang.wei@example.com" and "EP-NET" in message["Subject"]
    assert send_reminders(day + dt.timedelta(days=1))["sent"] == 0
    assert send_reminders(day + dt.timedelta(days=7))["sent"] == 1
    # The review date comes: the owner is told, on the day and weekly after.
    services.plan_update(
        actor=personas["manager"], plan=plan, next_review=day + dt.timedelta(days=2)
    )
    kinds = []
    for offset in (2, 9):
        send_reminders(day + dt.timedelta(days=offset))
        kinds = sorted(Reminder.objects.filter(kind="review").values_list("day", flat=True))
    assert kinds == [day + dt.timedelta(days=2), day + dt.timedelta(days=9)]
