"""Browser journey: the main pages work under the Content-Security-Policy, with no violation
reported (page_for fails a test on any), in Chinese and in English; a violation is noticed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from resilia.analysis.tests.conftest import (  # noqa: F401 (fixtures)
    bank,
    fresh_graph_cache,
)
from tests.browser.conftest import CSP_WATCH, login

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/",
    "/org/units/",
    "/org/people/",
    "/org/teams/",
    "/org/sites/",
    "/dependencies/resources/",
    "/dependencies/activities/",
    "/dependencies/checks/",
    "/analysis/spof/",
    "/analysis/order/",
    "/analysis/gaps/",
    "/audit/",
    "/accounts/users/",
    "/accounts/users/new/",
    "/accounts/profile/",
    "/accounts/security/",
    "/accounts/token/",
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_shows_the_main_pages_without_a_policy_violation(page_for, bank, language):  # noqa: F811
    page = page_for(language)
    page.goto(f"{page.base_url}/accounts/login/")
    login(page, "admin")
    for path in PAGES:
        response = page.goto(f"{page.base_url}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
    # The tree indent, once a style attribute, now comes from resilia.js.
    page.goto(f"{page.base_url}/org/units/")
    indented = page.locator("[data-indent='1']").first
    assert indented.evaluate("el => el.style.paddingLeft") == "1.25rem"
    # Charts: the dependency graph and the what-if timeline, hovered for their tooltips.
    page.goto(f"{page.base_url}/dependencies/graph/")
    expect(page.get_by_test_id("graph-chart")).to_have_attribute("data-state", "ready")
    page.locator("#graph-chart .graph-node").first.hover()
    page.goto(
        f"{page.base_url}/analysis/whatif/?fail=site:DC-MAIN&fail=site:DC-DR"
        "&at=2026-05-01T09:00&run=1"
    )
    expect(page.locator("#whatif-timeline canvas")).to_have_count(1)
    box = page.locator("#whatif-timeline").bounding_box()
    for x in range(40, int(box["width"]), 40):
        page.mouse.move(box["x"] + x, box["y"] + box["height"] / 2)
    # Swagger UI, with its own widened policy.
    page.goto(f"{page.base_url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Resilia API")


def test_it_notices_a_violation(browser, live_server, personas):
    """The watcher of page_for does see what the policy blocks (no false all-clear)."""
    context = browser.new_context()
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    seen = []
    page.on("console", lambda message: seen.append(message.text))
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.injected") is None
    assert any("CSP violation: script-src" in text for text in seen), seen
    context.close()
