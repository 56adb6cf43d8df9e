import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path) -> Path:
    """Evidence stored in a fresh directory per test, so leftovers are visible."""
    location = tmp_path / "evidence"
    location.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": None},
        },
    }
    return location


def stored_files(location: Path) -> list[Path]:
    return [p for p in location.rglob("*") if p.is_file()]


def pdf_upload(name="应急预案.pdf", size=None):
    body = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    if size:
        body = body + b"0" * (size - len(body))
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def docx_upload(name="演练报告.docx"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")
