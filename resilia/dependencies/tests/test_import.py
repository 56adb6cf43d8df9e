"""Import of resources, activities and links: all or nothing, errors by row and column."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from resilia.audit.models import AuditEvent
from resilia.dependencies.importing import dependencies_import
from resilia.dependencies.models import Activity, Dependency, Resource

pytestmark = pytest.mark.django_db


def csv_file(text, name="file.csv"):
    return SimpleUploadedFile(name, ("\ufeff" + text).encode("utf-8"), "text/csv")


def state():
    return (
        list(Resource.objects.order_by("pk").values_list("code", "recovery_time", "unit_id")),
        list(Activity.objects.order_by("pk").values_list("code", "rto", "mtpd")),
        list(Dependency.objects.order_by("pk").values_list("pk", "group", "tolerance")),
        AuditEvent.objects.count(),
    )


def test_it_imports_resources_with_chinese_headers_and_durations(bank, personas):
    text = (
        "编码,名称,类型,部门编码,可实现恢复时间,冗余,测试日期\n"
        "MQ,消息队列,基础设施,A-TEAM,2小时30分钟,主备,2025-06-30\n"
        "DC1,主数据中心,设施,DEPT-A,3h,,\n"
    )
    result = dependencies_import(
        actor=personas["coord_a"], kind="resources", file=csv_file(text), dry_run=False
    )
    assert result.errors == [] and result.applied
    mq = Resource.objects.get(code="MQ")
    assert (mq.kind, mq.recovery_time, mq.redundancy) == ("infrastructure", 150, "active_standby")
    assert str(mq.capability_tested_on) == "2025-06-30"
    assert Resource.objects.get(code="DC1").recovery_time == 180
    assert (result.created, result.updated) == (1, 1)
    assert AuditEvent.objects.filter(action="import", object_type="dependencies.resource").exists()
    assert AuditEvent.objects.filter(action="create", object_id=str(mq.pk)).exists()
    # The same file again changes nothing.
    again = dependencies_import(
        actor=personas["coord_a"], kind="resources", file=csv_file(text), dry_run=False
    )
    assert again.unchanged == 2 and again.created == again.updated == 0


def test_it_refuses_a_whole_file_for_one_bad_row_naming_row_and_column(bank, personas):
    text = (
        "code,name,unit_code,mtpd,rto\n"
        "NEW1,新活动,DEPT-A,8h,4h\n"
        "NEW2,新活动二,DEPT-A,2h,4h\n"
        "NEW3,越权,DEPT-B,1d,4h\n"
        "NEW4,负数,DEPT-A,-1h,\n"
    )
    before = state()
    from django.utils import translation

    with translation.override("zh-hans"):
        result = dependencies_import(
            actor=personas["coord_a"], kind="activities", file=csv_file(text), dry_run=False
        )
        messages = [str(e) for e in result.errors]
    assert not result.applied
    assert any(m.startswith("第 3 行") and "恢复时间目标" in m for m in messages), messages
    assert any(m.startswith("第 4 行") for m in messages), messages
    assert any(m.startswith("第 5 行") and "负数" in m for m in messages), messages
    assert state() == before


def test_it_imports_links_and_reports_a_lonely_group(bank, personas):
    text = (
        "dependent_code,dependent_kind,dependency_code,dependency_kind,group,tolerance,note\n"
        "PAY,activity,NET,resource,net,1h,人工操作方案\n"
        "CORE,,DC1,,dc,30m,\n"
    )
    result = dependencies_import(
        actor=personas["manager"], kind="links", file=csv_file(text), dry_run=False
    )
    assert result.errors == [] and result.applied
    link = Dependency.objects.get(dependent_activity=bank["pay"], dependency_resource=bank["net"])
    assert (link.group, link.tolerance, link.note) == ("net", 60, "人工操作方案")
    assert (
        Dependency.objects.get(
            dependent_resource=bank["core"], dependency_resource=bank["dc1"]
        ).tolerance
        == 30
    )
    assert result.created == 1 and result.updated == 1
    assert any("net" in n and "PAY" in n for n in result.notices)
    assert AuditEvent.objects.filter(
        action="import", object_type="dependencies.dependency"
    ).exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("CORE,resource,CORE,resource,,0", "节点不能依赖自身"),
        ("CORE,resource,PAY,activity,,0", "资源只能依赖其他资源"),
        ("PAY,activity,GHOST,,,0", "没有您可见的编码为“GHOST”"),
        ("PAY,activity,NET,resource,,-5", "时长不能为负数"),
        ("PAY,activity,NET,resource,,20000d", "10 年"),
        ("YIB-OPS,activity,NET,resource,,0", "没有您可见的编码为“YIB-OPS”"),
        ("NET,resource,DC1,resource,,0", "超出您的权限范围"),
    ],
)
def test_it_refuses_bad_links_by_row_and_link(bank, personas, row, message):
    from django.utils import translation

    text = (
        "依赖方编码,依赖方类型,被依赖方编码,被依赖方类型,冗余组,容忍时间\nPAY,activity,DC2,resource,,0\n"
        + row
        + "\n"
    )
    before = state()
    with translation.override("zh-hans"):
        result = dependencies_import(
            actor=personas["coord_a"], kind="links", file=csv_file(text), dry_run=False
        )
        messages = [str(e) for e in result.errors]
    assert not result.applied and messages
    assert all(m.startswith("第 3 行") for m in messages), messages
    assert any(message in m for m in messages), messages
    assert state() == before


def test_it_refuses_a_duplicate_link_in_the_file(bank, personas):
    text = "dependent_code,dependency_code\nPAY,NET\nPAY,NET\n"
    result = dependencies_import(
        actor=personas["manager"], kind="links", file=csv_file(text), dry_run=True
    )
    assert [e.row for e in result.errors] == [3]


def test_it_imports_through_the_page_with_preview_and_confirmation(bank, client_for):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["code", "name", "kind", "unit_code", "recovery_time"])
    sheet.append(["BAK", "备份系统", "application", "DEPT-A", "4小时"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("resources.xlsx", buffer.getvalue())
    client = client_for("coord_a")
    preview = client.post(reverse("dependencies:import"), {"kind": "resources", "file": upload})
    assert preview.status_code == 200 and preview.context["token"]
    assert not Resource.objects.filter(code="BAK").exists()
    done = client.post(reverse("dependencies:import_confirm"), {"token": preview.context["token"]})
    assert done.status_code == 302
    assert Resource.objects.get(code="BAK").recovery_time == 240
    assert client.get(reverse("dependencies:import_result")).status_code == 200


def test_it_serves_templates_and_keeps_the_page_from_auditors(bank, client_for):
    client = client_for("coord_a")
    response = client.get(reverse("dependencies:import_template", args=["links", "csv"]))
    assert response.status_code == 200 and "依赖方编码" in response.content.decode("utf-8-sig")
    assert (
        client.get(reverse("dependencies:import_template", args=["links", "xlsx"])).status_code
        == 200
    )
    assert client_for("auditor").get(reverse("dependencies:import")).status_code == 403
