"""The rectification ledger over MAX_ROWS hazards is a report job (resilia.ops): the pages
offer the job, the worker renders it with the register's filters and what the requester may
read, and the requester downloads it; up to MAX_ROWS it stays immediate."""

import io

import pytest
from django.urls import reverse
from docx import Document as Docx

from resilia.hazards import ledger, services
from resilia.ops.models import ReportJob
from resilia.ops.tasks import report_job_render

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(hz, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path  # the job's file
    monkeypatch.setattr(ledger, "MAX_ROWS", 1)  # two hazards make a "large" ledger
    made = [
        services.hazard_report(
            actor=hz["inspector"],
            round=hz["round"],
            grade=grade,
            title=title,
            description="现场检查发现",
            location="机房",
        )  # fmt: skip
        for grade, title in (("general", "线缆标签脱落"), ("major", "UPS旁路运行"))
    ]
    return made


def _cells(content: bytes) -> str:
    doc = Docx(io.BytesIO(content))
    return "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)


def test_the_register_offers_the_job_over_the_limit(two, client_for):
    client = client_for("manager")
    page = client.get(reverse("hazards:hazard_list")).content.decode()
    assert 'data-testid="ledger-job-docx"' in page and 'value="hazards.ledger"' in page
    assert 'data-testid="ledger-docx"' not in page
    # A filtered register under the limit keeps the immediate ledger.
    page = client.get(reverse("hazards:hazard_list") + "?grade=major").content.decode()
    assert 'data-testid="ledger-docx"' in page and 'data-testid="ledger-job-docx"' not in page
    assert client.get(reverse("hazards:ledger", args=["docx"]) + "?grade=major")[
        "Content-Type"
    ].startswith("application/vnd.openxmlformats")


def test_the_immediate_url_over_the_limit_offers_the_job(two, client_for):
    response = client_for("manager").get(reverse("hazards:ledger", args=["pdf"]) + "?q=&page=2")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="ledger-too-large"' in body and 'data-testid="ledger-job-pdf"' in body
    assert 'name="page"' not in body  # only the register's filters travel with the job


def test_the_job_renders_the_filtered_ledger_for_the_requester(two, client_for):
    general, major = two
    client = client_for("manager")
    response = client.post(
        reverse("ops:report_job_request"),
        {"kind": "hazards.ledger", "fmt": "docx", "grade": "major"},
    )
    job = ReportJob.objects.get()
    assert response.url == reverse("ops:report_job", args=[job.pk])
    report_job_render.call(job.pk)  # what the worker does
    job.refresh_from_db()
    assert job.status == "done" and job.file.name.rsplit("/", 1)[-1].startswith("hazard-ledger")
    download = client.get(reverse("ops:report_job_download", args=[job.pk]))
    text = _cells(b"".join(download.streaming_content))
    assert major.number in text and general.number not in text


def test_the_job_shows_only_what_the_requester_may_read(two, client_for):
    client = client_for("coord_b")
    client.post(reverse("ops:report_job_request"), {"kind": "hazards.ledger", "fmt": "docx"})
    job = ReportJob.objects.get()
    report_job_render.call(job.pk)
    job.refresh_from_db()
    text = _cells(job.file.read())
    assert all(h.number not in text for h in two)


def test_a_job_with_a_bad_filter_fails_with_a_reason(two, client_for):
    client = client_for("manager")
    client.post(
        reverse("ops:report_job_request"), {"kind": "hazards.ledger", "fmt": "pdf", "grade": "x"}
    )
    job = ReportJob.objects.get()
    report_job_render.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.reason) == ("failed", ReportJob.Reason.INVALID)
