"""The kit's picker: only the chosen rows are rendered, codes are accepted without JavaScript,
the endpoints answer within the reader's scope, and a bank-sized register stays light."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from resilia.core.context import request_context
from resilia.core.forms import autocomplete
from resilia.dependencies import services as deps
from resilia.dependencies.models import Activity, Resource
from resilia.org.models import Person, Site, Unit

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PAGE_LIMIT = 60 * 1024


class UnitsForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.all(), required=False)
    units = forms.ModelMultipleChoiceField(queryset=Unit.objects.all(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        autocomplete(self.fields["unit"], "/org/autocomplete/unit/")
        autocomplete(self.fields["units"], "/org/autocomplete/unit/", write=True)


def chosen(html: str) -> list[str]:
    return re.findall(r'<li role="option" aria-selected="true" data-value="(\d+)">', html)


def test_it_renders_only_the_selected_rows(org_tree):
    a, b = org_tree["dept_a"], org_tree["dept_b"]
    form = UnitsForm({"unit": str(a.pk), "units": [str(a.pk), str(b.pk)]})
    single, multiple = str(form["unit"]), str(form["units"])
    assert "<option" not in single and "<select" not in single
    assert chosen(single) == [str(a.pk)]
    assert chosen(multiple) == [str(a.pk), str(b.pk)]
    # Without JavaScript the box holds the codes, which it also takes back.
    assert 'value="DEPT-A"' in single and 'value="DEPT-A, DEPT-B"' in multiple
    assert 'data-picker="/org/autocomplete/unit/?write=1"' in multiple
    empty = str(UnitsForm()["unit"])
    assert chosen(empty) == [] and "<option" not in empty


def test_it_takes_codes_typed_without_javascript(org_tree):
    form = UnitsForm({"unit": "dept-a", "units": "DEPT-A, A-TEAM"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["unit"] == org_tree["dept_a"]
    assert set(form.cleaned_data["units"]) == {org_tree["dept_a"], org_tree["team_a"]}


def test_it_refuses_an_unknown_code_with_a_translated_error(org_tree):
    with translation.override("zh-hans"):
        form = UnitsForm({"unit": "NOPE", "units": "DEPT-A, NOPE"})
        assert not form.is_valid()
        expected = forms.ModelChoiceField.default_error_messages["invalid_choice"]
        assert str(expected) in form.errors["unit"][0]
        assert "NOPE" in form.errors["units"][0]
        assert 'value="NOPE"' in str(form["unit"])  # what was typed stays, beside the error


@pytest.mark.parametrize("token", ["99999999999999999999999", "²", "DEPT\x00"])
def test_it_refuses_a_number_no_row_can_have_without_asking_the_database(org_tree, token):
    """An id beyond a database integer would overflow SQLite, a superscript digit is no
    number, PostgreSQL refuses a NUL in a query: all are invalid choices like an unknown code
    (never a 500)."""
    form = UnitsForm({"unit": token, "units": f"DEPT-A, {token}"})
    assert not form.is_valid()
    assert set(form.errors) == {"unit", "units"}
    assert token in str(form["unit"])


def test_a_list_filter_takes_a_code_an_id_and_refuses_the_rest(client_for, people, org_tree):
    client = client_for("coord_a")
    by_code = client.get("/org/people/", {"unit": "A-TEAM"})
    by_id = client.get("/org/people/", {"unit": org_tree["team_a"].pk})
    assert [r.obj.full_name for r in by_code.context["rows"]] == ["李娜"]
    assert [r.obj.full_name for r in by_id.context["rows"]] == ["李娜"]
    # Another department's unit is not a choice of DEPT-A's coordinator: an error, not its people.
    other = client.get("/org/people/", {"unit": "DEPT-B"}, **ZH)
    assert other.status_code == 200
    body = other.content.decode()
    assert 'data-testid="filter-error"' in body and "王芳" not in body
    with translation.override("zh-hans"):
        message = str(forms.ModelChoiceField.default_error_messages["invalid_choice"])
    assert message in body and message != "Select a valid choice."


def _texts(response) -> list[str]:
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


@pytest.fixture
def nodes(org_tree, personas):
    with request_context(source="test"):
        actor, a = personas["manager"], org_tree["dept_a"]
        deps.resource_create(actor=actor, code="DC1", name="主数据中心", kind="facility", unit=a)
        deps.activity_create(actor=actor, code="PAY", name="支付清算", unit=a)


def test_the_endpoints_answer_within_the_readers_scope(client_for, nodes, people):
    coord_a, coord_b = client_for("coord_a"), client_for("coord_b")
    units = _texts(coord_a.get("/org/autocomplete/unit/", {"q": "DEPT"}))
    assert any("DEPT-A" in t for t in units) and not any("DEPT-B" in t for t in units)
    assert any("DEPT-B" in t for t in _texts(coord_b.get("/org/autocomplete/unit/", {"q": "DEPT"})))
    people_a = _texts(coord_a.get("/org/autocomplete/person/", {"q": "E00"}))
    assert any("张伟" in t for t in people_a) and not any("王芳" in t for t in people_a)
    resources_b = _texts(coord_b.get("/dependencies/autocomplete/resource/", {"q": "DC"}))
    assert not any(t.startswith("DC1") for t in resources_b)
    resources_a = _texts(coord_a.get("/dependencies/autocomplete/resource/", {"q": "DC"}))
    assert any(t.startswith("DC1") for t in resources_a)
    activities_b = _texts(coord_b.get("/dependencies/autocomplete/activity/", {"q": "PAY"}))
    assert activities_b == []


def test_the_endpoints_speak_the_readers_language(client_for, org_tree, personas):
    client = client_for("manager")
    assert "DEPT-A · IT Department" in _texts(
        client.get("/org/autocomplete/unit/", {"q": "DEPT-A"}, **EN)
    )
    assert "DEPT-A · 信息科技部" in _texts(
        client.get("/org/autocomplete/unit/", {"q": "DEPT-A"}, **ZH)
    )


def test_the_endpoints_are_limited(client_for, org_tree, personas):
    _bulk_units(org_tree["dept_b"], 60)
    texts = _texts(client_for("manager").get("/org/autocomplete/unit/", {"q": "BULK"}))
    assert len(texts) == 20


def _bulk_units(parent, count: int):
    # Test data, inserted in bulk: a unique path under the parent keeps subtree queries right.
    Unit.objects.bulk_create(
        Unit(
            code=f"BULK{i:05d}",
            name=f"分支机构{i}",
            name_en=f"Branch {i}",
            kind="team",
            parent=parent,
            path=f"{parent.path}b{i}/",
            depth=parent.depth + 1,
        )
        for i in range(count)
    )


@pytest.fixture
def bank_scale(org_tree, personas):
    """3,000 units, 3,000 sites, a few hundred people, resources and activities."""
    dept_b = org_tree["dept_b"]
    _bulk_units(dept_b, 3000)
    Site.objects.bulk_create(
        Site(code=f"S{i:05d}", name=f"网点{i}", kind="branch") for i in range(3000)
    )
    units = list(Unit.objects.filter(code__startswith="BULK")[:300])
    Person.objects.bulk_create(
        Person(full_name=f"员工{i}", employee_no=f"N{i:05d}", unit=units[i % 300])
        for i in range(300)
    )
    Resource.objects.bulk_create(
        Resource(code=f"R{i:05d}", name=f"资源{i}", kind="application", unit=units[i % 300])
        for i in range(300)
    )
    Activity.objects.bulk_create(
        Activity(code=f"A{i:05d}", name=f"活动{i}", unit=units[i % 300]) for i in range(300)
    )
    return units


PAGES = ["/org/people/", "/dependencies/resources/", "/dependencies/activities/"]


@pytest.mark.parametrize("url", PAGES)
def test_a_register_stays_light_at_a_banks_scale(client_for, bank_scale, url):
    client = client_for("manager")
    client.get(url)  # warm caches (compiled model, sessions) that a first view fills once
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"per_page": 25})
    chosen_unit = bank_scale[7]
    with CaptureQueriesContext(connection) as filtered:
        response = client.get(url, {"unit": chosen_unit.code}, **ZH)
    assert response.status_code == 200
    body = response.content
    assert len(body) < PAGE_LIMIT, f"{url}: {len(body) // 1024} KiB"
    assert body.decode().count("<option") < 60  # the yes/no and kind filters, never a table
    assert chosen_unit.code.encode() in body  # the chosen unit is still shown
    # Filtering by a picked unit costs at most the picker's own two lookups.
    assert len(filtered) <= len(small) + 3
    assert len(small) <= 30
