"""The generated permission table of the API: persona × endpoint × action.

The expected outcome of every cell is derived from the role rules of resilia.core.access:

- admin, bcm_manager: read and write everything;
- coordinator: read and write inside their unit's subtree (plus read unit-less shared rows);
  a reference to anything outside that scope does not exist for them (400 on create, 404 on
  fetch);
- contributor: read inside their subtree, write only what is assigned to them, create nothing;
- auditor: read everything, the audit trail included, write nothing;
- executive: no registers (403 on every register endpoint);
- anonymous: 401.

Every refused write is also checked to have changed nothing: no row, no audit event.
"""

from __future__ import annotations

import pytest

from resilia.audit.models import AuditEvent
from resilia.org import rules
from resilia.org import services as org
from resilia.org.models import Person, Site, Team, TeamMembership, Unit

pytestmark = pytest.mark.django_db

PERSONAS = [
    "admin",
    "manager",
    "coord_a",
    "coord_b",
    "contrib_a",
    "auditor",
    "executive",
    "outsider",
]
ACTIONS = [
    "list",
    "retrieve_in",
    "retrieve_out",
    "create_in",
    "create_out",
    "update",
    "delete",
]

# Which objects each persona sees, by the scope tag of the object (see VISIBLE_TAGS).
READ_ALL = {"admin", "manager", "auditor"}
WRITE_ALL = {"admin", "manager"}
COORDINATOR_SCOPE = {"coord_a": "A", "coord_b": "B"}


# endpoint → how to build its cells from the `world` fixture. "in" objects sit in dept A's
# subtree, "out" objects in dept B's; payloads reference units/teams/people by fixture name.
ENDPOINTS = {
    "units": {
        "model": Unit,
        "in": "a_team_unit",
        "out": "dept_b",
        "create_in": {"code": "NEW-A", "name": "新科室", "kind": "team", "parent": "@dept_a"},
        "create_out": {"code": "NEW-B", "name": "新科室", "kind": "team", "parent": "@dept_b"},
        "update": {"description": "负责核心系统运维"},
        "delete": "a_empty",
    },
    "people": {
        "model": Person,
        "in": "alice",
        "out": "carol",
        "create_in": {"full_name": "钱七", "unit": "@dept_a"},
        "create_out": {"full_name": "周八", "unit": "@dept_b"},
        "update": {"title": "联络员"},
        "delete": "dave",
    },
    "sites": {
        "model": Site,
        "in": "site_a",
        "out": "site_b",
        "create_in": {
            "code": "ALT-A",
            "name": "备用办公场所",
            "kind": "alternate",
            "unit": "@dept_a",
        },
        "create_out": {
            "code": "ALT-B",
            "name": "备用办公场所",
            "kind": "alternate",
            "unit": "@dept_b",
        },
        "update": {"seat_capacity": 80},
        "delete": "site_a",
    },
    "teams": {
        "model": Team,
        "in": "team_a",
        "out": "team_b",
        "create_in": {"code": "REC-A", "name": "恢复小组", "kind": "recovery", "unit": "@dept_a"},
        "create_out": {"code": "REC-B", "name": "恢复小组", "kind": "recovery", "unit": "@dept_b"},
        "update": {"responsibilities": "组织演练"},
        "delete": "team_a",
    },
    "team-memberships": {
        "model": TeamMembership,
        "in": "membership_a",
        "out": "membership_b",
        "create_in": {"team": "@team_a", "person": "@bob", "role": "deputy"},
        "create_out": {"team": "@team_b", "person": "@erin", "role": "member"},
        "update": {"role": "deputy"},
        "delete": "membership_a",
    },
    "audit-events": {"model": AuditEvent},
}


