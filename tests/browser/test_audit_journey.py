"""Journey 4: an auditor finds the manager's changes in the audit log and in an object's history.

The manager creates a unit and a person through the forms and imports a people file (the
steps of journeys 2 and 3); the auditor then sees each event, who made it, and what changed.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from resilia.audit.models import AuditEvent
from tests.browser.conftest import login
from tests.browser.steps import (
    MOBILE,
    PEOPLE_ROWS,
    PERSON_NAME,
    UNIT_CODE,
    UNIT_NAME,
    create_person,
    create_unit,
    import_people,
    people_workbook,
)

pytestmark = pytest.mark.django_db(transaction=True)


def audit_row(page, *, action: str, object_text: str):
    """The one row of the audit table for this action label and object name."""
    rows = page.get_by_test_id("audit-table").locator(":scope > tbody > tr")
    return rows.filter(has=page.locator("td .badge", has_text=re.compile(f"^{action}$"))).filter(
        has=page.locator("summary", has_text=object_text)
    )


def test_it_shows_the_auditor_every_change_with_its_author_and_before_after(
    page_for, personas, org_tree, tmp_path, shot
):
    manager_page = page_for("zh-hans")
    login(manager_page, "manager")
    unit = create_unit(manager_page, org_tree["company"])
    person = create_person(manager_page, unit)
    import_people(manager_page, people_workbook(tmp_path / "people.xlsx"))

    page = page_for("zh-hans")
    login(page, "auditor")
    page.get_by_role("link", name="审计日志").first.click()
    expect(page.locator("h2.page-title")).to_have_text("审计日志")

    unit_row = audit_row(page, action="创建", object_text=UNIT_NAME)
    expect(unit_row).to_have_count(1)
    expect(unit_row.locator("td").nth(1)).to_have_text("manager")
    expect(unit_row.locator("summary")).to_contain_text(f"组织单元 #{unit.pk}")
    changes = unit_row.locator("table.audit-changes")
    expect(changes).to_be_hidden()
    unit_row.locator("summary").click()
    expect(changes).to_be_visible()
    code_change = changes.locator("tr", has=page.locator("td", has_text=re.compile("^编码$")))
    expect(code_change.locator("td").nth(1)).to_have_text("—")
    expect(code_change.locator("td").nth(2)).to_have_text(UNIT_CODE)
    parent_change = changes.locator("tr", has=page.locator("td", has_text="上级单元"))
    expect(parent_change.locator("td").nth(2)).to_contain_text("示例银行")

    person_row = audit_row(page, action="创建", object_text=PERSON_NAME)
    expect(person_row).to_have_count(1)
    expect(person_row.locator("td").nth(1)).to_have_text("manager")

    import_row = audit_row(page, action="导入", object_text="people.xlsx")
    expect(import_row).to_have_count(1)
    expect(import_row.locator("td").nth(1)).to_have_text("manager")
    import_row.locator("summary").click()
    expect(import_row.locator("table.audit-changes")).to_contain_text("people.xlsx")
    expect(import_row.locator("table.audit-changes")).to_contain_text("已新建")
    expect(import_row.locator("table.audit-changes")).not_to_contain_text("created")
    for _no, name, *_rest in PEOPLE_ROWS:
        expect(audit_row(page, action="创建", object_text=name)).to_have_count(1)
    shot(page, "04-audit-log-zh")

    # The filter narrows the trail to the imports, in the page and in the address.
    page.get_by_label("操作", exact=True).select_option("import")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"[?&]action=import"))
    expect(page.get_by_test_id("audit-table").locator(":scope > tbody > tr")).to_have_count(1)
    expect(audit_row(page, action="导入", object_text="people.xlsx")).to_have_count(1)

    # The person's own History tab, loaded by htmx when the tab is opened.
    page.goto(f"{page.base_url}{person.get_absolute_url()}")
    expect(page.locator("h2.page-title")).to_contain_text(PERSON_NAME)
    page.get_by_test_id("tab-history").click()
    history = page.get_by_test_id("object-history")
    expect(history).to_be_visible()
    entries = history.locator(".list-group-item")
    expect(entries).to_have_count(1)
    expect(entries.first.locator(".badge")).to_have_text("创建")
    expect(entries.first).to_contain_text("manager")
    mobile_change = entries.first.locator("tr", has=page.locator("td", has_text="手机"))
    expect(mobile_change.locator("td").nth(2)).to_have_text(MOBILE)
    active_change = entries.first.locator("tr", has=page.locator("td", has_text="有效"))
    expect(active_change.locator("td").nth(2)).to_have_text("是")
    shot(page, "04-person-history-zh")

    # An event's object is a link through the log's own address (/audit/open/...), which
    # checks access when followed and lands on the object's page.
    page.get_by_role("link", name="审计日志").first.click()
    unit_link = audit_row(page, action="创建", object_text=UNIT_NAME).locator("summary a")
    expect(unit_link).to_have_attribute("href", re.compile(r"^/audit/open/org\.unit/\d+/$"))
    unit_link.click()
    expect(page).to_have_url(re.compile(re.escape(unit.get_absolute_url()) + "$"))
    expect(page.locator("h2.page-title")).to_contain_text(UNIT_NAME)

    assert AuditEvent.objects.filter(action="import", actor=personas["manager"]).count() == 1
    assert (
        AuditEvent.objects.filter(
            action="create", object_type="org.person", object_id=str(person.pk)
        )
        .get()
        .actor
        == personas["manager"]
    )
