"""No leak through lists, exports, search, autocomplete or history.

Every DEPT-B object carries a marker in its name ("乙部门专属"), code ("YIB-"), English name
("DeptBOnly") and mobile number ("1399900"); a coordinator or contributor of DEPT-A must never
receive one of them, in any language, even where a DEPT-A object points at a DEPT-B one (a
deputy from DEPT-B, a desk at DEPT-B's data centre). Each check also asserts that an
in-scope object IS shown, so an empty page cannot pass for a safe one.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from resilia.accounts.models import User
from resilia.core.context import request_context
from resilia.core.tests.permission_table import (  # perm_world: the module fixture
    B_CODE,
    B_MARKERS,
    B,
    perm_world,  # noqa: F401
    target,
)
from resilia.org import services as org
from resilia.org.models import Person, Site, Team, Unit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("perm_world", "cross_references")]

READERS = ("coord_a", "contrib_a")
KINDS = ("unit", "person", "site", "team")
LEAK_KINDS = KINDS
# An in-scope value each register must show to both readers (the positive control).
IN_SCOPE = {"unit": "A-LEAF", "person": "周敏", "site": "SITE-A", "team": "TEAM-A"}
LANGUAGES = ("zh-hans", "en")


@pytest.fixture
def cross_references():
    """DEPT-A people who point at DEPT-B: alice's deputy and pa's desk are in DEPT-B."""
    admin = User.objects.get(username="admin")
    with request_context(source="test"):
        alice = Person.objects.get(employee_no="E001")
        org.person_update(actor=admin, person=alice, deputy=target("person", "out_of_scope"))
        org.person_update(
            actor=admin, person=target("person", "in_scope"), site=target("site", "out_of_scope")
        )


def client_as(persona: str, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(User.objects.get(username=persona))
    return client


def dept_b_values() -> list[str]:
    """Every name, code and number of a DEPT-B object (they all carry a marker)."""
    values = []
    for model, fields in (
        (Unit, ("code", "name", "name_en")),
        (Person, ("employee_no", "full_name", "mobile")),
        (Site, ("code", "name", "name_en", "address")),
        (Team, ("code", "name", "name_en", "responsibilities")),
    ):
        for row in model.objects.values_list(*fields):
            values += [v for v in row if v and any(m in v for m in B_MARKERS)]
    assert len(values) >= 15
    return values


def assert_no_leak(text: str, where: str, query: str = "") -> None:
    """No DEPT-B value in the text. When the user's own query carries a marker, the page
    echoes it back (search box): then whole DEPT-B values are looked for instead."""
    if any(marker in query for marker in B_MARKERS):
        leaked = [value for value in dept_b_values() if value in text]
    else:
        leaked = [marker for marker in B_MARKERS if marker in text]
    assert leaked == [], f"{where} shows DEPT-B data ({leaked})"


def export_text(response) -> str:
    """Every cell of a CSV or XLSX export, as one text."""
    if response["Content-Type"].startswith("text/csv"):
        rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    else:
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
        rows = sheet.iter_rows(values_only=True)
    return "\n".join("\t".join("" if v is None else str(v) for v in row) for row in rows)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", LEAK_KINDS)
@pytest.mark.parametrize("persona", READERS)
def test_it_keeps_dept_b_out_of_list_pages(persona, kind, language):
    client = client_as(persona, language)
    url = reverse(f"org:{kind}_list")
    for query in ({"per_page": 100}, {"q": B, "per_page": 100}, {"q": B_CODE}):
        response = client.get(url, query)
        assert response.status_code == 200
        assert_no_leak(response.content.decode(), f"{kind} list {query}", query.get("q", ""))
    assert IN_SCOPE[kind] in client.get(url, {"per_page": 100}).content.decode()


@pytest.mark.parametrize("fmt", ("csv", "xlsx"))
@pytest.mark.parametrize("kind", LEAK_KINDS)
@pytest.mark.parametrize("persona", READERS)
def test_it_keeps_dept_b_out_of_exports(persona, kind, fmt):
    response = client_as(persona).get(reverse(f"org:{kind}_list"), {"export": fmt})
    assert response.status_code == 200
    text = export_text(response)
    assert_no_leak(text, f"{kind} {fmt} export")
    assert IN_SCOPE[kind] in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("persona", READERS)
def test_it_keeps_dept_b_out_of_global_search(persona, language):
    client = client_as(persona, language)
    for query in (B, B_CODE, "DeptBOnly", "1399900", "部", "小组"):
        response = client.get(reverse("core:search"), {"q": query})
        assert response.status_code == 200
        assert_no_leak(response.content.decode(), f"search for {query!r}", query)
    found = client.get(reverse("core:search"), {"q": "甲部门"}).content.decode()
    assert "甲部门应急小组" in found and "甲部门办公楼" in found


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("persona", READERS)
def test_it_keeps_dept_b_out_of_autocomplete(persona, kind):
    client = client_as(persona)
    url = reverse("org:autocomplete", args=[kind])
    for params in ({"q": ""}, {"q": B}, {"q": B_CODE}, {"q": ""} | {"write": "1"}):
        response = client.get(url, params)
        assert response.status_code == 200
        texts = " ".join(r["text"] for r in response.json()["results"])
        assert_no_leak(texts, f"{kind} autocomplete {params}")
    texts = [r["text"] for r in client.get(url, {"q": ""}).json()["results"]]
    assert any(IN_SCOPE[kind] in text for text in texts), texts


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("persona", READERS)
def test_it_keeps_dept_b_out_of_the_history_of_in_scope_objects(persona, language):
    """The history of a DEPT-A person who was given a DEPT-B deputy or desk names neither."""
    client = client_as(persona, language)
    for person in (Person.objects.get(employee_no="E001"), target("person", "in_scope")):
        url = reverse("audit:object_history", args=["org.person", person.pk])
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, **headers)
            assert response.status_code == 200
            text = response.content.decode()
            assert_no_leak(text, f"history of {person}")
            assert person.full_name in text


def test_it_shows_the_history_names_to_those_who_may_read_them():
    """The positive control of the history test: the manager sees the DEPT-B deputy's name."""
    alice = Person.objects.get(employee_no="E001")
    url = reverse("audit:object_history", args=["org.person", alice.pk])
    text = client_as("manager").get(url).content.decode()
    assert target("person", "out_of_scope").full_name in text


