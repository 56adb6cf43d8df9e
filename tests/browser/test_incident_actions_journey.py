"""Every other action the incident pages offer, clicked in the browser (the main journey is
test_incident_journey.py): the level refused without a reason then recorded, a role given by
searching a person as you type, a journal entry, the incident updated, a situation report,
the recovery achieved and a corrective action added and ticked off; and anomaly reporting:
the reporting link opened with no account and a report sent, a hotline call logged, one
report dismissed with a reason and one turned into an incident. In Chinese and in English."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from resilia.core.context import request_context
from resilia.dependencies import services as deps
from resilia.incidents import intake
from resilia.incidents.models import AnomalyReport, CorrectiveAction, Incident, Role
from resilia.org import services as org
from tests.browser.conftest import login
from tests.browser.steps import pick, picked

TEXT = {
    "zh-hans": {"why": "请说明定为", "search": "输入以搜索", "closed": "已关闭"},
    "en": {"why": "say why the level should be", "search": "Type to search", "closed": "Closed"},
}


@pytest.fixture
def world(org_tree, people, personas):
    with request_context(source="test"):
        site = org.site_create(actor=None, code="DC-A", name="主数据中心", kind="data_centre")
        act = deps.activity_create(
            actor=None, code="PAY", name="支付清算", name_en="Payments", unit=org_tree["dept_a"],
            rto=60, mtpd=240,
        )  # fmt: skip
        net = deps.resource_create(
            actor=None, code="NET", name="骨干网络", kind="infrastructure", site=site,
            unit=org_tree["dept_a"],
        )  # fmt: skip
        deps.dependency_create(actor=None, dependent=act, dependency=net)
    link = intake.link_create(actor=personas["manager"], label="主数据中心海报", site=site)
    return {"net": net, "link": link, "site": site}


def _go(page, testid):
    with page.expect_navigation():
        page.get_by_test_id(testid).click()


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_every_action_of_the_incident_pages(page_for, world, people, shot, lang):
    text = TEXT[lang]
    # Anyone, with no account, reports through the link shown on the anomaly page.
    page = page_for(lang)
    login(page, "manager")
    page.goto(f"{page.base_url}/incidents/")
    _go(page, "intake-link")
    address = page.get_by_test_id("link-url").first.get_attribute("href")
    expect(page.locator(".qr svg").first).to_be_visible()
    stranger = page_for(lang)
    stranger.goto(address.replace("http://127.0.0.1:8000", stranger.base_url))
    stranger.locator("textarea[name=what]").fill("三层机房空调漏水")
    stranger.locator("input[name=reporter_name]").fill("保安小王")
    _go(stranger, "send-report")
    expect(stranger.get_by_test_id("report-done")).to_be_visible()
    # A second link is created from the page, then switched off: it stops working at once.
    form = page.get_by_test_id("link-form")
    form.locator("input[name=label]").fill("总部大楼海报")
    _go(page, "add-link")
    expect(page.get_by_test_id("link-url")).to_have_count(2)
    second = intake.url(intake.IntakeLink.objects.get(label="总部大楼海报"))
    card = page.get_by_test_id("links").locator(".card", has_text="总部大楼海报")
    with page.expect_navigation():
        card.get_by_test_id("link-switch").click()
    assert not intake.IntakeLink.objects.get(label="总部大楼海报").is_active
    stranger.goto(f"{stranger.base_url}{second}")
    expect(stranger.get_by_test_id("report-error")).to_be_visible()
    page.goto(f"{page.base_url}/incidents/intake/")
    # The duty officer logs a call; one report is dismissed, the other becomes an incident.
    page.goto(f"{page.base_url}/incidents/intake/")
    _go(page, "log-call")
    page.locator("textarea[name=what]").fill("网点来电：转账失败")
    pick(page, "site", "DC-A")
    _go(page, "save-call")
    call = AnomalyReport.objects.get(source="hotline")
    page.locator("textarea[name=reason]").fill("误报，已恢复")
    _go(page, "dismiss")
    assert AnomalyReport.objects.get(pk=call.pk).status == "dismissed"
    page.goto(f"{page.base_url}/incidents/intake/")
    with page.expect_navigation():
        page.get_by_test_id("intake-list").locator("a").first.click()
    _go(page, "open-incident")
    expect(page.get_by_test_id("from-report")).to_be_visible()
    page.locator("select[name=pack]").select_option(
        label=page.locator("select[name=pack] option").filter(has_text="53").first.inner_text()
    )
    # The reported site is proposed; the failed network is searched by its name.
    expect(picked(page, "sites")).to_have_value(str(world["site"].pk))
    pick(page, "resources", "骨干", "NET")
    page.locator("input[name=fact_provinces]").fill("1")
    _go(page, "declare")
    incident = Incident.objects.get()
    assert AnomalyReport.objects.get(source="link").incident == incident

    # The level: refused without a reason, recorded with one.
    form = page.get_by_test_id("level-form")
    form.locator("select[name=level]").select_option("I")
    _go(page, "set-level")
    expect(page.get_by_test_id("level-form")).to_contain_text(text["why"])
    page.get_by_test_id("level-form").locator("textarea[name=reason]").fill("涉及全行支付")
    _go(page, "set-level")
    incident.refresh_from_db()
    assert incident.level == "I" and incident.level_reason == "涉及全行支付"
    # A role, the person found by searching as you type.
    role_form = page.get_by_test_id("role-form")
    role_form.locator("select[name=role]").select_option("commander")
    expect(role_form.get_by_placeholder(text["search"])).to_be_visible()
    pick(role_form, "person", "张", "张伟")
    _go(page, "add-role")
    assert Role.objects.get(incident=incident).person == people["alice"]
    _go(page, "role-remove")
    assert not Role.objects.filter(incident=incident).exists()
    # The journal, then the incident updated.
    page.get_by_test_id("journal-form").locator("textarea[name=text]").fill("切换至备用线路")
    _go(page, "add-entry")
    expect(page.get_by_test_id("journal")).to_contain_text("切换至备用线路")
    with page.expect_navigation():
        page.locator("a.btn-primary[href$='/edit/']").click()
    # The edit form shows what is affected as picked rows, and submits them unchanged.
    expect(picked(page, "resources")).to_have_value(str(world["net"].pk))
    expect(page.locator(".picker[data-picker-name='resources'] .picker-chips")).to_contain_text(
        "NET · 骨干网络"
    )
    shot(page, f"incident-edit-{lang}")
    page.locator("input[name=title]").fill("骨干网络中断（更新）")
    _go(page, "save-incident")
    assert Incident.objects.get().title == "骨干网络中断（更新）"
    assert list(Incident.objects.get().resources.all()) == [world["net"]]
    # A situation report outside the deadlines.
    _go(page, "sitrep")
    _go(page, "file-report")
    expect(page.get_by_test_id("report-body")).to_contain_text("NET")
    page.goto(f"{page.base_url}{incident.get_absolute_url()}")
    # Resolve, review, the recovery achieved, a corrective action done, close.
    for status in ("responding", "resolved"):
        page.get_by_test_id("status-form").locator("select[name=status]").select_option(status)
        _go(page, "set-status")
    _go(page, "write-review")
    page.locator("textarea[name=causes]").fill("光缆被挖断")
    page.locator("textarea[name=lessons]").fill("双路由")
    _go(page, "save-review")
    page.get_by_test_id("achieved-form").locator(f"input[name=rto_{world['net'].pk}]").fill("50")
    _go(page, "save-achieved")
    world["net"].refresh_from_db()
    assert world["net"].recovery_time == 50
    action = page.get_by_test_id("action-form")
    action.locator("input[name=title]").fill("建设第二路由")
    pick(action, "owner", "张", "张伟")
    action.locator("input[name=due_date]").fill("2027-03-31")
    _go(page, "add-action")
    _go(page, "action-done")
    assert CorrectiveAction.objects.get().status == "done"
    _go(page, "close")
    expect(page.get_by_test_id("status")).to_have_text(text["closed"])
    shot(page, f"incident-actions-{lang}")
