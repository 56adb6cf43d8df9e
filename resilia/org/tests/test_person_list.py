"""The people register: filters, scope and exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.org import services

pytestmark = pytest.mark.django_db

URL = "/org/people/"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def names(response):
    return sorted(row.obj.full_name for row in response.context["rows"])


@pytest.fixture
def site(org_tree):
    with request_context(source="test"):
        return services.site_create(actor=None, code="DC1", name="主数据中心", kind="data_centre")


def test_it_shows_a_coordinator_only_their_departments_people(client_for, people):
    assert names(client_for("coord_a").get(URL)) == ["张伟", "李娜"]
    assert names(client_for("coord_b").get(URL)) == ["王芳"]
    assert names(client_for("auditor").get(URL)) == ["张伟", "李娜", "王芳"]


def test_it_filters_by_unit_subtree(client_for, org_tree, people):
    client = client_for("admin")
    assert names(client.get(URL, {"unit": org_tree["dept_a"].pk})) == ["张伟", "李娜"]
    assert names(client.get(URL, {"unit": org_tree["team_a"].pk})) == ["李娜"]


def test_it_filters_by_key_person_deputy_site_and_activity(client_for, people, site):
    with request_context(source="test"):
        services.person_update(actor=None, person=people["alice"], deputy=people["bob"], site=site)
        services.person_update(actor=None, person=people["carol"], is_active=False)
    client = client_for("admin")
    assert names(client.get(URL, {"is_key_person": "true"})) == ["张伟"]
    assert names(client.get(URL, {"has_deputy": "true"})) == ["张伟"]
    assert names(client.get(URL, {"has_deputy": "false"})) == ["李娜", "王芳"]
    assert names(client.get(URL, {"site": site.pk})) == ["张伟"]
    assert names(client.get(URL, {"is_active": "false"})) == ["王芳"]
    body = client.get(URL, {"is_key_person": "true"}).content.decode()
    assert 'data-testid="key-person"' in body and "李娜" in body  # the deputy column


def test_it_exports_xlsx_in_chinese_within_scope(client_for, people):
    response = client_for("coord_a").get(URL, {"export": "xlsx"}, **ZH)
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    with translation.override("zh-hans"):
        expected = [translation.gettext(m) for m in ("employee number", "full name", "mobile")]
    assert [rows[0][0], rows[0][1], rows[0][5]] == expected
    assert expected[1] == "姓名"
    assert sorted(r[1] for r in rows[1:]) == ["张伟", "李娜"]
    key_column = rows[0].index("关键人员")
    assert {r[1]: r[key_column] for r in rows[1:]} == {"张伟": "是", "李娜": "否"}
    event = AuditEvent.objects.get(action="export")
    assert event.object_type == "org.person" and event.changes["rows"] == 2


def test_it_exports_csv_of_the_filtered_people_only(client_for, org_tree, people):
    response = client_for("manager").get(
        URL, {"export": "csv", "unit": org_tree["team_a"].pk}, **ZH
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][1] == "姓名"
    assert [r[1] for r in rows[1:]] == ["李娜"]
    event = AuditEvent.objects.get(action="export")
    assert event.changes == {
        "format": "csv",
        "filters": {"unit": str(org_tree["team_a"].pk)},
        "rows": 1,
    }


def test_it_neutralises_spreadsheet_formulas_in_exports(client_for, org_tree):
    with request_context(source="test"):
        services.person_create(actor=None, full_name="=HYPERLINK(1)", unit=org_tree["dept_a"])
    response = client_for("admin").get(URL, {"export": "csv"})
    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")


def test_it_shows_the_email_under_the_name_and_keeps_it_in_exports(client_for, people):
    client = client_for("manager")
    response = client.get(URL, **ZH)
    body = response.content.decode()
    labels = [str(h["column"].label) for h in response.context["headers"]]
    assert "e-mail" not in labels and "电子邮件" not in body.split("<tbody>")[0]
    email = '<div class="small text-secondary" data-testid="person-email">zhang.wei@example.com'
    assert email in body
    assert len(response.context["rows"][0].cells) == len(labels)
    export = client.get(URL, {"export": "csv"}, **ZH)
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert "电子邮件" in rows[0]
    assert "zhang.wei@example.com" in {cell for row in rows[1:] for cell in row}


@pytest.mark.parametrize("url", ["/org/units/", "/org/sites/", "/org/teams/"])
def test_it_labels_the_empty_filter_choice_all(client_for, people, url):
    body = client_for("manager").get(url, **ZH).content.decode()
    assert "-----" not in body
    assert '<option value="" selected>全部</option>' in body


def test_it_shows_the_unit_and_site_filters_as_empty_pickers(client_for, people):
    """No unit or site is listed as an option: they are searched as you type."""
    body = client_for("manager").get(URL, **ZH).content.decode()
    assert "-----" not in body
    assert body.count('class="picker"') == 2
    assert "<option" not in body.split('id="list-filter-form"')[1].split('name="is_key_person"')[0]
    assert "输入编码。" in body  # the placeholder without JavaScript, translated