def expected_status(persona: str, endpoint: str, action: str) -> int:
    """The outcome the role rules promise for one cell of the table."""
    if persona == "outsider":
        return 401
    if endpoint == "audit-events":
        if persona not in READ_ALL:
            return 403
        return 200 if action in ("list", "retrieve_in", "retrieve_out") else 405
    if persona == "executive":
        return 403
    reading = action in ("list", "retrieve_in", "retrieve_out")
    success = {"list": 200, "retrieve_in": 200, "retrieve_out": 200, "update": 200}
    success.update({"create_in": 201, "create_out": 201, "delete": 204})
    if persona in WRITE_ALL or (persona == "auditor" and reading):
        return success[action]
    if persona == "auditor":
        return 403
    if persona == "contrib_a":
        if action == "retrieve_out":
            return 404
        return success[action] if reading else 403
    # Coordinators: their own department is "in" for coord_a and "out" for coord_b.
    scope = COORDINATOR_SCOPE[persona]
    object_scope = {"retrieve_out": "B", "create_out": "B"}.get(action, "A")
    if action == "list":
        return 200
    if object_scope == scope:
        return success[action]
    return 400 if action.startswith("create") else 404


TABLE = [
    (persona, endpoint, action, expected_status(persona, endpoint, action))
    for endpoint in ENDPOINTS
    for persona in PERSONAS
    for action in ACTIONS
]


def _resolve(world, name):
    return world[name]


def _payload(world, spec):
    return {
        k: (_resolve(world, v[1:]).pk if str(v).startswith("@") else v) for k, v in spec.items()
    }


def _audit_targets(world):
    events = list(AuditEvent.objects.order_by("seq"))
    return events[0], events[-1]


@pytest.mark.parametrize(("persona", "endpoint", "action", "status"), TABLE)
def test_it_enforces_the_role_rules(api_for, world, persona, endpoint, action, status):
    spec = ENDPOINTS[endpoint]
    model = spec["model"]
    client = api_for(persona)
    base = f"/api/{endpoint}/"
    if endpoint == "audit-events":
        first, last = _audit_targets(world)
        spec = {**spec, "in_obj": first, "out_obj": last, "delete_obj": first}
    else:
        spec = {
            **spec,
            "in_obj": _resolve(world, spec["in"]),
            "out_obj": _resolve(world, spec["out"]),
            "delete_obj": _resolve(world, spec["delete"]),
        }
    rows_before = model.objects.count()
    events_before = AuditEvent.objects.count()

    if action == "list":
        response = client.get(base)
    elif action == "retrieve_in":
        response = client.get(f"{base}{spec['in_obj'].pk}/")
    elif action == "retrieve_out":
        response = client.get(f"{base}{spec['out_obj'].pk}/")
    elif action in ("create_in", "create_out"):
        data = _payload(world, spec.get(action, {}))
        response = client.post(base, data, format="json")
    elif action == "update":
        response = client.patch(
            f"{base}{spec['in_obj'].pk}/", spec.get("update", {}), format="json"
        )
    else:
        response = client.delete(f"{base}{spec['delete_obj'].pk}/")

    assert response.status_code == status, response.content
    if status >= 400:
        assert response.json()["error"]["code"]
        if model is not AuditEvent:
            assert model.objects.count() == rows_before
        assert AuditEvent.objects.count() == events_before
    elif action.startswith("create"):
        created = model.objects.get(pk=response.json()["id"])
        event = AuditEvent.objects.get(
            object_type=model._meta.label_lower, object_id=str(created.pk)
        )
        assert event.action == "create" and event.source == "api"
    elif action == "update":
        event = AuditEvent.objects.order_by("-seq").first()
        assert (event.action, event.object_id, event.source) == (
            "update",
            str(spec["in_obj"].pk),
            "api",
        )
        field, value = next(iter(spec["update"].items()))
        spec["in_obj"].refresh_from_db()
        assert getattr(spec["in_obj"], field) == value
    elif action == "delete":
        assert not model.objects.filter(pk=spec["delete_obj"].pk).exists()
        assert AuditEvent.objects.filter(
            action="delete", object_id=str(spec["delete_obj"].pk), source="api"
        ).exists()


# --- Lists never leak rows outside the reader's scope -------------------------------------

