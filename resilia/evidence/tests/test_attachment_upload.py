"""Uploading evidence: allowed, sized, content-checked files only; audited on the target."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from resilia.audit.models import AuditEvent
from resilia.evidence.models import Attachment
from resilia.evidence.services import attachment_upload
from resilia.evidence.tests.conftest import docx_upload, pdf_upload, stored_files
from resilia.evidence.validation import sanitise_name


def test_it_stores_a_pdf_under_a_generated_name_and_audits_it_on_the_target(
    personas, org_tree, evidence_dir
):
    unit = org_tree["dept_a"]
    upload = pdf_upload("../../etc/应急预案.pdf")
    body = upload.read()
    upload.seek(0)
    attachment = attachment_upload(
        actor=personas["coord_a"], target=unit, file=upload, description="2026 年度"
    )
    assert attachment.original_name == "应急预案.pdf"
    assert attachment.stored_name.endswith(".pdf")
    assert "应急预案" not in attachment.stored_name
    assert attachment.stored_name.count("/") == 2  # yyyy/mm/<uuid>.pdf
    assert attachment.sha256 == hashlib.sha256(body).hexdigest()
    assert attachment.mime_type == "application/pdf"
    assert attachment.size == len(body)
    assert attachment.target == unit
    [path] = stored_files(evidence_dir)
    assert path.read_bytes() == body
    event = AuditEvent.objects.filter(action="upload").get()
    assert (event.object_type, event.object_id) == ("org.unit", str(unit.pk))
    assert event.actor == personas["coord_a"]
    assert event.changes["file"] == [None, "应急预案.pdf"]
    assert event.changes["sha256"] == [None, attachment.sha256]


def test_it_accepts_office_documents_text_and_images(personas, org_tree):
    unit = org_tree["dept_a"]
    files = [
        docx_upload(),
        SimpleUploadedFile("联系人.csv", "姓名,电话\n张伟,13800000001\n".encode("gb18030")),
        SimpleUploadedFile("说明.txt", "恢复时间目标 4 小时".encode()),
        SimpleUploadedFile("机房.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),
        SimpleUploadedFile("机房.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 32),
    ]
    for upload in files:
        attachment_upload(actor=personas["admin"], target=unit, file=upload)
    assert Attachment.objects.count() == len(files)
    assert set(Attachment.objects.values_list("mime_type", flat=True)) >= {
        "text/csv",
        "image/jpeg",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }


@pytest.mark.parametrize(
    "upload,code",
    [
        (SimpleUploadedFile("tool.exe", b"MZ\x90\x00" + b"\x00" * 64), "type"),
        (SimpleUploadedFile("no-extension", b"%PDF-1.4\n"), "type"),
        (SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 64), "spoofed"),
        (SimpleUploadedFile("plan.docx", b"PK\x05\x06" + b"\x00" * 18), "spoofed"),
        (SimpleUploadedFile("notes.txt", b"\x00\x01\x02binary"), "spoofed"),
        (SimpleUploadedFile("empty.pdf", b""), "empty"),
    ],
)
def test_it_refuses_a_bad_file_leaving_no_row_no_file_no_event(
    personas, org_tree, evidence_dir, upload, code
):
    events_before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        attachment_upload(actor=personas["admin"], target=org_tree["dept_a"], file=upload)
    assert exc.value.code == code
    assert Attachment.objects.count() == 0
    assert stored_files(evidence_dir) == []
    assert AuditEvent.objects.count() == events_before


def test_it_refuses_a_file_over_the_size_limit(personas, org_tree, evidence_dir, settings):
    settings.EVIDENCE_MAX_BYTES = 2048
    with pytest.raises(ValidationError) as exc:
        attachment_upload(
            actor=personas["admin"], target=org_tree["dept_a"], file=pdf_upload(size=4096)
        )
    assert exc.value.code == "too_large"
    assert stored_files(evidence_dir) == []


def test_it_removes_the_stored_file_when_the_row_cannot_be_saved(
    personas, org_tree, evidence_dir, monkeypatch
):
    def failing_audit(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("resilia.evidence.services.audit_record", failing_audit)
    with pytest.raises(RuntimeError):
        attachment_upload(actor=personas["admin"], target=org_tree["dept_a"], file=pdf_upload())
    assert Attachment.objects.count() == 0
    assert stored_files(evidence_dir) == []


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("C:\\Users\\张伟\\报告.pdf", "报告.pdf"),
        ("../../.bashrc.txt", "bashrc.txt"),
        ('a<b>:"c|d?.pdf', "a_b_c_d_.pdf"),
        ("line\nbreak.pdf", "line_break.pdf"),
    ],
)
def test_it_sanitises_the_original_name(raw, clean):
    assert sanitise_name(raw) == clean
