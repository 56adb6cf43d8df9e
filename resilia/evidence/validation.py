"""What may be uploaded as evidence: size, allowed types, and content that matches its name.

The extension alone proves nothing: each allowed type is also recognised by its magic bytes
(and, for Office Open XML, by the parts inside the zip), so a renamed executable is refused.
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")

# extension → (MIME type, kind of content check)
ALLOWED_TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "ooxml:word/",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ooxml:xl/"),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "ooxml:ppt/",
    ),
    "doc": ("application/msword", "ole2"),
    "xls": ("application/vnd.ms-excel", "ole2"),
    "csv": ("text/csv", "text"),
    "txt": ("text/plain", "text"),
    "png": ("image/png", "png"),
    "jpg": ("image/jpeg", "jpeg"),
    "jpeg": ("image/jpeg", "jpeg"),
    "zip": ("application/zip", "zip"),
}

_SNIFF_BYTES = 8192
_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


@dataclass(frozen=True)
class Inspected:
    original_name: str
    extension: str
    mime_type: str
    size: int


def sanitise_name(name: str) -> str:
    """A display name safe in headers and on any file system: no path, no control characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE_CHARS.sub("_", name).strip().lstrip(".").strip()
    stem, ext = os.path.splitext(name)
    return (stem[: 200 - len(ext)] + ext) if name else ""


def extension_of(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    # UTF-8 first, then GB18030 (Excel in Chinese saves CSV that way); a sample may end inside
    # a multi-byte character, which the incremental decoders tolerate.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _ooxml_has(file, part_prefix: str) -> bool:
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith(part_prefix) for n in names)


def _content_matches(file, check: str) -> bool:
    file.seek(0)
    head = file.read(_SNIFF_BYTES)
    file.seek(0)
    if check == "pdf":
        return head.startswith(b"%PDF-")
    if check == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if check == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if check == "ole2":
        return head.startswith(OLE2)
    if check == "text":
        return _looks_like_text(head)
    if check == "zip":
        if not head.startswith(ZIP_MAGICS):
            return False
        ok = zipfile.is_zipfile(file)
        file.seek(0)
        return ok
    if check.startswith("ooxml:"):
        if not head.startswith(ZIP_MAGICS):
            return False
        ok = _ooxml_has(file, check.removeprefix("ooxml:"))
        file.seek(0)
        return ok
    return False


def allowed_extensions() -> str:
    return ", ".join(sorted(ALLOWED_TYPES))


def inspect_upload(file) -> Inspected:
    """Check an uploaded file; raise ValidationError with a translated message when refused."""
    size = file.size
    limit = settings.EVIDENCE_MAX_BYTES
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    name = sanitise_name(getattr(file, "name", ""))
    extension = extension_of(name)
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            _("Files of this type are not accepted. Allowed types: %(types)s."),
            code="type",
            params={"types": allowed_extensions()},
        )
    mime_type, check = ALLOWED_TYPES[extension]
    if not _content_matches(file, check):
        raise ValidationError(
            _("The content of the file does not match its type (.%(ext)s)."),
            code="spoofed",
            params={"ext": extension},
        )
    return Inspected(original_name=name, extension=extension, mime_type=mime_type, size=size)
