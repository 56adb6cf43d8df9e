"""A hazard promoted to a risk in one step (issue 10 item 6, last clause): the coordinator
opens a 重大隐患 recorded on the network-room round, finds the form pre-filled (网络中断,
4 × 4 for a major hazard), raises the impact and promotes it; the new risk's page says
where it came from and links back; the hazard's page links to its risk and no longer offers
the button. In Chinese and in English."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from resilia.core.context import request_context
from resilia.hazards import services
from resilia.hazards.defaults import templates_seed
from resilia.hazards.models import ChecklistTemplate, Hazard
from resilia.org import services as org
from resilia.risk import services as risk_services
from resilia.risk.models import Risk
from tests.browser.conftest import login

TEXT = {
    "zh-hans": {"from": "源自隐患", "created": "已创建", "threat": "网络中断"},
    "en": {"from": "from hazard", "created": "was created", "threat": "Network outage"},
}


@pytest.fixture
def hazard(personas, org_tree):
    with request_context(source="test"):
        site = org.site_create(actor=None, code="DC-A", name="主数据中心",
                               name_en="Primary data centre", kind="data_centre",
                               unit=org_tree["dept_a"])  # fmt: skip
        templates_seed(actor=personas["manager"])
        risk_services.threat_catalogue_load(actor=personas["manager"])
        round_ = services.round_create(
            actor=personas["manager"], template=ChecklistTemplate.objects.get(code="NETWORK"),
            site=site, inspector=personas["contrib_a"], due_date=timezone.localdate(),
        )  # fmt: skip
        return services.hazard_report(
            actor=personas["contrib_a"], round=round_, item=round_.items.first(),
            grade="major", title="核心交换机单电源运行",
            description="CS-01 的 B 路电源模块故障", location="三层网络机房A排5号机柜",
        )  # fmt: skip


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_coordinator_promotes_a_hazard_to_a_risk(page_for, hazard, shot, lang):
    page = page_for(lang)
    login(page, "coord_a")
    page.goto(f"{page.base_url}{hazard.get_absolute_url()}")
    form = page.get_by_test_id("promote")
    expect(form.locator("select[name=threat] option:checked")).to_contain_text(TEXT[lang]["threat"])
    expect(form.locator("select[name=likelihood]")).to_have_value("4")
    expect(form.locator("select[name=impact]")).to_have_value("4")
    form.locator("select[name=impact]").select_option("5")
    shot(page, f"hazard-promote-form-{lang}")
    with page.expect_navigation():
        page.get_by_test_id("promote-submit").click()
    risk = Risk.objects.get()
    assert page.url.endswith(risk.get_absolute_url())
    assert (risk.inherent_likelihood, risk.inherent_impact, risk.inherent_score) == (4, 5, 20)
    expect(page.locator("body")).to_contain_text(TEXT[lang]["created"])
    source = page.get_by_test_id("source-hazard")
    expect(source).to_contain_text(TEXT[lang]["from"])
    expect(source).to_contain_text(hazard.number)
    shot(page, f"hazard-promote-risk-{lang}")
    with page.expect_navigation():
        source.locator("a").click()
    expect(page.get_by_test_id("promoted-risk")).to_contain_text(risk.code)
    expect(page.get_by_test_id("promote")).to_have_count(0)
    assert Hazard.objects.get().promoted_risk == risk
    with page.expect_navigation():
        page.get_by_test_id("promoted-risk").locator("a").click()
    assert page.url.endswith(risk.get_absolute_url())
