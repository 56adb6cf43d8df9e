"""The offline plan pack on a browser (issue 11 item 7): the BCM manager downloads the pack of
a published plan from its version page; unpacked on disk, it is read in Chromium with every
network request refused — from the contents to the procedures and back — and verify.html,
given the unpacked files and then the zip, computes their SHA-256 and checks the Ed25519
signature, and says the pack is intact in Chinese and English."""

from __future__ import annotations

import zipfile

from playwright.sync_api import expect

from resilia.plans.tests.conftest import plan_setup  # noqa: F401 (fixture)
from resilia.plans.tests.test_pack import key_file, published  # noqa: F401 (fixtures)
from tests.browser.conftest import login


def test_a_holder_reads_the_pack_offline_and_verifies_it(
    page_for,
    browser,
    published,  # noqa: F811 (the fixture imported above)
    tmp_path,
    shot,
):
    web = page_for("zh-hans")
    login(web, "manager")
    web.goto(f"{web.base_url}{published.get_absolute_url()}")
    with web.expect_download() as download:
        web.get_by_test_id("offline-pack").click()
    archive = tmp_path / download.value.suggested_filename
    download.value.save_as(archive)
    unpacked = tmp_path / "pack"
    with zipfile.ZipFile(archive) as z:
        z.extractall(unpacked)

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    asked, errors = [], []

    def offline(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:  # no network: whatever the pages ask for outside the disk is refused
            asked.append(route.request.url)
            route.abort()

    context.route("**/*", offline)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        index = (unpacked / "index.html").as_uri()
        page.goto(index)
        expect(page.locator("header h1")).to_contain_text("网络中断应急预案")
        page.get_by_test_id("nav-procedures.html").click()
        expect(page).to_have_url((unpacked / "procedures.html").as_uri())
        expect(page.locator("table[data-testid^=steps-]").first).to_contain_text("S1")
        shot(page, "pack-procedures-zh")
        page.go_back()
        expect(page).to_have_url(index)

        # The team's wallet card: bank-card width, its leader's mobile on the front.
        page.locator("nav a[href='wallet-ERT-NET.html']").click()
        front = page.get_by_test_id("wallet-front")
        expect(front).to_contain_text("13800000001")
        assert 320 <= front.bounding_box()["width"] <= 330  # 85.6 mm at 96 dpi
        shot(page, "pack-wallet-card")

        page.get_by_test_id("nav-verify.html").click()
        page.get_by_test_id("pack-files").set_input_files(sorted(unpacked.iterdir()))
        verdict = page.get_by_test_id("verdict")
        expect(verdict).to_have_attribute("data-ok", "1")
        expect(verdict).to_contain_text("完好")
        expect(verdict).to_contain_text("Intact")
        shot(page, "pack-verify-intact")
        # The zip as downloaded, read in the browser itself, is intact too.
        page.get_by_test_id("pack-files").set_input_files(archive)
        expect(verdict).to_have_attribute("data-ok", "1")
        # A changed page is named.
        changed = unpacked / "scope.html"
        changed.write_bytes(changed.read_bytes() + b" ")
        page.get_by_test_id("pack-files").set_input_files(sorted(unpacked.iterdir()))
        expect(verdict).to_have_attribute("data-ok", "0")
        expect(page.get_by_test_id("problems")).to_contain_text("scope.html")
        shot(page, "pack-verify-changed")
    finally:
        context.close()
    assert not asked, asked
    assert not errors, errors
