"""Unit detail, create, edit and delete: scope, validation and the audit trail."""

from __future__ import annotations

import pytest

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.org import services
from resilia.org.models import Unit

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def form_data(**overrides):
    data = {"code": "NEW-1", "name": "新单元", "name_en": "", "kind": "team", "description": ""}
    data.update(overrides)
    return data


def errors(response):
    form = response.context["form"]
    return {name: [str(e) for e in errs] for name, errs in form.errors.items()}


def test_it_shows_the_unit_with_its_children_and_people(client_for, org_tree, people):
    response = client_for("coord_a").get(f"/org/units/{org_tree['dept_a'].pk}/")
    assert response.status_code == 200
    assert [u.code for u in response.context["children"]] == ["A-TEAM"]
    assert [p.full_name for p in response.context["people"]] == ["张伟"]
    assert response.context["can_write"] is True


@pytest.mark.parametrize(
    "url", ["/org/units/{pk}/", "/org/units/{pk}/edit/", "/org/units/{pk}/delete/"]
)
def test_it_hides_another_department_from_a_coordinator(client_for, org_tree, url):
    response = client_for("coord_a").get(url.format(pk=org_tree["dept_b"].pk))
    assert response.status_code == 404


def test_it_refuses_edits_to_read_only_roles(client_for, org_tree):
    pk = org_tree["dept_a"].pk
    assert client_for("auditor").get(f"/org/units/{pk}/edit/").status_code == 403
    assert client_for("auditor").post(f"/org/units/{pk}/delete/").status_code == 403
    assert client_for("executive").get(f"/org/units/{pk}/").status_code == 403
    assert client_for("auditor").get("/org/units/new/").status_code == 403
    assert Unit.objects.filter(pk=pk).exists()


def test_it_answers_404_for_malformed_and_missing_ids(client_for, org_tree):
    client = client_for("admin")
    assert client.get("/org/units/abc/").status_code == 404
    assert client.get("/org/units/999999/").status_code == 404


def test_it_creates_a_unit_under_the_coordinators_subtree(client_for, org_tree):
    parent = org_tree["dept_a"]
    response = client_for("coord_a").post("/org/units/new/", form_data(parent=parent.pk))
    unit = Unit.objects.get(code="NEW-1")
    assert response.status_code == 302 and response["Location"] == f"/org/units/{unit.pk}/"
    assert unit.parent == parent and unit.path == f"{parent.path}{unit.pk}/"
    event = AuditEvent.objects.get(action="create", object_type="org.unit", object_id=str(unit.pk))
    assert event.actor.username == "coord_a"
    assert event.changes["code"] == [None, "NEW-1"]
    assert event.changes["parent_id"] == [None, parent.pk]


@pytest.mark.parametrize("where", ["dept_b", "company", None])
def test_it_refuses_a_coordinator_creating_outside_their_subtree(client_for, org_tree, where):
    parent = org_tree[where].pk if where else ""
    response = client_for("coord_a").post("/org/units/new/", form_data(parent=parent), **ZH)
    assert response.status_code == 200
    assert "parent" in errors(response)
    assert not Unit.objects.filter(code="NEW-1").exists()
    assert not AuditEvent.objects.filter(action="create", object_repr="新单元").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "此项为必填项。"),
        ({"code": "DEPT-A"}, "code", "已有组织单元使用此编码，请换一个。"),
        ({"code": "bad code!"}, "code", "字母"),
        ({"kind": "galaxy"}, "kind", "选择一个有效的选项"),
        ({"parent": "abc"}, "parent", "选择一个有效的选项"),
        ({"head": "99999"}, "head", "选择一个有效的选项"),
    ],
)
def test_it_explains_bad_input_in_chinese_and_saves_nothing(
    client_for, org_tree, overrides, field, message
):
    before = AuditEvent.objects.count()
    data = form_data(parent=org_tree["dept_a"].pk)
    data.update(overrides)
    response = client_for("admin").post("/org/units/new/", data, **ZH)
    assert response.status_code == 200
    assert any(message in e for e in errors(response)[field]), errors(response)
    assert Unit.objects.count() == 5
    assert AuditEvent.objects.count() == before


def test_it_edits_a_unit_and_audits_before_and_after(client_for, org_tree, people):
    unit = org_tree["team_a"]
    data = form_data(
        code="A-TEAM",
        name="运维中心",
        name_en="Operations",
        kind="team",
        parent=unit.parent_id,
        head=people["bob"].pk,
    )
    response = client_for("coord_a").post(f"/org/units/{unit.pk}/edit/", data)
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "运维中心" and unit.head == people["bob"]
    event = AuditEvent.objects.get(action="update", object_id=str(unit.pk))
    assert event.changes == {"name": ["运维科", "运维中心"], "head_id": [None, people["bob"].pk]}


