"""Journey 3: import people from an Excel file; one bad row means nothing is saved.

The preview names the spreadsheet row and the reason in Chinese; after the file is corrected,
the preview lists what will be created and the confirmation creates it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from resilia.audit.models import AuditEvent
from resilia.org.models import Person
from tests.browser.conftest import login
from tests.browser.steps import (
    BAD_MOBILE,
    BAD_ROW,
    PEOPLE_ROWS,
    people_workbook,
    upload_people,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_rejects_the_whole_file_for_one_bad_row_then_imports_the_corrected_one(
    page_for, personas, org_tree, tmp_path, shot
):
    page = page_for("zh-hans")
    login(page, "manager")
    people_before = Person.objects.count()
    events_before = AuditEvent.objects.count()

    upload_people(page, people_workbook(tmp_path / "人员名单.xlsx", bad_mobile=BAD_MOBILE))

    expect(page.get_by_test_id("import-errors")).to_contain_text(
        "发现 1 个问题，未导入任何内容。请修改文件后重新上传。"
    )
    errors = page.get_by_test_id("import-error")
    expect(errors).to_have_count(1)
    cells = errors.first.locator("td")
    expect(cells.nth(0)).to_have_text(str(BAD_ROW))
    expect(cells.nth(1)).to_have_text("手机")
    expect(cells.nth(2)).to_have_text("请输入电话号码：可使用数字、空格、+、- 和括号。")
    expect(page.get_by_test_id("import-confirm")).to_have_count(0)
    shot(page, "03-import-error-zh")

    assert Person.objects.count() == people_before
    assert not Person.objects.filter(employee_no__in=[r[0] for r in PEOPLE_ROWS]).exists()
    # A dry run changes nothing, so it leaves no trace in the audit trail either.
    assert AuditEvent.objects.count() == events_before

    page.get_by_role("link", name="上传修改后的文件").click()
    expect(page.locator("h2.page-title")).to_have_text("导入组织单元和人员")
    expect(page.get_by_role("button", name="检查文件")).to_be_visible()
    shot(page, "03-import-form-zh")

    upload_people(page, people_workbook(tmp_path / "人员名单-修改.xlsx"))
    expect(page.locator("h2.page-title")).to_have_text("人员名单-修改.xlsx 中的人员")
    expect(page.get_by_test_id("count-create")).to_have_text("5")
    expect(page.get_by_test_id("count-update")).to_have_text("0")
    for employee_no, name, *_rest in PEOPLE_ROWS:
        expect(page.locator("tr", has_text=employee_no)).to_contain_text(name)
    shot(page, "03-import-preview-zh")
    assert Person.objects.count() == people_before  # still only a preview

    with page.expect_navigation():
        page.get_by_test_id("import-confirm").click()
    expect(page.locator("h2.page-title")).to_have_text("导入完成")
    expect(page.get_by_role("alert")).to_contain_text("人员名单-修改.xlsx")
    expect(page.get_by_test_id("count-create")).to_have_text("5")
    shot(page, "03-import-result-zh")

    assert Person.objects.count() == people_before + len(PEOPLE_ROWS)
    zheng = Person.objects.get(employee_no="E204")
    assert (zheng.full_name, zheng.unit, zheng.mobile) == (
        "郑洁",
        org_tree["dept_b"],
        "13900000204",
    )
    assert zheng.is_key_person
    assert Person.objects.get(employee_no="E205").mobile == "+86 139-0000-0205"
    manager = personas["manager"]
    assert AuditEvent.objects.filter(
        action="create", object_type="org.person", actor=manager
    ).count() == len(PEOPLE_ROWS)
    summary = AuditEvent.objects.get(action="import", object_type="org.person")
    assert summary.actor == manager
    assert summary.changes["created"] == len(PEOPLE_ROWS)

    page.get_by_role("link", name="查看人员列表").click()
    table = page.get_by_test_id("list-table")
    for _no, name, *_rest in PEOPLE_ROWS:
        expect(table.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_test_id("list-count")).to_contain_text(str(people_before + 5))
