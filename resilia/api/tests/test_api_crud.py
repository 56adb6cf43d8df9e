"""Create, read, update and delete through every register endpoint, checked in the database
and in the audit trail (source "api", actor, before/after changes, request id)."""

from __future__ import annotations

import pytest

from resilia.audit.models import AuditEvent
from resilia.audit.services import audit_verify
from resilia.org.models import Person, Site, Team, TeamMembership, Unit

pytestmark = pytest.mark.django_db

# endpoint → model, a create payload ("@name" = id of a world object), the field the update
# changes and its new value, and the world object deleted.
CASES = {
    "units": (
        Unit,
        {
            "code": "RISK",
            "name": "风险管理部",
            "name_en": "Risk",
            "kind": "department",
            "parent": "@company",
        },
        ("description", "负责业务连续性管理"),
        "a_empty",
    ),
    "people": (
        Person,
        {
            "full_name": "钱七",
            "employee_no": "E100",
            "unit": "@dept_a",
            "mobile": "13900000000",
            "is_key_person": True,
            "deputy": "@alice",
        },
        ("title", "联络员"),
        "dave",
    ),
    "sites": (
        Site,
        {
            "code": "DC-2",
            "name": "同城数据中心",
            "kind": "data_centre",
            "unit": "@dept_a",
            "seat_capacity": 40,
        },
        ("seat_capacity", 120),
        "site_b",
    ),
    "teams": (
        Team,
        {
            "code": "REC",
            "name": "恢复小组",
            "kind": "recovery",
            "unit": "@dept_a",
            "responsibilities": "恢复关键业务",
        },
        ("kind", "crisis"),
        "team_b",
    ),
    "team-memberships": (
        TeamMembership,
        {"team": "@team_a", "person": "@bob", "role": "deputy", "responsibilities": "替补"},
        ("role", "leader"),
        "membership_a",
    ),
}


def _resolve(world, payload):
    return {
        k: (world[v[1:]].pk if isinstance(v, str) and v.startswith("@") else v)
        for k, v in payload.items()
    }


