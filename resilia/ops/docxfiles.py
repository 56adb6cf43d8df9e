"""Checking and sanitising an uploaded Word template (.docx) before it is stored.

A .docx is a zip of XML parts. It is refused unless it is a real, bounded one (a zip with
word/document.xml that python-docx opens, at most REPORT_TEMPLATE_MAX_BYTES, at most 2,000
parts and 50 MB unpacked, not macro-enabled), and it is rewritten without what could act
when a report built on it is opened: macros (vbaProject), ActiveX controls, embedded
objects, and every relationship to an outside address (an attachedTemplate pointing to a
server is a known way to load code into Word).
"""

from __future__ import annotations

import io
import re
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_PARTS = 2000
MAX_UNPACKED = 50 * 1024 * 1024
DROPPED = re.compile(r"(^|/)(vbaProject\.bin|vbaData\.xml|activeX/|embeddings/)", re.I)
RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*/>", re.I)
TARGET = re.compile(rb'Target="([^"]*)"')
MACRO_TYPES = (b"macroEnabled", b"vbaProject")


def _kept(match) -> bytes:
    """A relationship, or nothing when it points outside or to a dropped part."""
    element = match.group(0)
    target = TARGET.search(element)
    if b'TargetMode="External"' in element:
        return b""
    if target and DROPPED.search(target.group(1).decode("utf-8", "replace")):
        return b""
    return element


def _refuse(message: str):
    raise ValidationError({"file": message})


def check_size(size: int) -> None:
    """Refuse a template over REPORT_TEMPLATE_MAX_BYTES (before reading it, when known)."""
    if size > settings.REPORT_TEMPLATE_MAX_BYTES:
        _refuse(
            _("The template is larger than %(mb)s MB.")
            % {"mb": settings.REPORT_TEMPLATE_MAX_BYTES // (1024 * 1024) or 1}
        )


def sanitise_docx(content: bytes) -> bytes:
    """The template, checked and rewritten without active content; ValidationError on
    "file" with a message the uploader can act on otherwise."""
    check_size(len(content))
    try:
        source = zipfile.ZipFile(io.BytesIO(content))
        infos = source.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        _refuse(_("This is not a Word document (.docx)."))
    names = {info.filename for info in infos}
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        _refuse(_("This is not a Word document (.docx)."))
    if len(infos) > MAX_PARTS or sum(info.file_size for info in infos) > MAX_UNPACKED:
        _refuse(_("The template unpacks to too much data."))
    out = io.BytesIO()
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in infos:
                if DROPPED.search(info.filename):
                    continue
                data = source.read(info.filename)
                if info.filename == "[Content_Types].xml" and any(t in data for t in MACRO_TYPES):
                    _refuse(_("Macro-enabled documents are not accepted; save it as .docx."))
                if info.filename.endswith(".rels"):
                    data = RELATIONSHIP.sub(_kept, data)
                target.writestr(info.filename, data)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError):
        _refuse(_("This is not a Word document (.docx)."))
    cleaned = out.getvalue()
    try:
        import docx

        docx.Document(io.BytesIO(cleaned))
    except Exception:  # noqa: BLE001 (python-docx raises many kinds on a broken file)
        _refuse(_("This Word document cannot be read; open it in Word and save it again."))
    return cleaned
