"""Journeys 1 and 6: sign in, the home page and a register in each language.

The language a signed-in user sees comes from their profile first, then the browser; the
header switcher changes it and saves it to the profile.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from resilia.accounts.models import User
from resilia.audit.models import AuditEvent
from tests.browser.conftest import login, logout

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_switches_to_english_and_keeps_it_over_the_browser_preference(page_for, personas, shot):
    page = page_for("zh-hans")
    login(page, "manager")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h2.page-title")).to_have_text("组织概览")
    expect(page.get_by_role("link", name="组织单元").first).to_be_visible()
    shot(page, "01-home-zh")

    switcher = page.locator("#language-switcher")
    expect(switcher.get_by_role("button", name="English")).to_be_visible()
    with page.expect_navigation():
        switcher.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h2.page-title")).to_have_text("The organisation at a glance")
    expect(switcher.get_by_role("button", name="简体中文")).to_be_visible()
    expect(page.get_by_role("link", name="Units").first).to_be_visible()
    shot(page, "01-home-en")

    manager = User.objects.get(username="manager")
    assert manager.language == "en"
    assert AuditEvent.objects.filter(
        action="update", object_type="accounts.user", object_id=str(manager.pk)
    ).exists()

    logout(page)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))

    # A fresh browser with no cookie that prefers Chinese: the saved profile language wins.
    fresh = page_for("zh-hans")
    fresh.goto(f"{fresh.base_url}/accounts/login/")
    expect(fresh.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(fresh.locator("form[action$='/accounts/login/'] button[type=submit]")).to_have_text(
        "登录"
    )
    login(fresh, "manager")
    expect(fresh.locator("html")).to_have_attribute("lang", "en")
    expect(fresh.locator("h2.page-title")).to_have_text("The organisation at a glance")


def test_it_serves_the_whole_journey_in_english(page_for, personas, shot):
    page = page_for("en")
    page.goto(f"{page.base_url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("form[action$='/accounts/login/'] button[type=submit]")).to_have_text(
        "Sign in"
    )
    shot(page, "06-login-en")

    login(page, "manager")
    expect(page.locator("h2.page-title")).to_have_text("The organisation at a glance")
    expect(page.get_by_text("Recent activity")).to_be_visible()
    shot(page, "06-home-en")

    page.get_by_role("link", name="People").first.click()
    expect(page.locator("h2.page-title")).to_have_text("People")
    table = page.get_by_test_id("list-table")
    expect(table.get_by_role("link", name="张伟")).to_be_visible()
    expect(table.get_by_role("link", name="王芳")).to_be_visible()
    expect(page.get_by_test_id("list-count")).to_have_text(re.compile(r"^\s*3 entries\s*$"))
    expect(page.get_by_test_id("list-new")).to_have_text(re.compile(r"New"))
    expect(page.get_by_test_id("list-import")).to_have_text(re.compile(r"Import"))
    # Every column, the menu and the user menu fit a 1366 px laptop screen: nothing scrolls.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    table_box = page.get_by_test_id("list-table").evaluate("t => [t.scrollWidth, t.clientWidth]")
    assert table_box[0] <= table_box[1]
    shot(page, "06-people-en")