@pytest.mark.parametrize("endpoint", list(CASES))
def test_it_creates_through_the_service_and_audits(api_for, world, personas, endpoint):
    model, payload, _update, _delete = CASES[endpoint]
    data = _resolve(world, payload)
    response = api_for("manager").post(f"/api/{endpoint}/", data, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    obj = model.objects.get(pk=body["id"])
    for field, value in data.items():
        assert body[field] == value
        # FKs are compared by id (attname "unit_id"), plain fields by value.
        assert getattr(obj, model._meta.get_field(field).attname) == value
    event = AuditEvent.objects.get(object_type=model._meta.label_lower, object_id=str(obj.pk))
    assert event.action == "create"
    assert event.source == "api"
    assert event.actor == personas["manager"]
    assert event.request_id == response["X-Request-ID"]
    assert event.changes["id"] == [None, obj.pk]
    assert audit_verify().ok


def test_it_gives_a_unit_created_through_the_api_its_tree_path(api_for, world):
    response = api_for("admin").post(
        "/api/units/",
        {"code": "A-SUB", "name": "子科室", "kind": "team", "parent": world["dept_a"].pk},
        format="json",
    )
    unit = Unit.objects.get(pk=response.json()["id"])
    assert unit.path == f"{world['dept_a'].path}{unit.pk}/"
    assert response.json()["path"] == unit.path
    assert response.json()["depth"] == world["dept_a"].depth + 1


@pytest.mark.parametrize("endpoint", list(CASES))
def test_it_retrieves_one_object(api_for, world, endpoint):
    model, _payload, _update, delete = CASES[endpoint]
    obj = world[delete]
    response = api_for("auditor").get(f"/api/{endpoint}/{obj.pk}/")
    assert response.status_code == 200
    assert response.json()["id"] == obj.pk


@pytest.mark.parametrize("method", ["patch", "put"])
@pytest.mark.parametrize("endpoint", list(CASES))
def test_it_updates_through_the_service_with_before_and_after(
    api_for, world, personas, endpoint, method
):
    model, _payload, (field, value), target = CASES[endpoint]
    obj = world[target]
    # The coordinator of the department the object belongs to.
    client = api_for("coord_b" if target in ("site_b", "team_b") else "coord_a")
    url = f"/api/{endpoint}/{obj.pk}/"
    before = getattr(obj, field)
    if method == "put":
        data = {k: v for k, v in client.get(url).json().items()}
        data[field] = value
        response = client.put(url, data, format="json")
    else:
        response = client.patch(url, {field: value}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()[field] == value
    obj.refresh_from_db()
    assert getattr(obj, field) == value
    event = AuditEvent.objects.filter(action="update", object_id=str(obj.pk)).get(
        object_type=model._meta.label_lower
    )
    assert event.source == "api"
    assert event.changes == {field: [before, value]}


def test_it_writes_no_event_when_an_update_changes_nothing(api_for, world):
    alice = world["alice"]
    before = AuditEvent.objects.count()
    response = api_for("coord_a").patch(
        f"/api/people/{alice.pk}/", {"full_name": alice.full_name}, format="json"
    )
    assert response.status_code == 200
    assert AuditEvent.objects.count() == before


def test_it_moves_a_unit_and_re_paths_its_subtree(api_for, world):
    a_team = world["a_team_unit"]
    response = api_for("admin").patch(
        f"/api/units/{world['dept_a'].pk}/", {"parent": world["dept_b"].pk}, format="json"
    )
    assert response.status_code == 200
    a_team.refresh_from_db()
    assert a_team.path.startswith(world["dept_b"].path)


@pytest.mark.parametrize("endpoint", list(CASES))
def test_it_deletes_through_the_service_and_audits(api_for, world, personas, endpoint):
    model, _payload, _update, target = CASES[endpoint]
    obj = world[target]
    response = api_for("admin").delete(f"/api/{endpoint}/{obj.pk}/")

    assert response.status_code == 204
    assert not model.objects.filter(pk=obj.pk).exists()
    event = AuditEvent.objects.get(
        action="delete", object_type=model._meta.label_lower, object_id=str(obj.pk)
    )
    assert event.source == "api"
    assert event.actor == personas["admin"]
    assert event.changes["id"] == [obj.pk, None]


def test_it_deletes_a_team_with_its_memberships_each_audited(api_for, world):
    team = world["team_b"]
    membership = world["membership_b"]
    response = api_for("coord_b").delete(f"/api/teams/{team.pk}/")
    assert response.status_code == 204
    assert not TeamMembership.objects.filter(pk=membership.pk).exists()
    events = AuditEvent.objects.filter(action="delete", source="api")
    assert {e.object_type for e in events} == {"org.team", "org.teammembership"}
    assert len({e.request_id for e in events}) == 1


def test_it_lists_the_audit_trail_newest_first_with_its_hashes(api_for, world):
    response = api_for("auditor").get("/api/audit-events/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["seq"] for r in rows] == sorted((r["seq"] for r in rows), reverse=True)
    newest = AuditEvent.objects.order_by("-seq").first()
    assert rows[0]["hash"] == newest.hash
    assert rows[0]["prev_hash"] == AuditEvent.objects.get(seq=newest.seq - 1).hash


def test_it_refuses_to_write_to_the_audit_trail(api_for, world):
    event = AuditEvent.objects.order_by("seq").first()
    client = api_for("admin")
    assert client.post("/api/audit-events/", {}, format="json").status_code == 405
    assert client.patch(f"/api/audit-events/{event.pk}/", {}, format="json").status_code == 405
    response = client.delete(f"/api/audit-events/{event.pk}/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert AuditEvent.objects.filter(pk=event.pk).exists()
