"""Person detail, create, edit and delete: scope, validation and the audit trail."""

from __future__ import annotations

import pytest
from django.utils import translation

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.org import services
from resilia.org.models import Person

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def form_data(unit, **overrides):
    data = {"full_name": "赵磊", "employee_no": "E100", "unit": unit.pk, "is_active": "on"}
    data.update(overrides)
    return data


def zh(msgid):
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    assert text != msgid
    return text


def errors(response):
    return {name: [str(e) for e in errs] for name, errs in response.context["form"].errors.items()}


def test_it_shows_channels_deputy_and_whom_they_deputise_for(client_for, people):
    with request_context(source="test"):
        services.person_update(
            actor=None, person=people["alice"], deputy=people["bob"], wecom_id="zhangwei"
        )
    response = client_for("coord_a").get(f"/org/people/{people['bob'].pk}/")
    assert response.status_code == 200
    assert [p.full_name for p in response.context["deputy_for"]] == ["张伟"]
    response = client_for("coord_a").get(f"/org/people/{people['alice'].pk}/")
    assert response.context["deputy"] == people["bob"]
    assert "zhangwei" in response.content.decode()


def test_it_hides_a_deputy_outside_the_readers_scope(client_for, people):
    with request_context(source="test"):
        services.person_update(actor=None, person=people["alice"], deputy=people["carol"])
    response = client_for("coord_a").get(f"/org/people/{people['alice'].pk}/")
    assert response.context["deputy"] is None
    assert "王芳" not in response.content.decode()


@pytest.mark.parametrize("suffix", ["", "edit/", "delete/"])
def test_it_hides_another_departments_people_from_a_coordinator(client_for, people, suffix):
    response = client_for("coord_a").get(f"/org/people/{people['carol'].pk}/{suffix}")
    assert response.status_code == 404


def test_it_creates_a_person_and_audits_it(client_for, org_tree, people):
    data = form_data(org_tree["team_a"], mobile="+86 138-0000-0009", deputy=people["bob"].pk)
    response = client_for("coord_a").post("/org/people/new/", data)
    person = Person.objects.get(employee_no="E100")
    assert response.status_code == 302 and response["Location"] == f"/org/people/{person.pk}/"
    assert person.deputy == people["bob"] and person.unit == org_tree["team_a"]
    event = AuditEvent.objects.get(
        action="create", object_type="org.person", object_id=str(person.pk)
    )
    assert event.actor.username == "coord_a"
    assert event.changes["full_name"] == [None, "赵磊"]


def test_it_refuses_a_coordinator_creating_in_another_department(client_for, org_tree):
    response = client_for("coord_a").post("/org/people/new/", form_data(org_tree["dept_b"]), **ZH)
    assert response.status_code == 200
    assert "unit" in errors(response)
    assert not Person.objects.filter(employee_no="E100").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"full_name": ""}, "full_name", "此项为必填项。"),
        ({"employee_no": "E001"}, "__all__", "Another person has this employee number."),
        ({"mobile": "call me maybe"}, "mobile", "请输入电话号码"),
        ({"email": "not-an-email"}, "email", "请输入有效的电子邮箱地址。"),
        ({"unit": "abc"}, "unit", "选择一个有效的选项"),
        ({"deputy": "-1"}, "deputy", "选择一个有效的选项"),
    ],
)
def test_it_explains_bad_input_in_chinese_and_saves_nothing(
    client_for, org_tree, people, overrides, field, message
):
    before = AuditEvent.objects.count()
    data = form_data(org_tree["dept_a"])
    data.update(overrides)
    response = client_for("admin").post("/org/people/new/", data, **ZH)
    assert response.status_code == 200
    if message.isascii():
        message = zh(message)
    assert any(message in e for e in errors(response).get(field, [])), errors(response)
    assert Person.objects.count() == 3
    assert AuditEvent.objects.count() == before


def test_it_refuses_a_person_as_their_own_deputy(client_for, people):
    alice = people["alice"]
    data = form_data(alice.unit, full_name=alice.full_name, employee_no="E001", deputy=alice.pk)
    response = client_for("admin").post(f"/org/people/{alice.pk}/edit/", data, **ZH)
    assert response.status_code == 200
    assert errors(response)["deputy"] == [zh("A person cannot be their own deputy.")]
    alice.refresh_from_db()
    assert alice.deputy is None
    assert not AuditEvent.objects.filter(action="update").exists()


def test_it_edits_a_person_and_audits_before_and_after(client_for, people):
    alice = people["alice"]
    data = form_data(
        alice.unit,
        full_name="张伟",
        employee_no="E001",
        email="zhang.wei@example.com",
        mobile="13900000001",
        is_key_person="on",
        deputy=people["bob"].pk,
    )
    response = client_for("coord_a").post(f"/org/people/{alice.pk}/edit/", data)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.mobile == "13900000001" and alice.deputy == people["bob"]
    event = AuditEvent.objects.get(action="update", object_id=str(alice.pk))
    assert event.changes == {
        "mobile": ["13800000001", "13900000001"],
        "deputy_id": [None, people["bob"].pk],
    }


def test_it_lets_a_contributor_edit_only_their_own_record(client_for, people):
    bob = people["bob"]
    client = client_for("contrib_a")
    data = form_data(bob.unit, full_name="李娜", employee_no="E002", mobile="13700000002")
    assert client.post(f"/org/people/{bob.pk}/edit/", data).status_code == 302
    bob.refresh_from_db()
    assert bob.mobile == "13700000002"
    assert client.get(f"/org/people/{people['alice'].pk}/edit/").status_code == 403
    assert client.get("/org/people/new/").status_code == 403


def test_it_deletes_a_person_and_audits_it(client_for, people):
    carol = people["carol"]
    response = client_for("coord_b").post(f"/org/people/{carol.pk}/delete/")
    assert response.status_code == 302
    assert not Person.objects.filter(pk=carol.pk).exists()
    event = AuditEvent.objects.get(action="delete", object_type="org.person")
    assert event.changes["full_name"] == ["王芳", None]


def test_it_refuses_to_delete_a_team_member_and_says_why(client_for, people):
    with request_context(source="test"):
        team = services.team_create(
            actor=None, code="BCMO", name="业务连续性管理办公室", kind="bcm_office"
        )
        services.membership_create(actor=None, team=team, person=people["carol"])
    response = client_for("admin").post(f"/org/people/{people['carol'].pk}/delete/", **ZH)
    assert response.status_code == 409
    assert "团队成员" in response.content.decode()
    assert Person.objects.filter(pk=people["carol"].pk).exists()
    assert not AuditEvent.objects.filter(action="delete").exists()
