"""Global search and the autocomplete endpoint: only what the user may read."""

from __future__ import annotations

import pytest

from resilia.core.context import request_context
from resilia.org import services

pytestmark = pytest.mark.django_db


def found(response):
    return {
        str(group["kind"]): sorted(str(r["obj"]) for r in group["results"])
        for group in response.context["groups"]
    }


@pytest.fixture
def shared(org_tree):
    with request_context(source="test"):
        services.site_create(actor=None, code="DC-E", name="灾备中心E", kind="dr_site")
        services.team_create(actor=None, code="ERT-E", name="应急小组E", kind="emergency")


def test_it_groups_results_by_kind_within_scope(client_for, people, shared):
    response = client_for("coord_a").get("/search/", {"q": "E"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    groups = found(response)
    assert groups["people"] == ["张伟", "李娜"]  # E001, E002 — never 王芳 of department B
    assert groups["sites"] == ["灾备中心E"]
    assert groups["teams"] == ["应急小组E"]
    assert "王芳" not in response.content.decode()


def test_it_finds_another_department_for_an_auditor(client_for, people):
    response = client_for("auditor").get("/search/", {"q": "王芳"}, HTTP_ACCEPT_LANGUAGE="en")
    assert found(response) == {"people": ["王芳"]}


def test_it_finds_nothing_for_roles_without_registers(client_for, people):
    response = client_for("executive").get("/search/", {"q": "E00"})
    assert response.status_code == 200
    assert response.context["groups"] == []


@pytest.mark.parametrize("q", ["", "   ", "x" * 5000, "%", "_", "'; DROP TABLE org_person; --"])
def test_it_survives_odd_queries(client_for, people, q):
    response = client_for("admin").get("/search/", {"q": q})
    assert response.status_code == 200


def test_it_keeps_search_queries_bounded(client_for, people, django_assert_max_num_queries):
    client = client_for("admin")
    with django_assert_max_num_queries(10):
        client.get("/search/", {"q": "E"})


def test_it_shows_the_search_box_in_the_header(client_for, people):
    assert (
        'data-testid="header-search"' in client_for("coord_a").get("/org/units/").content.decode()
    )


def test_it_autocompletes_people_within_scope(client_for, people):
    response = client_for("coord_b").get("/org/autocomplete/person/", {"q": "E00"})
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [people["carol"].pk]


def test_it_limits_autocomplete_to_twenty_results(client_for, org_tree):
    with request_context(source="test"):
        for i in range(30):
            services.person_create(actor=None, full_name=f"Test {i}", unit=org_tree["dept_a"])
    results = client_for("admin").get("/org/autocomplete/person/", {"q": "Test"}).json()["results"]
    assert len(results) == 20


def test_it_autocompletes_writable_units_only_when_asked(client_for, org_tree):
    client = client_for("contrib_a")
    readable = client.get("/org/autocomplete/unit/", {"q": ""}).json()["results"]
    writable = client.get("/org/autocomplete/unit/", {"q": "", "write": "1"}).json()["results"]
    assert {r["id"] for r in readable} == {org_tree["dept_a"].pk, org_tree["team_a"].pk}
    assert writable == []


def test_it_refuses_autocomplete_for_unknown_kinds_and_closed_roles(client_for, people):
    assert client_for("admin").get("/org/autocomplete/galaxy/").status_code == 404
    assert client_for("executive").get("/org/autocomplete/person/").status_code == 403
    assert client_for("outsider").get("/org/autocomplete/person/").status_code == 302
