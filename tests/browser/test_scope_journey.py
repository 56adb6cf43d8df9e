"""Journey 5: a department coordinator sees their own department, and nothing of another.

Another department's person is not merely hidden from the list: their page answers 404, the
same as a page that does not exist, so the address does not reveal that the person exists.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_shows_a_coordinator_only_their_department(page_for, personas, people, shot):
    page = page_for("zh-hans")
    login(page, "coord_a")
    expect(page.locator("h2.page-title")).to_have_text("组织概览")

    page.get_by_role("link", name="人员").first.click()
    expect(page.locator("h2.page-title")).to_have_text("人员")
    table = page.get_by_test_id("list-table")
    # Dept A and its section; not dept B.
    expect(table.get_by_role("link", name="张伟")).to_be_visible()
    expect(table.get_by_role("link", name="李娜")).to_be_visible()
    expect(table.get_by_text("王芳")).to_have_count(0)
    expect(table.get_by_text("运营管理部")).to_have_count(0)
    expect(page.get_by_test_id("list-count")).to_have_text("2 条记录")
    shot(page, "05-coordinator-people-zh")

    # The global search does not find dept B's person either.
    search = page.get_by_test_id("header-search").get_by_role("searchbox")
    search.fill("王芳")
    with page.expect_navigation():
        search.press("Enter")
    expect(page.get_by_test_id("search-group")).to_have_count(0)
    expect(page.locator(".empty-title")).to_have_text("没有与“王芳”匹配的结果。")
    expect(page.get_by_role("link", name="王芳")).to_have_count(0)
    # Her own department's person is found.
    search = page.get_by_test_id("header-search").get_by_role("searchbox")
    search.fill("张伟")
    with page.expect_navigation():
        search.press("Enter")
    expect(page.get_by_test_id("search-group").get_by_role("link", name="张伟")).to_be_visible()

    carol = people["carol"]
    response = page.goto(f"{page.base_url}{carol.get_absolute_url()}")
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_text("此页面不存在，或您无权查看。")).to_be_visible()
    expect(page.get_by_role("link", name="返回首页")).to_be_visible()
    expect(page.get_by_text("王芳")).to_have_count(0)
    shot(page, "05-coordinator-404-zh")

    # Their own department's person opens normally.
    alice = people["alice"]
    response = page.goto(f"{page.base_url}{alice.get_absolute_url()}")
    assert response.status == 200
    expect(page.locator("h2.page-title")).to_contain_text("张伟")
