"""The import page: upload, dry-run preview, confirmation, result; and the templates.

The uploaded file is kept in the default storage between the preview and the confirmation
(not in a worker's memory or temp dir: several web processes may serve the two requests),
and is validated again on confirmation, since the database may have changed meanwhile.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePath

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from resilia.core import access
from resilia.org.forms_import import ImportForm
from resilia.org.import_templates import column_docs, template_response
from resilia.org.importing import KIND_LABELS, KINDS, ImportFileError, org_import
from resilia.org.models import Person, Unit

PENDING_DIR = "org-import"
PENDING_MAX_AGE = dt.timedelta(hours=24)
SESSION_KEY = "org_import_pending"
RESULT_KEY = "org_import_result"
LIST_URLS = {"units": "org:unit_list", "people": "org:person_list"}


def can_import(user) -> bool:
    """Whether the import page is open to the user (rows are scoped by the service)."""
    return access.can_create(user, Unit) or access.can_create(user, Person)


def _require_importer(user) -> None:
    if not can_import(user):
        raise PermissionDenied


def _forget_pending(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
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


def _keep_pending(request, kind: str, upload) -> str:
    _forget_pending(request)
    _sweep_abandoned()
    token = uuid.uuid4().hex
    suffix = PurePath(upload.name).suffix.lower()[:10]
    upload.seek(0)
    path = default_storage.save(f"{PENDING_DIR}/{token}{suffix}", upload)
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
    return render(request, "org/import_preview.html", context)


@login_required
def import_start(request):
    """GET: the upload form and the documented columns. POST: the dry-run preview."""
    _require_importer(request.user)
    kind = request.GET.get("kind")
    initial = {"kind": kind if kind in KINDS else "units"}
    form = ImportForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
        try:
            result = org_import(actor=request.user, kind=kind, file=upload, dry_run=True)
        except ImportFileError as exc:
            form.add_error("file", exc.message)
        else:
            token = None if result.errors else _keep_pending(request, kind, upload)
            return _preview(request, result, token)
    context = {"form": form, "docs": column_docs(), "kinds": KINDS}
    return render(request, "org/import.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def import_confirm(request):
    """Apply the previewed file, validated again; nothing is saved if any row is bad now."""
    _require_importer(request.user)
    pending = request.session.get(SESSION_KEY)
    if not pending or pending["token"] != request.POST.get("token"):
        return redirect("org:import")
    try:
        with default_storage.open(pending["path"], "rb") as file:
            result = org_import(
                actor=request.user,
                kind=pending["kind"],
                file=file,
                dry_run=False,
                name=pending["name"],
            )
    except (ImportFileError, FileNotFoundError):
        _forget_pending(request)
        return redirect("org:import")
    _forget_pending(request)
    if not result.applied:
        return _preview(request, result)
    request.session[RESULT_KEY] = {
        "kind": result.kind,
        "name": result.file_name,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }
    return redirect("org:import_result")


@login_required
def import_result(request):
    """What the last confirmed import did."""
    _require_importer(request.user)
    summary = request.session.get(RESULT_KEY)
    if summary is None:
        return redirect("org:import")
    context = {
        **summary,
        "kind_label": KIND_LABELS[summary["kind"]],
        "list_url": LIST_URLS[summary["kind"]],
    }
    return render(request, "org/import_result.html", context)


@login_required
def import_template(request, kind: str, fmt: str):
    """An empty file with the columns, headers in the user's language."""
    _require_importer(request.user)
    if kind not in KINDS or fmt not in ("xlsx", "csv"):
        raise Http404
    return template_response(kind, fmt)
