"""Browser journey: the BCM manager opens a data centre that 60 activities need, reads "what
needs it" 50 at a time and clicks through its pages, in Chinese."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from resilia.analysis.tests.conftest import (  # noqa: F401 (fixtures)
    bank,
    fresh_graph_cache,
)
from resilia.core.context import request_context
from resilia.dependencies import services as deps
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_manager_pages_through_what_needs_a_data_centre(page_for, shot, bank):  # noqa: F811
    with request_context(source="test"):
        activities = deps.activity_create_many(
            actor=None,
            items=[
                {"code": f"H{i:03d}", "name": f"依赖活动{i:03d}", "unit": bank["pay"].unit}
                for i in range(60)
            ],
        )
        deps.dependency_create_many(
            actor=None, links=[(activity, bank["dc1"], {}) for activity in activities]
        )
    page = page_for("zh-hans")
    login(page, "manager")
    page.goto(f"{page.base_url}{bank['dc1'].get_absolute_url()}")
    pages = page.get_by_test_id("needed-by-pages")
    expect(pages).to_contain_text("共")
    rows = page.get_by_test_id("needed-by").get_by_test_id("link-row")
    expect(rows).to_have_count(50)
    expect(page.get_by_test_id("needed-by-previous")).to_have_count(0)
    shot(page, "needed-by-page-1")
    page.get_by_test_id("needed-by-next").click()
    expect(page).to_have_url(re.compile(r"[?&]needed_page=2"))
    expect(page.get_by_test_id("needed-by")).to_contain_text("依赖活动059")
    expect(page.get_by_test_id("needed-by-next")).to_have_count(0)
    page.get_by_test_id("needed-by-previous").click()
    expect(page.get_by_test_id("needed-by").get_by_test_id("link-row")).to_have_count(50)
    expect(page.get_by_test_id("needed-by")).not_to_contain_text("依赖活动059")
