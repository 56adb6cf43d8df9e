"""The risk pages' permission table: persona × page, each outcome from the declared rules
(resilia/risk/access.py), never from observed responses. A permitted POST changes the record
and writes its audit event; a refused one changes nothing and writes none.

R-001 belongs to DEPT-A and its owner is bob, the person contrib_a signs in as."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from resilia.audit.models import AuditEvent
from resilia.risk import services
from resilia.risk.models import Risk, RiskAssessment, Threat

# The page table's decisions by role are Python; the scope rules' queries run on PostgreSQL
# too, in the API permission table and the leak tests (resilia/conftest.py, one_database).
pytestmark = pytest.mark.one_database

LOGIN = "login"
PERSONAS = ["admin", "manager", "coord_a", "coord_b", "contrib_a", "auditor", "executive",
            "outsider"]  # fmt: skip
READERS = {"admin", "manager", "coord_a", "coord_b", "contrib_a", "auditor"}
OFFICE = {"admin", "manager"}
CREATORS = OFFICE | {"coord_a", "coord_b"}  # access.can_create: coordinators in their subtree
R1_READERS = {"admin", "manager", "coord_a", "contrib_a", "auditor"}
R1_WRITERS = {"admin", "manager", "coord_a", "contrib_a"}  # contrib_a: the risk's owner
R1_DELETERS = {"admin", "manager", "coord_a"}

LISTS = ["risk_list", "measure_list", "heatmap", "matrix", "threat_list", "assessment_list",
         "assessment_detail", "threat_detail"]  # fmt: skip
# The threat catalogue's and the matrix's editors (threat_edit, threat_delete: the form and the
# confirmation page of a threat no risk uses).
OFFICE_PAGES = ["threat_create", "threat_edit", "threat_delete", "assessment_create",
                "matrix_edit"]  # fmt: skip
R1_PAGES = {"risk_detail": R1_READERS, "risk_edit": R1_WRITERS, "risk_delete": R1_DELETERS,
            "measure_create": R1_WRITERS}  # fmt: skip
PAGES = [*LISTS, *OFFICE_PAGES, "risk_create", *R1_PAGES, "accept", "scenario", "sign_off"]


def expected(persona: str, page: str):
    if persona == "outsider":
        return LOGIN
    if persona not in READERS:
        return 403
    if page in LISTS:
        return 200
    if page in OFFICE_PAGES:
        return 200 if persona in OFFICE else 403
    if page == "risk_create":
        return 200 if persona in CREATORS else 403
    if page == "sign_off":
        return 302 if persona in OFFICE else 403
    if persona not in R1_READERS:
        return 404
    if page in R1_PAGES:
        return 200 if persona in R1_PAGES[page] else 403
    if page == "accept":
        return 302 if persona in OFFICE else 403  # the accepting roles that read risks
    if page == "scenario":
        return 302 if persona in R1_WRITERS else 403
    raise AssertionError(page)


@pytest.fixture
def world(risk_setup, personas):
    assessment = services.assessment_create(
        actor=personas["manager"], code="RA-1", name="年度评估", assessed_on="2026-06-01"
    )
    return {"r1": risk_setup["dc"], "assessment": assessment, "threat": risk_setup["fire"],
            "unused": Threat.objects.get(code="NAT-EQ")}  # fmt: skip


def _url(world, page):
    r1, a = world["r1"], world["assessment"]
    args = {
        "risk_detail": [r1.pk], "risk_edit": [r1.pk], "risk_delete": [r1.pk],
        "measure_create": [r1.pk], "accept": [r1.pk], "scenario": [r1.pk],
        "assessment_detail": [a.pk], "sign_off": [a.pk], "threat_detail": [world["threat"].pk],
        "threat_edit": [world["unused"].pk], "threat_delete": [world["unused"].pk],
    }  # fmt: skip
    names = {"accept": "risk_accept", "scenario": "risk_scenario",
             "sign_off": "assessment_sign_off"}  # fmt: skip
    return reverse(f"risk:{names.get(page, page)}", args=args.get(page, []))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES)
def test_the_risk_pages_follow_the_rules(world, personas, persona, page):
    client = Client()
    if persona != "outsider":
        client.force_login(personas[persona])
    events = AuditEvent.objects.count()
    if page in ("accept", "scenario", "sign_off"):
        expires = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
        response = client.post(_url(world, page), {"reason": "成本过高", "expires": expires})
    else:
        response = client.get(_url(world, page))
    want = expected(persona, page)
    if want == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == want, (persona, page)
    r1 = Risk.objects.get(pk=world["r1"].pk)
    signed = RiskAssessment.objects.get(pk=world["assessment"].pk).status == "signed_off"
    if page == "accept":
        assert (r1.treatment == "accept") == (want == 302)
        assert AuditEvent.objects.filter(action="accept").exists() == (want == 302)
    if page == "sign_off":
        assert signed == (want == 302)
        assert AuditEvent.objects.filter(action="sign_off").exists() == (want == 302)
    if page not in ("accept", "scenario", "sign_off") or want != 302:
        assert AuditEvent.objects.exclude(action__in=["login"]).count() == events
