"""The BCM home page as the BCM manager and the IT coordinator of the demo bank, in both
languages: each continuity figure opens the register filtered to exactly that many rows."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from resilia.dependencies import selectors
from tests.browser.conftest import login, logout

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_PASSWORD = "Demo-Password-2026"
HEADINGS = {"zh-hans": "业务连续性概览", "en": "Continuity at a glance"}


def test_it_opens_each_figure_on_its_filtered_list(page_for, monkeypatch, shot):
    monkeypatch.setenv("RESILIA_DEMO_PASSWORD", DEMO_PASSWORD)
    selectors.forget_compiled()
    call_command("demo", stdout=io.StringIO())
    for locale in ("zh-hans", "en"):
        page = page_for(locale)
        for username in ("bcm", "coord_it"):
            login(page, username, DEMO_PASSWORD)
            expect(page.get_by_text(HEADINGS[locale])).to_be_visible()
            # The charts are drawn (a canvas each) and read as text below them.
            expect(page.locator(".home-chart canvas")).to_have_count(2)
            shot(page, f"home-{username}-{locale}")
            figures = page.locator("a[data-figure]")
            # With the open major hazards (隐患排查治理), the incidents under way and, apart, the
            # demo's drill under way.
            expect(figures).to_have_count(10)
            wanted = [
                (figures.nth(i).get_attribute("data-figure"), int(figures.nth(i).inner_text()))
                for i in range(10)
            ]
            for i, (key, count) in enumerate(wanted):
                with page.expect_navigation():
                    page.locator(f"a[data-figure={key}]").click()
                listed = page.get_by_test_id("list-count").inner_text()
                assert int(re.search(r"\d+", listed).group()) == count, (username, locale, key)
                if count:
                    expect(page.locator("table tbody tr")).to_have_count(min(count, 25))
                if i == 0:
                    shot(page, f"home-{username}-{locale}-{key}")
                page.go_back()
            logout(page)
