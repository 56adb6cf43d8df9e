"""Spreadsheets built to hurt: zip bombs, endless rows, stale dimensions, slow files.

Each is refused with a translated message before it costs more than a fixed amount of memory,
and nothing is written; a sheet whose <dimension> lies is read in full.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from resilia.audit.models import AuditEvent
from resilia.core import safeparse
from resilia.org.importing import ImportFileError, org_import
from resilia.org.models import Person

HEADER = ["employee_no", "full_name", "unit_code"]
SHEET = "xl/worksheets/sheet1.xml"


def workbook_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite(data: bytes, member: str, write) -> bytes:
    """The workbook with `member` replaced: `write(stream)` streams its new content."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename == member:
                new = zipfile.ZipInfo(member)
                new.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(new, "w", force_zip64=True) as stream:
                    write(stream)
            else:
                dst.writestr(info, src.read(info), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def bomb(unpacked_mb: int) -> bytes:
    """A valid workbook whose sheet is one row of `unpacked_mb` MB of identical cells."""
    cell = b'<c t="inlineStr"><is><t>AAAAAAAAAAAAAAAA</t></is></c>'
    chunk = cell * (1024 * 1024 // len(cell))

    def write(stream):
        stream.write(
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        )
        stream.write(b'<sheetData><row r="1"><c t="inlineStr"><is><t>employee_no</t></is></c>')
        for _ in range(unpacked_mb):
            stream.write(chunk)
        stream.write(b"</row></sheetData></worksheet>")

    return rewrite(workbook_bytes([HEADER]), SHEET, write)


def upload(data: bytes, name: str = "people.xlsx") -> io.BytesIO:
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer


def refused(personas, data: bytes) -> str:
    with pytest.raises(ImportFileError) as caught:
        org_import(actor=personas["manager"], kind="people", file=upload(data), dry_run=False)
    assert not Person.objects.filter(full_name__startswith="p").exists()
    assert not AuditEvent.objects.filter(action="import").exists()
    return caught.value.message


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("ref", [b"A1:C2", b"B2:C2"])
def test_it_reads_every_row_when_the_dimension_is_stale(personas, ref):
    rows = [HEADER, *([f"70{n}", f"p{n}", "DEPT-A"] for n in range(5))]
    data = workbook_bytes(rows)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert re.search(rb'<dimension ref="A1:C6"\s*/>', archive.read(SHEET))

    def write(stream):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read(SHEET)
        stream.write(re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="%s"/>' % ref, xml))

    stale = rewrite(data, SHEET, write)
    result = org_import(actor=personas["manager"], kind="people", file=upload(stale), dry_run=False)
    assert result.applied, [str(e) for e in result.errors]
    assert sorted(Person.objects.filter(full_name__startswith="p").values_list("employee_no")) == [
        (f"70{n}",) for n in range(5)
    ]


def test_it_refuses_a_zip_bomb_by_its_declared_size(personas):
    message = refused(personas, bomb(120))
    assert "unpacks to more than 100 MB" in message


def test_it_refuses_a_member_compressed_like_a_bomb(personas):
    message = refused(personas, bomb(20))
    assert "compressed more than 100 to 1" in message


def test_it_refuses_a_row_too_long_to_stream(personas, monkeypatch):
    monkeypatch.setattr(safeparse, "MAX_ELEMENT_BYTES", 4096)
    data = workbook_bytes([HEADER, ["7001", "p" + "x" * 5000, "DEPT-A"]])
    assert "A row of the workbook is longer than" in refused(personas, data)


def test_it_refuses_a_part_read_whole_over_its_limit(personas, monkeypatch):
    monkeypatch.setattr(safeparse, "MAX_MEMBER_BYTES", 1024)
    data = workbook_bytes([HEADER, *([f"70{n}", f"p{n}" * 50, "DEPT-A"] for n in range(20))])
    assert "unpacks to more than" in refused(personas, data)


def test_it_gives_up_on_a_file_that_takes_too_long(personas, monkeypatch):
    monkeypatch.setattr(safeparse, "MAX_SECONDS", -1)
    data = workbook_bytes([HEADER, ["7001", "p1", "DEPT-A"]])
    assert "took longer than -1 seconds" in refused(personas, data)


def test_it_explains_the_refusal_in_chinese(personas):
    with translation.override("zh-hans"):
        message = refused(personas, bomb(120))
    assert "解压" in message, message


CHILD = """
import resource, sys, django
django.setup()
from resilia.core.importfiles import read_table, ImportFileError
from resilia.org.importing import COLUMNS
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    read_table(COLUMNS["people"], "bomb.xlsx", open(sys.argv[1], "rb"))
except ImportFileError as exc:
    print(exc.message)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) // 1024)
"""


@pytest.mark.parametrize("unpacked_mb", [99, 300])
def test_it_refuses_a_bomb_within_a_fixed_memory_bound(tmp_path, unpacked_mb):
    """A real bomb (no limit lowered): the reader's peak memory grows by under 64 MB."""
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb(unpacked_mb))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "resilia.settings", "SECRET_KEY": "test-only"}
    env["LANGUAGE_CODE"] = "en"
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    message, grown_mb = done.stdout.strip().splitlines()
    assert "compressed more than" in message or "unpacks to more than" in message
    assert int(grown_mb) < 64, done.stdout
