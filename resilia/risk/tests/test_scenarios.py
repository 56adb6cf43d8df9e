"""Scenarios through the engine (issue 10 item 5)."""

import pytest
from django.core.exceptions import ValidationError

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.dependencies import services as deps
from resilia.org import services as org
from resilia.risk import scenarios, services

H = 60


@pytest.fixture
def dc_model(risk_setup, org_tree, personas):
    with request_context(source="test"):
        site = org.site_create(actor=None, code="DC1", name="主数据中心", kind="data_centre")
        room = deps.resource_create(
            actor=None, code="DC1-ROOM", name="主机房", kind="facility", site=site,
            recovery_time=48 * H,
        )  # fmt: skip
        pay = deps.activity_create(
            actor=None, code="PAY", name="支付清算", unit=org_tree["dept_a"], mtpd=4 * H, rto=2 * H
        )
        hr = deps.activity_create(
            actor=None, code="HR", name="人事管理", unit=org_tree["dept_b"], mtpd=30 * 24 * H
        )
        deps.dependency_create(actor=None, dependent=pay, dependency=room)
        deps.dependency_create(actor=None, dependent=hr, dependency=room)
        risk = risk_setup["dc"]
        risk.sites.set([site])
    return {"site": site, "room": room, "risk": risk}


def test_it_runs_the_failure_of_the_risks_site_and_suggests_an_impact(dc_model, personas):
    """The data centre burns for the fire's typical 2 days: both activities stop, payments
    breach their 4 h MTPD, HR (30 days) does not; one breach on a 1-5 scale suggests 4."""
    scenario = scenarios.scenario_run(actor=personas["manager"], risk=dc_model["risk"])
    assert scenario.failed == ["resource:DC1-ROOM"] and scenario.duration == 2 * 24 * H
    by_code = {a["code"]: a for a in scenario.activities}
    assert set(by_code) == {"PAY", "HR"}
    assert by_code["PAY"]["breached"] and by_code["PAY"]["mtpd_breach_at"] == 4 * H
    assert not by_code["HR"]["breached"]
    assert (scenario.stopped, scenario.breached, scenario.suggested_impact) == (2, 1, 4)
    dc_model["risk"].refresh_from_db()
    assert dc_model["risk"].suggested_impact == 4
    assert AuditEvent.objects.filter(action="scenario", object_type="risk.scenario").count() == 1


def test_it_refuses_a_scenario_for_a_risk_without_sites_or_resources(risk_setup, personas):
    with pytest.raises(ValidationError):
        scenarios.scenario_run(actor=personas["manager"], risk=risk_setup["branch"])
    assert not services.Risk.objects.filter(suggested_impact__isnull=False).exists()
