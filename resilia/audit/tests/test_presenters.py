"""How change tables read on the history tab and the audit log: labels, values, order."""

import io
import re

from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.audit.tests.helpers import opened_log
from resilia.org import services as org
from resilia.org.importing import org_import

LOG = "/audit/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _history(client, obj) -> str:
    url = reverse("audit:object_history", args=[obj._meta.label_lower, obj.pk])
    return client.get(url, **HTMX).content.decode()


def _field_cells(body: str) -> list[str]:
    """The 'Field' column of every change table, in page order."""
    return [
        re.sub(r"\s+", " ", cell).strip()
        for cell in re.findall(r"<tr>\s*<td>(.*?)</td>", body, flags=re.S)
    ]


def test_it_shows_booleans_as_yes_and_no_in_chinese(client_for, personas, people):
    person = people["alice"]
    org.person_update(actor=personas["manager"], person=person, is_key_person=False)
    body = _history(client_for("auditor"), person)
    assert ">是</td>" in body and ">否</td>" in body
    assert "True" not in body and "False" not in body


def test_it_shows_booleans_as_yes_and_no_in_english(client_for, people):
    client = client_for("auditor")
    client.cookies["django_language"] = "en"
    body = _history(client, people["alice"])
    assert ">Yes</td>" in body
    assert "True" not in body


def test_it_lists_a_creation_in_field_order_without_internal_or_empty_fields(client_for, people):
    person = people["alice"]
    cells = _field_cells(_history(client_for("auditor"), person))
    # Set on creation: employee no, name, unit, mobile, e-mail, key person, active.
    assert cells == ["工号", "姓名", "组织单元", "手机", "电子邮件", "关键人员", "有效"]
    # The stored snapshot, which the hash chain covers, still holds every field.
    stored = AuditEvent.objects.get(action="create", object_type="org.person", object_id=person.pk)
    assert {"id", "notes", "title", "wecom_id"} <= set(stored.changes)


def test_it_leaves_a_units_path_depth_and_id_out_but_names_its_kind(client_for, org_tree):
    unit = org_tree["dept_a"]
    body = _history(client_for("auditor"), unit)
    cells = _field_cells(body)
    assert cells[:4] == ["名称", "英文名称", "编码", "类型"]  # as the model declares them
    assert "ID" not in cells and "path" not in cells and "depth" not in cells
    assert "部门" in body and ">department<" not in body
    stored = AuditEvent.objects.get(action="create", object_type="org.unit", object_id=unit.pk)
    assert stored.changes["path"][1] == unit.path
    assert stored.changes["depth"][1] == unit.depth


def test_it_keeps_emptied_fields_on_an_update(client_for, personas, people):
    person = people["alice"]
    org.person_update(actor=personas["manager"], person=person, email="")
    body = opened_log(client_for("auditor"), {"action": "update", "object_type": "org.person"})
    assert "zhang.wei@example.com" in body
    assert "电子邮件" in body


def test_it_labels_an_imports_counts_and_kind(client_for, personas, org_tree):
    csv = "工号,姓名,组织单元编码\nE900,赵敏,DEPT-A\n".encode()
    result = org_import(
        actor=personas["manager"],
        kind="people",
        file=io.BytesIO(csv),
        dry_run=False,
        name="people.csv",
    )
    assert result.applied and result.created == 1
    body = opened_log(client_for("auditor"), {"action": "import"})
    cells = _field_cells(body)
    assert cells == ["文件", "类型", "已新建", "已更新", "无变化"]
    for raw in (">kind<", ">created<", ">unchanged<", ">people<"):
        assert raw not in body
    assert ">人员<" in body
    event = AuditEvent.objects.get(action="import")
    assert event.changes["kind"] == "people" and event.changes["created"] == 1


def test_it_names_the_object_kind_and_offers_any_in_the_log_filters(client_for, people):
    body = client_for("auditor").get(LOG).content.decode()
    assert f"人员 #{people['alice'].pk}" in body
    assert "org.person #" not in body
    assert "-----" not in body
    assert body.count('<option value="" selected>全部</option>') == 2


def test_it_renders_any_change_key_even_a_reverse_relation(client_for, personas, org_tree):
    """The scale demo's import event counts a unit's people under the key "people", a reverse
    relation of Unit: the audit log renders it (it answered 500), labelled by the related
    kind, and a key naming nothing renders as recorded."""
    from resilia.audit.services import audit_record

    audit_record(
        actor=personas["admin"],
        action="import",
        object_type="org.unit",
        object_repr="scale",
        changes={"people": 100000, "no_such_field": 1, "children": [None, 2]},
    )
    cells = _field_cells(opened_log(client_for("auditor"), {"action": "import"}))
    assert "人员" in cells and "no_such_field" in cells
    assert opened_log(client_for("auditor"), HTTP_ACCEPT_LANGUAGE="en")


def test_it_shows_durations_as_hours_and_days_not_minutes(client_for, personas, org_tree):
    """Issue 7 item 6: an RTO changed from 240 to 1440 minutes reads 4 小时 → 1 天."""
    from resilia.dependencies import services as deps

    activity = deps.activity_create(
        actor=personas["manager"], code="PAY", name="支付", unit=org_tree["dept_a"], rto=240
    )
    deps.activity_update(actor=personas["manager"], activity=activity, rto=1440, mtpd=2880)
    body = _history(client_for("manager"), activity)
    assert "4 小时" in body and "1 天" in body and "2 天" in body
    assert ">240<" not in body and ">1440<" not in body
