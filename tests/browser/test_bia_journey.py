"""The BIA on a browser, as the departments live it (issue 9, Done when): the BCM office
launches the campaign; the coordinator fills the questionnaire, sees the MTPD derived live
with its explanation, is refused an RTO equal to the MTPD, submits; the office returns it with
a comment; the coordinator fixes and resubmits; the office reviews; the unit's approver
approves with a different MTPD and its reason; the versions compare; the assessments register
exports. Once in Chinese on a desktop, once in English on a phone-sized screen.

Rules: standards.md §2 rule 4 (MTPD: the earliest point any category reaches its own
threshold), §1.10 (RTO strictly less than MTPD).
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from resilia.bia.models import Assessment
from resilia.bia.tests.conftest import bia_setup  # noqa: F401 (fixture)
from tests.browser.conftest import login

H = 60
PHONE = {"width": 390, "height": 844}
TEXT = {
    "zh-hans": {
        "mtpd": "8 小时",
        "explain": "法律与监管影响在 8 小时 达到 4",
        "rto_refused": "必须短于最大可容忍中断时间",
        "submitted": "已提交",
        "returned": "已退回",
        "approved": "已批准",
    },
    "en": {
        "mtpd": "8 h",
        "explain": "Legal and regulatory reaches 4, its threshold, at 8 h",
        "rto_refused": "must be shorter than the MTPD",
        "submitted": "Submitted",
        "returned": "Returned",
        "approved": "Approved",
    },
}
LEGAL = [1, 1, 3, 4, 4, 4, 5, 5, 5, 5]


def _page(page_for, lang, phone, username):
    page = page_for(lang)
    if phone:
        page.set_viewport_size(PHONE)
    login(page, username)
    return page


def _submit(page, testid):
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


@pytest.mark.parametrize(("lang", "phone"), [("zh-hans", False), ("en", True)])
def test_fill_submit_return_fix_and_approve(page_for, bia_setup, lang, phone, shot):  # noqa: F811
    t = TEXT[lang]
    campaign = bia_setup["campaign"]

    # The BCM office launches the campaign from its page.
    office = _page(page_for, lang, phone, "manager")
    office.goto(f"{office.base_url}{campaign.get_absolute_url()}")
    _submit(office, "launch")
    expect(office.get_by_test_id("progress")).to_be_visible()
    pay = Assessment.objects.get(campaign=campaign, activity=bia_setup["pay"])

    # The coordinator finds it among the assessments and fills the grid.
    coord = _page(page_for, lang, phone, "coord_a")
    coord.goto(f"{coord.base_url}/bia/assessments/?mine=true")
    with coord.expect_navigation():
        coord.locator("table tbody a", has_text="PAY").click()
    expect(coord).to_have_url(re.compile(rf"/bia/assessments/{pay.pk}/$"))
    fw = pay.framework
    for cat in fw.categories:
        row = LEGAL if cat["code"] == "legal" else [1] * len(fw.time_points)
        for i, value in enumerate(row):
            coord.locator(f"select[name=r__{cat['code']}__{i}]").select_option(str(value))
    # Derived live, with its explanation, before anything is saved.
    expect(coord.get_by_test_id("derived-mtpd")).to_have_text(t["mtpd"])
    expect(coord.get_by_test_id("explain")).to_contain_text(t["explain"])
    # A falling rating is flagged; carrying the row to the right fixes it.
    coord.locator("select[name=r__financial__3]").select_option("3")
    coord.locator("select[name=r__financial__4]").select_option("2")
    expect(coord.locator("select[name=r__financial__4]")).to_have_class(re.compile("is-invalid"))
    coord.locator("[data-carry=financial]").first.click()
    expect(coord.locator("select[name=r__financial__4]")).to_have_value("3")
    expect(coord.locator("select[name=r__financial__9]")).to_have_value("3")
    # An RTO equal to the MTPD is refused and nothing is saved.
    coord.locator("input[name=rto]").fill("8h")
    coord.locator("input[name=rpo]").fill("15m")
    _submit(coord, "submit")
    expect(coord.get_by_test_id("form-errors")).to_contain_text(t["rto_refused"])
    pay.refresh_from_db()
    assert pay.status == "draft" and pay.ratings == {}
    # The form kept what was typed: correct the RTO and submit.
    coord.locator("input[name=rto]").fill("4h")
    _submit(coord, "submit")
    expect(coord.get_by_test_id("status")).to_have_text(t["submitted"])
    if phone:
        shot(coord, f"bia-questionnaire-phone-{lang}")
    else:
        shot(coord, f"bia-questionnaire-{lang}")

    # The office returns it with a comment.
    office.goto(f"{office.base_url}{pay.get_absolute_url()}")
    office.locator("form[action$='/return/'] textarea[name=comment]").fill(
        "RPO请与信息科技部核实。"
    )
    _submit(office, "return")
    expect(office.get_by_test_id("status")).to_have_text(t["returned"])

    # The coordinator reads the comment, fixes the RPO and submits again.
    coord.goto(f"{coord.base_url}{pay.get_absolute_url()}")
    expect(coord.get_by_test_id("returned-comment")).to_contain_text("RPO请与信息科技部核实。")
    expect(coord.locator("input[name=rpo]")).to_have_value("15m")
    coord.locator("input[name=rpo]").fill("5m")
    _submit(coord, "submit")
    expect(coord.get_by_test_id("status")).to_have_text(t["submitted"])

    # The office reviews; the unit's approver approves with a shorter MTPD and the reason.
    office.goto(f"{office.base_url}{pay.get_absolute_url()}")
    _submit(office, "review")
    head = _page(page_for, lang, phone, "head_a")
    head.goto(f"{head.base_url}{pay.get_absolute_url()}")
    head.locator("input[name=mtpd_override]").fill("6h")
    _submit(head, "approve")  # no reason: refused
    pay.refresh_from_db()
    assert pay.status == "reviewed"
    head.locator("textarea[name=override_reason]").fill("监管要求当日恢复。")
    _submit(head, "approve")
    expect(head.get_by_test_id("status")).to_have_text(t["approved"])
    expect(head.get_by_test_id("override")).to_contain_text("监管要求当日恢复。")
    activity = bia_setup["pay"]
    activity.refresh_from_db()
    assert (activity.mtpd, activity.rto, activity.rpo) == (6 * H, 4 * H, 5)

    # Two versions side by side: from version 1 to the approved version 2 the RPO changed,
    # and the approver's MTPD and reason were added.
    with head.expect_navigation():
        head.get_by_test_id("compare").click()
    head.locator("select[name=a]").select_option("1")
    head.locator("select[name=b]").select_option("2")
    with head.expect_navigation():
        head.get_by_test_id("compare-go").click()
    changed = head.locator("[data-testid=compare-fields] tr[data-changed]")
    expect(changed).to_have_count(3)
    expect(changed.nth(0)).to_contain_text("5")
    expect(changed.nth(2)).to_contain_text("监管要求当日恢复。")

    # The campaign's heat map and its full export.
    office.goto(f"{office.base_url}{campaign.get_absolute_url()}")
    with office.expect_navigation():
        office.get_by_test_id("campaign-heatmap").click()
    expect(office.locator("#bia-heatmap canvas")).to_have_count(1)
    expect(office.get_by_test_id("heatmap-table")).to_contain_text("PAY")
    office.go_back()
    with office.expect_download() as full:
        office.get_by_test_id("campaign-export").click()
    book = load_workbook(io.BytesIO(open(full.value.path(), "rb").read()))
    assert {"PAY", "LOAN"} <= {row[0].value for row in book.worksheets[1].iter_rows(min_row=2)}

    # The coordinator takes the unit's open assessments offline and imports them back.
    coord.goto(f"{coord.base_url}{campaign.get_absolute_url()}")
    with coord.expect_download() as offline:
        coord.get_by_test_id("questionnaire-download").click()
    book = load_workbook(io.BytesIO(open(offline.value.path(), "rb").read()))
    assert [row[0].value for row in book.worksheets[1].iter_rows(min_row=2)] == ["LOAN"]
    for row in book.worksheets[0].iter_rows(min_row=2):
        for cell in row[5:]:
            cell.value = 2
    book.worksheets[1]["C2"] = "1d"
    filled = f"{offline.value.path()}-filled.xlsx"
    book.save(filled)
    coord.locator("input[name=file]").set_input_files(filled)
    with coord.expect_navigation():
        coord.get_by_test_id("questionnaire-import").click()
    loan = Assessment.objects.get(campaign=campaign, activity__code="LOAN")
    assert loan.rto == 24 * H and loan.ratings["legal"] == [2] * 10

    # The register exports what the office sees.
    office.goto(f"{office.base_url}/bia/assessments/?campaign={campaign.pk}")
    office.get_by_role("button", name=re.compile("导出|Export")).click()
    with office.expect_download() as xlsx:
        office.get_by_test_id("export-xlsx").click()
    book = load_workbook(io.BytesIO(open(xlsx.value.path(), "rb").read()), read_only=True)
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert "PAY" in cells and "LOAN" in cells
    office.get_by_role("button", name=re.compile("导出|Export")).click()
    with office.expect_download() as csv:
        office.get_by_test_id("export-csv").click()
    assert "PAY" in open(csv.value.path(), encoding="utf-8-sig").read()
