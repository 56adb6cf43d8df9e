"""The BIA's read API: assessments through the access choke point, with the derived MTPD."""

import pytest
from rest_framework.test import APIClient

from resilia.accounts.tests.tokens import api_key
from resilia.bia import services as bia
from resilia.bia.tests.conftest import H, full_ratings
from resilia.core.context import request_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_for(personas):
    """api_for("coord_a") → a client signed in with that persona's API token."""

    def make(name: str) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(personas[name])}")
        return client

    return make


@pytest.fixture
def launched(bia_setup, personas):
    with request_context(source="test"):
        bia.campaign_launch(actor=personas["manager"], campaign=bia_setup["campaign"])
    return bia_setup


def test_it_lists_only_the_assessments_in_the_readers_scope(api_for, launched):
    codes = {
        name: sorted(
            row["activity_code"]
            for row in api_for(name).get("/api/bia/assessments/").json()["results"]
        )
        for name in ("manager", "auditor", "coord_a", "coord_b")
    }
    assert codes["manager"] == codes["auditor"] == ["LOAN", "PAY"]
    assert codes["coord_a"] == ["LOAN", "PAY"]
    assert codes["coord_b"] == []


def test_it_shows_the_derived_mtpd_and_its_driver(api_for, launched, personas):
    """standards.md §2 rule 4: the MTPD is the earliest time point at which any category
    reaches its own threshold; here legal reaches 4 at the fourth point (8 h)."""
    fw = launched["framework"]
    pay = launched["pay"].assessments.get()
    legal = next(c for c in fw.categories if c["code"] == "legal")
    n = len(fw.time_points)
    row = [1, 1, 1, legal["threshold"]] + [legal["threshold"]] * (n - 4)
    with request_context(source="test"):
        bia.assessment_save(
            actor=personas["manager"], assessment=pay, ratings=full_ratings(fw, legal=row)
        )
    body = api_for("coord_a").get(f"/api/bia/assessments/{pay.pk}/").json()
    assert body["derived_mtpd"] == fw.time_points[3] == 8 * H
    assert [d["category"] for d in body["derived_drivers"]] == ["legal"]


def test_it_refuses_an_assessment_outside_scope_and_an_unknown_filter(api_for, launched):
    pay = launched["pay"].assessments.get()
    assert api_for("coord_b").get(f"/api/bia/assessments/{pay.pk}/").status_code == 404
    response = api_for("manager").get("/api/bia/assessments/?stauts=draft")
    assert response.status_code == 400
    assert "stauts" in response.json()["error"]["fields"]


def test_the_auditor_reads_the_framework_and_campaigns_and_writes_nothing(api_for, launched):
    client = api_for("auditor")
    assert client.get("/api/bia/frameworks/").json()["results"][0]["number"] == 1
    assert client.get("/api/bia/campaigns/").json()["results"][0]["code"] == "BIA-2026"
    assert client.post("/api/bia/campaigns/", {}, format="json").status_code == 403
    assert client.post("/api/bia/frameworks/", {}, format="json").status_code == 403


