"""The files tab, download and delete: access follows the target object, everything audited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resilia.audit.models import AuditEvent
from resilia.evidence.models import Attachment
from resilia.evidence.services import attachment_upload, attachments_delete_for
from resilia.evidence.tests.conftest import pdf_upload, stored_files

HTMX = {"HTTP_HX_REQUEST": "true"}


def files_url(unit):
    return reverse("evidence:object_files", args=["org.unit", unit.pk])


@pytest.fixture
def plan_a(personas, org_tree):
    """A PDF attached to dept A by its coordinator."""
    return attachment_upload(
        actor=personas["coord_a"], target=org_tree["dept_a"], file=pdf_upload("预案A.pdf")
    )


@pytest.fixture
def plan_b(personas, org_tree):
    return attachment_upload(
        actor=personas["coord_b"], target=org_tree["dept_b"], file=pdf_upload("预案B.pdf")
    )


def test_it_lets_a_coordinator_upload_to_their_unit(client_for, org_tree, evidence_dir):
    response = client_for("coord_a").post(
        files_url(org_tree["team_a"]),
        {"file": pdf_upload("备份演练.pdf"), "description": "年度演练记录"},
        **HTMX,
    )
    assert response.status_code == 200
    attachment = Attachment.objects.get()
    assert attachment.target == org_tree["team_a"]
    assert attachment.description == "年度演练记录"
    assert "备份演练.pdf" in response.content.decode()
    assert len(stored_files(evidence_dir)) == 1
    event = AuditEvent.objects.get(action="upload")
    assert event.object_id == str(org_tree["team_a"].pk)
    assert event.actor.username == "coord_a"


def test_it_hides_another_departments_object_from_an_upload(client_for, org_tree, evidence_dir):
    response = client_for("coord_a").post(files_url(org_tree["dept_b"]), {"file": pdf_upload()})
    assert response.status_code == 404
    assert Attachment.objects.count() == 0
    assert stored_files(evidence_dir) == []
    assert not AuditEvent.objects.filter(action="upload").exists()


def test_it_forbids_an_upload_by_a_reader_who_cannot_write_the_object(client_for, org_tree):
    response = client_for("contrib_a").post(files_url(org_tree["dept_a"]), {"file": pdf_upload()})
    assert response.status_code == 403
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize(
    "upload,message",
    [
        (SimpleUploadedFile("tool.exe", b"MZ\x90\x00"), "不接受此类型的文件"),
        (SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 64), "文件内容与其类型"),
        (pdf_upload(size=4096), "文件过大"),
    ],
)
def test_it_refuses_bad_files_with_a_chinese_message(
    client_for, org_tree, evidence_dir, settings, upload, message
):
    settings.EVIDENCE_MAX_BYTES = 2048
    response = client_for("coord_a").post(files_url(org_tree["dept_a"]), {"file": upload}, **HTMX)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Attachment.objects.count() == 0
    assert stored_files(evidence_dir) == []


def test_it_lists_files_to_a_reader_of_the_object_without_the_upload_form(
    client_for, org_tree, plan_a, django_assert_max_num_queries
):
    client = client_for("contrib_a")
    for _ in range(5):
        attachment_upload(actor=None, target=org_tree["dept_a"], file=pdf_upload())
    with django_assert_max_num_queries(12):
        response = client.get(files_url(org_tree["dept_a"]), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "预案A.pdf" in body
    assert "<html" not in body
    assert 'enctype="multipart/form-data"' not in body
    full = client.get(files_url(org_tree["dept_a"]))
    assert "<html" in full.content.decode()


def test_it_serves_a_download_to_a_contributor_of_the_same_department(client_for, plan_a):
    response = client_for("contrib_a").get(reverse("evidence:download", args=[plan_a.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E9%A2%84%E6%A1%88A.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    event = AuditEvent.objects.get(action="download")
    assert event.actor.username == "contrib_a"
    assert event.object_type == "org.unit"
    assert event.changes["sha256"] == plan_a.sha256


def test_it_hides_another_departments_file_from_a_download(client_for, plan_b):
    response = client_for("contrib_a").get(reverse("evidence:download", args=[plan_b.pk]))
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="download").exists()


def test_it_deletes_a_file_and_its_stored_content_after_commit(
    client_for, plan_a, evidence_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("coord_a").post(reverse("evidence:delete", args=[plan_a.pk]), **HTMX)
    assert response.status_code == 200
    assert not Attachment.objects.exists()
    assert stored_files(evidence_dir) == []
    event = AuditEvent.objects.get(action="delete", object_type="org.unit")
    assert event.changes["file"] == ["预案A.pdf", None]


def test_it_refuses_deletion_by_another_department(client_for, plan_a, evidence_dir):
    response = client_for("coord_b").post(reverse("evidence:delete", args=[plan_a.pk]))
    assert response.status_code == 404
    assert Attachment.objects.filter(pk=plan_a.pk).exists()
    assert len(stored_files(evidence_dir)) == 1


def test_it_deletes_every_file_of_a_target_for_the_registers(
    personas, org_tree, plan_a, evidence_dir, django_capture_on_commit_callbacks
):
    attachment_upload(actor=None, target=org_tree["dept_a"], file=pdf_upload())
    with django_capture_on_commit_callbacks(execute=True):
        removed = attachments_delete_for(actor=personas["admin"], target=org_tree["dept_a"])
    assert removed == 2
    assert not Attachment.objects.exists()
    assert stored_files(evidence_dir) == []
    assert AuditEvent.objects.filter(action="delete", object_type="org.unit").count() == 2


@pytest.mark.parametrize(
    "url",
    [
        "/evidence/org.unit/abc/",
        "/evidence/org.unit/-1/",
        "/evidence/org.unit/99999999999999999999999/",
        "/evidence/org.nothing/1/",
        "/evidence/nothing/1/",
        "/evidence/audit.auditevent/1/",
        "/evidence/file/abc/",
        "/evidence/file/999999/",
    ],
)
def test_it_answers_404_to_malformed_or_unknown_addresses(client_for, url):
    assert client_for("admin").get(url).status_code == 404