# The scope tag of every row of the world: "A"/"B" for department subtrees, "shared" for
# unit-less shared rows, "top" for the units above the departments.
TAGS = {
    "units": {
        "group": "top",
        "company": "top",
        "dept_a": "A",
        "a_team_unit": "A",
        "a_empty": "A",
        "dept_b": "B",
    },
    "people": {"alice": "A", "bob": "A", "dave": "A", "carol": "B", "erin": "B"},
    "sites": {"site_a": "A", "site_b": "B", "site_shared": "shared"},
    "teams": {"team_a": "A", "team_b": "B", "team_shared": "shared"},
    "team-memberships": {
        "membership_a": "A",
        "membership_b": "B",
        "membership_shared": "shared",
    },
}
VISIBLE_TAGS = {
    "coord_a": {"A", "shared"},
    "contrib_a": {"A", "shared"},
    "coord_b": {"B", "shared"},
}


@pytest.mark.parametrize("endpoint", list(TAGS))
@pytest.mark.parametrize(
    "persona", ["admin", "manager", "auditor", "coord_a", "coord_b", "contrib_a"]
)
def test_it_lists_exactly_the_rows_in_scope(api_for, world, persona, endpoint):
    tags = TAGS[endpoint]
    visible = VISIBLE_TAGS.get(persona)
    expected = {world[name].pk for name, tag in tags.items() if visible is None or tag in visible}
    response = api_for(persona).get(f"/api/{endpoint}/", {"page_size": 200})
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == expected
    assert response.json()["count"] == len(expected)


def test_it_never_shows_a_department_a_coordinator_the_people_of_department_b(api_for, world):
    response = api_for("coord_a").get("/api/people/", {"q": "王芳"})
    assert response.json()["count"] == 0
    names = {row["full_name"] for row in api_for("coord_a").get("/api/people/").json()["results"]}
    assert names == {"张伟", "李娜", "赵强"}
    # Filtering on dept B's id does not open a side door either: for coord_a it does not exist.
    response = api_for("coord_a").get("/api/people/", {"unit": world["dept_b"].pk})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["unit"]
    assert "results" not in response.json()


def test_it_lets_a_contributor_edit_their_own_person_record(api_for, world, personas):
    bob = world["bob"]
    response = api_for("contrib_a").patch(
        f"/api/people/{bob.pk}/", {"mobile": "13911112222"}, format="json"
    )
    assert response.status_code == 200
    bob.refresh_from_db()
    assert bob.mobile == "13911112222"
    event = AuditEvent.objects.get(action="update", object_id=str(bob.pk))
    assert event.actor == personas["contrib_a"]
    assert event.changes["mobile"] == ["13800000002", "13911112222"]


def test_it_lets_a_contributor_who_leads_a_team_edit_it(api_for, world):
    team = world["team_a"]
    org.membership_create(actor=None, team=team, person=world["bob"], role="leader")
    response = api_for("contrib_a").patch(
        f"/api/teams/{team.pk}/", {"responsibilities": "组织桌面推演"}, format="json"
    )
    assert response.status_code == 200
    team.refresh_from_db()
    assert team.responsibilities == "组织桌面推演"


