"""Evidence files on treatment measures (issue 10 item 3): uploaded through the kit's
evidence storage (type, content and size checked), listed and downloadable on the risk
page, by those who may write the measure; deleted, audited, with the measure."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from resilia.audit.models import AuditEvent
from resilia.evidence.models import Attachment
from resilia.evidence.tests.conftest import evidence_dir, pdf_upload, stored_files  # noqa: F401
from resilia.risk import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def measure(risk_setup, personas, people):
    return services.measure_create(
        actor=personas["manager"], risk=risk_setup["dc"], title="加装气体灭火系统",
        owner=people["alice"], due_date=timezone.localdate() + dt.timedelta(days=30),
    )  # fmt: skip


def _upload_url(measure):
    return reverse("evidence:object_files", args=["risk.measure", measure.pk])


def test_it_attaches_evidence_to_a_measure_shown_on_the_risk_page(measure, client_for):
    client = client_for("coord_a")
    page = client.get(measure.risk.get_absolute_url()).content.decode()
    assert f'data-testid="measure-upload-{measure.pk}"' in page
    response = client.post(_upload_url(measure), {"file": pdf_upload("验收报告.pdf"),
                                                  "description": "消防验收"})  # fmt: skip
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.target == measure and attachment.mime_type == "application/pdf"
    assert AuditEvent.objects.filter(
        action="upload", object_type="risk.measure", object_id=str(measure.pk)
    ).exists()
    page = client.get(measure.risk.get_absolute_url()).content.decode()
    download = reverse("evidence:download", args=[attachment.pk])
    assert "验收报告.pdf" in page and download in page
    # Any reader of the risk downloads it, the download audited.
    got = client_for("auditor").get(download)
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="download", object_type="risk.measure").exists()


def test_the_measure_owner_side_may_upload_a_reader_may_not(measure, client_for):
    # contrib_a is the risk owner's account (李娜): may write the measure.
    assert (
        client_for("contrib_a").post(_upload_url(measure), {"file": pdf_upload()}).status_code
        == 302
    )
    page = client_for("auditor").get(measure.risk.get_absolute_url()).content.decode()
    assert f'data-testid="measure-upload-{measure.pk}"' not in page
    assert (
        client_for("auditor").post(_upload_url(measure), {"file": pdf_upload()}).status_code == 403
    )
    assert (
        client_for("coord_b").post(_upload_url(measure), {"file": pdf_upload()}).status_code == 404
    )
    assert Attachment.objects.count() == 1


def test_a_disguised_or_too_large_file_is_refused(measure, client_for, settings, evidence_dir):  # noqa: F811
    client = client_for("coord_a")
    fake = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(_upload_url(measure), {"file": fake})
    assert response.status_code == 400
    exe = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    assert client.post(_upload_url(measure), {"file": exe}).status_code == 400
    settings.EVIDENCE_MAX_BYTES = 1024
    response = client.post(_upload_url(measure), {"file": pdf_upload(size=4096)})
    assert response.status_code == 400
    assert not Attachment.objects.exists() and stored_files(evidence_dir) == []


def test_deleting_the_measure_deletes_its_evidence(measure, personas, client_for):
    client_for("coord_a").post(_upload_url(measure), {"file": pdf_upload()})
    services.measure_delete(actor=personas["manager"], measure=measure)
    assert not Attachment.objects.exists()
    assert AuditEvent.objects.filter(action="delete", object_type="risk.measure").count() == 2


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_risk_page_queries_do_not_grow_with_files(measure, client_for, personas, people):
    client = client_for("coord_a")
    url = measure.risk.get_absolute_url()
    client.post(_upload_url(measure), {"file": pdf_upload()})
    client.get(url)  # warm the caches
    one = _queries(client, url)
    for _n in range(3):
        client.post(_upload_url(measure), {"file": pdf_upload()})
    other = services.measure_create(
        actor=personas["manager"], risk=measure.risk, title="演练", owner=people["alice"],
        due_date=timezone.localdate() + dt.timedelta(days=9),
    )  # fmt: skip
    client.post(_upload_url(other), {"file": pdf_upload()})
    assert _queries(client, url) == one
