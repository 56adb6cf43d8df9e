"""Report jobs: requested by a user, rendered by the worker with progress, downloadable by
the requester alone, failures shown with a translated reason."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.core.exceptions import PermissionDenied

from resilia.audit.models import AuditEvent
from resilia.core import reports
from resilia.ops import services
from resilia.ops.models import ReportJob
from resilia.ops.tasks import report_job_render

pytestmark = pytest.mark.django_db
SEEN = []


def build(*, user, params):
    if params.get("deny"):
        raise PermissionDenied
    doc = reports.Document(title="业务影响分析报告", classification="内部资料")
    for number in range(int(params.get("sections", ["3"])[0])):
        doc.add(reports.Heading(f"第{number + 1}部分"), reports.Paragraph(user.username))
    return doc


@pytest.fixture(autouse=True)
def builder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    reports.register_builder(
        "test.sample", reports.Builder(build=build, title=lambda p: "样例报告", basename="sample")
    )


def request(client, **params):
    return client.post("/reports/jobs/new/", {"kind": "test.sample", "fmt": "pdf", **params})


def run(job: ReportJob) -> ReportJob:
    report_job_render.call(job.pk)  # what the worker does, here in the test's process
    job.refresh_from_db()
    return job


def test_it_renders_the_report_in_the_worker_for_the_requester_only(client_for, personas):
    coordinator = client_for("coord_a")
    response = request(coordinator, sections="40")
    job = ReportJob.objects.get()
    assert response.url == f"/reports/jobs/{job.pk}/"
    page = coordinator.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in page and "<progress" in page
    assert coordinator.get(f"/reports/jobs/{job.pk}/download/").status_code == 404

    job = run(job)
    assert (job.status, job.progress) == ("done", 100)
    page = coordinator.get(f"/reports/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in page and "/download/" in page
    download = coordinator.get(f"/reports/jobs/{job.pk}/download/")
    content = b"".join(download.streaming_content)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)
    assert "第40部分" in text and "coord_a" in text
    actions = list(
        AuditEvent.objects.filter(object_type="ops.reportjob")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["report_request", "export"]
    # Nobody else sees the job or its file, an administrator included.
    for other in ("admin", "manager", "coord_b", "contrib_a", "auditor", "executive"):
        assert client_for(other).get(f"/reports/jobs/{job.pk}/").status_code == 404
        assert client_for(other).get(f"/reports/jobs/{job.pk}/download/").status_code == 404


def test_it_leaves_a_finished_job_alone_when_its_task_runs_again(client_for):
    request(client_for("manager"))
    job = run(ReportJob.objects.get())
    name = job.file.name
    job = run(job)
    assert job.file.name == name
    assert AuditEvent.objects.filter(action="export").count() == 1


def test_it_reports_progress_as_it_renders(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    job = services.report_job_request(
        actor=personas["manager"], kind="test.sample", fmt="docx", params={"sections": ["60"]}
    )
    with CaptureQueriesContext(connection) as queries:
        run(job)
    updates = [q["sql"] for q in queries if "UPDATE" in q["sql"] and "progress" in q["sql"]]
    assert 5 <= len(updates) <= 25  # every 5 %, not once per block nor only at the end


def test_it_shows_why_a_job_failed_in_the_requesters_language(client_for, settings):
    client = client_for("coord_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    request(client, deny="1")
    job = run(ReportJob.objects.get())
    assert (job.status, job.reason) == ("failed", "forbidden")
    page = client.get(f"/reports/jobs/{job.pk}/").content.decode()
    assert "您已无权查看此报告涉及的内容" in page
    assert client.get(f"/reports/jobs/{job.pk}/download/").status_code == 404
    assert AuditEvent.objects.filter(action="report_failed").count() == 1


def test_it_refuses_an_unknown_kind_or_format(client_for):
    client = client_for("manager")
    assert client.post("/reports/jobs/new/", {"kind": "nope", "fmt": "pdf"}).status_code == 404
    assert request(client, fmt="exe").status_code == 404
    assert not ReportJob.objects.exists()


def test_it_deletes_report_files_a_week_after_they_were_made(
    personas, django_capture_on_commit_callbacks
):
    import datetime as dt
    import os

    from django.utils import timezone

    from resilia.ops.services import report_jobs_prune

    manager = personas["manager"]
    job = run(services.report_job_request(actor=manager, kind="test.sample", fmt="pdf"))
    assert report_jobs_prune(min_age_days=7) == 0
    ReportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(days=8))
    fresh = run(services.report_job_request(actor=manager, kind="test.sample", fmt="pdf"))
    with django_capture_on_commit_callbacks(execute=True):
        assert report_jobs_prune(min_age_days=7) == 1
    assert list(ReportJob.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not os.path.exists(job.file.path) and os.path.exists(fresh.file.path)
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.changes["pruned"]) == ("delete", 1)
