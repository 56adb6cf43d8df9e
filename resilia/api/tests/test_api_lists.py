"""Lists: the shared filter sets, whitelisted ordering, pagination and query-count guards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.org import services as org

pytestmark = pytest.mark.django_db


def _ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- filters: the same FilterSets as the UI ------------------------------------------------


def test_it_filters_people_by_search_unit_subtree_and_flags(api_for, world):
    client = api_for("manager")
    assert _ids(client.get("/api/people/", {"q": "张"})) == [world["alice"].pk]
    assert set(_ids(client.get("/api/people/", {"unit": world["dept_a"].pk}))) == {
        world["alice"].pk,
        world["bob"].pk,  # in A-TEAM, under dept A
        world["dave"].pk,
    }
    assert _ids(client.get("/api/people/", {"is_key_person": "true"})) == [world["alice"].pk]


def test_it_filters_units_sites_and_teams_by_kind(api_for, world):
    client = api_for("admin")
    departments = _ids(client.get("/api/units/", {"kind": "department"}))
    assert set(departments) == {world["dept_a"].pk, world["dept_b"].pk}
    assert _ids(client.get("/api/sites/", {"kind": "dr_site"})) == [world["site_shared"].pk]
    assert _ids(client.get("/api/teams/", {"kind": "steering"})) == [world["team_shared"].pk]
    assert set(_ids(client.get("/api/teams/", {"member": world["alice"].pk}))) == {
        world["team_a"].pk,
        world["team_shared"].pk,
    }


def test_it_filters_memberships_by_team_person_and_role(api_for, world):
    client = api_for("admin")
    assert _ids(client.get("/api/team-memberships/", {"role": "leader"})) == [
        world["membership_b"].pk
    ]
    assert _ids(client.get("/api/team-memberships/", {"team": world["team_a"].pk})) == [
        world["membership_a"].pk
    ]
    assert set(_ids(client.get("/api/team-memberships/", {"person": world["alice"].pk}))) == {
        world["membership_a"].pk,
        world["membership_shared"].pk,
    }
    assert _ids(client.get("/api/team-memberships/", {"q": "王芳"})) == [world["membership_b"].pk]


def test_it_filters_the_audit_trail(api_for, world, personas):
    client = api_for("manager")
    created = client.post(
        "/api/sites/", {"code": "DR-1", "name": "异地灾备中心", "kind": "dr_site"}, format="json"
    )
    site_id = str(created.json()["id"])
    request_id = created["X-Request-ID"]

    def query(**params):
        response = client.get("/api/audit-events/", params)
        assert response.status_code == 200, response.content
        return [(r["action"], r["object_type"], r["object_id"]) for r in response.json()["results"]]

    expected = [("create", "org.site", site_id)]
    assert query(request_id=request_id) == expected
    assert query(actor="manager") == expected
    assert query(object_type="org.site", object_id=site_id) == expected
    assert query(action="create", source="api") == expected
    assert len(query(action="create")) == AuditEvent.objects.filter(action="create").count()
    now = timezone.now()
    today = timezone.localdate().isoformat()
    assert len(query(date_from=today, date_to=today, page_size=200)) == AuditEvent.objects.count()
    assert query(q="异地灾备") == expected
    assert query(since=(now + dt.timedelta(minutes=1)).isoformat()) == []
    assert len(query(until=(now + dt.timedelta(minutes=1)).isoformat(), page_size=200)) == (
        AuditEvent.objects.count()
    )
    response = client.get("/api/audit-events/", {"since": "yesterday"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["since"]


# --- ordering ------------------------------------------------------------------------------


def test_it_orders_on_whitelisted_fields(api_for, world):
    client = api_for("admin")
    rows = client.get("/api/people/", {"ordering": "-full_name"}).json()["results"]
    names = [r["full_name"] for r in rows]
    assert names == sorted(names, reverse=True)
    codes = [
        r["code"] for r in client.get("/api/sites/", {"ordering": "kind,-code"}).json()["results"]
    ]
    assert codes == ["SITE-SHARED", "SITE-B", "SITE-A"]


def test_it_breaks_ordering_ties_by_id_so_pages_never_overlap(api_for, world):
    with request_context(source="test"):
        for _n in range(7):
            org.person_create(actor=None, full_name="同名", unit=world["dept_a"])
    client = api_for("admin")
    seen = []
    for page in (1, 2, 3, 4):
        response = client.get(
            "/api/people/", {"ordering": "full_name", "q": "同名", "page_size": 2, "page": page}
        )
        seen += _ids(response)
    assert seen == sorted(seen) and len(set(seen)) == 7


# --- pagination ----------------------------------------------------------------------------


def test_it_paginates_with_count_and_links(api_for, world):
    client = api_for("admin")
    first = client.get("/api/units/", {"page_size": 4}).json()
    assert first["count"] == 6
    assert len(first["results"]) == 4
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in second["results"])


def test_it_caps_the_page_size(api_for, world):
    with request_context(source="test"):
        for n in range(205):
            org.person_create(actor=None, full_name=f"员工{n:03}", unit=world["dept_b"])
    response = api_for("admin").get("/api/people/", {"page_size": 10000})
    assert len(response.json()["results"]) == 200
    assert response.json()["count"] == 210


# --- query-count guards: enough rows with references to reveal an N+1 ---------------------


@pytest.fixture
def crowd(world):
    """20 units with heads, 60 people with sites and deputies, 30 sites, 30 teams and 60
    memberships, spread over both departments."""
    with request_context(source="test"):
        units = [world["dept_a"], world["a_team_unit"], world["dept_b"]]
        for n in range(20):
            org.unit_create(
                actor=None,
                code=f"U{n}",
                name=f"科室{n}",
                kind="team",
                parent=units[n % 3],
                head=world["alice"] if n % 3 != 2 else world["carol"],
            )
        sites = [
            org.site_create(
                actor=None, code=f"S{n}", name=f"场所{n}", kind="office", unit=units[n % 3]
            )
            for n in range(30)
        ]
        people = []
        for n in range(60):
            people.append(
                org.person_create(
                    actor=None,
                    full_name=f"人员{n:02}",
                    unit=units[n % 3],
                    site=sites[n % 30],
                    deputy=people[-1] if people else None,
                )
            )
        for n in range(30):
            team = org.team_create(
                actor=None, code=f"T{n}", name=f"小组{n}", kind="working", unit=units[n % 3]
            )
            org.membership_create(actor=None, team=team, person=people[2 * n], role="leader")
            org.membership_create(actor=None, team=team, person=people[2 * n + 1])
    return world


@pytest.mark.parametrize(
    ("persona", "endpoint"),
    [
        *[
            (persona, endpoint)
            for endpoint in ("units", "people", "sites", "teams", "team-memberships")
            for persona in ("admin", "coord_a")
        ],
        ("manager", "audit-events"),
        ("auditor", "audit-events"),
    ],
)
def test_it_lists_in_a_constant_number_of_queries(
    api_for, crowd, persona, endpoint, django_assert_max_num_queries
):
    client = api_for(persona)
    # Token + user, the user's unit (scoped roles), count, page: nothing per row.
    with django_assert_max_num_queries(5):
        response = client.get(f"/api/{endpoint}/", {"page_size": 200})
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 15


@pytest.mark.parametrize(
    ("endpoint", "param"),
    [
        ("people", "is_key_person"),
        ("people", "has_deputy"),
        ("people", "is_active"),
    ],
)
def test_it_refuses_a_yes_no_filter_that_is_neither(api_for, world, endpoint, param):
    client = api_for("admin")
    response = client.get(f"/api/{endpoint}/", {param: "maybe"})
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [param]
    assert "results" not in response.json()
    for value in ("true", "false", "True", "0", ""):
        assert client.get(f"/api/{endpoint}/", {param: value}).status_code == 200


def test_it_still_filters_on_a_yes_no_value(api_for, world):
    names = {
        row["full_name"]
        for row in api_for("admin").get("/api/people/", {"is_key_person": "true"}).json()["results"]
    }
    assert names == {"张伟"}
