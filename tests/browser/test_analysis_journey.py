"""Browser journey: the BCM manager asks "both data centres fail — what stops, and when?",
picking the sites from the autocomplete, then reads the timeline and the other analyses,
in Chinese and in English."""

from __future__ import annotations

import io

import docx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from resilia.analysis.tests.conftest import (  # noqa: F401 (fixtures)
    bank,
    fresh_graph_cache,
)
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def pick(page, text: str, spec: str) -> None:
    page.locator("#node-search").fill(text)
    page.locator(f"#candidates [data-spec='{spec}']").click()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_answers_a_data_centre_failure_with_a_timeline(page_for, shot, bank, language):  # noqa: F811
    page = page_for(language)
    login(page, "manager")
    page.goto(f"{page.base_url}/analysis/whatif/")
    pick(page, "DC-MAIN", "site:DC-MAIN")
    pick(page, "DC-DR", "site:DC-DR")
    assert page.locator("#selected-nodes [data-spec]").count() == 2
    page.locator("#whatif-form input[name=at]").fill("2026-05-01T09:00")
    with page.expect_navigation():
        page.locator("[data-testid=run-whatif]").click()
    table = page.locator("[data-testid=affected-activities]")
    first = table.locator("tbody tr").first
    assert "PAY" in first.inner_text()
    assert "2026-05-01 10:00" in first.inner_text()  # RTO breached one hour after T0
    assert page.locator("#whatif-timeline canvas").count() == 1
    shot(page, f"analysis-whatif-{language}")
    assert_exports_open(page, "PAY")
    for name, code in (("spof", "CORE"), ("order", "CORE"), ("gaps", "DC1")):
        page.goto(f"{page.base_url}/analysis/{name}/")
        assert code in page.locator(".page-body").inner_text()
        shot(page, f"analysis-{name}-{language}")
        assert_exports_open(page, code)


def assert_exports_open(page, code: str) -> None:
    """Click every export button of the page; each downloads a real file that names `code`."""
    with page.expect_download() as xlsx:
        page.locator("[data-testid=export-xlsx]").click()
    workbook = load_workbook(io.BytesIO(open(xlsx.value.path(), "rb").read()), read_only=True)
    cells = [str(c) for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row]
    assert any(code in cell for cell in cells), xlsx.value.suggested_filename
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    with page.expect_download() as pdf:
        page.locator("[data-testid=export-pdf]").click()
    reader = PdfReader(pdf.value.path())
    assert code in "".join(p.extract_text() for p in reader.pages)
    assert pdf.value.suggested_filename.endswith(".pdf")
    with page.expect_download() as word:
        page.locator("[data-testid=export-docx]").click()
    document = docx.Document(word.value.path())
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for table in document.tables for row in table.rows for c in row.cells]
    assert any(code in text for text in texts), word.value.suggested_filename
    assert word.value.suggested_filename.endswith(".docx")
