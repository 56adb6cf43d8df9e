"""One import flow for every register: upload, dry-run preview, confirmation, result; the
column documentation and the XLSX/CSV templates.

An app declares an `ImportFlow` (its kinds, columns, import service, list pages and texts)
and routes its four URLs to `flow.views()`. The app's import service does the real work and
the access checks on every row; the flow only moves the file between the two requests.

The uploaded file is kept in the default storage between the preview and the confirmation
(not in a worker's memory or temp dir: several web processes may serve the two requests),
and is validated again on confirmation, since the database may have changed meanwhile.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from types import SimpleNamespace
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

PENDING_DIR = "org-import"  # shared by every flow (the sweep cleans all of them)
PENDING_MAX_AGE = dt.timedelta(hours=24)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class ImportFlow:
    """What an app's import page needs to know; see the module docstring.

    `run(actor=, kind=, file=, dry_run=, name=)` is the app's import service: it returns a
    result with kind, file_name, rows, errors, notices, applied and the created/updated/
    unchanged counts, and raises one of `file_errors` (with a `message`) for an unreadable
    file. Columns are objects with key, label, required, help, parse (and optionally
    `choices`, else `choices[key]` of the flow gives the drop-down list of a choice column).
    """

    namespace: str  # URL namespace: "<namespace>:import", ":import_confirm", ...
    kinds: Sequence[str]
    kind_labels: Mapping[str, Any]
    columns: Mapping[str, Sequence[Any]]
    run: Callable[..., Any]
    file_errors: tuple[type[Exception], ...]
    can_import: Callable[[Any], bool]
    list_urls: Mapping[str, str]  # kind -> URL name of the register the result page opens
    title: Any
    intro: Any
    row_headings: Mapping[str, tuple[Any, Any]]  # kind -> preview headings of key and label
    pending_prefix: str = ""  # file name prefix in PENDING_DIR
    # When set, a PermissionDenied of `run` for the chosen kind is this form error (and a
    # confirmation sends back to the upload page) rather than a 403.
    kind_refused: Any = None
    result_notices: bool = False  # keep the import's notices for the result page
    choices: Mapping[str, Sequence[tuple[str, Any]]] = field(default_factory=dict)

    @property
    def session_key(self) -> str:
        return f"{self.namespace}_import_pending"

    @property
    def result_key(self) -> str:
        return f"{self.namespace}_import_result"

    @property
    def url(self) -> str:
        return f"{self.namespace}:import"

    @property
    def confirm_url(self) -> str:
        return f"{self.namespace}:import_confirm"

    @property
    def template_url(self) -> str:
        return f"{self.namespace}:import_template"

    def views(self) -> SimpleNamespace:
        """The four views: start (upload + preview), confirm, result, template."""
        return _views(self)


# ---------------------------------------------------------------------------------------------
# The upload form, the column documentation and the templates


def import_form(flow: ImportFlow) -> type[forms.Form]:
    """The upload form: what the file holds (the flow's kinds) and the file."""

    class ImportForm(forms.Form):
        kind = forms.ChoiceField(
            label=_("What the file holds"),
            choices=[(k, flow.kind_labels[k]) for k in flow.kinds],
            widget=forms.RadioSelect,
            initial=flow.kinds[0],
        )
        file = forms.FileField(
            label=_("File"),
            help_text=_("An Excel workbook (.xlsx, first sheet) or a CSV file, at most 10 MB."),
            widget=forms.ClearableFileInput(
                attrs={"class": "form-control", "accept": ".xlsx,.csv,text/csv"}
            ),
        )

    return ImportForm


def header(column) -> str:
    """The header of a template column; the star marks a required one (ignored on import)."""
    return f"{column.label} *" if column.required else str(column.label)


def column_docs(flow: ImportFlow) -> list[dict]:
    """Per kind, every column: header, stable key, required, what it holds."""
    return [
        {
            "kind": kind,
            "label": flow.kind_labels[kind],
            "columns": [
                {"header": c.label, "key": c.key, "required": c.required, "help": c.help}
                for c in flow.columns[kind]
            ],
        }
        for kind in flow.kinds
    ]


def _validations(flow: ImportFlow, sheet, columns) -> None:
    """Drop-down lists for the choice and yes/no columns (Excel still accepts typed values)."""
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        if column.parse == "choice":
            choices = getattr(column, "choices", ()) or flow.choices.get(column.key, ())
            options = [str(label) for _value, label in choices]
        elif column.parse == "bool":
            options = [gettext("yes"), gettext("no")]
        else:
            continue
        if not options:
            continue
        validation = DataValidation(
            type="list", formula1='"' + ",".join(options) + '"', allow_blank=True
        )
        validation.showErrorMessage = False
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}20001")


