"""Browser journey: the BCM manager reads the priorities with their findings, the rule packs
and the alternate work area chart, in Chinese and in English, under the CSP."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from resilia.bia import services as bia
from resilia.bia.models import Assessment
from resilia.bia.tests.conftest import bia_setup  # noqa: F401 (fixture)
from resilia.bia.tests.test_priorities_sites import prioritised  # noqa: F401 (fixture)
from resilia.core.context import request_context
from resilia.org import services as org
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_manager_reads_priorities_rules_and_sites(
    page_for,
    shot,
    prioritised,  # noqa: F811
    personas,
    language,
):
    with request_context(source="test"):
        site = org.site_create(
            actor=None, code="ALT1", name="备用办公场所", kind="alternate", seat_capacity=20
        )
        bia.campaign_launch(actor=personas["manager"], campaign=prioritised["campaign"])
    Assessment.objects.update(
        status="approved", approved_at=timezone.now(), alternate_site=site,
        resources=[{"kind": "seats", "description": "", "quantities": [12, 12, 15, 15, 15]}],
    )  # fmt: skip
    page = page_for(language)
    login(page, "manager")
    page.goto(f"{page.base_url}/bia/priorities/")
    expect(page.locator("[data-testid=priority-PAY] [data-testid=late]")).to_be_visible()
    shot(page, f"bia-priorities-{language}")
    page.goto(f"{page.base_url}/bia/rules/")
    expect(page.locator("[data-testid=pack-cn-bank-104]")).to_be_visible()
    shot(page, f"bia-rules-{language}")
    page.goto(f"{page.base_url}/bia/sites/")
    expect(page.locator("#site-chart canvas")).to_have_count(1)
    expect(page.locator("[data-testid=short-7]")).to_have_text("10")
    shot(page, f"bia-sites-{language}")
