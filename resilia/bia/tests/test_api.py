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


def test_it_reads_the_framework_and_campaigns_and_writes_nothing(api_for, launched):
    client = api_for("auditor")
    assert client.get("/api/bia/frameworks/").json()["results"][0]["number"] == 1
    assert client.get("/api/bia/campaigns/").json()["results"][0]["code"] == "BIA-2026"
    assert client.post("/api/bia/campaigns/", {}, format="json").status_code == 405