DETAIL_PAGES = {
    "alice": lambda: Person.objects.get(employee_no="E001"),  # her deputy is in DEPT-B
    "pa": lambda: target("person", "in_scope"),  # their desk is DEPT-B's data centre
    "dept_a": lambda: target("unit", "in_scope").parent,
    "team_a": lambda: target("team", "in_scope"),
    "site_a": lambda: target("site", "in_scope"),
    "team_shared": lambda: target("team", "shared"),
}


@pytest.mark.parametrize(
    "page",
    DETAIL_PAGES,
)
@pytest.mark.parametrize("persona", READERS)
def test_it_keeps_dept_b_out_of_in_scope_detail_pages(persona, page):
    obj = DETAIL_PAGES[page]()
    response = client_as(persona).get(obj.get_absolute_url())
    assert response.status_code == 200
    assert str(obj) in response.content.decode()
    assert_no_leak(response.content.decode(), f"page of {obj}")


def test_it_shows_the_executive_no_register_rows():
    client = client_as("executive")
    names = [p.full_name for p in Person.objects.all()] + [s.code for s in Site.objects.all()]
    pages = [
        client.get(reverse("site:home")),
        *[client.get(reverse("core:search"), {"q": q}) for q in ("部", "甲部门", B, "SITE")],
    ]
    for response in pages:
        assert response.status_code == 200
        text = response.content.decode()
        shown = [name for name in names if name in text]
        assert shown == [], f"the executive sees register rows: {shown}"
    for kind in KINDS:
        assert client.get(reverse(f"org:{kind}_list")).status_code == 403
        assert client.get(reverse(f"org:{kind}_list"), {"export": "csv"}).status_code == 403
        assert client.get(reverse("org:autocomplete", args=[kind])).status_code == 403


def _member_edit_url() -> str:
    team = target("team", "in_scope")
    return reverse("org:membership_edit", args=[team.pk, team.memberships.get().pk])


# Each form page of a DEPT-A coordinator, and an in-scope choice or name it must show; a
# choice offered by the kit's picker is asked of its endpoint (the page lists none).
UNITS_W = "/org/autocomplete/unit/?write=1"
PEOPLE = "/org/autocomplete/person/"
FORM_PAGES = {
    "unit_create": (lambda: reverse("org:unit_create"), "信息科技部", UNITS_W),
    "person_create": (lambda: reverse("org:person_create"), "甲部门办公楼"),
    "site_create": (lambda: reverse("org:site_create"), "信息科技部", UNITS_W),
    "team_create": (lambda: reverse("org:team_create"), "信息科技部", UNITS_W),
    "unit_edit": (
        lambda: reverse("org:unit_edit", args=[target("unit", "in_scope").pk]),
        "张伟",
        PEOPLE,
    ),
    "site_edit": (
        lambda: reverse("org:site_edit", args=[target("site", "in_scope").pk]),
        "信息科技部",
    ),
    "team_edit": (
        lambda: reverse("org:team_edit", args=[target("team", "in_scope").pk]),
        "信息科技部",
    ),
    "team_members": (lambda: target("team", "in_scope").get_absolute_url(), "周敏", PEOPLE),
    "member_edit": (_member_edit_url, "甲部门应急小组"),
}


@pytest.mark.parametrize("page", FORM_PAGES)
def test_it_offers_no_dept_b_choice_in_forms(page):
    """The choices of a DEPT-A coordinator's forms (parent, unit, head, site, deputy, new
    member) come from their scope only."""
    url, in_scope, *picker = FORM_PAGES[page]
    client = client_as("coord_a")
    response = client.get(url())
    assert response.status_code == 200
    text = response.content.decode()
    assert_no_leak(text, f"form {page}")
    if picker:
        assert f'data-picker="{picker[0]}"' in text
        # Everything the picker would suggest, unfiltered, then the in-scope choice searched.
        everything = client.get(picker[0], {"q": ""}).content.decode("unicode_escape")
        assert_no_leak(everything, f"picker of form {page}")
        text = client.get(picker[0], {"q": in_scope}).content.decode("unicode_escape")
    assert in_scope in text


@pytest.mark.parametrize("persona", READERS)
def test_it_keeps_the_history_of_a_deleted_dept_b_object_closed(persona):
    """Once a DEPT-B unit is deleted its history is for audit readers only, not a way round."""
    leaf = target("unit", "out_of_scope")
    url = reverse("audit:object_history", args=["org.unit", leaf.pk])
    with request_context(source="test"):
        org.unit_delete(actor=User.objects.get(username="admin"), unit=leaf)
    response = client_as(persona).get(url)
    assert response.status_code == 404
    assert_no_leak(response.content.decode(), "history of a deleted DEPT-B unit")
    shown = client_as("auditor").get(url).content.decode()
    assert leaf.name in shown or leaf.name_en in shown
