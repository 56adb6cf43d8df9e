"""Reading an uploaded XLSX or CSV file into text rows, robust to whatever users upload.

Knows nothing of any register: it is given the columns (objects with `key`, `label`,
`required` and `headers()`) and returns a `Table`, or raises `ImportFileError` with a message
for the user: not a spreadsheet, damaged workbook, unknown encoding, empty, too big, too long,
required columns missing. Cells come back as text; formulas are never evaluated.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext

from resilia.core import safeparse
from resilia.core.safeparse import Deadline, ParseError

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024
# Rows scanned (blank ones included) before a sheet is declared too long: a sheet formatted
# down to row 1,048,576 must not keep a web worker busy.
MAX_SCANNED_ROWS = MAX_ROWS * 3
FORMULA_PREFIXES = ("=", "+", "-", "@")
_HEADER_JUNK_RE = re.compile(r"[\s*＊_\-:：()（）]+")


class ImportFileError(Exception):
    """The file as a whole cannot be imported; `message` is translated for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def normalise_header(text: str) -> str:
    return _HEADER_JUNK_RE.sub("", str(text)).casefold()


def cell_text(value: Any) -> str:
    """A cell as trimmed text: Excel numbers lose their '.0', dates become ISO text.

    Formulas are never evaluated: the formula's own text is the value. A leading apostrophe
    that our exports add before a formula-like value is removed, so exports re-import.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e18:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
        text = text[1:]
    return text


# ---------------------------------------------------------------------------------------------
# Reading the file


@dataclass
class Table:
    """The rows of a file as text keyed by column key, with spreadsheet row numbers."""

    columns: tuple
    present: set[str]
    rows: list[tuple[int, dict[str, str]]]
    notices: list[str] = field(default_factory=list)


def _xlsx_rows(data: bytes, deadline: Deadline):
    from openpyxl import load_workbook

    try:
        # Before openpyxl unpacks anything: a zip bomb is refused by its declared sizes, and
        # zipfile never inflates a member beyond what it declares.
        safeparse.check_zip(data, deadline)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            sheet = workbook.worksheets[0]
            # Read what the sheet holds, not what its <dimension> claims: read-only mode
            # would stop at a stale dimension's last row and skip columns before its first.
            sheet.reset_dimensions()
            for row in sheet.iter_rows(min_row=1, min_col=1, values_only=True):
                yield list(row)
            workbook.close()
    except ParseError as exc:
        raise ImportFileError(exc.message) from None
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises anything from KeyError to XML errors
        raise ImportFileError(
            gettext("The file could not be read as an Excel workbook (.xlsx); it may be damaged.")
        ) from exc


def _decode_csv(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        # UTF-8 (with or without BOM) first; Chinese Excel saves "CSV" as GB18030/GBK.
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        gettext("The CSV file's text encoding is not recognised; save it as UTF-8 or GB18030.")
    )


def _csv_rows(data: bytes):
    text = _decode_csv(data)
    if "\x00" in text:
        raise ImportFileError(gettext("The file is not a CSV text file."))
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise ImportFileError(
            gettext("The CSV file is malformed: %(error)s") % {"error": exc}
        ) from exc


def _raw_rows(name: str, data: bytes, deadline: Deadline):
    suffix = PurePath(name or "").suffix.casefold()
    is_zip = data[:4] == b"PK\x03\x04"
    if suffix == ".xlsx" or (suffix not in (".csv", ".txt") and is_zip):
        if not is_zip or not zipfile.is_zipfile(io.BytesIO(data)):
            raise ImportFileError(
                gettext(
                    "The file could not be read as an Excel workbook (.xlsx); it may be damaged."
                )
            )
        return _xlsx_rows(data, deadline)
    if suffix in (".csv", ".txt"):
        return _csv_rows(data)
    if suffix in (".xls", ".et", ".ods", ".numbers"):
        raise ImportFileError(
            gettext("This spreadsheet format is not supported: save it as .xlsx or .csv and retry.")
        )
    raise ImportFileError(gettext("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))


def _read_bytes(file) -> bytes:
    try:
        data = safeparse.read_bounded(file, MAX_BYTES)
    except ParseError as exc:
        raise ImportFileError(exc.message) from None
    if not data.strip():
        raise ImportFileError(gettext("The file is empty."))
    return data


def _map_header(columns, header: list) -> tuple[dict, list[str]]:
    lookup = {}
    for column in columns:
        for name in column.headers():
            lookup.setdefault(name, column)
    mapping: dict = {}
    notices = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(header):
        text = cell_text(raw)
        if not text:
            continue
        column = lookup.get(normalise_header(text))
        if column is None:
            notices.append(
                gettext("Column “%(name)s” is not one of the import columns and was ignored.")
                % {"name": text[:80]}
            )
        elif column.key in seen:
            raise ImportFileError(
                gettext("Columns “%(first)s” and “%(second)s” are the same column; keep one.")
                % {"first": seen[column.key], "second": text[:80]}
            )
        else:
            seen[column.key] = text[:80]
            mapping[index] = column
    return mapping, notices


def read_table(columns, name: str, file) -> Table:
    """Read the first sheet (or the CSV) into text rows; ImportFileError if it cannot be.

    Within the limits of `safeparse` (unpacked size, time) and of this module (bytes, rows).
    """
    deadline = Deadline()
    try:
        return _read_table(columns, name, file, deadline)
    except ParseError as exc:
        raise ImportFileError(exc.message) from None


def _read_table(columns, name: str, file, deadline: Deadline) -> Table:
    rows_iter = iter(_raw_rows(name, _read_bytes(file), deadline))
    header: list = []
    header_row = 0
    for number, raw in enumerate(rows_iter, start=1):
        if any(cell_text(v) for v in raw):
            header, header_row = raw, number
            break
        if number > 100:
            break
    if not header:
        raise ImportFileError(gettext("The file is empty."))
    mapping, notices = _map_header(columns, header)
    missing = [str(c.label) for c in columns if c.required and c not in mapping.values()]
    if missing:
        raise ImportFileError(
            gettext("Required columns are missing: %(columns)s. Download the template to see them.")
            % {"columns": gettext(", ").join(missing)}
        )
    rows = []
    for number, raw in enumerate(rows_iter, start=header_row + 1):
        if number % 512 == 0:
            deadline.check()
        if number > MAX_SCANNED_ROWS:
            raise ImportFileError(_too_many_rows())
        values = {c.key: cell_text(raw[i]) if i < len(raw) else "" for i, c in mapping.items()}
        if any(values.values()):
            rows.append((number, values))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(_too_many_rows())
    if not rows:
        raise ImportFileError(gettext("The file has a header row but no data rows."))
    present = {c.key for c in mapping.values()}
    return Table(columns=columns, present=present, rows=rows, notices=notices)


def _too_many_rows() -> str:
    return gettext("The file has more than %(max)s rows; split it into smaller files.") % {
        "max": f"{MAX_ROWS:,}"
    }
