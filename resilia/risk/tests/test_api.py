"""The risk API: the register through its services, accept, sign-off, matrix versions."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from resilia.audit.models import AuditEvent
from resilia.risk import services
from resilia.risk.models import Measure, Risk, RiskAssessment
from resilia.risk.tests.conftest import bands_b


@pytest.fixture
def api(personas):
    def make(name):
        client = APIClient()
        client.force_authenticate(personas[name])
        return client

    return make


def test_it_lists_risks_with_few_queries(api, risk_setup, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        response = api("manager").get("/api/risk/risks/")
    assert response.status_code == 200
    rows = {r["code"]: r for r in response.json()["results"]}
    assert rows["R-001"]["inherent_score"] == 12 and rows["R-001"]["band"] == "major"
    assert api("coord_b").get("/api/risk/risks/").json()["count"] == 1
    assert api("manager").get("/api/risk/risks/?bnad=low").status_code == 400


def test_it_creates_a_risk_and_refuses_off_scale_ratings(api, risk_setup, org_tree):
    body = {
        "code": "R-020",
        "title": "勒索软件攻击",
        "threat": risk_setup["fire"].pk,
        "unit": org_tree["dept_a"].pk,
        "inherent_likelihood": 3,
        "inherent_impact": 5,
    }
    created = api("manager").post("/api/risk/risks/", body, format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["inherent_score"], created.json()["band"]) == (15, "major")
    bad = api("manager").post(
        "/api/risk/risks/", {**body, "code": "R-021", "inherent_impact": 8}, format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert bad.status_code == 400 and "from 1 to 5" in str(bad.json())
    assert not Risk.objects.filter(code="R-021").exists()
    refused = api("coord_b").post("/api/risk/risks/", {**body, "code": "R-022"}, format="json")
    assert refused.status_code in (400, 403)


def test_it_accepts_a_risk_only_with_an_approver_and_reason(api, risk_setup):
    url = f"/api/risk/risks/{risk_setup['dc'].pk}/accept/"
    expires = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    assert (
        api("coord_a").post(url, {"reason": "x", "expires": expires}, format="json").status_code
        == 403
    )
    assert (
        api("manager").post(url, {"reason": "", "expires": expires}, format="json").status_code
        == 400
    )
    ok = api("manager").post(url, {"reason": "成本过高", "expires": expires}, format="json")
    assert ok.status_code == 200 and ok.json()["treatment"] == "accept"
    assert AuditEvent.objects.filter(action="accept").count() == 1


def test_a_measure_without_owner_or_due_date_is_refused(api, risk_setup, people):
    body = {
        "risk": risk_setup["dc"].pk,
        "title": "更换UPS",
        "owner": None,
        "due_date": "2026-05-01",
    }
    assert api("manager").post("/api/risk/measures/", body, format="json").status_code == 400
    body["owner"] = people["bob"].pk
    body["due_date"] = None
    assert api("manager").post("/api/risk/measures/", body, format="json").status_code == 400
    body["due_date"] = "2026-05-01"
    assert api("manager").post("/api/risk/measures/", body, format="json").status_code == 201
    assert Measure.objects.count() == 1


def test_it_saves_matrix_versions_and_signs_off_assessments(api, risk_setup):
    m = services.current_matrix()
    body = {"likelihood": m.likelihood, "impact": m.impact, "bands": bands_b(), "appetite": "major"}
    assert api("coord_a").post("/api/risk/matrices/", body, format="json").status_code == 403
    overlap = [dict(b) for b in bands_b()]
    overlap[0]["max"] = 5
    bad = api("manager").post("/api/risk/matrices/", {**body, "bands": overlap}, format="json")
    assert bad.status_code == 400
    assert api("manager").post("/api/risk/matrices/", body, format="json").status_code == 201
    risks = api("manager").get("/api/risk/risks/").json()["results"]
    assert all(r["pending_rescore"] for r in risks)
    a = api("manager").post(
        "/api/risk/assessments/", {"code": "RA-1", "name": "年度评估", "assessed_on": "2026-11-30"},
        format="json",
    )  # fmt: skip
    assert a.status_code == 201
    url = f"/api/risk/assessments/{a.json()['id']}/sign-off/"
    assert api("coord_a").post(url).status_code == 403
    assert api("manager").post(url).json()["status"] == "signed_off"
    assert api("manager").post(url).status_code == 409
    entries = api("auditor").get(f"/api/risk/assessed-risks/?assessment={a.json()['id']}").json()
    assert entries["count"] == 2
    assert RiskAssessment.objects.get().entries.count() == 2
