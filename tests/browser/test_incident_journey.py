"""The worst day in the browser (issue 13, Done when): the BCM manager declares a data-centre
incident under the banking 53号 pack, sees the affected activity's clock and the 30-minute
deadline, activates the plan the page proposes, works its task board on a phone, files the
30-minute report (drafted from the incident) and opens it as Word and PDF, then resolves the
incident, writes the review and closes it. In Chinese and in English."""

from __future__ import annotations

import io

import pypdf
import pytest
from docx import Document as Docx
from playwright.sync_api import expect

from resilia.core.context import request_context
from resilia.dependencies import services as deps
from resilia.incidents.models import Incident, Report, Task
from resilia.org import services as org
from resilia.plans.tests.conftest import plan_setup, sign_off  # noqa: F401
from tests.browser.conftest import login
from tests.browser.steps import pick

PHONE = {"width": 390, "height": 844}
TEXT = {
    "zh-hans": {"started": "进行中", "done": "已完成", "closed": "已关闭", "level": "较大突发事件"},
    "en": {"started": "In progress", "done": "Done", "closed": "Closed", "level": "Grade III"},
}


@pytest.fixture
def world(plan_setup, personas):  # noqa: F811  (the imported fixture)
    with request_context(source="test"):
        site = org.site_create(actor=None, code="DC-A", name="主数据中心", kind="data_centre")
        net = deps.resource_create(
            actor=None, code="NET", name="骨干网络", kind="infrastructure", site=site,
            recovery_time=120,
        )  # fmt: skip
        deps.dependency_create(actor=None, dependent=plan_setup["pay"], dependency=net)
    return {"version": sign_off(plan_setup, personas)}


def _go(page, testid):
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


def _download(page, testid):
    with page.expect_download() as info:
        page.get_by_test_id(testid).click()
    return open(info.value.path(), "rb").read()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_declare_activate_work_report_and_close(page_for, world, shot, lang):
    text = TEXT[lang]
    page = page_for(lang)
    login(page, "manager")
    page.goto(f"{page.base_url}/incidents/")
    _go(page, "list-new")
    page.locator("input[name=title]").fill("主数据中心网络中断")
    page.locator("select[name=category]").select_option("facility")
    pick(page, "sites", "主数据", "DC-A")  # searched by name, shown with its code
    page.locator("input[name=fact_provinces]").fill("1")
    # The detection time: 40 minutes ago, so the clock has run and the level is reached.
    page.locator("input[name=detected_at]").evaluate(
        "el => { const d = new Date(Date.now() - 40 * 60000); d.setSeconds(0, 0);"
        " const p = n => String(n).padStart(2, '0');"
        " el.value = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T"
        "${p(d.getHours())}:${p(d.getMinutes())}`; }"
    )
    _go(page, "declare")
    incident = Incident.objects.get()
    expect(page.get_by_test_id("level")).to_contain_text(text["level"])
    row = page.locator("[data-testid=clock-row][data-code=PAY]")
    expect(row).to_have_attribute("data-state", "warning")  # RTO 1 h, 40 min down
    expect(page.get_by_test_id("deadline-initial-1")).to_be_visible()
    shot(page, f"incident-declared-{lang}")
    # The plan the page proposes for what failed.
    page.locator("[data-testid=proposed-plans] input[name=notify]").uncheck()
    _go(page, "activate-EP-NET")
    assert page.url.endswith(f"/incidents/{incident.pk}/board/")

    # The task board on a phone.
    phone = page_for(lang)
    phone.set_viewport_size(PHONE)
    login(phone, "manager")
    phone.goto(f"{phone.base_url}/incidents/{incident.pk}/board/")
    first = phone.get_by_test_id("task").first
    first.get_by_test_id("task-start").click()
    expect(phone.get_by_test_id("task").first.get_by_test_id("task-state")).to_have_text(
        text["started"]
    )
    phone.get_by_test_id("task").first.get_by_test_id("task-done").click()
    expect(phone.get_by_test_id("task").first.get_by_test_id("task-state")).to_have_text(
        text["done"]
    )
    task = Task.objects.filter(activation__incident=incident).order_by("position").first()
    assert task.state == "done" and task.finished_at >= task.started_at
    second = phone.get_by_test_id("task").nth(1)
    second.get_by_test_id("task-skip").click()
    expect(phone.get_by_test_id("task").nth(1)).to_have_attribute("data-state", "skipped")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, f"incident-board-{lang}")
    _go(phone, "back-to-incident")

    # The 30-minute initial report, drafted from the incident, filed and opened.
    page.goto(f"{page.base_url}{incident.get_absolute_url()}")
    _go(page, "file-initial-1")
    body = page.locator("textarea[name=body]")
    expect(body).to_contain_text("DC-A")
    body.fill(body.input_value() + "\n已启动网络中断应急预案。")
    _go(page, "file-report")
    report = Report.objects.get()
    assert report.deadline.code == "initial" and report.late  # detected 40 min ago
    docx = Docx(io.BytesIO(_download(page, "report-docx")))
    assert any("已启动网络中断应急预案" in p.text for p in docx.paragraphs)
    pdf = pypdf.PdfReader(io.BytesIO(_download(page, "report-pdf")))
    assert "已启动网络中断应急预案" in "".join(p.extract_text() for p in pdf.pages)
    shot(page, f"incident-report-{lang}")

    # Resolve, review, close.
    page.goto(f"{page.base_url}{incident.get_absolute_url()}")
    for status in ("recovering", "resolved"):
        page.get_by_test_id("status-form").locator("select[name=status]").select_option(status)
        _go(page, "set-status")
    _go(page, "write-review")
    page.locator("textarea[name=causes]").fill("骨干网络核心交换机故障")
    page.locator("textarea[name=lessons]").fill("增加第二路由")
    _go(page, "save-review")
    expect(page.get_by_test_id("review")).to_be_visible()
    _go(page, "close")
    expect(page.get_by_test_id("status")).to_have_text(text["closed"])
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.review.timeline
    shot(page, f"incident-closed-{lang}")