def _key(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


LEGAL = [1, 1, 3, 4, 4, 4, 5, 5, 5, 5]


def test_the_whole_workflow_through_the_api(api_for, launched, personas):
    """Fill, submit, return, fix, review, approve: each step by its role (403 otherwise), each
    out of order refused with 409; approval writes the objectives (issue 9 items 2-4)."""
    fw = launched["framework"]
    pay = launched["pay"].assessments.get()
    url = f"/api/bia/assessments/{pay.pk}/"
    coord, office, head = api_for("coord_a"), api_for("manager"), _key(launched["head_a"])
    # RTO equal to the derived MTPD (8 h): refused, nothing saved (standards.md §1.10).
    body = {"ratings": full_ratings(fw, legal=LEGAL), "rto": 8 * H, "rpo": 15}
    r = coord.patch(url, body, format="json")
    assert r.status_code == 400 and "rto" in r.json()["error"]["fields"]
    assert coord.get(url).json()["ratings"] == {}
    r = coord.patch(url, {**body, "rto": 4 * H}, format="json")
    assert r.status_code == 200 and r.json()["derived_mtpd"] == 8 * H
    assert coord.patch(url, {"nope": 1}, format="json").status_code == 400
    assert api_for("auditor").patch(url, {"rpo": 5}, format="json").status_code == 403
    assert api_for("coord_b").patch(url, {"rpo": 5}, format="json").status_code == 404
    assert office.post(url + "review/", {}, format="json").status_code == 409  # not submitted
    assert coord.post(url + "submit/").json()["status"] == "submitted"
    assert coord.post(url + "review/", {}, format="json").status_code == 403
    assert coord.patch(url, {"rpo": 5}, format="json").status_code == 409
    r = office.post(url + "return/", {"comment": ""}, format="json")
    assert r.status_code == 400 and "comment" in r.json()["error"]["fields"]
    r = office.post(url + "return/", {"comment": "RPO?"}, format="json")
    assert r.json()["status"] == "returned" and r.json()["version"] == 2
    assert coord.patch(url, {"rpo": 5}, format="json").status_code == 200
    coord.post(url + "submit/")
    assert office.post(url + "review/", {}, format="json").json()["status"] == "reviewed"
    assert office.post(url + "approve/", {}, format="json").status_code == 403
    # A misspelt field is refused by name, not silently ignored (an approval without the
    # override its approver meant to give would write the derived MTPD).
    r = head.post(url + "approve/", {"mtpd_overide": 6 * H}, format="json")
    assert r.status_code == 400 and "mtpd_overide" in r.json()["error"]["fields"]
    assert launched["pay"].assessments.get().status == "reviewed"
    r = head.post(url + "approve/", {"mtpd_override": 6 * H}, format="json")
    assert r.status_code == 400 and "override_reason" in r.json()["error"]["fields"]
    r = head.post(
        url + "approve/", {"mtpd_override": 6 * H, "override_reason": "监管"}, format="json"
    )
    assert r.json()["status"] == "approved" and r.json()["mtpd"] == 6 * H
    activity = launched["pay"]
    activity.refresh_from_db()
    assert (activity.mtpd, activity.rto, activity.rpo) == (6 * H, 4 * H, 5)
    assert head.post(url + "approve/", {}, format="json").status_code == 409


def test_the_office_launches_a_campaign_once(api_for, bia_setup):
    url = f"/api/bia/campaigns/{bia_setup['campaign'].pk}/launch/"
    assert api_for("coord_a").post(url).status_code == 403
    r = api_for("manager").post(url)
    assert r.status_code == 200 and r.json()["status"] == "launched"
    assert api_for("manager").post(url).status_code == 409


def test_the_office_creates_changes_and_closes_campaigns(api_for, bia_setup, org_tree):
    body = {
        "code": "BIA-API", "name": "接口任务", "period_start": "2026-01-01",
        "period_end": "2026-12-31", "deadline": "2026-12-01", "units": [org_tree["dept_b"].pk],
    }  # fmt: skip
    assert api_for("coord_a").post("/api/bia/campaigns/", body, format="json").status_code == 403
    bad = api_for("manager").post("/api/bia/campaigns/", {**body, "units": [999999]}, format="json")
    assert bad.status_code == 400 and "units" in bad.json()["error"]["fields"]
    wrong = api_for("manager").post(
        "/api/bia/campaigns/", {**body, "period_end": "2025-01-01"}, format="json"
    )
    assert wrong.status_code == 400
    r = api_for("manager").post("/api/bia/campaigns/", body, format="json")
    assert r.status_code == 201 and r.json()["units"] == [org_tree["dept_b"].pk]
    pk = r.json()["id"]
    r = api_for("manager").patch(
        f"/api/bia/campaigns/{pk}/", {"deadline": "2026-11-30"}, format="json"
    )
    assert r.json()["deadline"] == "2026-11-30"
    assert api_for("manager").post(f"/api/bia/campaigns/{pk}/close/").status_code == 409
    api_for("manager").post(f"/api/bia/campaigns/{pk}/launch/")
    r = api_for("manager").patch(f"/api/bia/campaigns/{pk}/", {"units": []}, format="json")
    assert r.status_code == 409
    assert api_for("manager").post(f"/api/bia/campaigns/{pk}/close/").json()["status"] == "closed"


def test_the_office_saves_a_new_framework_version(api_for, bia_setup):
    fw = bia_setup["framework"]
    body = {"categories": fw.categories, "time_points": [60, 240, 1440], "tiers": fw.tiers}
    assert api_for("coord_a").post("/api/bia/frameworks/", body, format="json").status_code == 403
    bad = api_for("manager").post(
        "/api/bia/frameworks/", {**body, "time_points": [240, 60]}, format="json"
    )
    assert bad.status_code == 400 and "time_points" in bad.json()["error"]["fields"]
    r = api_for("manager").post("/api/bia/frameworks/", body, format="json")
    assert r.status_code == 201 and r.json()["number"] == fw.number + 1
