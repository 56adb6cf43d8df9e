"""The risk assessment on a browser (issue 10, Done when): the BCM manager records a risk
with its ratings, adds a measure, accepts a risk, runs its scenario, exports the register,
changes the band table (a new matrix version: the risks wait to be re-scored, nothing is
rewritten), follows the heat map, loads the threat catalogue, signs off last year's and this
year's assessments, compares them and prints the risk assessment report (PDF and Word).
Once in Chinese on a desktop, once in English on a phone-sized screen.

Rules: standards.md §6 convention A (5 × 5 = 25 → 重大; 4 × 3 = 12 → 较大) and B.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from docx import Document as WordDocument
from openpyxl import load_workbook
from playwright.sync_api import expect

from resilia.core.context import request_context
from resilia.dependencies import services as deps
from resilia.ops.models import ReportJob
from resilia.ops.tasks import report_job_render
from resilia.org import services as org
from resilia.risk.models import MatrixVersion, Measure, Risk, RiskAssessment
from resilia.risk.tests.conftest import risk_setup  # noqa: F401 (fixture)
from tests.browser.conftest import login
from tests.browser.steps import pick, picked, picker

PHONE = {"width": 390, "height": 844}
TEXT = {
    "zh-hans": {"critical": "重大风险", "accepted": "已接受该风险", "pending": "等待重新评分",
                "signed": "已签批", "report": "风险评估报告"},
    "en": {"critical": "Critical", "accepted": "The risk was accepted", "pending": "re-scored",
           "signed": "Signed off", "report": "Risk assessment report"},
}  # fmt: skip


def _go(page, path):
    page.goto(f"{page.base_url}{path}")


def _click(page, testid):
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


@pytest.mark.parametrize(("lang", "phone"), [("zh-hans", False), ("en", True)])
def test_annual_risk_assessment(page_for, risk_setup, org_tree, lang, phone, shot, tmp_path):  # noqa: F811
    t = TEXT[lang]
    page = page_for(lang)
    if phone:
        page.set_viewport_size(PHONE)
    login(page, "manager")
    with request_context(source="test"):
        org.site_create(actor=None, code="DC-MAIN", name="主数据中心", kind="data_centre")
        for code, name in (("CORE", "核心系统"), ("NET", "骨干网络")):
            deps.resource_create(
                actor=None, code=code, name=name, kind="application", unit=org_tree["dept_a"]
            )

    # A new risk through the form: 5 × 5 = 25 → 重大.
    _go(page, "/risk/")
    _click(page, "list-new")
    page.locator("input[name=code]").fill("R-900")
    page.locator("input[name=title]").fill("主数据中心整体损毁")
    page.locator("select[name=threat]").select_option(str(risk_setup["fire"].pk))
    pick(page, "unit", "DEPT-A")
    page.locator("select[name=inherent_likelihood]").select_option("5")
    page.locator("select[name=inherent_impact]").select_option("5")
    page.locator("select[name=treatment]").select_option("mitigate")
    # The scope, searched by name or code among what the manager may read.
    pick(page, "sites", "主数据", "DC-MAIN")
    pick(page, "resources", "CORE")
    pick(page, "resources", "网络", "NET")
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    risk = Risk.objects.get(code="R-900")
    assert (risk.inherent_score, risk.band) == (25, "critical")
    assert [r.code for r in risk.resources.order_by("code")] == ["CORE", "NET"]
    assert [s.code for s in risk.sites.all()] == ["DC-MAIN"]
    expect(page.get_by_test_id("risk-band")).to_have_text(t["critical"])
    shot(page, f"risk-detail-{lang}")
    # Edited again, the form shows the scope as picked rows; a row removed is saved so.
    _go(page, f"/risk/{risk.pk}/edit/")
    expect(picked(page, "resources")).to_have_count(2)
    chips = page.locator(".picker[data-picker-name='resources'] .picker-chip")
    expect(chips.first).to_contain_text("CORE · 核心系统")
    expect(picker(page, "resources")).to_have_value("")  # the box is free for a new search
    shot(page, f"risk-edit-scope-{lang}")
    chips.filter(has_text="NET").get_by_role("button").click()
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    assert [r.code for r in risk.resources.all()] == ["CORE"]
    assert [s.code for s in risk.sites.all()] == ["DC-MAIN"]

    # A measure with its owner and due date.
    _click(page, "add-measure")
    page.locator("input[name=title]").fill("建设同城双活数据中心")
    pick(page, "owner", risk_setup["dc"].owner.full_name)
    page.locator("input[name=due_date]").fill("2027-06-30")
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    expect(page.get_by_test_id("measures")).to_contain_text("建设同城双活数据中心")
    assert Measure.objects.filter(risk=risk).count() == 1

    # Accept the risk with a reason and an expiry; run its scenario (no site: told so).
    page.locator("textarea[name=reason]").fill("改造周期长，期间接受该风险")
    page.locator("input[name=expires]").fill((dt.date.today() + dt.timedelta(days=90)).isoformat())
    _click(page, "accept")
    expect(page.locator(".alert-success, .alert")).to_contain_text([t["accepted"]])
    assert Risk.objects.get(pk=risk.pk).treatment == "accept"
    _click(page, "run-scenario")
    expect(page.locator("#scenario")).to_be_visible()

    # The register exports what it lists.
    _go(page, "/risk/")
    page.get_by_role("button", name=re.compile("导出|Export")).click()
    with page.expect_download() as xlsx:
        page.get_by_test_id("export-xlsx").click()
    book = load_workbook(io.BytesIO(open(xlsx.value.path(), "rb").read()), read_only=True)
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert "R-900" in cells and "R-001" in cells

    # The heat map counts R-001 in its cell (4, 3) and clicks through to it.
    _go(page, "/risk/heatmap/")
    shot(page, f"risk-heatmap-{lang}")
    _click(page, "cell-inherent-4-3")
    expect(page.locator("table")).to_contain_text("R-001")

    # Last year's assessment, signed off under convention A.
    for code, day in (("RA-2025", "2025-12-01"),):
        _go(page, "/risk/assessments/new/")
        page.locator("input[name=code]").fill(code)
        page.locator("input[name=name]").fill(f"{code} 年度风险评估")
        page.locator("input[name=assessed_on]").fill(day)
        with page.expect_navigation():
            page.locator("form button[type=submit]").last.click()
        _click(page, "sign-off")
        expect(page.get_by_test_id("assessment-status")).to_have_text(t["signed"])

    # The band table changes (convention B): a new version; the risks wait to be re-scored.
    _go(page, "/risk/matrix/")
    _click(page, "matrix-edit")
    # Convention B on the band rows: 一般 4-8, 较大 9-16, 重大 reviewed every 60 days.
    page.locator("input[name=bands-1-max]").fill("8")
    page.locator("input[name=bands-2-min]").fill("9")
    page.locator("input[name=bands-3-review_days]").fill("60")
    _click(page, "matrix-save")
    assert MatrixVersion.objects.count() == 2
    expect(page.get_by_test_id("matrix-pending")).to_contain_text(t["pending"])
    shot(page, f"risk-matrix-{lang}")

    # Re-score R-001 at 3 × 3 = 9: 较大 under B.
    dc = risk_setup["dc"]
    _go(page, f"/risk/{dc.pk}/edit/")
    page.locator("select[name=inherent_likelihood]").select_option("3")
    page.locator("select[name=inherent_impact]").select_option("3")
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    assert Risk.objects.get(pk=dc.pk).band == "major"

    # This year's assessment, compared with last year's, and its report.
    _go(page, "/risk/assessments/new/")
    page.locator("input[name=code]").fill("RA-2026")
    page.locator("input[name=name]").fill("2026年度风险评估")
    page.locator("input[name=assessed_on]").fill("2026-12-01")
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    _click(page, "sign-off")
    this = RiskAssessment.objects.get(code="RA-2026")
    _click(page, "compare")
    expect(page.get_by_test_id("compare-table")).to_contain_text("R-001")
    shot(page, f"risk-compare-{lang}")
    # Last year's row keeps its band under convention A: the assessment never changes.
    assert this.entries.get(code="R-001").inherent_band == "major"
    assert (
        RiskAssessment.objects.get(code="RA-2025").entries.get(code="R-001").inherent_band
        == "major"
    )

    _go(page, this.get_absolute_url())
    _click(page, "report-html")
    expect(page.locator("body")).to_contain_text(t["report"])
    for fmt, testid in (("pdf", "report-pdf"), ("docx", "report-docx")):
        _go(page, this.get_absolute_url())
        _click(page, testid)
        job = ReportJob.objects.filter(fmt=fmt).latest("pk")
        report_job_render.call(job.pk)
        page.reload()
        link = page.locator("[data-testid=report-download]")
        link.wait_for()
        with page.expect_download() as download:
            link.click()
        data = open(download.value.path(), "rb").read()
        if fmt == "pdf":
            assert data[:4] == b"%PDF"
            (tmp_path / f"risk-report-{lang}.pdf").write_bytes(data)
        else:
            text = "\n".join(p.text for p in WordDocument(io.BytesIO(data)).paragraphs)
            assert t["report"] in text

    # The threat catalogue: load the defaults (already there: nothing is added twice).
    _go(page, "/risk/threats/")
    _click(page, "load-catalogue")
    expect(page.locator("table")).to_contain_text("NAT-EQ")
    shot(page, f"risk-threats-{lang}")
