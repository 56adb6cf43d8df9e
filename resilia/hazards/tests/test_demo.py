"""The demo bank's data centre: one 一般隐患 closed, one 重大隐患 open and overdue."""

import io

import pytest
from django.core.management import call_command

from resilia.hazards.filters import overdue_q
from resilia.hazards.models import Hazard, HazardStatus, InspectionRound, Schedule

pytestmark = pytest.mark.django_db


def test_the_demo_shows_the_loop(monkeypatch):
    monkeypatch.setenv("RESILIA_DEMO_PASSWORD", "Demo-Password-42!")
    call_command("demo", stdout=io.StringIO())
    general = Hazard.objects.get(grade="general")
    major = Hazard.objects.get(grade="major")
    assert general.status == HazardStatus.CLOSED and general.verifications.get().passed
    assert major.status == HazardStatus.RECTIFYING
    assert (
        major.promoted_risk.threat.name == "网络中断" and major.promoted_risk.inherent_score == 16
    )
    assert Hazard.objects.filter(overdue_q()).get() == major
    assert Schedule.objects.count() == 2
    assert InspectionRound.objects.filter(site__code="DC-MAIN", status="completed").count() == 2
    call_command("demo", stdout=io.StringIO())  # idempotent
    assert Hazard.objects.count() == 2
