"""The import templates (XLSX, CSV) and the column documentation of the import page."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext, pgettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from resilia.org.importing import COLUMNS, KIND_LABELS, KINDS
from resilia.org.models import UnitKind

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_NAMES = {"units": "units-import", "people": "people-import"}


def _header(column) -> str:
    # The star marks a required column; the importer ignores it when matching headers.
    return f"{column.label} *" if column.required else str(column.label)


def column_docs() -> list[dict]:
    """Per kind, every column: header, stable key, required, what it holds."""
    return [
        {
            "kind": kind,
            "label": KIND_LABELS[kind],
            "columns": [
                {"header": c.label, "key": c.key, "required": c.required, "help": c.help}
                for c in COLUMNS[kind]
            ],
        }
        for kind in KINDS
    ]


def _validations(sheet, columns) -> None:
    """Drop-down lists for the kind and yes/no columns (Excel still accepts typed values)."""
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        if column.parse == "choice":
            options = [str(label) for _value, label in UnitKind.choices]
        elif column.parse == "bool":
            options = [gettext("yes"), gettext("no")]
        else:
            continue
        validation = DataValidation(
            type="list", formula1='"' + ",".join(options) + '"', allow_blank=True
        )
        validation.showErrorMessage = False
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}20001")


def _xlsx(kind: str) -> bytes:
    columns = COLUMNS[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(KIND_LABELS[kind])[:31]
    sheet.append([_header(c) for c in columns])
    for index, column in enumerate(columns, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        width = max(len(_header(column)) * 2, 12)
        sheet.column_dimensions[get_column_letter(index)].width = min(width, 40)
        if column.parse in ("identifier", "ref"):
            # Text cells: Excel must not turn 00123 into 123 or a phone into 1.38E+10.
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    _validations(sheet, columns)
    docs = workbook.create_sheet(gettext("Columns")[:31])
    docs.append(
        [
            gettext("Column"),
            pgettext("import column", "Key"),
            gettext("Required"),
            gettext("Content"),
        ]
    )
    for cell in docs[1]:
        cell.font = Font(bold=True)
    for column in columns:
        required = gettext("yes") if column.required else gettext("no")
        docs.append([str(column.label), column.key, required, str(column.help)])
    for letter, width in zip("ABCD", (24, 22, 10, 70), strict=True):
        docs.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_response(kind: str, fmt: str) -> HttpResponse:
    """The template of `kind` ("units"/"people") as an XLSX or CSV attachment."""
    if fmt == "xlsx":
        response = HttpResponse(_xlsx(kind), content_type=XLSX_TYPE)
    else:
        buffer = io.StringIO()
        buffer.write("\ufeff")  # Excel needs the BOM to read UTF-8 Chinese headers
        csv.writer(buffer).writerow([_header(c) for c in COLUMNS[kind]])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{FILE_NAMES[kind]}.{fmt}"'
    return response
