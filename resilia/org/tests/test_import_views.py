"""The import page: preview, confirmation, result, templates, refusals, bad files."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from resilia.audit.models import AuditEvent
from resilia.org.models import Person, Unit

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(rows, name="people.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


PEOPLE = [
    ["employee_no", "full_name", "unit_code", "mobile"],
    ["7001", "冯军", "DEPT-A", "13800007001"],
    ["7002", "陈静", "A-TEAM", "13800007002"],
    ["7003", "褚涛", "DEPT-A", "13800007003"],
    ["7004", "卫兰", "DEPT-A", "not a phone"],
]


def preview(client, file, kind="people", **headers):
    return client.post(reverse("org:import"), {"kind": kind, "file": file}, **headers)


def test_it_previews_then_imports_on_confirmation(client_for, media):
    client = client_for("manager")
    response = preview(client, upload(PEOPLE[:4]), **EN)
    assert response.status_code == 200
    assert response.context["result"].created == 3
    assert not Person.objects.filter(employee_no="7001").exists()  # a preview saves nothing
    token = response.context["token"]
    assert list((media / "org-import").iterdir())
    response = client.post(reverse("org:import_confirm"), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("org:import_result")
    assert Person.objects.filter(employee_no__in=["7001", "7002", "7003"]).count() == 3
    summary = AuditEvent.objects.filter(action="import").get()
    assert summary.actor_repr == "manager" and summary.changes["created"] == 3
    assert AuditEvent.objects.filter(action="create", object_type="org.person").count() == 6
    assert not list((media / "org-import").iterdir())  # the kept upload is deleted
    page = client.get(reverse("org:import_result"), **EN)
    assert page.context["created"] == 3 and b"people.xlsx" in page.content
    # Confirming twice does nothing: the token was used up.
    client.post(reverse("org:import_confirm"), {"token": token})
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_it_shows_row_errors_in_chinese_and_offers_no_confirmation(client_for):
    client = client_for("manager")
    count = Person.objects.count()
    response = preview(client, upload(PEOPLE), **ZH)
    assert response.status_code == 200
    assert response.context["token"] is None
    html = response.content.decode()
    assert "import-confirm" not in html
    assert "请输入电话号码" in html and "手机" in html
    [error] = response.context["result"].errors
    assert error.row == 5 and error.column == "手机"
    assert Person.objects.count() == count
    assert not AuditEvent.objects.filter(action="import").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "The submitted file is empty."),
        ("random.xlsx", bytes(range(256)) * 20, "could not be read as an Excel workbook"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "Upload an Excel workbook"),
        ("people.csv", b"nom,prenom\nx,y\n", "Required columns are missing"),
        ("people.csv", b"\xff\xfe\x00\x00garbage", "text encoding is not recognised"),
        ("people.csv", b"employee_no,full_name\x00\x01\x02", "not a CSV text file"),
    ],
)
def test_it_explains_bad_files_without_an_error_page(client_for, name, content, message):
    response = preview(client_for("manager"), SimpleUploadedFile(name, content), **EN)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_it_refuses_a_coordinator_rows_outside_their_department(client_for):
    rows = [["employee_no", "full_name", "unit_code"], ["7101", "蒋平", "DEPT-B"]]
    response = preview(client_for("coord_a"), upload(rows), **EN)
    [error] = response.context["result"].errors
    assert error.row == 2 and error.column == "unit code" and "outside your scope" in error.message
    assert response.context["token"] is None
    assert not Person.objects.filter(employee_no="7101").exists()


@pytest.mark.parametrize("persona", ["contrib_a", "auditor", "executive"])
def test_it_closes_the_page_to_roles_that_cannot_write(client_for, persona):
    client = client_for(persona)
    assert client.get(reverse("org:import")).status_code == 403
    assert preview(client, upload(PEOPLE[:2])).status_code == 403
    assert client.post(reverse("org:import_confirm"), {"token": "x"}).status_code == 403
    assert client.get(reverse("org:import_template", args=["units", "xlsx"])).status_code == 403


def test_it_sends_anonymous_users_to_the_login_page(client_for):
    response = client_for("outsider").get(reverse("org:import"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_it_documents_the_columns_in_the_users_language(client_for):
    response = client_for("coord_a").get(reverse("org:import"), **ZH)
    html = response.content.decode()
    assert response.status_code == 200
    assert "上级组织单元编码" in html and "parent_code" in html and "deputy_employee_no" in html
    assert "<th>字段标识</th>" in html and "<th>键" not in html


def test_it_serves_templates_that_import_back(client_for):
    client = client_for("manager")
    response = client.get(reverse("org:import_template", args=["units", "xlsx"]), **ZH)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[0] == "组织单元编码 *" and "上级组织单元编码" in headers
    sheet.append(["OPS", "运营中心", "Operations Centre", "部门", "CO", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = preview(client, SimpleUploadedFile("units.xlsx", buffer.getvalue()), kind="units")
    assert result.context["result"].created == 1, result.context["result"].errors
    client.post(reverse("org:import_confirm"), {"token": result.context["token"]})
    assert Unit.objects.get(code="OPS").parent.code == "CO"
    csv_template = client.get(reverse("org:import_template", args=["people", "csv"]), **EN)
    assert csv_template.content.decode("utf-8-sig").startswith("employee number *,full name *")
    missing = client.get(reverse("org:import_template", args=["sites", "csv"]))
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("persona", "shown"), [("manager", True), ("coord_a", True), ("auditor", False)]
)
def test_it_links_the_import_from_the_unit_and_people_lists(client_for, persona, shown):
    client = client_for(persona)
    for url, kind in (("/org/units/", "units"), ("/org/people/", "people")):
        html = client.get(url).content.decode()
        assert (f'href="/org/import/?kind={kind}"' in html) is shown
    if shown:
        page = client.get("/org/import/?kind=people")
        assert page.context["form"]["kind"].value() == "people"
