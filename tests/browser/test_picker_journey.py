"""The kit's picker on a register: a coordinator types in the unit filter, picks a suggestion
with the keyboard alone, filters, and sees only that unit's people; another department's
unit is never suggested."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.browser.steps import picker

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "zh-hans": {
        "title": "人员",
        "team": "A-TEAM · 运维科",
        "none": "没有匹配项。",
        "count": "1 条记录",
    },
    "en": {
        "title": "People",
        "team": "A-TEAM · Operations",
        "none": "No match.",
        "count": "1 entry",
    },
}


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_filter_is_searched_as_you_type_and_picked_with_the_keyboard(
    page_for, personas, people, lang, shot
):
    w = WORDS[lang]
    page = page_for(lang)
    login(page, "coord_a")
    page.goto(f"{page.base_url}/org/people/")
    expect(page.locator("h2.page-title")).to_have_text(w["title"])
    table = page.get_by_test_id("list-table")
    expect(table.get_by_role("link", name="张伟")).to_be_visible()

    box = picker(page, "unit")
    expect(box).to_have_attribute("aria-expanded", "false")
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    # Another department's unit is not offered to DEPT-A's coordinator.
    box.fill("DEPT-B")
    expect(listbox.get_by_text(w["none"])).to_be_visible()
    expect(listbox.get_by_role("option")).to_have_count(0)
    # Their own section is, and is picked with the arrow keys and Enter.
    box.fill("team")
    option = listbox.get_by_role("option", name=w["team"])
    expect(option).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    box.press("Enter")
    expect(box).to_have_value(w["team"])
    expect(box).to_have_attribute("aria-expanded", "false")
    shot(page, f"picker-filter-{lang}")
    # Like a select, a choice applies the filter at once (the address keeps it).
    unit = re.compile(rf"[?&]unit={people['bob'].unit_id}(&|$)")
    expect(page).to_have_url(unit)
    expect(page.get_by_test_id("list-count")).to_have_text(w["count"])
    expect(table.get_by_role("link", name="李娜")).to_be_visible()
    expect(table.get_by_role("link", name="张伟")).to_have_count(0)
    # Filter submits the same choice; the chosen unit is shown again after a reload.
    page.get_by_role("button", name="筛选" if lang == "zh-hans" else "Filter").click()
    expect(page).to_have_url(unit)
    page.reload()
    expect(picker(page, "unit")).to_have_value(w["team"])
    expect(page.get_by_test_id("list-count")).to_have_text(w["count"])
