"""Browser journey: the BCM manager saves two what-ifs (the main data centre alone, then both
data centres), opens one and follows a row to its activity, changes the model and re-runs the
saved one to see PAY's RTO breach move, compares the two side by side, and deletes one — in
Chinese and in English."""

from __future__ import annotations

import pytest

from resilia.analysis.models import SavedWhatIf
from resilia.analysis.tests.conftest import (  # noqa: F401 (fixtures)
    bank,
    fresh_graph_cache,
)
from resilia.audit.models import AuditEvent
from resilia.dependencies import services as dep
from tests.browser.conftest import login
from tests.browser.test_analysis_journey import pick

pytestmark = pytest.mark.django_db(transaction=True)


def run_and_save(page, sites: list[tuple[str, str]], name: str) -> None:
    page.goto(f"{page.base_url}/analysis/whatif/")
    for text, spec in sites:
        pick(page, text, spec)
    page.locator("#whatif-form input[name=at]").fill("2026-05-01T09:00")
    with page.expect_navigation():
        page.locator("[data-testid=run-whatif]").click()
    page.locator("#save-name").fill(name)
    page.locator("#save-note").fill("年度演练")
    with page.expect_navigation():
        page.locator("[data-testid=save-button]").click()
    assert (
        name in page.locator(".page-body, .page-header").first.inner_text() or name in page.title()
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_save_rerun_compare_and_delete(page_for, shot, bank, language):  # noqa: F811
    page = page_for(language)
    login(page, "manager")
    run_and_save(page, [("DC-MAIN", "site:DC-MAIN")], "主机房失效")
    run_and_save(page, [("DC-MAIN", "site:DC-MAIN"), ("DC-DR", "site:DC-DR")], "两个机房失效")
    both = SavedWhatIf.objects.get(name="两个机房失效")
    assert both.failed == ["site:DC-MAIN", "site:DC-DR"]
    assert (
        AuditEvent.objects.filter(object_type="analysis.savedwhatif", action="create").count() == 2
    )
    # The saved result, each row linked to its activity.
    rows = page.locator("[data-testid=saved-activities] tbody tr")
    assert "PAY" in rows.first.inner_text()
    shot(page, f"analysis-saved-detail-{language}")
    with page.expect_navigation():
        rows.first.locator("[data-testid=node-link]").click()
    assert f"/dependencies/activities/{bank['pay'].pk}/" in page.url
    page.go_back()
    # Re-run on the same model: nothing differs.
    with page.expect_navigation():
        page.locator("[data-testid=rerun]").click()
    assert page.locator("[data-testid=no-changes]").count() == 1
    # The model changes: PAY's RTO goes from 1 h to 2 h; the re-run shows its breach moving.
    dep.activity_update(actor=None, activity=bank["pay"], rto=120)
    page.reload()
    assert page.locator("[data-testid=revision-note]").get_attribute("class").count("alert-warning")
    changed = page.locator("[data-testid=changes] tbody tr")
    assert changed.count() == 1 and "PAY" in changed.first.inner_text()
    shot(page, f"analysis-saved-rerun-{language}")
    # Compare the two side by side from the list.
    page.goto(f"{page.base_url}/analysis/saved/")
    for saved in SavedWhatIf.objects.all():
        page.locator(f"input[name=pick][value='{saved.pk}']").check()
    with page.expect_navigation():
        page.locator("[data-testid=compare-button]").click()
    text = page.locator("[data-testid=changes]").inner_text()
    assert all(code in text for code in ("PAY", "LOAN", "REPORT"))
    shot(page, f"analysis-saved-compare-{language}")
    # Open in the what-if page again, then delete the other one.
    page.goto(f"{page.base_url}{both.get_absolute_url()}")
    with page.expect_navigation():
        page.locator("[data-testid=open-whatif]").click()
    assert page.locator("#selected-nodes [data-spec]").count() == 2
    assert page.locator("#whatif-timeline canvas").count() == 1
    shot(page, f"analysis-whatif-timeline-{language}")
    page.goto(f"{page.base_url}{both.get_absolute_url()}")
    with page.expect_navigation():
        page.locator("[data-testid=delete]").click()
    with page.expect_navigation():
        page.locator("form button.btn-danger").click()
    assert not SavedWhatIf.objects.filter(pk=both.pk).exists()
    assert AuditEvent.objects.filter(object_type="analysis.savedwhatif", action="delete").exists()
    assert "两个机房失效" not in page.locator("[data-testid=saved-list]").inner_text()