def test_it_lets_a_coordinator_edit_their_top_unit_without_moving_it(client_for, org_tree):
    dept = org_tree["dept_a"]
    data = form_data(code="DEPT-A", name="信息技术部", kind="department", parent=dept.parent_id)
    response = client_for("coord_a").post(f"/org/units/{dept.pk}/edit/", data)
    assert response.status_code == 302
    dept.refresh_from_db()
    assert dept.name == "信息技术部" and dept.parent == org_tree["company"]


def test_it_refuses_moving_a_unit_under_its_own_subtree(client_for, org_tree):
    dept = org_tree["dept_a"]
    data = form_data(
        code="DEPT-A", name="信息科技部", kind="department", parent=org_tree["team_a"].pk
    )
    response = client_for("admin").post(f"/org/units/{dept.pk}/edit/", data, **ZH)
    assert response.status_code == 200
    assert errors(response)["parent"] == ["组织单元不能移动到其自身的下级单元之下。"]
    dept.refresh_from_db()
    assert dept.parent == org_tree["company"]
    assert not AuditEvent.objects.filter(action="update").exists()


def test_it_moves_a_subtree_and_repaths_it(client_for, org_tree):
    team = org_tree["team_a"]
    data = form_data(code="A-TEAM", name="运维科", kind="team", parent=org_tree["dept_b"].pk)
    assert client_for("manager").post(f"/org/units/{team.pk}/edit/", data).status_code == 302
    team.refresh_from_db()
    assert team.path.startswith(org_tree["dept_b"].path)


def test_it_deletes_a_leaf_unit_after_confirmation(client_for, org_tree):
    with request_context(source="test"):
        leaf = services.unit_create(
            actor=None, code="LEAF", name="叶子", kind="team", parent=org_tree["dept_a"]
        )
    client = client_for("coord_a")
    assert client.get(f"/org/units/{leaf.pk}/delete/").status_code == 200
    assert Unit.objects.filter(pk=leaf.pk).exists()
    response = client.post(f"/org/units/{leaf.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/org/units/"
    assert not Unit.objects.filter(pk=leaf.pk).exists()
    event = AuditEvent.objects.get(action="delete", object_id=str(leaf.pk))
    assert event.changes["code"] == ["LEAF", None]


def test_it_lists_what_blocks_a_deletion_and_deletes_nothing(client_for, org_tree, people):
    dept = org_tree["dept_a"]
    response = client_for("admin").post(f"/org/units/{dept.pk}/delete/", **ZH)
    assert response.status_code == 409
    body = response.content.decode()
    assert 'data-testid="delete-blocked"' in body
    assert "运维科" in body  # the sub-unit
    assert "张伟" in body  # the person
    assert Unit.objects.filter(pk=dept.pk).exists()
    assert not AuditEvent.objects.filter(action="delete").exists()


@pytest.mark.parametrize(
    ("persona", "unit", "shown"),
    [
        ("manager", "dept_b", True),
        ("coord_a", "team_a", True),
        ("contrib_a", "dept_a", False),
        ("auditor", "dept_a", False),
    ],
)
def test_it_offers_add_person_where_the_user_may_create_people(
    client_for, org_tree, persona, unit, shown
):
    unit = org_tree[unit]
    client = client_for(persona)
    response = client.get(f"/org/units/{unit.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    link = f'href="/org/people/new/?unit={unit.pk}"'
    assert (link in html) is shown
    if shown:
        form = client.get(f"/org/people/new/?unit={unit.pk}").context["form"]
        assert form.initial["unit"] == unit


def test_it_words_length_and_unique_errors_in_plain_chinese(client_for, org_tree):
    """Issue 7 item 6: our own wording of Django's stock messages, full-width punctuation,
    no stray spaces ("具有 编码 的 组织单元 已存在。", "确保该变量包含不超过 50 字符")."""
    data = form_data(parent=org_tree["dept_a"].pk)
    data.update(code="X" * 60)
    page = client_for("admin").post("/org/units/new/", data, **ZH).content.decode()
    assert "最多 50 个字符（现有 60 个）。" in page
    assert "确保该变量" not in page
    data.update(code="DEPT-A")
    page = client_for("admin").post("/org/units/new/", data, **ZH).content.decode()
    assert "已有组织单元使用此编码，请换一个。" in page and "具有" not in page
