"""Continuity strategies on a browser (issue 11 item 1): the coordinator proposes options for
the core database from its comparison page and from the register (the subject searched as you
type), the comparison shows them against the objectives the database must meet (PAY's RTO
4 h plus the 1 h tolerance, its RPO 30 min) with the recommended one; the head of the unit
chooses one with a reason, the BCM manager rejects another; the coordinator records the test
of the chosen one, which becomes the database's capability; the rejected one is edited and
deleted; the register exports to XLSX and CSV. Once in Chinese, once in English.

Rules: engine/strategies.py (meets = at most the objective, 104号 "不得大于"; recommended =
cheapest over 3 years among those meeting both).
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from resilia.dependencies.models import Resource
from resilia.strategies.models import Option
from resilia.strategies.tests.conftest import setup  # noqa: F401 (fixture)
from tests.browser.conftest import login
from tests.browser.steps import pick, picked

H = 60
STATUS = {
    "zh-hans": {"chosen": "已选定", "rejected": "已否决", "objective": "5 小时"},
    "en": {"chosen": "Chosen", "rejected": "Rejected", "objective": "5 h"},
}


def _page(page_for, lang, username):
    page = page_for(lang)
    login(page, username)
    return page


def _save(page):
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()


def _fill(page, name, kind, rt, rp, cost_once, cost_yearly):
    page.locator("input[name=name]").fill(name)
    page.locator("select[name=kind]").select_option(kind)
    page.locator("input[name=recovery_time]").fill(rt)
    page.locator("input[name=recovery_point]").fill(rp)
    page.locator("input[name=cost_once]").fill(cost_once)
    page.locator("input[name=cost_yearly]").fill(cost_yearly)
    page.locator("input[name=seats_needed]").fill("4")
    page.locator("textarea[name=equipment_needed]").fill("同城机房服务器")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_propose_compare_choose_test_and_export(page_for, setup, lang, shot):  # noqa: F811
    t = STATUS[lang]
    db = setup["db"]

    # From the database's comparison page: propose a hot standby.
    coord = _page(page_for, lang, "coord_a")
    coord.goto(f"{coord.base_url}/strategies/resource/{db.pk}/")
    expect(coord.get_by_test_id("objective-rto")).to_contain_text(t["objective"])
    with coord.expect_navigation():
        coord.get_by_test_id("propose").click()
    expect(coord.locator("input[type=hidden][name=resource]")).to_have_value(str(db.pk))
    _fill(coord, "数据库同城热备", "redundancy", "30m", "0", "2000000", "300000")
    _save(coord)
    hot = Option.objects.get(name="数据库同城热备")
    expect(coord).to_have_url(re.compile(rf"/strategies/{hot.pk}/$"))

    # From the register: a cheaper warm standby, the database searched as you type.
    coord.goto(f"{coord.base_url}/strategies/")
    with coord.expect_navigation():
        coord.get_by_test_id("list-new").click()
    pick(coord, "resource", "DB", "DB ·")
    _fill(coord, "数据库温备", "redundancy", "4h", "30m", "800000", "100000")
    _save(coord)
    warm = Option.objects.get(name="数据库温备")

    # The comparison: the warm standby meets 5 h / 30 min at the lower cost.
    coord.goto(f"{coord.base_url}/strategies/resource/{db.pk}/")
    expect(coord.get_by_test_id("recommended")).to_have_text("数据库温备")
    expect(coord.get_by_test_id(f"total-{warm.pk}")).to_contain_text(re.compile(r"1,?100,?000"))
    shot(coord, f"strategies-compare-{lang}")

    # The head of the unit chooses the warm standby; the BCM manager rejects the hot one.
    head = _page(page_for, lang, "head_a")
    head.goto(f"{head.base_url}{warm.get_absolute_url()}")
    with head.expect_navigation():
        head.get_by_test_id("choose").click()
    head.locator("textarea[name=reason]").fill("满足恢复时间目标，三年成本最低")
    _save(head)
    expect(head.get_by_test_id("option-status")).to_have_text(t["chosen"])
    office = _page(page_for, lang, "manager")
    office.goto(f"{office.base_url}{hot.get_absolute_url()}")
    with office.expect_navigation():
        office.get_by_test_id("reject").click()
    office.locator("textarea[name=reason]").fill("投入过高")
    _save(office)
    expect(office.get_by_test_id("option-status")).to_have_text(t["rejected"])

    # The coordinator records the test: it becomes the database's capability.
    coord.goto(f"{coord.base_url}{warm.get_absolute_url()}")
    with coord.expect_navigation():
        coord.get_by_test_id("record-test").click()
    coord.locator("input[name=tested_on]").fill("2026-03-01")
    coord.locator("input[name=tested_recovery_time]").fill("3h")
    coord.locator("input[name=tested_recovery_point]").fill("10m")
    coord.locator("input[name=test_evidence]").fill("2026年度切换演练报告")
    _save(coord)
    expect(coord.get_by_test_id("test-result")).to_be_visible()
    assert Resource.objects.get(pk=db.pk).recovery_time == 3 * H
    shot(coord, f"strategies-option-{lang}")

    # The database's own page lists its options, the chosen one marked; its links lead to the
    # comparison, to the register filtered on the database and to the form for a new option.
    coord.goto(f"{coord.base_url}{db.get_absolute_url()}")
    panel = coord.get_by_test_id("strategies-panel")
    expect(panel.locator(f"tr[data-option='{warm.pk}'][data-chosen='1']")).to_contain_text(
        t["chosen"]
    )
    expect(panel.locator(f"tr[data-option='{hot.pk}']")).to_have_count(0)  # rejected
    shot(coord, f"strategies-resource-panel-{lang}")
    with coord.expect_navigation():
        panel.get_by_test_id("strategies-compare").click()
    expect(coord.get_by_test_id("chosen")).to_have_text("数据库温备")
    coord.go_back()
    with coord.expect_navigation():
        coord.get_by_test_id("strategies-register").click()
    expect(coord.locator("table").first).to_contain_text("数据库温备")
    assert f"resource={db.pk}" in coord.url
    coord.go_back()
    with coord.expect_navigation():
        coord.get_by_test_id("strategies-propose").click()
    # The subject is prefilled in its picker (the chosen row's id, submitted hidden).
    expect(picked(coord, "resource")).to_have_value(str(db.pk))
    # And the activity that needs it offers to propose one for itself.
    pay = setup["pay"]
    coord.goto(f"{coord.base_url}{pay.get_absolute_url()}")
    expect(coord.get_by_test_id("strategies-empty")).to_be_visible()
    with coord.expect_navigation():
        coord.get_by_test_id("strategies-propose").click()
    # The subject is prefilled in its picker (the chosen row's id, submitted hidden).
    expect(picked(coord, "activity")).to_have_value(str(pay.pk))

    # The rejected option is edited, then deleted.
    coord.goto(f"{coord.base_url}{hot.get_absolute_url()}")
    with coord.expect_navigation():
        coord.locator("a[href$='/edit/']").click()
    coord.locator("input[name=cost_once]").fill("1500000")
    _save(coord)
    hot.refresh_from_db()
    assert hot.cost_once == 1_500_000
    with coord.expect_navigation():
        coord.locator("a[href$='/delete/']").click()
    _save(coord)
    assert not Option.objects.filter(pk=hot.pk).exists()

    # The register exports what the coordinator sees.
    coord.goto(f"{coord.base_url}/strategies/")
    coord.get_by_role("button", name=re.compile("导出|Export")).click()
    with coord.expect_download() as xlsx:
        coord.get_by_test_id("export-xlsx").click()
    book = load_workbook(io.BytesIO(open(xlsx.value.path(), "rb").read()), read_only=True)
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert "数据库温备" in cells and "DB" in cells
    coord.get_by_role("button", name=re.compile("导出|Export")).click()
    with coord.expect_download() as csv:
        coord.get_by_test_id("export-csv").click()
    assert "数据库温备" in open(csv.value.path(), encoding="utf-8-sig").read()
    shot(coord, f"strategies-register-{lang}")
