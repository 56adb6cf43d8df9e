"""Tabular exports (CSV, XLSX) shared by every register, the audit log and reports.

Headers are translated in the user's language; CSV carries a UTF-8 BOM so that Excel
opens Chinese text correctly. The caller audits the export (action "export").

Spreadsheet cells are typed as what they are: numbers as numbers, dates and times as Excel
dates with a number format (in the server's time zone, Excel has none), text as text. The
defence against formula injection differs by format: CSV has no cell types, so text that
starts with a formula character gets a leading apostrophe there; an XLSX text cell is stored
as a string (never as a formula) and marked "quote prefix", so that Excel keeps it text even
when the cell is edited, without a visible apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
SECONDS_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
INTEGER_FORMAT = "0"
HOURS_FORMAT = "0.0#"
# Excel's limit on a sheet name, and the characters it refuses in one.
SHEET_NAME_LENGTH = 31
_SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def safe_cell(value):
    """Plain text for a CSV cell; neutralise spreadsheet formulas (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def xlsx_value(value):
    """The value an XLSX cell holds: numbers and dates as themselves (aware datetimes in the
    local time zone, without it), anything else as text without control characters."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def xlsx_append(sheet, values: Sequence, number_formats: Sequence[str | None] = ()) -> None:
    """Append one row of typed cells; `number_formats` (by column, None: by type) formats them.

    Text is never a formula: openpyxl reads text starting with "=" as one, so the cell is set
    back to a string, and every text that a spreadsheet would read as a formula on editing is
    marked quote-prefixed.
    """
    sheet.append([xlsx_value(v) for v in values])
    formats = list(number_formats) + [None] * (len(values) - len(number_formats))
    for cell, fmt in zip(sheet[sheet.max_row], formats, strict=False):
        value = cell.value
        if isinstance(value, str):
            if value.startswith(_FORMULA_PREFIXES):
                cell.data_type = "s"
                cell.quotePrefix = True
        elif fmt:
            cell.number_format = fmt
        elif isinstance(value, dt.datetime):
            cell.number_format = SECONDS_FORMAT if value.second else DATETIME_FORMAT
        elif isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT


def sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """A sheet name Excel accepts: its forbidden characters replaced, at most 31 characters
    cut at a word boundary (Chinese, without spaces, at a character), unique among `taken`."""
    name = " ".join(str(name).translate(_SHEET_NAME_FORBIDDEN).split()).strip("'") or "Sheet"
    if len(name) > SHEET_NAME_LENGTH:
        cut = name[: SHEET_NAME_LENGTH + 1]
        head = cut.rsplit(" ", 1)[0] if " " in cut else cut
        name = head[:SHEET_NAME_LENGTH].rstrip(" -—,")
    taken = {t.lower() for t in taken}
    candidate, number = name, 2
    while candidate.lower() in taken:
        suffix = f" {number}"
        candidate = name[: SHEET_NAME_LENGTH - len(suffix)] + suffix
        number += 1
    return candidate


def _width(value) -> int:
    if isinstance(value, dt.datetime):
        return 16
    return len(str(value)) if value is not None else 0


def export_response(
    *, fmt: str, basename: str, headers: Sequence[str], rows: Iterable[Sequence]
) -> HttpResponse:
    """An attachment response with the rows in CSV or XLSX."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow([str(h) for h in headers])
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        filename = f"{basename}-{stamp}.csv"
    elif fmt == "xlsx":
        workbook = Workbook(write_only=False)
        sheet = workbook.active
        sheet.title = sheet_name(basename)
        sheet.append([str(h) for h in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        widths = [len(str(h)) for h in headers]
        for row in rows:
            xlsx_append(sheet, row)
            widths = [max(w, _width(v)) for w, v in zip(widths, row, strict=False)]
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(60, width * 1.6 + 2)
        sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"{basename}-{stamp}.xlsx"
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
