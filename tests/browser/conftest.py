"""Browser journeys: Playwright driving Debian's Chromium against the live test server.

The package's own browser download does not work on these machines, so the tests use
/usr/bin/chromium (or RESILIA_CHROMIUM). Screenshots land in artifacts/screenshots/ for a
person to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# The shared personas and organisation of resilia/conftest.py (tests/ is outside resilia/, so
# its conftest is not collected for these tests; importing the fixtures registers them here).
from resilia.conftest import PASSWORD, org_tree, people, personas  # noqa: F401

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between page actions are plain synchronous code and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# Reports every Content-Security-Policy violation to the console, where page_for collects it:
# Chromium's own report of a violation does not reach Playwright's console events.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""
CHROMIUM = os.environ.get("RESILIA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (installs Debian chromium)")
    from playwright.sync_api import expect, sync_playwright

    # htmx swaps and full page loads on a busy CI machine can take a few seconds.
    expect.set_options(timeout=15000)

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            # Native widgets (file and date inputs) follow the browser's UI language, taken
            # from the environment on Linux, not the page's: most journeys run in Chinese,
            # as the product's users do (Debian's chromium-l10n provides the strings).
            env={**os.environ, "LANGUAGE": "zh_CN", "LANG": "C.UTF-8"},
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page_for(browser, live_server, request):
    """page_for("zh-hans") → a fresh page whose browser prefers that language.

    A JavaScript error, a Content-Security-Policy violation or a missing static asset on any
    page fails the test; when a test
    fails, each of its pages is saved as FAILED-<test>-<n>.png next to the screenshots.
    """
    contexts, pages, problems = [], [], []

    def make(locale: str = "zh-hans"):
        context = browser.new_context(
            locale="zh-CN" if locale == "zh-hans" else "en-US",
            extra_http_headers={"Accept-Language": locale},
            viewport={"width": 1366, "height": 900},
        )
        context.add_init_script(CSP_WATCH)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.base_url = live_server.url
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"{message.text} on {page.url}")
                if "CSP violation" in message.text or "Content Security Policy" in message.text
                else None
            ),
        )
        page.on(
            "response",
            lambda response: (
                problems.append(f"{response.status} {response.url}")
                if "/static/" in response.url and response.status >= 400
                else None
            ),
        )
        pages.append(page)
        return page

    yield make
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for n, page in enumerate(pages, 1):
            if not page.is_closed():
                path = SCREENSHOTS / f"FAILED-{request.node.name}-{n}.png"
                page.screenshot(path=str(path), full_page=True)
    for context in contexts:
        context.close()
    assert not problems, "problems in the browser:\n" + "\n".join(problems)


@pytest.fixture
def shot():
    """shot(page, "name") saves a full-page screenshot as a test artefact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def login(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form and wait for the page that follows."""
    page.goto(f"{page.base_url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("form[action$='/accounts/login/'] button[type=submit]").click()


def logout(page) -> None:
    """Sign out through the user menu (a POST form) and land on the login page."""
    page.locator("[data-bs-toggle=dropdown][href='#']").last.click()
    with page.expect_navigation():
        page.locator("form[action$='/accounts/logout/'] button[type=submit]").click()