def _xlsx(flow: ImportFlow, kind: str) -> bytes:
    columns = flow.columns[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(flow.kind_labels[kind])[:31]
    sheet.append([header(c) for c in columns])
    for index, column in enumerate(columns, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        width = max(len(header(column)) * 2, 12)
        sheet.column_dimensions[get_column_letter(index)].width = min(width, 40)
        if column.parse in ("identifier", "ref"):
            # Text cells: Excel must not turn 00123 into 123 or a phone into 1.38E+10.
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    _validations(flow, sheet, columns)
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


def template_response(flow: ImportFlow, kind: str, fmt: str) -> HttpResponse:
    """The empty template of `kind` as an XLSX or CSV attachment, headers in the language."""
    if fmt == "xlsx":
        response = HttpResponse(_xlsx(flow, kind), content_type=XLSX_TYPE)
    else:
        buffer = io.StringIO()
        buffer.write("\ufeff")  # Excel needs the BOM to read UTF-8 Chinese headers
        csv.writer(buffer).writerow([header(c) for c in flow.columns[kind]])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-import.{fmt}"'
    return response


# ---------------------------------------------------------------------------------------------
# The pending file between preview and confirmation


def _forget_pending(flow: ImportFlow, request) -> None:
    pending = request.session.pop(flow.session_key, None)
    if pending and default_storage.exists(pending["path"]):
        default_storage.delete(pending["path"])


def _sweep_abandoned() -> None:
    """Delete previews never confirmed (best effort: a storage error must not fail an upload)."""
    try:
        _dirs, files = default_storage.listdir(PENDING_DIR)
        for name in files:
            path = f"{PENDING_DIR}/{name}"
            if timezone.now() - default_storage.get_modified_time(path) > PENDING_MAX_AGE:
                default_storage.delete(path)
    except (OSError, NotImplementedError):
        pass


def _keep_pending(flow: ImportFlow, request, kind: str, upload) -> str:
    _forget_pending(flow, request)
    _sweep_abandoned()
    token = uuid.uuid4().hex
    suffix = PurePath(upload.name).suffix.lower()[:10]
    upload.seek(0)
    path = default_storage.save(f"{PENDING_DIR}/{flow.pending_prefix}{token}{suffix}", upload)
    request.session[flow.session_key] = {
        "token": token,
        "path": path,
        "kind": kind,
        "name": upload.name,
    }
    return token


# ---------------------------------------------------------------------------------------------
# The views


def _views(flow: ImportFlow) -> SimpleNamespace:
    form_class = import_form(flow)
    refused = (PermissionDenied,) if flow.kind_refused is not None else ()

    def require_importer(user) -> None:
        if not flow.can_import(user):
            raise PermissionDenied

    def preview(request, result, token=None):
        context = {
            "flow": flow,
            "result": result,
            "kind_label": flow.kind_labels[result.kind],
            "row_headings": flow.row_headings[result.kind],
            "token": token,
            "changed_rows": [r for r in result.rows if r.action != "unchanged"][:500],
            "errors": result.errors[:1000],
        }
        return render(request, "core/import_preview.html", context)

    @login_required
    def import_start(request):
        """GET: the upload form and the documented columns. POST: the dry-run preview."""
        require_importer(request.user)
        kind = request.GET.get("kind")
        initial = {"kind": kind if kind in flow.kinds else flow.kinds[0]}
        form = form_class(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
            try:
                result = flow.run(actor=request.user, kind=kind, file=upload, dry_run=True)
            except flow.file_errors as exc:
                form.add_error("file", exc.message)
            except refused:
                form.add_error("kind", str(flow.kind_refused))
            else:
                token = None if result.errors else _keep_pending(flow, request, kind, upload)
                return preview(request, result, token)
        context = {"flow": flow, "form": form, "docs": column_docs(flow), "kinds": flow.kinds}
        return render(request, "core/import.html", context, status=400 if form.errors else 200)

    @login_required
    @require_POST
    def import_confirm(request):
        """Apply the previewed file, validated again; nothing is saved if any row is bad now."""
        require_importer(request.user)
        pending = request.session.get(flow.session_key)
        if not pending or pending["token"] != request.POST.get("token"):
            return redirect(flow.url)
        try:
            with default_storage.open(pending["path"], "rb") as file:
                result = flow.run(
                    actor=request.user,
                    kind=pending["kind"],
                    file=file,
                    dry_run=False,
                    name=pending["name"],
                )
        except (*flow.file_errors, FileNotFoundError, *refused):
            _forget_pending(flow, request)
            return redirect(flow.url)
        _forget_pending(flow, request)
        if not result.applied:
            return preview(request, result)
        summary = {
            "kind": result.kind,
            "name": result.file_name,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        if flow.result_notices:
            summary["notices"] = result.notices
        request.session[flow.result_key] = summary
        return redirect(f"{flow.namespace}:import_result")

    @login_required
    def import_result(request):
        """What the last confirmed import did."""
        require_importer(request.user)
        summary = request.session.get(flow.result_key)
        if summary is None:
            return redirect(flow.url)
        context = {
            **summary,
            "flow": flow,
            "kind_label": flow.kind_labels[summary["kind"]],
            "list_url": flow.list_urls[summary["kind"]],
        }
        return render(request, "core/import_result.html", context)

    @login_required
    def import_template(request, kind: str, fmt: str):
        """An empty file with the columns, headers in the user's language."""
        require_importer(request.user)
        if kind not in flow.kinds or fmt not in FORMATS:
            raise Http404
        return template_response(flow, kind, fmt)

    return SimpleNamespace(
        start=import_start, confirm=import_confirm, result=import_result, template=import_template
    )
