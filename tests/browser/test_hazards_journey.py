"""隐患排查治理 on a phone (issue 10 item 6, Done when): the inspector records a round at the
data centre, marks a failed check, records a 重大隐患 with a photo and completes the round; the
coordinator is refused an order without a deadline, then issues it with its five items
(五落实); the responsible person (the inspector) reports the fix with a photo; the coordinator
verifies it and the hazard is closed. The registers export to XLSX and the ledger opens as
Word and PDF. At 390×844, in Chinese and in English.

Every action of the hazard page is clicked: the coordinator edits the hazard and adds a PNG
photo; the first fix is rejected (the hazard reopens for rectification), the order is revised
with a new deadline, the fix is reported again and accepted."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from django.utils import timezone, translation
from docx import Document as Docx
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import expect

from resilia.audit.models import AuditEvent
from resilia.core.context import request_context
from resilia.hazards import services
from resilia.hazards.defaults import templates_seed
from resilia.hazards.models import (
    ChecklistTemplate,
    Frequency,
    Hazard,
    HazardStatus,
    RoundStatus,
    Schedule,
    Verification,
)
from resilia.org import services as org
from tests.browser.conftest import login
from tests.browser.steps import pick

PHONE = {"width": 390, "height": 844}
TEXT = {
    "zh-hans": {"closed": "已销号", "no_deadline": "请设定整改期限", "rectifying": "整改中",
                "accept": "验收合格", "major": "重大隐患"},
    "en": {"closed": "Closed", "no_deadline": "Set the rectification deadline.",
           "rectifying": "Being rectified", "accept": "Fix accepted", "major": "Major hazard"},
}  # fmt: skip


@pytest.fixture
def world(personas, org_tree):
    with request_context(source="test"):
        site = org.site_create(actor=None, code="DC-A", name="主数据中心",
                               name_en="Primary data centre", kind="data_centre",
                               unit=org_tree["dept_a"])  # fmt: skip
        templates_seed(actor=personas["manager"])
        round_ = services.round_create(
            actor=personas["manager"], template=ChecklistTemplate.objects.get(code="NETWORK"),
            site=site, inspector=personas["contrib_a"], due_date=timezone.localdate(),
        )  # fmt: skip
    return {"round": round_}


@pytest.fixture
def evidence_store(settings, tmp_path):
    location = tmp_path / "evidence"
    location.mkdir()
    settings.STORAGES = {**settings.STORAGES, "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(location), "base_url": None}}}  # fmt: skip


def _jpeg(tmp_path, name, colour):
    path = tmp_path / name
    Image.new("RGB", (320, 240), colour).save(path, format="JPEG")
    return path


def _png(tmp_path, name, colour):
    path = tmp_path / name
    Image.new("RGB", (240, 180), colour).save(path, format="PNG")
    return path


def _audited(action, obj) -> bool:
    label = f"{obj._meta.app_label}.{obj._meta.model_name}"
    return AuditEvent.objects.filter(
        action=action, object_type=label, object_id=str(obj.pk)
    ).exists()


def _phone(page_for, lang, username):
    page = page_for(lang)
    page.set_viewport_size(PHONE)
    login(page, username)
    return page


def _go(page, testid):
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_loop_on_a_phone(page_for, world, evidence_store, tmp_path, shot, lang):
    text = TEXT[lang]
    round_ = world["round"]
    # The inspector: today's round from the overview, the checklist, a failed check.
    inspector = _phone(page_for, lang, "contrib_a")
    inspector.goto(f"{inspector.base_url}/hazards/")
    with inspector.expect_navigation():
        inspector.get_by_test_id("my-rounds").locator("a").first.click()
    items = list(round_.items.all())
    for item in items:
        value = "fail" if item.position == 1 else "pass"
        inspector.locator(f"label[for='r{item.pk}-{value}']").click()
    inspector.locator(f"input[name='remark_{items[0].pk}']").fill("B路电源模块告警")
    _go(inspector, "save-answers")
    assert inspector.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(inspector, f"hazards-round-{lang}")
    _go(inspector, "hazard-for-1")
    inspector.locator("input[name=grade][value=major]").check()
    inspector.locator("input[name=title]").fill("核心交换机单电源运行")
    inspector.locator("textarea[name=description]").fill("CS-01 的 B 路电源模块故障")
    inspector.locator("input[name=location]").fill("三层网络机房A排5号机柜")
    inspector.locator("input[name=photos]").set_input_files(
        str(_jpeg(tmp_path, "现场.jpg", (200, 40, 40)))
    )
    shot(inspector, f"hazards-record-{lang}")
    _go(inspector, "save-hazard")
    expect(inspector.get_by_test_id("round-hazards")).to_contain_text("核心交换机单电源运行")
    _go(inspector, "complete-round")
    expect(inspector.get_by_test_id("round-status")).not_to_have_text("")
    round_.refresh_from_db()
    assert round_.status == RoundStatus.COMPLETED
    hazard = Hazard.objects.get()

    # The coordinator: the major-hazards page, the order refused without a deadline, issued.
    coord = _phone(page_for, lang, "coord_a")
    coord.goto(f"{coord.base_url}/hazards/major/")
    with coord.expect_navigation():
        coord.get_by_role("link", name=hazard.number).click()
    expect(coord.get_by_test_id("hazard-photos").locator("img")).to_have_count(1)
    form = coord.get_by_test_id("issue")
    form.locator("select[name=responsible]").select_option(label="李娜")
    form.locator("textarea[name=measures]").fill("联系厂商更换B路电源模块,做双电源切换测试")
    form.locator("input[name=funding_amount]").fill("26000")
    form.locator("input[name=funding_source]").fill("信息科技部专项维修资金")
    form.locator("textarea[name=contingency]").fill("启用网络中断应急预案,CS-02 热备")
    _go(coord, "issue-submit")
    expect(coord.get_by_test_id("field-error-deadline")).to_contain_text(text["no_deadline"])
    deadline = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    coord.get_by_test_id("issue").locator("input[name=deadline]").fill(deadline)
    _go(coord, "issue-submit")
    expect(coord.get_by_test_id("hazard-status")).to_have_text(text["rectifying"])
    shot(coord, f"hazards-order-{lang}")

    # The coordinator corrects the hazard's location and adds a PNG photo from the page.
    with coord.expect_navigation():
        coord.locator("a.btn-primary[href$='/edit/']").click()
    coord.locator("input[name=location]").fill("三层网络机房A排6号机柜")
    with coord.expect_navigation():
        coord.locator("form.card button[type=submit]").click()
    expect(coord.locator("#tab-overview")).to_contain_text("三层网络机房A排6号机柜")
    hazard.refresh_from_db()
    assert hazard.location == "三层网络机房A排6号机柜" and _audited("update", hazard)
    coord.locator("form[action$='/photos/'] input[name=photos]").set_input_files(
        str(_png(tmp_path, "机柜标签.png", (30, 60, 200)))
    )
    _go(coord, "add-photos")
    photos = coord.get_by_test_id("hazard-photos")
    expect(photos.locator("img")).to_have_count(2)
    expect(photos.locator("img[alt='机柜标签.png']")).to_be_visible()
    src = photos.locator("img[alt='机柜标签.png']").get_attribute("src")
    shown = coord.request.get(f"{coord.base_url}{src}")
    assert shown.ok and shown.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(shown.body())).size == (240, 180)
    uploads = AuditEvent.objects.filter(action="upload", object_id=str(hazard.pk))
    assert uploads.count() == 2  # the inspector's photo and the coordinator's

    # The responsible person reports the fix with a photo.
    inspector.goto(f"{inspector.base_url}{hazard.get_absolute_url()}")
    fix = inspector.get_by_test_id("fix")
    fix.locator("textarea[name=note]").fill("已更换电源模块,双电源切换测试正常")
    fix.locator("input[name=photos]").set_input_files(
        str(_jpeg(tmp_path, "整改后.jpg", (40, 160, 80)))
    )
    _go(inspector, "fix-submit")
    expect(inspector.get_by_test_id("fix-photos").locator("img")).to_have_count(1)
    expect(inspector.get_by_test_id("verify")).to_have_count(0)  # not their own sign-off

    # The coordinator rejects the first fix: the hazard reopens for rectification, and the
    # order is revised with a new deadline (GB/T 30146 §10.1: the nonconformity is corrected
    # and the correction checked before it is closed).
    coord.reload()
    verify = coord.get_by_test_id("verify")
    verify.locator("input[name=passed][value='0']").check()
    verify.locator("textarea[name=note]").fill("B路电源仍有告警,切换测试未通过")
    _go(coord, "verify-submit")
    expect(coord.get_by_test_id("hazard-status")).to_have_text(text["rectifying"])
    expect(coord.get_by_test_id("verifications")).to_contain_text("切换测试未通过")
    expect(coord.get_by_test_id("verifications").locator(".bg-red")).to_have_count(1)
    hazard.refresh_from_db()
    rejection = Verification.objects.get(hazard=hazard)
    assert hazard.status == HazardStatus.RECTIFYING and not rejection.passed
    assert hazard.rectification.completed_at is None and _audited("rectify_reject", rejection)
    revised = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    coord.get_by_test_id("issue").locator("input[name=deadline]").fill(revised)
    _go(coord, "issue-submit")
    expect(coord.get_by_test_id("order")).to_contain_text(revised)
    rect = Hazard.objects.get().rectification
    assert rect.deadline.isoformat() == revised and _audited("update", rect)
    assert rect.measures.startswith("联系厂商")  # the other four items kept
    shot(coord, f"hazards-revised-{lang}")

    # The responsible person reports the second fix.
    inspector.reload()
    fix = inspector.get_by_test_id("fix")
    fix.locator("textarea[name=note]").fill("更换电源背板后复测,双电源切换正常")
    _go(inspector, "fix-submit")
    assert Hazard.objects.get().status == HazardStatus.VERIFYING

    # The coordinator verifies and the hazard is closed.
    coord.reload()
    verify = coord.get_by_test_id("verify")
    verify.locator("input[name=passed][value='1']").check()
    verify.locator("textarea[name=note]").fill("现场复查合格,同意销号")
    _go(coord, "verify-submit")
    expect(coord.get_by_test_id("hazard-status")).to_have_text(text["closed"])
    expect(coord.get_by_test_id("verifications")).to_be_visible()
    shot(coord, f"hazards-closed-{lang}")
    assert Hazard.objects.get().status == HazardStatus.CLOSED
    assert list(Verification.objects.order_by("verified_at").values_list("passed", flat=True)) == [
        False,
        True,
    ]

    # The registers and the ledger, downloaded and opened.
    coord.goto(f"{coord.base_url}/hazards/list/")
    coord.locator("button.dropdown-toggle", has=coord.locator(".ti-download")).click()
    with coord.expect_download() as sheet:
        coord.get_by_test_id("export-xlsx").click()
    book = load_workbook(io.BytesIO(open(sheet.value.path(), "rb").read()))
    assert hazard.number in [c.value for row in book.active.iter_rows() for c in row]
    with coord.expect_download() as word:
        coord.get_by_test_id("ledger-docx").click()
    cells = [c.text for t in Docx(word.value.path()).tables for r in t.rows for c in r.cells]
    assert hazard.number in cells and "26,000.00" in cells
    with coord.expect_download() as pdf:
        coord.get_by_test_id("ledger-pdf").click()
    reader = pypdf.PdfReader(pdf.value.path())
    assert hazard.number in "".join(p.extract_text() for p in reader.pages).replace("\n", "")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_office_plans_inspections(page_for, personas, org_tree, shot, lang):
    """The BCM office loads the standard checklists, edits one (its version rises), writes a
    new one, schedules a weekly round and moves it to monthly, and plans one by hand; the
    rounds register exports."""
    with request_context(source="test"):
        org.site_create(actor=None, code="DC-A", name="主数据中心", name_en="Primary data centre",
                        kind="data_centre", unit=org_tree["dept_a"])  # fmt: skip
    office = page_for(lang)
    login(office, "manager")
    office.goto(f"{office.base_url}/hazards/templates/")
    _go(office, "templates-load")
    assert ChecklistTemplate.objects.count() == 4
    with office.expect_navigation():
        office.get_by_role("link", name="HVAC").click()
    with office.expect_navigation():
        office.locator("a.btn-primary[href$='/edit/']").click()
    items = office.locator("textarea[name=items]")
    items.fill(items.input_value() + "\n电池间氢气浓度检测 | Hydrogen level in the battery room")
    with office.expect_navigation():
        office.locator("form.card button[type=submit]").click()
    expect(office.get_by_test_id("template-version")).to_have_text("2")
    office.goto(f"{office.base_url}/hazards/templates/")
    _go(office, "list-new")
    office.locator("input[name=code]").fill("UPS")
    office.locator("input[name=name]").fill("UPS 电源室巡检")
    office.locator("input[name=name_en]").fill("UPS room inspection")
    office.locator("select[name=kind]").select_option("power")
    office.locator("textarea[name=items]").fill(
        "UPS 输出负载率低于 80% | UPS load below 80%\n电池组无鼓包漏液 | Batteries not swollen"
    )
    with office.expect_navigation():
        office.locator("form.card button[type=submit]").click()
    expect(office.get_by_test_id("template-version")).to_have_text("1")
    expect(office.get_by_test_id("template-items").locator("li")).to_have_count(2)
    ups = ChecklistTemplate.objects.get(code="UPS")
    assert ups.name_en == "UPS room inspection" and ups.items.count() == 2
    assert _audited("create", ups)
    office.goto(f"{office.base_url}/hazards/schedules/")
    _go(office, "list-new")
    pk = {c: str(ChecklistTemplate.objects.get(code=c).pk) for c in ("NETWORK", "HVAC")}
    inspector = str(personas["contrib_a"].pk)
    office.locator("select[name=template]").select_option(pk["NETWORK"])
    pick(office, "site", "DC-A")
    office.locator("select[name=frequency]").select_option("weekly")
    office.locator("select[name=inspector]").select_option(inspector)
    office.locator("input[name=next_due]").fill(timezone.localdate().isoformat())
    with office.expect_navigation():
        office.locator("form.card button[type=submit]").click()
    expect(office.locator("#list-results")).to_contain_text("contrib_a")
    with office.expect_navigation():
        office.locator("#list-results a[href$='/edit/']").click()
    office.locator("select[name=frequency]").select_option("monthly")
    with office.expect_navigation():
        office.locator("form.card button[type=submit]").click()
    with translation.override(lang):
        monthly = str(Frequency.MONTHLY.label)
    expect(office.locator("#list-results")).to_contain_text(monthly)
    schedule = Schedule.objects.get()
    assert schedule.frequency == Frequency.MONTHLY and _audited("update", schedule)
    office.goto(f"{office.base_url}/hazards/rounds/")
    _go(office, "list-new")
    office.locator("select[name=template]").select_option(pk["HVAC"])
    pick(office, "site", "DC-A")
    office.locator("select[name=inspector]").select_option(inspector)
    office.locator("input[name=due_date]").fill(timezone.localdate().isoformat())
    with office.expect_navigation():
        office.locator("form.card button[type=submit]").click()
    expect(office.get_by_test_id("check-7")).to_contain_text(
        "氢气" if lang == "zh-hans" else "Hydrogen"
    )
    shot(office, f"hazards-planned-{lang}")
    office.goto(f"{office.base_url}/hazards/rounds/")
    office.locator("button.dropdown-toggle", has=office.locator(".ti-download")).click()
    with office.expect_download() as sheet:
        office.get_by_test_id("export-xlsx").click()
    book = load_workbook(io.BytesIO(open(sheet.value.path(), "rb").read()))
    assert book.active.max_row == 2  # the header and the planned round
