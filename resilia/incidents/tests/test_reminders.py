"""Reminders before a reporting deadline (issue 13 item 3): ten minutes before, once, by e-mail
to the commander (the account linked to the person), in their language; a deadline already
reported, or of a closed incident, is not reminded; with no commander, the BCM managers are."""

import pytest

from resilia.incidents import services
from resilia.incidents.reminders import send_reminders
from resilia.incidents.tests.conftest import at

pytestmark = pytest.mark.django_db


def test_the_commander_is_reminded_once_before_the_deadline(swift_down, t0, personas, smtp_server):
    inc, m = swift_down, personas["manager"]
    contributor = personas["contrib_a"]  # linked to people["bob"]
    services.role_assign(actor=m, incident=inc, role="commander", person=contributor.person)
    assert send_reminders(now=at(t0, 10)) == {"reminders": 0}  # initial report due at 30 min
    assert send_reminders(now=at(t0, 21)) == {"reminders": 1}
    assert send_reminders(now=at(t0, 25)) == {"reminders": 0}  # once
    [mail] = smtp_server.messages
    assert mail["To"] == contributor.email
    assert inc.code in mail["Subject"]
    assert inc.get_absolute_url() in mail.get_content()


def test_the_bcm_managers_when_there_is_no_commander(swift_down, t0, personas, smtp_server):
    inc = swift_down
    initial = inc.deadlines.get(code="initial")
    services.report_file(actor=personas["manager"], incident=inc, deadline=initial,
                         title="初报", body="…", now=at(t0, 15))  # fmt: skip
    assert send_reminders(now=at(t0, 25)) == {"reminders": 0}  # already reported
    assert send_reminders(now=at(t0, 715)) == {"reminders": 1}  # the written report, 12 h
    [mail] = smtp_server.messages
    assert mail["To"] == personas["manager"].email
