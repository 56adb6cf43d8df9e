"""The Sites register: list, filters, export, detail, create, edit, delete, per persona."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.org import services
from resilia.org.models import Person, Site

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def sites(org_tree, people):
    with request_context(source="test"):
        hq = services.site_create(
            actor=None, code="HQ", name="总部大楼", kind="office", seat_capacity=800
        )
        dc = services.site_create(
            actor=None, code="DC-A", name="主数据中心", kind="data_centre", unit=org_tree["dept_a"]
        )
        dr = services.site_create(
            actor=None, code="DR-B", name="同城灾备中心", kind="dr_site", unit=org_tree["dept_b"]
        )
        services.person_update(actor=None, person=people["alice"], site=dc)
        services.person_update(actor=None, person=people["carol"], site=dc)
    return {"hq": hq, "dc": dc, "dr": dr}


def codes(response):
    return [row.obj.code for row in response.context["rows"]]


def form_data(**overrides):
    data = {"code": "ALT-1", "name": "备用办公场所一", "name_en": "", "kind": "alternate"}
    data.update({"address": "", "seat_capacity": "40", "unit": "", "notes": ""})
    data.update(overrides)
    return data


def test_it_lists_sites_within_scope_with_people_counts(client_for, sites):
    response = client_for("manager").get("/org/sites/")
    assert codes(response) == ["DC-A", "DR-B", "HQ"]
    counts = {row.obj.code: row.obj.people_count for row in response.context["rows"]}
    assert counts == {"DC-A": 2, "DR-B": 0, "HQ": 0}
    # A coordinator reads their department's sites and the shared ones.
    assert codes(client_for("coord_a").get("/org/sites/")) == ["DC-A", "HQ"]


def test_it_filters_by_kind_and_unit(client_for, sites, org_tree):
    client = client_for("admin")
    assert codes(client.get("/org/sites/", {"kind": "dr_site"})) == ["DR-B"]
    assert codes(client.get("/org/sites/", {"unit": org_tree["dept_a"].pk})) == ["DC-A"]


def test_it_lists_without_n_plus_one(client_for, sites, django_assert_max_num_queries):
    client = client_for("coord_a")
    with request_context(source="test"):
        for n in range(30):
            services.site_create(actor=None, code=f"S{n:02}", name=f"场所{n}", kind="office")
    with django_assert_max_num_queries(12):
        response = client.get("/org/sites/", {"per_page": 100})
    assert len(response.context["rows"]) == 32


def test_it_exports_with_chinese_headers_and_audits(client_for, sites):
    response = client_for("manager").get("/org/sites/", {"export": "xlsx"}, **ZH)
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("编码", "名称", "类型", "所属单元")
    assert rows[1][:3] == ("DC-A", "主数据中心", "数据中心")
    event = AuditEvent.objects.get(action="export")
    assert event.object_type == "org.site" and event.changes["rows"] == 3


def test_it_shows_the_people_located_at_a_site_as_the_user_may_read(client_for, sites):
    url = f"/org/sites/{sites['dc'].pk}/"
    response = client_for("manager").get(url)
    assert [p.full_name for p in response.context["people"]] == ["张伟", "王芳"]
    # Carol works in dept B: coordinator A does not see her.
    assert [p.full_name for p in client_for("coord_a").get(url).context["people"]] == ["张伟"]
    assert client_for("coord_a").get(f"/org/sites/{sites['dr'].pk}/").status_code == 404
    assert client_for("executive").get(url).status_code == 403


def test_it_creates_a_site_with_an_audit_event(client_for):
    response = client_for("manager").post("/org/sites/new/", form_data())
    site = Site.objects.get(code="ALT-1")
    assert response.status_code == 302 and response["Location"] == f"/org/sites/{site.pk}/"
    assert site.kind == "alternate" and site.seat_capacity == 40 and site.unit is None
    event = AuditEvent.objects.get(action="create", object_type="org.site")
    assert event.actor.username == "manager" and event.changes["seat_capacity"] == [None, 40]


def test_it_refuses_a_negative_seat_capacity_in_the_users_language(client_for):
    response = client_for("manager").post("/org/sites/new/", form_data(seat_capacity="-5"), **ZH)
    assert response.status_code == 200
    with translation.override("zh-hans"):
        assert "此值不能小于 0。" in response.content.decode()
    assert not Site.objects.filter(code="ALT-1").exists()
    assert not AuditEvent.objects.filter(object_type="org.site").exists()


def test_it_refuses_a_duplicate_code(client_for, sites):
    response = client_for("manager").post("/org/sites/new/", form_data(code="HQ"), **EN)
    assert "already exists" in response.content.decode()
    assert Site.objects.filter(code="HQ").count() == 1


def test_it_keeps_a_coordinators_sites_inside_their_department(client_for, sites, org_tree):
    client = client_for("coord_a")
    # Without a unit the site would be shared, which only organisation-wide writers manage.
    assert client.post("/org/sites/new/", form_data()).status_code == 200
    assert client.post("/org/sites/new/", form_data(unit=org_tree["dept_b"].pk)).status_code == 200
    assert not Site.objects.filter(code="ALT-1").exists()
    response = client.post("/org/sites/new/", form_data(unit=org_tree["team_a"].pk))
    assert response.status_code == 302
    assert client.post(f"/org/sites/{sites['hq'].pk}/edit/", form_data()).status_code == 403
    assert client.post(f"/org/sites/{sites['dr'].pk}/delete/").status_code == 404


def test_it_edits_only_the_changed_fields_into_the_audit_trail(client_for, sites):
    site = sites["hq"]
    data = form_data(code="HQ", name="总部大楼", kind="office", seat_capacity="900")
    response = client_for("manager").post(f"/org/sites/{site.pk}/edit/", data)
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.seat_capacity == 900
    event = AuditEvent.objects.filter(action="update", object_type="org.site").get()
    assert event.changes == {"seat_capacity": [800, 900]}


def test_it_deletes_a_site_after_confirmation(client_for, sites):
    site = sites["dr"]
    client = client_for("manager")
    assert client.get(f"/org/sites/{site.pk}/delete/").status_code == 200
    assert Site.objects.filter(pk=site.pk).exists()
    response = client.post(f"/org/sites/{site.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/org/sites/"
    assert not Site.objects.filter(pk=site.pk).exists()
    assert AuditEvent.objects.filter(action="delete", object_id=str(site.pk)).exists()


@pytest.mark.parametrize("persona", ["contrib_a", "auditor"])
def test_it_lets_read_only_roles_read_but_not_write(client_for, sites, persona):
    client = client_for(persona)
    assert client.get(f"/org/sites/{sites['hq'].pk}/").status_code == 200
    assert client.get("/org/sites/new/").status_code == 403
    assert client.post(f"/org/sites/{sites['hq'].pk}/edit/", form_data()).status_code == 403
    assert Person.objects.filter(site=sites["dc"]).count() == 2
