"""The register framework (resilia.core.lists) as users meet it on the people register."""

from __future__ import annotations

import pytest

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.org import services
from resilia.org.models import Person

pytestmark = pytest.mark.django_db

URL = "/org/people/"


@pytest.fixture
def many_people(org_tree, people):
    """60 more people in department A's section, named so that sorting is predictable."""
    with request_context(source="test"):
        for i in range(60):
            services.person_create(
                actor=None, full_name=f"Person {i:02d}", unit=org_tree["team_a"], mobile="138"
            )


def names(response):
    return [row.obj.full_name for row in response.context["rows"]]


@pytest.mark.parametrize(
    "url",
    ["/org/people/", "/org/units/", "/org/people/?export=csv", "/org/units/?export=xlsx"],
)
def test_it_refuses_registers_to_executives(client_for, url):
    response = client_for("executive").get(url)
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_it_sends_anonymous_users_to_login(client_for):
    response = client_for("outsider").get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_sorts_by_whitelisted_columns_in_both_directions(client_for, many_people):
    client = client_for("admin")
    ascending = names(client.get(URL, {"sort": "name", "per_page": 100}))
    descending = names(client.get(URL, {"sort": "-name", "per_page": 100}))
    assert ascending == sorted(ascending)
    assert descending == list(reversed(ascending))


@pytest.mark.parametrize("sort", ["notes", "unit__path;drop", "-", "' OR 1=1", "pk" * 200])
def test_it_ignores_sort_keys_that_are_not_sortable_columns(client_for, many_people, sort):
    client = client_for("admin")
    default = names(client.get(URL))
    response = client.get(URL, {"sort": sort})
    assert response.status_code == 200
    assert response.context["sort"] == ""
    assert names(response) == default


@pytest.mark.parametrize(
    ("page", "expected"), [("abc", 1), ("-3", 3), ("0", 3), ("999", 3), ("", 1), ("2", 2)]
)
def test_it_serves_a_real_page_for_any_page_parameter(client_for, many_people, page, expected):
    response = client_for("admin").get(URL, {"page": page})
    assert response.status_code == 200
    # 63 people, 25 per page: 3 pages. Garbage → first; out of range → last.
    assert response.context["page"].number == expected


@pytest.mark.parametrize(("per_page", "expected"), [("50", 50), ("100", 63), ("7", 25), ("x", 25)])
def test_it_offers_only_the_listed_page_sizes(client_for, many_people, per_page, expected):
    response = client_for("admin").get(URL, {"per_page": per_page})
    assert len(response.context["rows"]) == expected


def test_it_renders_only_the_table_for_htmx_requests(client_for, people):
    client = client_for("admin")
    partial = client.get(URL, {"q": "张"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "<html" not in body and 'data-testid="list-table"' in body
    assert names(partial) == ["张伟"]
    assert "HX-Request" in partial["Vary"]
    full = client.get(URL, {"q": "张"}).content.decode()
    assert "<html" in full and 'hx-trigger="keyup changed delay:300ms, search"' in full


def test_it_shows_invalid_filter_values_as_errors_and_refuses_to_export(client_for, people):
    client = client_for("admin")
    response = client.get(URL, {"unit": "not-a-unit", "is_key_person": "maybe", "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response.context["filterset"].errors.keys() >= {"unit"}
    assert 'data-testid="filter-error"' in response.content.decode()
    assert response.context["export_refused"] is True
    assert not AuditEvent.objects.filter(action="export").exists()


def test_it_treats_an_unreadable_unit_filter_as_invalid(client_for, org_tree, people):
    # coord_a may not read department B: filtering by it must not reveal its people.
    response = client_for("coord_a").get(URL, {"unit": org_tree["dept_b"].pk})
    assert "unit" in response.context["filterset"].errors
    assert "王芳" not in names(response)


def test_it_keeps_list_queries_constant_as_rows_grow(
    client_for, many_people, django_assert_max_num_queries
):
    client = client_for("coord_a")
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"per_page": 100})
    assert len(response.context["rows"]) == 62
    with django_assert_max_num_queries(12):
        client.get("/org/units/", {"per_page": 100})


def test_it_shows_the_new_button_only_to_those_who_may_create(client_for, people):
    assert 'data-testid="list-new"' in client_for("coord_a").get(URL).content.decode()
    assert 'data-testid="list-new"' in client_for("manager").get(URL).content.decode()
    assert 'data-testid="list-new"' not in client_for("auditor").get(URL).content.decode()
    assert 'data-testid="list-new"' not in client_for("contrib_a").get(URL).content.decode()


def test_it_exports_every_filtered_row_not_just_the_page(
    client_for, many_people, django_assert_max_num_queries
):
    client = client_for("admin")
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"q": "Person", "export": "csv", "page": "2"})
    assert response["Content-Disposition"].startswith('attachment; filename="people-')
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 60
    event = AuditEvent.objects.get(action="export")
    assert event.object_type == "org.person"
    assert event.changes == {"format": "csv", "filters": {"q": "Person"}, "rows": 60}
    assert Person.objects.count() == 63
