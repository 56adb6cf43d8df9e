"""Plans on a browser (issue 11, Done when): a coordinator writes a plan from the network-
interruption template, scopes it to payments, sees the critical path go red against the RTO
when a step takes longer, is refused a step that waits for itself, and signs it as author
(编制人); the BCM office reviews (审核人), the head of the unit approves (批准人), the office
publishes; the DOCX and PDF download and open. Once in Chinese, once in English."""

from __future__ import annotations

import docx
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from resilia.plans.models import Plan
from resilia.plans.tests.conftest import plan_setup  # noqa: F401 (fixture)
from tests.browser.conftest import PASSWORD, login

TEXT = {
    "zh-hans": {"in_review": "审核中", "approved": "已批准", "published": "已发布",
                "self": "不能以自身为前置步骤"},
    "en": {"in_review": "In review", "approved": "Approved", "published": "Published",
           "self": "cannot wait for itself"},
}  # fmt: skip


def _click(page, testid):
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


def _sign(page, url):
    page.goto(url)
    page.get_by_test_id("sign-password").fill(PASSWORD)
    _click(page, "sign")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_write_review_approve_publish_and_export(page_for, plan_setup, org_tree, lang, shot):  # noqa: F811
    t = TEXT[lang]
    coord = page_for(lang)
    login(coord, "coord_a")
    coord.goto(f"{coord.base_url}/plans/new/")
    coord.locator("select[name=blueprint]").select_option("network")
    coord.locator("input[name=code]").fill("EP-NET2")
    coord.locator("input[name=name]").fill("网络中断应急预案（分行）")
    coord.locator("select[name=kind]").select_option("emergency")
    coord.locator("select[name=unit]").select_option(str(org_tree["dept_a"].pk))
    with coord.expect_navigation():
        coord.locator("form.card button[type=submit].btn-primary").click()
    plan = Plan.objects.get(code="EP-NET2")
    version_url = f"{coord.base_url}/plans/{plan.pk}/v1/"
    expect(coord).to_have_url(version_url)
    expect(coord.get_by_test_id("steps")).to_contain_text("S7")

    # Scope it to payments (RTO 1 h); the backup line now takes 45 min: 85 min, red.
    _click(coord, "edit-version")
    coord.locator("select[name=activities]").select_option(str(plan_setup["pay"].pk))
    coord.locator("input[name=steps-3-minutes]").fill("45")
    coord.locator("textarea[name=change_note]").fill("切换耗时按演练结果调整")
    _click(coord, "save-version")
    expect(coord.locator("[data-testid=scope-activities] td[data-late='1']")).to_be_visible()
    # A step waiting for itself is refused, naming it; nothing is saved.
    _click(coord, "edit-version")
    coord.locator("input[name=steps-1-after]").fill("S2")
    _click(coord, "save-version")
    expect(coord.get_by_test_id("form-errors")).to_contain_text(t["self"])
    coord.locator("input[name=steps-1-after]").fill("")
    coord.locator("input[name=steps-3-minutes]").fill("20")
    _click(coord, "save-version")
    expect(coord.locator("[data-testid=scope-activities] td[data-late='0']")).to_be_visible()
    shot(coord, f"plans-version-draft-{lang}")

    # 编制人 signs with the password; 审核人 (BCM office); 批准人 (the unit's head).
    _sign(coord, version_url)
    expect(coord.get_by_test_id("version-status")).to_have_text(t["in_review"])
    office = page_for(lang)
    login(office, "manager")
    _sign(office, version_url)
    head = page_for(lang)
    login(head, "head_a")
    _sign(head, version_url)
    expect(head.get_by_test_id("version-status")).to_have_text(t["approved"])
    office.goto(version_url)
    _click(office, "publish")
    expect(office.get_by_test_id("version-status")).to_have_text(t["published"])
    expect(office.get_by_test_id("signatures").locator("tbody tr")).to_have_count(3)
    shot(office, f"plans-version-published-{lang}")

    # The DOCX and PDF download and open, with the plan and its steps.
    with office.expect_download() as word:
        office.get_by_test_id("export-docx").click()
    document = docx.Document(word.value.path())
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for table in document.tables for row in table.rows for c in row.cells]
    assert any("网络中断应急预案（分行）" in x for x in texts)
    assert word.value.suggested_filename.endswith(".docx")
    with office.expect_download() as pdf:
        office.get_by_test_id("export-pdf").click()
    text = "".join(p.extract_text() for p in PdfReader(pdf.value.path()).pages)
    assert "EP-NET2" in text
    office.goto(f"{office.base_url}/plans/{plan.pk}/")
    expect(office.get_by_test_id("readiness-score")).to_be_visible()
    shot(office, f"plans-plan-{lang}")
