"""Steps shared by several journeys: the Chinese unit and person forms, the people import.

Each step drives the UI as a user would and returns what it made, read back from the database.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from playwright.sync_api import expect

from resilia.org.models import Person, Unit

UNIT_CODE = "DEPT-RISK"
UNIT_NAME = "风险管理部"
PERSON_NAME = "赵敏"
MOBILE = "13912345678"
EMAIL = "zhao.min@example.com"


def picker(scope, name: str):
    """The search box of the kit's picker for field `name` (a role=combobox)."""
    return scope.locator(f".picker[data-picker-name='{name}'] [role=combobox]")


def pick(scope, name: str, query: str, option: str | None = None) -> None:
    """Type `query` in the picker of field `name` and choose the suggestion showing `option`
    (default: the query), as a user would with the mouse."""
    box = picker(scope, name)
    box.fill(query)
    listbox = scope.locator(f".picker[data-picker-name='{name}'] [role=listbox]")
    choice = listbox.get_by_role("option").filter(has_text=option or query).first
    expect(choice).to_be_visible()
    choice.click()
    values = scope.locator(f".picker[data-picker-name='{name}'] input[type=hidden][name='{name}']")
    expect(values.first).to_be_attached()


def picked(scope, name: str):
    """The chosen row(s) of the picker of field `name`: the hidden inputs holding their ids."""
    return scope.locator(f".picker[data-picker-name='{name}'] input[type=hidden][name='{name}']")


def create_unit(page, parent: Unit) -> Unit:
    """From the units register: New → fill the form → the new unit's detail page."""
    page.goto(f"{page.base_url}/org/units/")
    page.get_by_test_id("list-new").click()
    expect(page.locator("h2.page-title")).to_have_text("新建组织单元")
    page.get_by_label("编码", exact=True).fill(UNIT_CODE)
    page.get_by_label("名称", exact=True).fill(UNIT_NAME)
    page.get_by_label("英文名称", exact=True).fill("Risk Management")
    page.get_by_label("类型", exact=True).select_option("department")
    pick(page, "parent", parent.code)
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    unit = Unit.objects.get(code=UNIT_CODE)
    expect(page).to_have_url(re.compile(rf"/org/units/{unit.pk}/$"))
    return unit


def fill_person(page, unit: Unit, mobile: str) -> None:
    page.get_by_label("工号", exact=True).fill("E100")
    page.get_by_label("姓名", exact=True).fill(PERSON_NAME)
    page.get_by_label("职务", exact=True).fill("风险经理")
    pick(page, "unit", unit.code)
    page.get_by_label("手机", exact=True).fill(mobile)
    page.get_by_label("电子邮件", exact=True).fill(EMAIL)


def create_person(page, unit: Unit) -> Person:
    """From the people register: New → fill the form → the new person's detail page."""
    page.goto(f"{page.base_url}/org/people/")
    page.get_by_test_id("list-new").click()
    expect(page.locator("h2.page-title")).to_have_text("新建人员")
    fill_person(page, unit, MOBILE)
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    person = Person.objects.get(employee_no="E100")
    expect(page).to_have_url(re.compile(rf"/org/people/{person.pk}/$"))
    return person


# The people file: Chinese headers, as a BCM office would fill in the template. Row 1 holds
# the headers, so the fourth person is on spreadsheet row 5.
PEOPLE_HEADERS = ["工号", "姓名", "职务", "部门编码", "手机", "电子邮箱", "是否关键人员"]
PEOPLE_ROWS = [
    ["E201", "孙丽", "业务连续性管理专员", "DEPT-A", "13900000201", "sun.li@example.com", "是"],
    ["E202", "周强", "系统管理员", "A-TEAM", "13900000202", "zhou.qiang@example.com", "否"],
    ["E203", "吴刚", "网络工程师", "A-TEAM", "13900000203", "wu.gang@example.com", ""],
    ["E204", "郑洁", "运营主管", "DEPT-B", "13900000204", "zheng.jie@example.com", "是"],
    ["E205", "冯涛", "柜面经理", "DEPT-B", "+86 139-0000-0205", "feng.tao@example.com", "否"],
]
BAD_ROW = 5  # E204
BAD_MOBILE = "1390000020四"


def people_workbook(path: Path, *, bad_mobile: str | None = None) -> Path:
    """A real XLSX of five people; `bad_mobile` replaces E204's mobile number."""
    book = Workbook()
    sheet = book.active
    sheet.title = "人员"
    sheet.append(PEOPLE_HEADERS)
    for row in PEOPLE_ROWS:
        row = list(row)
        if bad_mobile is not None and row[0] == "E204":
            row[4] = bad_mobile
        sheet.append(row)
    book.save(path)
    return path


def upload_people(page, path: Path) -> None:
    """The import page: choose people, attach the file, check it (the dry run)."""
    page.goto(f"{page.base_url}/org/people/")
    page.get_by_test_id("list-import").click()
    expect(page.locator("h2.page-title")).to_have_text("导入组织单元和人员")
    page.get_by_role("radio", name="人员").check()
    page.locator("input[type=file][name=file]").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_test_id("import-preview").click()


def import_people(page, path: Path) -> None:
    """Upload a good file, see the preview, confirm, and land on the result page."""
    upload_people(page, path)
    expect(page.get_by_test_id("count-create")).to_have_text(str(len(PEOPLE_ROWS)))
    with page.expect_navigation():
        page.get_by_test_id("import-confirm").click()
    expect(page.locator("h2.page-title")).to_have_text("导入完成")
