"""The import page of resources, activities and links: upload, dry-run preview,
confirmation, result; and the templates. Same flow as the organisation import
(resilia.org.views_import): the uploaded file waits in the default storage between the
preview and the confirmation and is validated again on confirmation.
"""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import PurePath

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from resilia.dependencies.importing import (
    COLUMNS,
    KIND_LABELS,
    KINDS,
    ImportFileError,
    can_import,
    dependencies_import,
)
from resilia.org.forms_import import ImportForm as OrgImportForm
from resilia.org.import_templates import XLSX_TYPE, _header
from resilia.org.views_import import PENDING_DIR, _sweep_abandoned

SESSION_KEY = "dependencies_import_pending"
RESULT_KEY = "dependencies_import_result"
LIST_URLS = {
    "resources": "dependencies:resource_list",
    "activities": "dependencies:activity_list",
    "links": "dependencies:checks",
}


class ImportForm(OrgImportForm):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=list(KIND_LABELS.items()),
        widget=forms.RadioSelect,
        initial="resources",
    )


def _require_importer(user) -> None:
    if not can_import(user):
        raise PermissionDenied


def _forget_pending(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending and default_storage.exists(pending["path"]):
        default_storage.delete(pending["path"])


def _keep_pending(request, kind: str, upload) -> str:
    _forget_pending(request)
    _sweep_abandoned()
    token = uuid.uuid4().hex
    suffix = PurePath(upload.name).suffix.lower()[:10]
    upload.seek(0)
    path = default_storage.save(f"{PENDING_DIR}/dep-{token}{suffix}", upload)
    request.session[SESSION_KEY] = {"token": token, "path": path, "kind": kind, "name": upload.name}
    return token


def _preview(request, result, token=None):
    context = {
        "result": result,
        "kind_label": KIND_LABELS[result.kind],
        "token": token,
        "changed_rows": [r for r in result.rows if r.action != "unchanged"][:500],
        "errors": result.errors[:1000],
    }
    return render(request, "dependencies/import_preview.html", context)


def _docs() -> list[dict]:
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


@login_required
def import_start(request):
    """GET: the upload form and the documented columns. POST: the dry-run preview."""
    _require_importer(request.user)
    kind = request.GET.get("kind")
    form = ImportForm(
        request.POST or None,
        request.FILES or None,
        initial={"kind": kind if kind in KINDS else "resources"},
    )
    if request.method == "POST" and form.is_valid():
        kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
        try:
            result = dependencies_import(actor=request.user, kind=kind, file=upload, dry_run=True)
        except ImportFileError as exc:
            form.add_error("file", exc.message)
        except PermissionDenied:
            form.add_error("kind", gettext("You may not import this kind of record."))
        else:
            token = None if result.errors else _keep_pending(request, kind, upload)
            return _preview(request, result, token)
    context = {"form": form, "docs": _docs()}
    status = 400 if form.errors else 200
    return render(request, "dependencies/import.html", context, status=status)


@login_required
@require_POST
def import_confirm(request):
    """Apply the previewed file, validated again; nothing is saved if any row is bad now."""
    _require_importer(request.user)
    pending = request.session.get(SESSION_KEY)
    if not pending or pending["token"] != request.POST.get("token"):
        return redirect("dependencies:import")
    try:
        with default_storage.open(pending["path"], "rb") as file:
            result = dependencies_import(
                actor=request.user,
                kind=pending["kind"],
                file=file,
                dry_run=False,
                name=pending["name"],
            )
    except (ImportFileError, FileNotFoundError, PermissionDenied):
        _forget_pending(request)
        return redirect("dependencies:import")
    _forget_pending(request)
    if not result.applied:
        return _preview(request, result)
    request.session[RESULT_KEY] = {
        "kind": result.kind,
        "name": result.file_name,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "notices": result.notices,
    }
    return redirect("dependencies:import_result")


@login_required
def import_result(request):
    _require_importer(request.user)
    summary = request.session.get(RESULT_KEY)
    if summary is None:
        return redirect("dependencies:import")
    context = {
        **summary,
        "kind_label": KIND_LABELS[summary["kind"]],
        "list_url": LIST_URLS[summary["kind"]],
    }
    return render(request, "dependencies/import_result.html", context)


@login_required
def import_template(request, kind: str, fmt: str):
    """An empty file with the columns, headers in the user's language."""
    _require_importer(request.user)
    if kind not in KINDS or fmt not in ("xlsx", "csv"):
        raise Http404
    headers = [_header(c) for c in COLUMNS[kind]]
    if fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(KIND_LABELS[kind])[:31]
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        docs = workbook.create_sheet(gettext("Columns")[:31])
        docs.append([gettext("Column"), gettext("Key"), gettext("Required"), gettext("Content")])
        for column in COLUMNS[kind]:
            required = gettext("yes") if column.required else gettext("no")
            docs.append([str(column.label), column.key, required, str(column.help)])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    else:
        text = io.StringIO()
        text.write("\ufeff")  # Excel needs the BOM to read UTF-8 Chinese headers
        csv.writer(text).writerow(headers)
        response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-import.{fmt}"'
    return response
