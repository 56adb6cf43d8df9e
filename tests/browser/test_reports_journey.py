"""Browser journey: the BCM manager uploads the bank's Word template from the menu, then
exports a long analysis, watches its progress bar fill in as the worker renders it, and
downloads the Word file, built on the template — in Chinese and in English."""

from __future__ import annotations

import io

import docx
import pytest

from resilia.analysis.tests.conftest import (  # noqa: F401 (fixtures)
    bank,
    fresh_graph_cache,
)
from resilia.ops.models import ReportJob
from resilia.ops.tasks import report_job_render
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)
LETTERHEAD = "示例银行 业务连续性管理办公室"


def template_file(tmp_path) -> str:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = LETTERHEAD
    path = tmp_path / "公文模板.docx"
    document.save(path)
    return str(path)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_builds_a_long_report_in_the_worker_on_the_uploaded_template(
    page_for,
    shot,
    bank,  # noqa: F811 (the fixture imported above)
    language,
    settings,
    tmp_path,
    monkeypatch,
):
    from resilia.analysis import views

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(views, "INLINE_ROWS", 1)  # the bank's order is short: make it "long"
    page = page_for(language)
    login(page, "manager")
    page.locator("a[href='/reports/template/']").first.click()
    page.locator("input[type=file]").set_input_files(template_file(tmp_path))
    page.locator("[data-testid=upload-template]").click()
    assert "公文模板.docx" in page.locator("[data-testid=current-template]").inner_text()
    shot(page, f"report-template-{language}")

    page.goto(f"{page.base_url}/analysis/order/")
    page.locator("[data-testid=export-docx]").click()
    page.wait_for_url("**/reports/jobs/*/")
    card = page.locator("[data-testid=report-job]")
    assert card.get_attribute("data-status") == "queued"
    assert page.locator("progress").count() == 1
    shot(page, f"report-job-queued-{language}")

    report_job_render.call(ReportJob.objects.get().pk)  # what the worker does
    download_link = page.locator("[data-testid=report-download]")
    download_link.wait_for()  # the htmx poll swapped the finished card in
    shot(page, f"report-job-ready-{language}")
    with page.expect_download() as word:
        download_link.click()
    document = docx.Document(io.BytesIO(open(word.value.path(), "rb").read()))
    assert document.sections[0].header.paragraphs[0].text == LETTERHEAD
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    assert any("CORE" in text for text in cells)