def test_it_refuses_a_coordinator_writes_to_shared_rows_they_can_read(api_for, world):
    site = world["site_shared"]
    client = api_for("coord_a")
    assert client.get(f"/api/sites/{site.pk}/").status_code == 200
    response = client.patch(f"/api/sites/{site.pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 403
    site.refresh_from_db()
    assert site.name == "同城灾备中心"


@pytest.mark.parametrize(
    ("endpoint", "payload"),
    [
        ("sites", {"code": "S-NOUNIT", "name": "无归属场所", "kind": "office"}),
        ("teams", {"code": "T-NOUNIT", "name": "无归属小组", "kind": "working"}),
        ("units", {"code": "U-ROOT", "name": "新集团", "kind": "group"}),
    ],
)
def test_it_refuses_a_coordinator_creating_outside_their_subtree(api_for, world, endpoint, payload):
    before = AuditEvent.objects.count()
    response = api_for("coord_a").post(f"/api/{endpoint}/", payload, format="json")
    # Refused before anything is saved, on the placing field, with the form's message.
    assert response.status_code == 400
    model = ENDPOINTS[endpoint]["model"]
    field = rules.FIELD[model]
    assert response.json()["error"]["fields"] == {field: [str(rules.MESSAGES[model][1])]}
    assert not model.objects.filter(code=payload["code"]).exists()
    assert AuditEvent.objects.count() == before


def test_it_refuses_a_coordinator_moving_a_team_out_of_their_subtree(api_for, world):
    team = world["team_a"]
    response = api_for("coord_a").patch(f"/api/teams/{team.pk}/", {"unit": None}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["unit"]
    team.refresh_from_db()
    assert team.unit == world["dept_a"]
    assert not AuditEvent.objects.filter(action="update", object_id=str(team.pk)).exists()


# --- Field-level moves across scopes ---------------------------------------------------------

# A change of only the field that places an object (a unit's parent, a person's, site's or
# team's unit), for each persona, to: no unit ("none": the top of the tree, or shared by the
# whole organisation), another place inside dept A's subtree ("A"), or dept B ("B"). The
# objects sit in dept A; contrib_a heads A-TEAM, leads TEAM-A and is bob, so the contributor
# cells test what an assignment allows (editing) and what it does not (moving).
MOVE_OBJECTS = {
    "units": ("a_team_unit", "parent", {"none": None, "A": "a_empty", "B": "dept_b"}),
    "people": ("bob", "unit", {"A": "dept_a", "B": "dept_b"}),
    "sites": ("site_a", "unit", {"none": None, "A": "a_team_unit", "B": "dept_b"}),
    "teams": ("team_a", "unit", {"none": None, "A": "a_team_unit", "B": "dept_b"}),
}
ASSIGNED = {"units", "people", "teams"}  # to contrib_a, through bob


def expected_move(persona: str, endpoint: str, dest: str) -> int:
    """The outcome of a move, from the role rules and the one placement rule."""
    if persona == "outsider":
        return 401
    if persona in ("executive", "auditor"):
        return 403
    if persona in WRITE_ALL:
        return 200
    if persona == "coord_b":
        return 404  # the object is outside their scope: it does not exist for them
    if persona == "contrib_a" and endpoint not in ASSIGNED:
        return 403
    # A coordinator moves only inside their subtree; a contributor never moves anything.
    # dept B does not exist for either (400 on the reference), nor may they place at no unit.
    return 200 if persona == "coord_a" and dest == "A" else 400


MOVE_TABLE = [
    (persona, endpoint, dest, expected_move(persona, endpoint, dest))
    for endpoint, (_obj, _field, dests) in MOVE_OBJECTS.items()
    for dest in dests
    for persona in PERSONAS
]


@pytest.fixture
def assigned_world(world):
    """The world, with contrib_a's person bob heading A-TEAM and leading TEAM-A."""
    org.unit_update(actor=None, unit=world["a_team_unit"], head=world["bob"])
    org.membership_create(actor=None, team=world["team_a"], person=world["bob"], role="leader")
    return world


@pytest.mark.parametrize(("persona", "endpoint", "dest", "status"), MOVE_TABLE)
def test_it_applies_the_placement_rule_to_field_level_moves(
    api_for, assigned_world, personas, persona, endpoint, dest, status
):
    world = assigned_world
    name, field, dests = MOVE_OBJECTS[endpoint]
    obj = world[name]
    target = world[dests[dest]] if dests[dest] else None
    before_place = getattr(obj, f"{field}_id")
    events_before = AuditEvent.objects.count()

    response = api_for(persona).patch(
        f"/api/{endpoint}/{obj.pk}/", {field: target.pk if target else None}, format="json"
    )

    assert response.status_code == status, response.content
    obj.refresh_from_db()
    if status == 200:
        assert getattr(obj, f"{field}_id") == (target.pk if target else None)
        event = AuditEvent.objects.order_by("-seq").first()
        assert (event.action, event.object_id, event.source) == ("update", str(obj.pk), "api")
        return
    assert getattr(obj, f"{field}_id") == before_place
    assert AuditEvent.objects.count() == events_before
    if status == 400:
        assert list(response.json()["error"]["fields"]) == [field]
        if target is None or persona == "contrib_a" and dest == "A":
            # The form's own message: one rule, one wording, whichever door is used.
            expected = rules.placement_error(personas[persona], type(obj), target)
            assert response.json()["error"]["fields"][field] == [expected]
