"""The hazard pages' permission table: persona × page, each outcome from the declared rules
(resilia/hazards/access.py), never from observed responses. A permitted POST changes the
record and writes its audit event; a refused one changes nothing and writes none.

The objects are at DEPT-A's data centre; contrib_a is the round's inspector."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from resilia.audit.models import AuditEvent
from resilia.hazards import services
from resilia.hazards.models import Hazard, HazardStatus, Result
from resilia.hazards.tests.conftest import photo
from resilia.risk import services as risk_services
from resilia.risk.models import Risk, Threat

# The page table's decisions by role are Python; the scope rules' queries run on PostgreSQL
# too, in the API permission table and the leak tests (resilia/conftest.py, one_database).
pytestmark = [pytest.mark.django_db, pytest.mark.one_database]

LOGIN = "login"
PERSONAS = ["admin", "manager", "coord_a", "coord_b", "contrib_a", "auditor", "executive",
            "outsider"]  # fmt: skip
READERS = {"admin", "manager", "coord_a", "coord_b", "contrib_a", "auditor"}
OFFICE = {"admin", "manager"}
PLANNERS = OFFICE | {"coord_a", "coord_b"}
# DEPT-A's site: the organisation-wide readers and DEPT-A's subtree.
A_READERS = {"admin", "manager", "auditor", "coord_a", "contrib_a"}
FILLERS = {"admin", "manager", "coord_a", "contrib_a"}  # the inspector and the site's writers
ISSUERS = {"admin", "manager", "coord_a"}
# Who may create a risk in DEPT-A (the risk register's rule): promote a hazard to a risk.
PROMOTERS = {"admin", "manager", "coord_a"}

LISTS = ["overview", "template_list", "schedule_list", "round_list", "hazard_list",
         "major_list", "overdue_list"]  # fmt: skip


def expected(persona: str, page: str):
    if persona == "outsider":
        return LOGIN
    if persona not in READERS:
        return 403
    if page in LISTS or page in ("ledger", "template_detail"):  # templates are shared
        return 200
    if page == "template_create":
        return 200 if persona in OFFICE else 403
    if page in ("round_create", "schedule_create"):
        return 200 if persona in PLANNERS else 403
    if persona not in A_READERS:
        return 404
    if page in ("round_detail", "hazard_detail"):
        return 200
    if page == "answer":
        return 302 if persona in FILLERS else 403
    if page == "issue":
        return 302 if persona in ISSUERS else 403
    if page == "promote":
        return 302 if persona in PROMOTERS else 403
    if page == "cancel":  # a planner who may write the round; not its inspector
        return 302 if persona in ISSUERS else 403
    if page == "withdraw":  # whoever recorded it (the inspector) or a writer of the site
        return 302 if persona in FILLERS else 403
    raise AssertionError(page)


def _client(personas, name):
    client = Client()
    if name != "outsider":
        client.force_login(personas[name])
    return client


def _outcome(response):
    if response.status_code == 302 and "/accounts/login" in response["Location"]:
        return LOGIN
    return response.status_code


@pytest.fixture
def world(hz):
    hazard = services.hazard_report(
        actor=hz["inspector"], round=hz["round"], grade="major", title="配电柜过热",
        description="红外测温72℃", location="配电室", photos=[photo()],
    )  # fmt: skip
    return {**hz, "hazard": hazard}


def _url(world, page):
    if page in LISTS or page in ("template_create", "round_create", "schedule_create"):
        return reverse(f"hazards:{page}")
    if page == "ledger":
        return reverse("hazards:ledger", args=["docx"])
    if page == "template_detail":
        return reverse("hazards:template_detail", args=[world["network"].pk])
    if page in ("round_detail", "answer"):
        return world["round"].get_absolute_url()
    if page == "hazard_detail":
        return world["hazard"].get_absolute_url()
    if page == "promote":
        return reverse("hazards:hazard_promote", args=[world["hazard"].pk])
    if page == "cancel":
        return reverse("hazards:round_cancel", args=[world["round"].pk])
    if page == "withdraw":
        return reverse("hazards:hazard_withdraw", args=[world["hazard"].pk])
    return reverse("hazards:rectification_issue", args=[world["hazard"].pk])


GETS = [*LISTS, "ledger", "template_create", "round_create", "schedule_create",
        "template_detail", "round_detail", "hazard_detail"]  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
def test_pages(world, personas, persona):
    client = _client(personas, persona)
    for page in GETS:
        assert _outcome(client.get(_url(world, page))) == expected(persona, page), page


@pytest.mark.parametrize("persona", PERSONAS)
def test_answering_the_checklist(world, personas, persona):
    item = world["round"].items.first()
    before = AuditEvent.objects.filter(action="inspect_answer").count()
    response = _client(personas, persona).post(_url(world, "answer"), {f"result_{item.pk}": "pass"})
    outcome = expected(persona, "answer")
    assert _outcome(response) == outcome
    item.refresh_from_db()
    done = outcome == 302
    assert (item.result == Result.PASS) is done
    assert AuditEvent.objects.filter(action="inspect_answer").count() == before + int(done)


@pytest.mark.parametrize("persona", PERSONAS)
def test_issuing_the_order(world, personas, people, persona):
    deadline = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = _client(personas, persona).post(_url(world, "issue"), {
        "responsible": people["alice"].pk, "measures": "加装散热风扇", "funding_amount": "500",
        "funding_source": "运维预算", "deadline": deadline, "contingency": "每2小时测温",
    })  # fmt: skip
    outcome = expected(persona, "issue")
    assert _outcome(response) == outcome
    done = outcome == 302
    status = Hazard.objects.get(pk=world["hazard"].pk).status
    assert (status == HazardStatus.RECTIFYING) is done
    assert AuditEvent.objects.filter(action="rectify_issue").count() == int(done)


@pytest.mark.parametrize("persona", PERSONAS)
def test_promoting_to_a_risk(world, personas, persona):
    risk_services.threat_catalogue_load(actor=None)
    threat = Threat.objects.get(code="TEC-POWER")
    response = _client(personas, persona).post(
        _url(world, "promote"), {"threat": threat.pk, "likelihood": 4, "impact": 4}
    )
    outcome = expected(persona, "promote")
    assert _outcome(response) == outcome
    done = outcome == 302
    assert (Hazard.objects.get(pk=world["hazard"].pk).promoted_risk_id is not None) is done
    assert Risk.objects.count() == int(done)
    assert AuditEvent.objects.filter(action="hazard_promote").count() == int(done)


@pytest.mark.parametrize("persona", PERSONAS)
def test_cancelling_a_round(world, personas, persona):
    response = _client(personas, persona).post(_url(world, "cancel"), {"reason": "机房停用"})
    outcome = expected(persona, "cancel")
    assert _outcome(response) == outcome
    done = outcome == 302
    world["round"].refresh_from_db()
    assert (world["round"].status == "cancelled") is done
    assert AuditEvent.objects.filter(action="inspect_cancel").count() == int(done)


@pytest.mark.parametrize("persona", PERSONAS)
def test_withdrawing_a_hazard(world, personas, persona):
    response = _client(personas, persona).post(_url(world, "withdraw"), {"reason": "重复登记"})
    outcome = expected(persona, "withdraw")
    assert _outcome(response) == outcome
    done = outcome == 302
    status = Hazard.objects.get(pk=world["hazard"].pk).status
    assert (status == HazardStatus.WITHDRAWN) is done
    assert AuditEvent.objects.filter(action="hazard_withdraw").count() == int(done)
