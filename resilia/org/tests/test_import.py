"""The import service: all or nothing, idempotent, scoped, audited."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation
from openpyxl import Workbook

from resilia.audit.models import AuditEvent
from resilia.org.importing import ImportFileError, org_import
from resilia.org.models import Person, Unit

UNIT_HEADER = ["code", "name", "English name", "kind", "parent unit code", "head employee number"]
PEOPLE_HEADER = [
    "工号",
    "姓名",
    "职务",
    "组织单元编码",
    "代理人工号",
    "手机",
    "电子邮件",
    "关键人员",
]


def xlsx(rows, name="file.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def csv_file(text, encoding="utf-8", name="file.csv"):
    buffer = io.BytesIO(text.encode(encoding))
    buffer.name = name
    return buffer


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(actor, kind, file, dry_run=False):
    return org_import(actor=actor, kind=kind, file=file, dry_run=dry_run)


UNITS = [
    UNIT_HEADER,
    # The child comes before its parent: parents may be defined later in the file.
    ["NET", "网络科", "Network", "科室", "INFRA", "E001"],
    ["INFRA", "基础设施部", "Infrastructure", "department", "CO", ""],
]


def test_it_creates_units_with_parents_defined_later_and_audits_each(personas):
    before = AuditEvent.objects.count()
    result = run(personas["manager"], "units", xlsx(UNITS))
    assert result.applied and not result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    infra, net = Unit.objects.get(code="INFRA"), Unit.objects.get(code="NET")
    assert net.parent == infra and infra.parent.code == "CO"
    assert net.kind == "team" and net.head.employee_no == "E001"
    assert net.path.startswith(infra.path)
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [(e.action, e.object_id) for e in events if e.action == "create"] == [
        ("create", str(infra.pk)),
        ("create", str(net.pk)),
    ]
    summary = events[-1]
    assert summary.action == "import" and summary.object_type == "org.unit"
    assert summary.changes == {
        "file": "file.xlsx",
        "kind": "units",
        "created": 2,
        "updated": 0,
        "unchanged": 0,
    }


def test_it_changes_nothing_when_the_same_file_is_imported_twice(personas):
    run(personas["manager"], "units", xlsx(UNITS))
    before = AuditEvent.objects.count()
    result = run(personas["manager"], "units", xlsx(UNITS))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert list(AuditEvent.objects.order_by("seq")[before:].values_list("action", flat=True)) == [
        "import"
    ]


def test_it_updates_only_the_changed_fields(personas, org_tree):
    rows = [["code", "name", "kind", "description"], ["DEPT-A", "信息科技部", "部门", "新的描述"]]
    before = AuditEvent.objects.count()
    result = run(personas["manager"], "units", xlsx(rows))
    assert result.updated == 1
    assert result.rows[0].changes[0][1:] == ("", "新的描述")
    event = AuditEvent.objects.order_by("seq")[before]
    assert event.action == "update" and set(event.changes) == {"description"}
    unit = Unit.objects.get(code="DEPT-A")
    assert unit.name_en == "IT Department"  # the column was absent: left alone


def test_it_refuses_parent_cycles_in_the_file_and_saves_nothing(personas):
    rows = [
        UNIT_HEADER,
        ["X1", "一", "", "department", "X2", ""],
        ["X2", "二", "", "team", "X1", ""],
    ]
    count = Unit.objects.count()
    result = run(personas["manager"], "units", xlsx(rows))
    assert not result.applied
    assert {e.row for e in result.errors} == {2, 3}
    assert "X1 → X2 → X1" in str(result.errors[0])
    assert Unit.objects.count() == count


def test_it_refuses_moving_a_unit_under_its_own_subtree(personas, org_tree):
    rows = [
        ["code", "name", "kind", "parent_code"],
        ["DEPT-A", "信息科技部", "department", "A-TEAM"],
    ]
    result = run(personas["manager"], "units", xlsx(rows))
    assert result.errors and "cycle" in result.errors[0].message
    assert Unit.objects.get(code="DEPT-A").parent == org_tree["company"]


PEOPLE = [
    PEOPLE_HEADER,
    # Deputies name each other (A/B roles) and one is defined later in the file.
    [1001.0, "赵强", "工程师", "DEPT-A", 1002, 13800000000.0, "zq@example.com", "是"],
    ["1002", "钱丽", "", "A-TEAM", "1001", "13900000000", "", "否"],
    ["1003", "孙敏", "", "DEPT-A", "E001", "", "", ""],
    ["1004", "李雷", "", "DEPT-A", "", "138 0000 0004", "", "1"],
]


def test_it_creates_people_with_mutual_deputies_and_excel_numbers(personas):
    result = run(personas["coord_a"], "people", xlsx(PEOPLE))
    assert result.applied, [str(e) for e in result.errors]
    zhao = Person.objects.get(employee_no="1001")
    qian = Person.objects.get(employee_no="1002")
    assert zhao.mobile == "13800000000" and zhao.is_key_person
    assert zhao.deputy == qian and qian.deputy == zhao
    assert Person.objects.get(employee_no="1003").deputy.employee_no == "E001"
    assert Person.objects.get(employee_no="1004").is_key_person
    again = run(personas["coord_a"], "people", xlsx(PEOPLE))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_it_names_the_bad_row_and_column_in_chinese_and_saves_nothing(personas):
    rows = [row[:] for row in PEOPLE]
    rows[4][5] = "call me"  # spreadsheet row 5
    count, events = Person.objects.count(), AuditEvent.objects.count()
    with translation.override("zh-hans"):
        result = run(personas["manager"], "people", xlsx(rows))
        messages = [str(e) for e in result.errors]
    assert len(messages) == 1
    assert messages[0].startswith("第 5 行，手机：")
    assert Person.objects.count() == count and AuditEvent.objects.count() == events


def test_it_collects_every_bad_row(personas):
    rows = [
        PEOPLE_HEADER,
        ["2001", "", "", "DEPT-A", "", "", "", ""],
        ["2002", "甲", "", "NOPE", "", "", "not-an-email", "maybe"],
        ["2003", "乙", "", "DEPT-A", "9999", "", "", ""],
        ["2001", "丙", "", "DEPT-A", "", "", "", ""],
        ["2005", "丁", "", "DEPT-A", "2005", "", "", ""],
    ]
    result = run(personas["manager"], "people", xlsx(rows))
    by_row = {}
    for error in result.errors:
        by_row.setdefault(error.row, []).append(error.column)
    assert by_row == {
        2: ["full name"],
        3: ["unit code", "e-mail", "key person"],
        4: ["deputy employee number"],
        5: ["employee number"],
        6: ["deputy employee number"],
    }
    assert not Person.objects.filter(employee_no__startswith="200").exists()


def test_it_refuses_a_coordinator_rows_in_another_department(personas):
    rows = [PEOPLE_HEADER, ["3001", "周", "", "DEPT-B", "", "", "", ""]]
    result = run(personas["coord_a"], "people", xlsx(rows))
    assert result.errors and "scope" in result.errors[0].message
    assert not Person.objects.filter(employee_no="3001").exists()
    # Updating someone of dept B is refused too, even into dept A.
    rows = [PEOPLE_HEADER, ["E003", "王芳", "", "DEPT-A", "", "", "", ""]]
    result = run(personas["coord_a"], "people", xlsx(rows))
    assert [e.column for e in result.errors] == ["employee number"]
    assert Person.objects.get(employee_no="E003").unit.code == "DEPT-B"


def test_it_lets_a_coordinator_add_units_only_inside_their_subtree(personas):
    rows = [UNIT_HEADER, ["A-NEW", "新科", "", "team", "DEPT-A", ""]]
    assert run(personas["coord_a"], "units", xlsx(rows)).applied
    rows = [UNIT_HEADER, ["B-NEW", "新科", "", "team", "DEPT-B", ""]]
    result = run(personas["coord_a"], "units", xlsx(rows))
    assert [e.column for e in result.errors] == ["parent unit code"]
    assert not Unit.objects.filter(code="B-NEW").exists()


@pytest.mark.parametrize("persona", ["contrib_a", "auditor", "executive"])
def test_it_denies_roles_that_cannot_write(personas, persona):
    with pytest.raises(PermissionDenied):
        run(personas[persona], "units", xlsx(UNITS), dry_run=True)


def test_it_saves_nothing_on_a_dry_run(personas):
    count, events = Unit.objects.count(), AuditEvent.objects.count()
    result = run(personas["manager"], "units", xlsx(UNITS), dry_run=True)
    assert result.created == 2 and not result.applied
    assert Unit.objects.count() == count and AuditEvent.objects.count() == events


def test_it_reads_gb18030_and_bom_csv(personas):
    text = "工号,姓名,组织单元编码,手机\r\n4001,吴刚,DEPT-A,13800000041\r\n"
    assert run(personas["manager"], "people", csv_file(text, "gb18030")).applied
    text = "\ufeffemployee_no,full_name,unit_code\n4002,郑洁,DEPT-A\n"
    assert run(personas["manager"], "people", csv_file(text)).applied
    assert Person.objects.filter(employee_no__in=["4001", "4002"]).count() == 2
    assert Person.objects.get(employee_no="4001").full_name == "吴刚"


def test_it_keeps_formulas_as_text_and_ignores_extra_columns(personas):
    rows = [
        ["employee_no", "full_name", "unit_code", "notes", "favourite colour"],
        ["5001", '=HYPERLINK("http://x")', "DEPT-A", "'=1+1", "blue"],
    ]
    result = run(personas["manager"], "people", xlsx(rows))
    assert result.applied and len(result.notices) == 1 and "favourite colour" in result.notices[0]
    person = Person.objects.get(employee_no="5001")
    assert person.full_name == '=HYPERLINK("http://x")' and person.notes == "=1+1"


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (csv_file("", name="a.csv"), "empty"),
        (csv_file("   \n", name="a.csv"), "empty"),
        (io.BytesIO(b"\x93\x11garbage" * 50), "xlsx"),
        (csv_file("%PDF-1.4", name="scan.pdf"), ".xlsx"),
        (csv_file("x", name="old.xls"), ".xlsx"),
        (csv_file("full_name,unit_code\n甲,DEPT-A\n"), "employee number"),
        (csv_file("employee_no,full_name,unit_code\n"), "no data rows"),
        (csv_file("工号,employee_no,full_name,unit_code\n1,1,a,DEPT-A\n"), "same column"),
    ],
)
def test_it_explains_files_it_cannot_read(personas, file, message):
    if not getattr(file, "name", None):
        file.name = "random.xlsx"
    with pytest.raises(ImportFileError) as caught:
        run(personas["manager"], "people", file)
    assert message in caught.value.message


def test_it_limits_the_number_of_rows(personas, monkeypatch):
    from resilia.core import importfiles as importing_files

    monkeypatch.setattr(importing_files, "MAX_ROWS", 3)
    text = "employee_no,full_name,unit_code\n" + "".join(f"{n},p,DEPT-A\n" for n in range(5))
    with pytest.raises(ImportFileError) as caught:
        run(personas["manager"], "people", csv_file(text))
    assert "more than 3 rows" in caught.value.message
    assert not Person.objects.filter(full_name="p").exists()


def test_it_refuses_files_over_the_size_limit(personas, monkeypatch):
    from resilia.core import importfiles as importing_files

    monkeypatch.setattr(importing_files, "MAX_BYTES", 1024 * 1024)
    big = "employee_no,full_name,unit_code\n" + "9,p,DEPT-A\n" * 120_000
    with pytest.raises(ImportFileError) as caught:
        run(personas["manager"], "people", csv_file(big))
    assert "larger than 1 MB" in caught.value.message


def test_it_lets_a_bcm_manager_import_a_top_level_unit(personas):
    file = xlsx([UNIT_HEADER, ["NEWGRP", "新集团", "New Group", "集团", "", ""]])
    result = run(personas["manager"], "units", file)
    assert result.applied, [str(e) for e in result.errors]
    unit = Unit.objects.get(code="NEWGRP")
    assert unit.parent is None and unit.path == f"/{unit.pk}/"


def test_it_refuses_a_coordinator_a_top_level_unit(personas):
    file = xlsx([UNIT_HEADER, ["NEWGRP", "新集团", "New Group", "集团", "", ""]])
    result = run(personas["coord_a"], "units", file)
    assert result.errors and "scope" in result.errors[0].message
    assert not Unit.objects.filter(code="NEWGRP").exists()
