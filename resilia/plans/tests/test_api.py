"""The plans' API: the whole life of a plan through tokens, and its refusals."""

import pytest
from rest_framework.test import APIClient

from resilia.accounts.tests.tokens import api_key
from resilia.audit.models import AuditEvent
from resilia.plans.models import Plan, PlanVersion
from resilia.plans.tests.conftest import PASSWORD


@pytest.fixture
def api_for(personas, plan_setup):
    users = {**personas, "head_a": plan_setup["head_a"]}

    def make(name: str) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(users[name])}")
        return client

    return make


def test_it_writes_signs_and_publishes_a_plan_through_the_api(api_for, org_tree, plan_setup):
    a = api_for("coord_a")
    assert {t["code"] for t in a.get("/api/plan-templates/").json()} >= {"network", "pandemic"}
    r = a.post(
        "/api/plans/",
        {"code": "DRP-DC", "name": "数据中心灾难恢复计划", "kind": "drp",
         "unit": org_tree["dept_a"].pk, "blueprint": "datacentre"},
        format="json",
    )  # fmt: skip
    assert r.status_code == 201, r.json()
    plan = Plan.objects.get(code="DRP-DC")
    v = plan.versions.get()
    url = f"/api/plan-versions/{v.pk}/"
    body = a.get(url).json()
    assert body["schedule"]["best"] == 30 + 60 + 45 + 30 + 10
    content = body["content"]
    content["steps"][2]["minutes"] = 90
    r = a.patch(url, {"content": content, "activities": [plan_setup["pay"].pk]}, format="json")
    assert r.status_code == 200 and r.json()["schedule"]["best"] == 205
    assert a.post(url + "submit/", {"password": "nope"}, format="json").status_code == 400
    assert a.post(url + "submit/", {"password": PASSWORD}, format="json").status_code == 200
    assert a.patch(url, {"change_note": "x"}, format="json").status_code == 400
    m = api_for("manager")
    assert api_for("coord_b").post(url + "review/", {"password": PASSWORD}).status_code == 404
    assert m.post(url + "review/", {"password": PASSWORD}, format="json").status_code == 200
    h = api_for("head_a")
    assert h.post(url + "approve/", {"password": PASSWORD}, format="json").status_code == 200
    assert m.post(url + "publish/").status_code == 200
    v.refresh_from_db()
    assert v.status == "published" and v.signatures.count() == 3
    detail = a.get(f"/api/plans/{plan.pk}/").json()
    assert detail["status"] == "published" and detail["readiness"]["score"] < 100
    assert AuditEvent.objects.filter(action="sign", object_id=str(v.pk)).count() == 3
    r = a.post(f"/api/plans/{plan.pk}/new-version/", {"change_note": "年度修订"}, format="json")
    assert r.status_code == 201 and r.json()["number"] == 2
    assert a.get(f"/api/plan-versions/{v.pk}/contacts/").status_code == 200


def test_it_refuses_a_cycle_and_unknown_placeholders_naming_the_field(api_for, plan_setup):
    v = plan_setup["version"]
    a = api_for("coord_a")
    content = a.get(f"/api/plan-versions/{v.pk}/").json()["content"]
    content["steps"][1]["after"] = ["S2"]
    content["communications"][0]["body"] = "{secret}"
    r = a.patch(f"/api/plan-versions/{v.pk}/", {"content": content}, format="json")
    assert r.status_code == 400
    text = str(r.json())
    assert "S2" in text and "{secret}" in text
    assert PlanVersion.objects.get(pk=v.pk).content == v.content


def test_lists_are_scoped_and_within_a_query_budget(
    api_for, plan_setup, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        rows = api_for("manager").get("/api/plans/").json()["results"]
    assert [r["code"] for r in rows] == ["EP-NET"]
    assert api_for("coord_b").get("/api/plans/").json()["results"] == []
    with django_assert_max_num_queries(14):
        versions = api_for("auditor").get("/api/plan-versions/").json()["results"]
    assert len(versions) == 1
    assert api_for("executive").get("/api/plans/").status_code == 403
