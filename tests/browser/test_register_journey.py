"""Journey 2: the BCM manager creates a unit and a person in it through the Chinese forms.

A form with a bad mobile number must show the Chinese error and save nothing.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from resilia.audit.models import AuditEvent
from resilia.org.models import Person
from tests.browser.conftest import login
from tests.browser.steps import (
    EMAIL,
    MOBILE,
    PERSON_NAME,
    UNIT_CODE,
    UNIT_NAME,
    create_person,
    create_unit,
    fill_person,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_creates_a_unit_and_a_person_through_the_chinese_forms(
    page_for, personas, org_tree, shot
):
    page = page_for("zh-hans")
    login(page, "manager")

    unit = create_unit(page, org_tree["company"])
    expect(page.get_by_role("alert")).to_contain_text(f"已创建{UNIT_NAME}")
    expect(page.locator("h2.page-title")).to_contain_text(UNIT_NAME)
    expect(page.locator("h2.page-title")).to_contain_text("部门")
    expect(page.locator(".datagrid")).to_contain_text(UNIT_CODE)
    expect(page.locator(".datagrid")).to_contain_text("示例银行")
    assert unit.parent == org_tree["company"]
    assert unit.path.startswith(org_tree["company"].path)

    page.goto(f"{page.base_url}/org/units/")
    row = page.get_by_test_id("list-table").locator("tr", has_text=UNIT_CODE)
    expect(row).to_contain_text(UNIT_NAME)
    expect(row).to_contain_text("示例银行")

    # A bad mobile: the Chinese error on the field, the other values kept, nothing saved.
    people_before = Person.objects.count()
    page.goto(f"{page.base_url}/org/people/new/")
    fill_person(page, unit, "138-abc-0000")
    page.get_by_role("button", name="保存").click()
    error = page.get_by_test_id("field-error-mobile")
    expect(error).to_have_text("请输入电话号码：可使用数字、空格、+、- 和括号。")
    expect(page.get_by_label("姓名", exact=True)).to_have_value(PERSON_NAME)
    expect(page.get_by_label("电子邮件", exact=True)).to_have_value(EMAIL)
    shot(page, "02-person-form-error-zh")
    assert Person.objects.count() == people_before
    assert not Person.objects.filter(employee_no="E100").exists()
    assert not AuditEvent.objects.filter(object_repr=PERSON_NAME).exists()

    person = create_person(page, unit)
    assert (person.unit, person.mobile, person.email) == (unit, MOBILE, EMAIL)
    expect(page.get_by_role("alert")).to_contain_text(f"已创建{PERSON_NAME}")
    expect(page.locator("h2.page-title")).to_contain_text(PERSON_NAME)
    channels = page.get_by_test_id("person-channels")
    expect(channels.get_by_role("link", name=MOBILE)).to_have_attribute("href", f"tel:{MOBILE}")
    expect(channels.get_by_role("link", name=EMAIL)).to_have_attribute("href", f"mailto:{EMAIL}")
    expect(page.locator(".datagrid")).to_contain_text(UNIT_NAME)
    shot(page, "02-person-detail-zh")

    page.goto(f"{page.base_url}/org/people/")
    row = page.get_by_test_id("list-table").locator("tr", has_text=PERSON_NAME)
    expect(row).to_contain_text("E100")
    expect(row).to_contain_text(UNIT_NAME)
    expect(row).to_contain_text(MOBILE)
    expect(row).to_contain_text(EMAIL)

    page.goto(f"{page.base_url}{unit.get_absolute_url()}")
    expect(page.get_by_test_id("unit-people").get_by_role("link")).to_contain_text(PERSON_NAME)
    shot(page, "02-unit-detail-zh")

    manager = personas["manager"]
    for obj in (unit, person):
        event = AuditEvent.objects.get(
            action="create", object_type=obj._meta.label_lower, object_id=str(obj.pk)
        )
        assert event.actor_id == manager.pk
