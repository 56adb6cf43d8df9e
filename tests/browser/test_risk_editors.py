"""The risk matrix and threat catalogue editors on a browser (issue 10 items 1-2): the BCM
manager adds and removes a level row and watches the cell grid follow, previews a band colour,
is refused a band table that leaves a score uncovered (in the page's language), saves
convention B as a new version with the appetite on 较大, tries the full cell table; then adds a
threat with its classes and resource kinds, edits it, deletes it, and is refused the deletion
of a threat a risk uses. Once in Chinese on a desktop, once in English on a phone-sized screen.

Rules: standards.md §6 convention B (1-3, 4-8, 9-16, 20-25): 3 × 3 = 9 falls in 较大 (orange).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from resilia.risk.models import MatrixVersion, Threat
from resilia.risk.tests.conftest import risk_setup  # noqa: F401 (fixture)
from tests.browser.conftest import login

PHONE = {"width": 390, "height": 844}
TEXT = {
    "zh-hans": {"gap": "风险值 9 不在任何风险等级内", "blocked": "无法删除"},
    "en": {"gap": "No band covers the score 9.", "blocked": "cannot be deleted"},
}


def _go(page, path):
    page.goto(f"{page.base_url}{path}")


def _click(page, testid):
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


def _submit(page):
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()


def _confirm_delete(page):
    with page.expect_navigation():
        page.locator(".card-footer form button[type=submit]").click()


def _cell(page, likelihood, impact):
    return page.locator(f"td:has([data-testid=cell-{likelihood}-{impact}])")


@pytest.mark.parametrize(("lang", "phone"), [("zh-hans", False), ("en", True)])
def test_the_matrix_and_threat_editors(page_for, risk_setup, lang, phone, shot):  # noqa: F811
    t = TEXT[lang]
    page = page_for(lang)
    if phone:
        page.set_viewport_size(PHONE)
    login(page, "manager")

    _go(page, "/risk/matrix/")
    _click(page, "matrix-edit")
    # The 5 × 5 default: no 6th row or column until a row is added; removing it hides them.
    expect(page.get_by_test_id("cell-6-1")).to_be_hidden()
    page.get_by_test_id("add-likelihood").click()
    new_row = page.locator("[data-testid=likelihood-rows] tbody tr").nth(5)
    expect(new_row).to_be_visible()
    expect(page.get_by_test_id("cell-6-1")).to_be_visible()
    new_row.locator("[data-remove-row]").check()
    expect(page.get_by_test_id("cell-6-1")).to_be_hidden()
    page.get_by_test_id("add-bands").click()  # a blank band row: ignored on save

    # The colour preview follows the band rows.
    expect(_cell(page, 5, 5)).to_have_class(re.compile("report-shade-red"))
    page.locator("select[name=bands-3-colour]").select_option("grey")
    expect(_cell(page, 5, 5)).to_have_class(re.compile("report-shade-grey"))
    page.locator("select[name=bands-3-colour]").select_option("red")

    # A gap (一般 up to 8, 较大 from 10) is refused in the page's language; nothing is saved.
    page.locator("input[name=bands-1-max]").fill("8")
    _click(page, "matrix-save")
    expect(page.get_by_test_id("matrix-errors")).to_contain_text(t["gap"])
    assert MatrixVersion.objects.count() == 1

    # Convention B: 较大 from 9 (3 × 3 turns orange in the preview), 重大 reviewed every 60 days.
    page.locator("input[name=bands-2-min]").fill("9")
    expect(_cell(page, 3, 3)).to_have_class(re.compile("report-shade-orange"))
    page.locator("input[name=bands-3-review_days]").fill("60")
    page.get_by_test_id("appetite-2").check()
    # The cell table is editable only when scoring by table; back to the product.
    page.locator("select[name=method]").select_option("table")
    expect(page.get_by_test_id("cell-2-2")).to_be_editable()
    page.locator("select[name=method]").select_option("product")
    expect(page.get_by_test_id("cell-2-2")).not_to_be_editable()
    shot(page, f"risk-matrix-editor-{lang}")
    _click(page, "matrix-save")
    new = MatrixVersion.objects.get(number=2)
    assert [(b["min"], b["max"]) for b in new.bands] == [(1, 3), (4, 8), (9, 16), (20, 25)]
    assert new.bands[3]["review_days"] == 60 and new.appetite == "major"
    assert new.size == "5×5" and new.method == "product"
    expect(page.get_by_test_id("bands")).to_contain_text("9–16")

    # A threat of the catalogue: created, edited, deleted; one a risk uses is kept.
    _go(page, "/risk/threats/")
    _click(page, "list-new")
    page.locator("input[name=code]").fill("TEC-DNS")
    page.locator("input[name=name]").fill("域名解析故障")
    page.locator("input[name=name_en]").fill("DNS failure")
    page.locator("select[name=threat_class]").select_option("accident")
    page.locator("select[name=group]").select_option("technical")
    page.locator("textarea[name=description]").fill("域名解析服务不可用")
    page.locator("input[name=resource_kinds][value=infrastructure]").check()
    page.locator("input[name=resource_kinds][value=supplier]").check()
    shot(page, f"risk-threat-form-{lang}")
    _submit(page)
    threat = Threat.objects.get(code="TEC-DNS")
    assert threat.resource_kinds == ["infrastructure", "supplier"]
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^(编辑|Edit)$")).click()
    page.locator("input[name=resource_kinds][value=supplier]").uncheck()
    _submit(page)
    threat.refresh_from_db()
    assert threat.resource_kinds == ["infrastructure"]
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^(删除|Delete)$")).click()
    _confirm_delete(page)
    assert not Threat.objects.filter(code="TEC-DNS").exists()

    _go(page, f"/risk/threats/{risk_setup['fire'].pk}/delete/")
    _confirm_delete(page)
    expect(page.get_by_test_id("delete-blocked")).to_contain_text(t["blocked"])
    expect(page.get_by_test_id("delete-blocked")).to_contain_text("R-001")
    assert Threat.objects.filter(pk=risk_setup["fire"].pk).exists()
