"""The incidents API: declare, update what is known, level with and without a reason, the
status path, reports, journal, roles, review and close; the live clock; the Alertmanager
webhook opening, updating and journaling an incident; the refusals (400, 403, 409)."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from resilia.audit.models import AuditEvent
from resilia.incidents.models import Incident, JournalEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(personas):
    def make(name):
        client = APIClient()
        client.force_authenticate(personas[name])
        return client

    return make


def _now(minutes=0):
    return (timezone.now() - dt.timedelta(minutes=minutes)).isoformat()


def test_the_loop_through_the_api(bank, api, people):
    m = api("manager")
    created = m.post(
        "/api/incidents/",
        {"title": "SWIFT中断", "category": "supplier", "pack": "cn-bank-53",
         "detected_at": _now(70), "resources": [bank["swift"].pk], "facts": {"provinces": 1}},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    inc = created.json()
    assert inc["level"] == "III" and inc["pack_version"] == 1
    assert [d["code"] for d in inc["deadlines"]] == ["initial", "written"]
    url = f"/api/incidents/{inc['id']}/"
    clock = m.get(url + "clock/").json()
    assert [a["code"] for a in clock["activities"]] == ["PAY"]
    assert clock["activities"][0]["state"] == "rto"
    assert clock["escalation"]["level"] == "II" and clock["escalation"]["at_minutes"] == 180
    patched = m.patch(url, {"facts": {"provinces": 2}}, format="json")
    assert patched.status_code == 200 and patched.json()["level"] == "II"
    refused = m.post(url + "level/", {"level": "I"}, format="json")
    assert refused.status_code == 400 and "level_reason" in refused.json()["error"]["fields"]
    assert (
        m.post(url + "level/", {"level": "I", "reason": "全行"}, format="json").json()["level"]
        == "I"
    )
    initial = next(d for d in patched.json()["deadlines"] if d["code"] == "initial")
    filed = m.post(
        url + "reports/", {"deadline": initial["id"], "title": "初报", "body": "…"}, format="json"
    )
    assert filed.status_code == 201 and filed.json()["late"] is True  # detected 70 min ago
    assert (
        m.post(url + "journal/", {"kind": "decision", "text": "切换"}, format="json").status_code
        == 201
    )
    assert (
        m.post(
            url + "roles/", {"role": "commander", "person": people["alice"].pk}, format="json"
        ).json()["roles"][0]["role"]
        == "commander"
    )
    assert m.post(url + "close/", format="json").status_code == 409
    for step in ("responding", "resolved"):
        assert m.post(url + "status/", {"status": step}, format="json").status_code == 200
    assert (
        m.post(
            url + "review/",
            {"timeline": "t", "downtime_minutes": 60, "causes": "c", "lessons": "l"},
            format="json",
        ).status_code
        == 200
    )
    closed = m.post(url + "close/", format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert m.post(url + "reports/", {"title": "x", "body": "y"}, format="json").status_code == 409
    assert m.patch(url, {"title": "x"}, format="json").status_code == 409


def test_refusals(bank, api):
    m = api("manager")
    body = {"title": "x", "category": "it", "pack": "cn-bank-53", "detected_at": _now()}
    assert m.post("/api/incidents/", {**body, "colour": "red"}, format="json").status_code == 400
    assert m.post("/api/incidents/", {**body, "pack": "nope"}, format="json").status_code == 400
    assert (
        m.post("/api/incidents/", {**body, "resources": [999999]}, format="json").status_code == 400
    )
    bad = m.post("/api/incidents/", {**body, "facts": {"provinces": "many"}}, format="json")
    assert bad.status_code == 400
    assert api("auditor").post("/api/incidents/", body, format="json").status_code == 403
    assert api("contrib_a").post("/api/incidents/", body, format="json").status_code == 403
    assert Incident.objects.count() == 0
    assert m.get("/api/incidents/?colour=red").status_code == 400


def _alert(status, key='{}:{alertname="SwiftDown"}', **labels):
    return {
        "version": "4",
        "groupKey": key,
        "status": status,
        "receiver": "resilia",
        "commonLabels": {"alertname": "SwiftDown", **labels},
        "commonAnnotations": {"summary": "SWIFT 报文网关不可用"},
        "alerts": [
            {
                "status": status,
                "labels": {"alertname": "SwiftDown", "resilia_resource": "SWIFT"},
                "annotations": {},
                "startsAt": _now(10),
                "fingerprint": "abc",
            }
        ],
    }


def test_alertmanager_opens_then_updates_the_same_incident(bank, api):
    m = api("manager")
    opened = m.post("/api/incidents/alertmanager/", _alert("firing"), format="json")
    assert opened.status_code == 201, opened.json()
    inc = Incident.objects.get()
    assert inc.title == "SWIFT 报文网关不可用" and inc.pack.code == "generic"
    assert list(inc.resources.values_list("code", flat=True)) == ["SWIFT"]
    again = m.post("/api/incidents/alertmanager/", _alert("firing"), format="json")
    assert again.status_code == 200 and Incident.objects.count() == 1
    resolved = m.post("/api/incidents/alertmanager/", _alert("resolved"), format="json")
    assert resolved.status_code == 200
    texts = list(JournalEntry.objects.filter(incident=inc).values_list("text", flat=True))
    # In the account's language (Chinese by default).
    assert any("告警已恢复" in t for t in texts) and any("告警仍在持续" in t for t in texts)
    assert Incident.objects.get().status == "reported"  # people decide, not the alert
    unknown = _alert("firing", key="other")
    unknown["alerts"][0]["labels"]["resilia_resource"] = "NOPE"
    refused = m.post("/api/incidents/alertmanager/", unknown, format="json")
    assert refused.status_code == 400 and "NOPE" in str(refused.json())
    assert Incident.objects.count() == 1
    assert (
        api("auditor")
        .post("/api/incidents/alertmanager/", _alert("firing"), format="json")
        .status_code
        == 403
    )
    assert AuditEvent.objects.filter(action="incident_declare").count() == 1


def test_reads_are_scoped(bank, api, personas):
    m = api("manager")
    m.post(
        "/api/incidents/",
        {"title": "x", "category": "it", "pack": "generic", "detected_at": _now(),
         "unit": bank["pay"].unit.pk},
        format="json",
    )  # fmt: skip
    assert api("coord_a").get("/api/incidents/").json()["count"] == 1
    assert api("coord_b").get("/api/incidents/").json()["count"] == 0
    assert api("auditor").get("/api/incidents/").json()["count"] == 1
    assert len(m.get("/api/incidents/packs/").json()["results"]) == 3
