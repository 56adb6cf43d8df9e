"""The API: the same loop as the pages, the same refusals (400 with the field, 403, 409),
scoped reads and query-count guards on the lists."""

import base64
import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from resilia.audit.models import AuditEvent
from resilia.hazards.models import Hazard, HazardStatus, Result
from resilia.hazards.tests.conftest import photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(personas, hz):
    def make(name):
        client = APIClient()
        client.force_authenticate(hz["verifier"] if name == "verifier" else personas[name])
        return client

    return make


def b64photo():
    upload = photo()
    return {"name": "现场.jpg", "content": base64.b64encode(upload.read()).decode()}


def test_the_loop_through_the_api(hz, api, people):
    inspector, coord = api("contrib_a"), api("verifier")
    round_ = hz["round"]
    items = list(round_.items.all())
    url = f"/api/hazards/rounds/{round_.pk}/answers/"
    body = {"answers": [{"item": i.pk, "result": "pass"} for i in items]}
    assert inspector.post(url, body, format="json").status_code == 200
    created = inspector.post("/api/hazards/hazards/", {
        "round": round_.pk, "item": items[0].pk, "grade": "major", "title": "核心交换机告警",
        "description": "电源模块故障", "location": "网络机房B排", "photos": [b64photo()],
    }, format="json")  # fmt: skip
    assert created.status_code == 201, created.json()
    hazard_id = created.json()["id"]
    assert round_.items.get(pk=items[0].pk).result == Result.FAIL
    order = f"/api/hazards/hazards/{hazard_id}/rectification/"
    missing = coord.post(
        order, {"responsible": people["bob"].pk, "measures": "更换"}, format="json"
    )
    assert missing.status_code == 400 and "deadline" in str(missing.json())
    deadline = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    issued = coord.post(order, {
        "responsible": people["bob"].pk, "measures": "更换电源模块", "funding_amount": "3000",
        "funding_source": "运维预算", "deadline": deadline, "contingency": "单电源运行,每小时巡查",
    }, format="json")  # fmt: skip
    assert issued.status_code == 200 and issued.json()["status"] == "rectifying"
    fixed = inspector.post(f"/api/hazards/hazards/{hazard_id}/fixed/",
                           {"note": "已更换", "photos": [b64photo()]}, format="json")  # fmt: skip
    assert fixed.status_code == 200
    verify = f"/api/hazards/hazards/{hazard_id}/verify/"
    assert inspector.post(verify, {"passed": True, "note": "x"}, format="json").status_code == 403
    done = coord.post(verify, {"passed": True, "note": "复查合格"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "closed"
    assert coord.post(verify, {"passed": True, "note": "again"}, format="json").status_code == 409
    assert Hazard.objects.get().status == HazardStatus.CLOSED
    assert AuditEvent.objects.filter(action="rectify_accept").count() == 1


def test_an_answer_for_an_item_not_on_the_round_is_a_400(hz, api, personas):
    client = api("contrib_a")
    round_ = hz["round"]
    mine = round_.items.first()
    body = {"answers": [{"item": mine.pk, "result": "pass"}, {"item": 10**6, "result": "pass"}]}
    response = client.post(f"/api/hazards/rounds/{round_.pk}/answers/", body, format="json")
    assert response.status_code == 400 and "item" in str(response.json())
    mine.refresh_from_db()
    assert mine.result == Result.PENDING
    bad = {"answers": [{"item": mine.pk, "result": "maybe"}]}
    assert (
        client.post(f"/api/hazards/rounds/{round_.pk}/answers/", bad, format="json").status_code
        == 400
    )  # noqa: E501
    assert api("coord_b").get(f"/api/hazards/rounds/{round_.pk}/").status_code == 404


def test_a_bad_photo_is_refused(hz, api):
    client = api("contrib_a")
    body = {
        "round": hz["round"].pk,
        "grade": "general",
        "title": "t",
        "description": "d",
        "location": "l",
        "photos": [{"name": "x.jpg", "content": "bm90IGEgcGhvdG8="}],
    }
    assert client.post("/api/hazards/hazards/", body, format="json").status_code == 400
    body["photos"] = [{"name": "x.jpg", "content": "***"}]
    assert client.post("/api/hazards/hazards/", body, format="json").status_code == 400
    assert not Hazard.objects.exists()


def test_lists_are_scoped_and_cheap(hz, api, django_assert_max_num_queries):
    for name in ("templates", "rounds", "answers", "hazards"):
        with django_assert_max_num_queries(12):
            response = api("manager").get(f"/api/hazards/{name}/")
        assert response.status_code == 200, name
    assert api("coord_b").get("/api/hazards/rounds/").json()["count"] == 0
    assert api("coord_a").get("/api/hazards/rounds/").json()["count"] == 1
    assert api("manager").get("/api/hazards/hazards/?colour=red").status_code == 400


def test_templates_through_the_api(hz, api):
    created = api("manager").post("/api/hazards/templates/", {
        "code": "UPS", "name": "UPS巡检", "kind": "power",
        "items": [{"position": 1, "text": "UPS无告警", "text_en": "UPS without alarm"}],
    }, format="json")  # fmt: skip
    assert created.status_code == 201 and created.json()["version"] == 1
    pk = created.json()["id"]
    changed = api("manager").patch(f"/api/hazards/templates/{pk}/", {
        "items": [{"position": 1, "text": "UPS负载率≤80%"}]}, format="json")  # fmt: skip
    assert changed.json()["version"] == 2
    assert api("coord_a").post("/api/hazards/templates/", {}, format="json").status_code == 403
